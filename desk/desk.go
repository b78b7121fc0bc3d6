// Package desk is koban's inquiry workflow, the same whichever way a question
// arrives (Slack channel, mention, DM, /koban ask, the web playground):
// receive and persist it, process it as a durable job (retrieve, triage,
// answer or escalate), deliver the reply, and apply what people do next
// (Solved, I need a human, Docs are wrong, Acknowledge, Resolve, follow-ups).
//
// It leaves transports and rendering to bot and web (through Replier),
// storage to store, answers to knowledge, classification to triage and
// routing to oncall: it sees each of them through a small interface.
package desk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/textproc"
)

// Store is what the desk needs from the inquiry store.
type Store interface {
	// CreateInquiry stores the inquiry, its received event and its processing
	// job in one transaction; a known EventID creates nothing (created=false)
	// and fills inq with the stored inquiry.
	CreateInquiry(ctx context.Context, inq *koban.Inquiry) (created bool, err error)
	// Inquiry returns ENotFound for an unknown id.
	Inquiry(ctx context.Context, id int64) (*koban.Inquiry, error)
	// InquiryByThread returns the latest inquiry of a conversation, or ENotFound.
	InquiryByThread(ctx context.Context, channel, threadTS string) (*koban.Inquiry, error)
	// Transition moves an inquiry to another state (EConflict when illegal),
	// applies update and appends ev, in one transaction.
	Transition(ctx context.Context, id int64, to koban.State, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error)
	// Update applies update and appends ev without a state change.
	Update(ctx context.Context, id int64, ev koban.Event, update func(*koban.Inquiry)) (*koban.Inquiry, error)
	// FollowUp appends ev (a follow-up or reopened event), moves the inquiry
	// to state to when it is not empty, and enqueues its processing job when
	// process is set, in one transaction. An ev.Data["event_id"] seen before
	// creates nothing (created=false).
	FollowUp(ctx context.Context, id int64, ev koban.Event, to koban.State, process bool) (created bool, err error)
	// Enqueue enqueues the processing job of an existing inquiry, which
	// delivers what is undelivered, with retries.
	Enqueue(ctx context.Context, id int64) error
	Events(ctx context.Context, id int64) ([]koban.Event, error)
	// Claimer makes deciding and delivering each reply happen once.
	koban.Claimer
}

// claimStale is how long a job may hold the claim on deciding or delivering
// before another job may take it over (its holder is thought dead). It stays
// under the job runner's rescue time, so a rescued job finds the claim free.
const claimStale = 5 * time.Minute

// Router finds who an escalation goes to.
type Router interface {
	Route(ctx context.Context, d koban.Domain, now time.Time) (koban.Escalation, error)
}

// Reply is what a Replier delivers: koban's answer or its escalation.
type Reply struct {
	Kind       koban.EventKind // EventAnswered or EventEscalated
	Answer     koban.Answer
	Triage     koban.Triage
	Escalation koban.Escalation // for EventEscalated

	// Suggest lists the related pages shown to the asker while the on-call
	// is brought in (a suggest decision), with a "This solved it" button.
	Suggest []koban.Citation
	// Urgent escalations say so (an outage, production down, security).
	Urgent bool
	// Past holds similar inquiries people answered before, most similar
	// first; shown after the docs, never instead of them. Removed entries
	// are left out at delivery.
	Past []koban.PastAnswer
}

// Replier delivers koban's replies where the inquiry was asked.
type Replier interface {
	// Deliver posts the reply in the inquiry's conversation. An error that
	// wraps ErrUndeliverable is recorded on the inquiry and not retried.
	Deliver(ctx context.Context, inq *koban.Inquiry, r Reply) error
	// Resolved marks the conversation as resolved (a ✅ reaction in Slack).
	Resolved(ctx context.Context, inq *koban.Inquiry) error
}

// ErrUndeliverable marks a delivery that can never succeed (channel archived,
// bot removed): the job records it and stops retrying.
var ErrUndeliverable = errors.New("undeliverable")

// Config tunes the desk.
type Config struct {
	// FallbackGroup is mentioned on escalation when no Router is configured
	// or the router finds nobody.
	FallbackGroup string
	// AutoCloseAfter resolves answered inquiries after this much silence; 0
	// disables auto-close.
	AutoCloseAfter time.Duration
	// ClaimStale overrides how long a job's claim on deciding or delivering
	// holds when its holder died (default 5 minutes). Keep it under the job
	// runner's rescue time, so that a rescued job finds the claim free.
	ClaimStale time.Duration
}

func (d *Desk) claimStale() time.Duration {
	if d.cfg.ClaimStale > 0 {
		return d.cfg.ClaimStale
	}
	return claimStale
}

// Deps are the services the desk works with. Router, Learner and Redactor may
// be nil; Repliers maps each inquiry Source to where its replies go. Access
// may be nil only where every caller is trusted (tests, the CLI): serve
// always sets it.
type Deps struct {
	Store     Store
	Access    Access
	Knowledge koban.Answerer
	Triage    koban.Triager
	Learner   koban.Learner
	Router    Router
	Redactor  koban.Redactor
	Repliers  map[koban.Source]Replier
	Log       *slog.Logger
	Now       func() time.Time

	// Past keeps the answers people gave when resolving, for the next
	// similar question; nil keeps none. Threads reads the responder's last
	// reply when a resolution has no note; nil reads none. Labels is where
	// every replica reads the labels humans gave (see SyncLabels); nil
	// teaches the local Learner only.
	Past    PastStore
	Threads Threads
	Labels  LabelSource
	// Responders are the Slack user IDs who may relabel inquiries and
	// remove past answers (the on-call rotations' members); empty lets
	// anyone but the asker. See mayRespond.
	Responders []string
}

// Desk runs the inquiry workflow.
type Desk struct {
	cfg Config
	Deps
	labels *labelCursor
}

// New returns a Desk.
func New(cfg Config, d Deps) *Desk {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Repliers == nil {
		d.Repliers = map[koban.Source]Replier{}
	}
	return &Desk{cfg: cfg, Deps: d, labels: newLabelCursor(d.Now())}
}

// Incoming is a message as a transport received it.
type Incoming struct {
	Source    koban.Source
	EventID   string // transport's id for deduplication; may be empty
	Team      string
	Channel   string
	ThreadTS  string // the thread it was posted in; "" for a top-level message
	MessageTS string
	User      string
	Text      string
	// Private marks a DM or private-channel message: its text is shown only
	// to the asker and responders.
	Private bool
}

// Ask records a new inquiry and enqueues its processing. A repeated EventID
// returns the stored inquiry with created=false. Ask never refuses a
// question for its content: an empty or odd one is stored and escalated, so
// that nothing anyone asked is lost.
func (d *Desk) Ask(ctx context.Context, in Incoming) (inq *koban.Inquiry, created bool, err error) {
	text, n := d.redact(in.Text)
	text, cut := CapQuestion(text)
	thread := in.ThreadTS
	if thread == "" {
		thread = in.MessageTS
	}
	inq = &koban.Inquiry{
		Source:     in.Source,
		EventID:    in.EventID,
		Team:       in.Team,
		Channel:    in.Channel,
		ThreadTS:   thread,
		MessageTS:  in.MessageTS,
		AskedBy:    in.User,
		Text:       text,
		Lang:       textproc.Lang(text),
		Redactions: n,
		State:      koban.StateReceived,
		CreatedAt:  d.Now().UTC(),
		MessageKey: messageKey(in),
		Private:    in.Private,
	}
	created, err = d.Store.CreateInquiry(ctx, inq)
	if err != nil {
		return nil, false, fmt.Errorf("record inquiry: %w", err)
	}
	if created {
		d.Log.Info("inquiry received", "inquiry_id", inq.ID, "source", inq.Source, "channel", inq.Channel, "redactions", n, "cut", cut)
	}
	return inq, created, nil
}

// FollowUp handles a message in the thread of a tracked inquiry. From the
// asker, it is a new question in context (answered inquiries are answered
// again, resolved ones are reopened); while a human is on it, it is recorded
// for them. From anyone else it is a human reply. It returns ENotFound when
// the thread belongs to no inquiry.
func (d *Desk) FollowUp(ctx context.Context, in Incoming) (*koban.Inquiry, error) {
	inq, err := d.Store.InquiryByThread(ctx, in.Channel, in.ThreadTS)
	if err != nil {
		return nil, err
	}
	if in.User != inq.AskedBy {
		return d.HumanReplied(ctx, inq.ID, in.User)
	}
	text, n := d.redact(in.Text)
	text, _ = CapQuestion(text)
	ev := koban.Event{Kind: koban.EventFollowUp, Actor: in.User, Data: map[string]string{"text": text, "event_id": in.EventID, "message_ts": in.MessageTS}}
	if n > 0 {
		ev.Data["redactions"] = fmt.Sprint(n)
	}
	var to koban.State
	process := false
	switch inq.State {
	case koban.StateResolved:
		ev.Kind, to, process = koban.EventReopened, koban.StateReopened, true
	case koban.StateReceived, koban.StateAnswered, koban.StateReopened:
		process = true
	}
	if _, err := d.Store.FollowUp(ctx, inq.ID, ev, to, process); err != nil {
		return nil, fmt.Errorf("follow-up on inquiry %d: %w", inq.ID, err)
	}
	return d.Store.Inquiry(ctx, inq.ID)
}

func (d *Desk) redact(text string) (string, int) {
	if d.Redactor == nil {
		return text, 0
	}
	return d.Redactor.Redact(text)
}
