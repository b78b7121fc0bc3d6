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
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
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

// Answerer answers a question from the docs.
type Answerer interface {
	Answer(ctx context.Context, q koban.Question) (koban.Answer, error)
}

// Triager classifies a question given the answer koban found.
type Triager interface {
	Triage(ctx context.Context, q koban.Question, a koban.Answer) (koban.Triage, error)
}

// Learner takes a human's label as evidence for future triage.
type Learner interface {
	Learn(ctx context.Context, q koban.Question, l koban.Label, d koban.Domain) error
}

// Router finds who an escalation goes to.
type Router interface {
	Route(ctx context.Context, d koban.Domain, now time.Time) (Escalation, error)
}

// Redactor masks secrets in text.
type Redactor interface {
	Redact(text string) (masked string, n int)
}

// Escalation says who is brought in for an inquiry.
type Escalation struct {
	Rotation string // the rotation it was routed to; "" without rotations
	OnCall   string // Slack user ID of the on-call; "" when only Group is known
	Group    string // Slack user group ID to mention when there is no on-call
	Channel  string // the rotation's channel, told of escalations from private conversations
	Reason   string // why koban escalated, for the on-call

	// ReplyTarget is the rotation's reply-time target (0: none known) and
	// ReplyBy when it runs out for this inquiry, counted in business hours
	// when BusinessHours is set: the asker is told when to expect a reply.
	ReplyTarget   time.Duration
	ReplyBy       time.Time
	BusinessHours bool
}

// Reply is what a Replier delivers: koban's answer or its escalation.
type Reply struct {
	Kind       koban.EventKind // EventAnswered or EventEscalated
	Answer     koban.Answer
	Triage     koban.Triage
	Escalation Escalation // for EventEscalated

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
	Knowledge Answerer
	Triage    Triager
	Learner   Learner
	Router    Router
	Redactor  Redactor
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

// Process is the durable job for one inquiry: it answers or escalates the
// question that waits for a reply, then delivers that reply. It is
// idempotent: a retried job neither decides twice nor delivers twice what was
// already delivered, and two jobs of the same inquiry running at once (a
// follow-up's job on another worker, a rescued job) decide and deliver each
// reply once, through claims on the store.
func (d *Desk) Process(ctx context.Context, id int64, attempt int) error {
	inq, err := d.Store.Inquiry(ctx, id)
	if err != nil {
		return fmt.Errorf("process inquiry %d: %w", id, err)
	}
	events, err := d.Store.Events(ctx, id)
	if err != nil {
		return fmt.Errorf("process inquiry %d: %w", id, err)
	}
	if q, from, ok := pendingQuestion(inq, events); ok {
		key := fmt.Sprintf("inquiry:%d:decide:%d", id, from)
		won, err := koban.Once(ctx, d.Store, key, d.claimStale(), func(ctx context.Context) error {
			decided, err := d.decide(ctx, inq, q)
			if err == nil {
				inq = decided
			}
			return err
		})
		if errors.Is(err, koban.ErrNotDone) {
			// The decision is recorded: a later job finds nothing pending.
			d.Log.Warn("claim done", "inquiry_id", id, "key", key, "err", err)
			err = nil
		}
		if err != nil {
			return fmt.Errorf("process inquiry %d: %w", id, err)
		}
		if !won {
			// Another job decides this question, and delivers the reply.
			d.Log.Info("inquiry processed by another job", "inquiry_id", id)
			return nil
		}
		if events, err = d.Store.Events(ctx, id); err != nil {
			return fmt.Errorf("process inquiry %d: %w", id, err)
		}
	}
	return d.deliverPending(ctx, inq, events, attempt)
}

// decide answers or escalates q and records the outcome. The reply itself is
// delivered afterwards from what was recorded, so a retry delivers the same
// reply rather than computing a new one.
func (d *Desk) decide(ctx context.Context, inq *koban.Inquiry, q koban.Question) (*koban.Inquiry, error) {
	start := d.Now()
	ans, err := d.Knowledge.Answer(ctx, q)
	switch {
	case koban.ErrorCode(err) == koban.EInvalid:
		// The question cannot be searched (empty, only a link or emoji): a human looks at it.
		ans = koban.Answer{Lang: q.Lang}
	case err != nil:
		return nil, fmt.Errorf("answer: %w", err)
	}
	d.syncBeforeTriage(ctx)
	tr, err := d.Triage.Triage(ctx, q, ans)
	if err != nil {
		return nil, fmt.Errorf("triage: %w", err)
	}
	lang := ans.Lang
	if lang == "" {
		lang = inq.Lang
	}
	update := func(i *koban.Inquiry) {
		i.Lang = lang
		if i.Final.IsZero() {
			// Once a human labelled the inquiry, triage has learned that
			// label: a prediction made after it (a reopening) would only
			// echo it, and bot accuracy would credit koban with it.
			i.Predicted, i.Confidence = tr.Label, tr.Confidence
			i.Domain = tr.Domain
		}
		i.Tokens += ans.Tokens
	}
	stored := ans
	stored.Pages = nil // the ranked pages are for triage; the reply needs the citations
	suggest := suggestions(ans, tr)
	if len(suggest) > 0 {
		stored.Pages = suggest // shown to the asker beside the escalation
	}
	data := map[string]string{
		"answer":     mustJSON(stored),
		"triage":     mustJSON(tr),
		"confidence": fmt.Sprintf("%.3f", ans.Confidence),
		"category":   tr.Label.String(),
		"domain":     string(tr.Domain),
	}
	answer := tr.Decision == koban.DecideAnswer && ans.Known && !tr.Urgent
	d.attachPast(ctx, inq, q, answer, data)
	if answer {
		ev := koban.Event{Kind: koban.EventAnswered, Actor: koban.ActorKoban, Data: data}
		inq, err = d.Store.Transition(ctx, inq.ID, koban.StateAnswered, ev, func(i *koban.Inquiry) {
			update(i)
			i.Citations = citedPaths(ans.Citations)
		})
		if err != nil {
			return nil, err
		}
		d.Log.Info("answered", "inquiry_id", inq.ID, "sources", len(ans.Citations), "confidence", ans.Confidence, "took", d.Now().Sub(start))
		return inq, nil
	}
	esc := d.route(ctx, tr.Domain)
	esc.Reason = escalationReason(ans, tr)
	if esc.Channel != "" {
		data["rotation_channel"] = esc.Channel
	}
	data["rotation"], data["oncall"], data["group"], data["reason"] = esc.Rotation, esc.OnCall, esc.Group, esc.Reason
	esc.record(data, d.Now(), tr.Urgent)
	if len(suggest) > 0 {
		data["suggest"] = "true"
	}
	if tr.Urgent {
		data["urgent"] = "true"
	}
	ev := koban.Event{Kind: koban.EventEscalated, Actor: koban.ActorKoban, Data: data}
	inq, err = d.Store.Transition(ctx, inq.ID, koban.StateEscalated, ev, func(i *koban.Inquiry) {
		update(i)
		i.Assignee, i.Rotation = esc.OnCall, esc.Rotation
		i.Urgent = i.Urgent || tr.Urgent
	})
	if err != nil {
		return nil, err
	}
	d.Log.Info("escalated", "inquiry_id", inq.ID, "category", tr.Label.String(), "domain", tr.Domain, "rotation", esc.Rotation,
		"urgent", tr.Urgent, "suggested", len(suggest), "took", d.Now().Sub(start))
	return inq, nil
}

// route asks the router for the on-call, falling back to the configured group.
func (d *Desk) route(ctx context.Context, dom koban.Domain) Escalation {
	if d.Router != nil {
		esc, err := d.Router.Route(ctx, dom, d.Now())
		if err == nil && (esc.OnCall != "" || esc.Group != "") {
			return esc
		}
		if err != nil {
			d.Log.Warn("route escalation", "domain", dom, "err", err)
		}
	}
	return Escalation{Group: d.cfg.FallbackGroup}
}

// deliverPending delivers the latest answered or escalated event that has
// not been delivered yet.
func (d *Desk) deliverPending(ctx context.Context, inq *koban.Inquiry, events []koban.Event, attempt int) error {
	ev, ok := undelivered(events)
	if !ok {
		return nil
	}
	r, err := deliveredReply(ev)
	if err != nil {
		return fmt.Errorf("deliver inquiry %d: %w", inq.ID, err)
	}
	if r.Past, err = d.stillShown(ctx, r.Past); err != nil {
		return fmt.Errorf("deliver inquiry %d: %w", inq.ID, err)
	}
	key := fmt.Sprintf("inquiry:%d:deliver:%d", inq.ID, ev.ID)
	won, err := koban.Once(ctx, d.Store, key, d.claimStale(), func(ctx context.Context) error {
		return d.deliver(ctx, inq, ev.ID, r, attempt)
	})
	switch {
	case errors.Is(err, koban.ErrNotDone):
		// Delivered and recorded: a later job finds nothing undelivered.
		d.Log.Warn("claim done", "inquiry_id", inq.ID, "key", key, "err", err)
		return nil
	case err != nil && !won: // the claim could not be taken
		return fmt.Errorf("deliver inquiry %d: %w", inq.ID, err)
	}
	return err // nil (delivered, or another job delivers it), or why delivery failed
}

func (d *Desk) deliver(ctx context.Context, inq *koban.Inquiry, eventID int64, r Reply, attempt int) error {
	rep, ok := d.Repliers[inq.Source]
	if !ok {
		// No transport for this source (Slack not configured): the reply is
		// in the store, where the web UI shows it.
		return d.markDelivered(ctx, inq.ID, eventID, "store")
	}
	err := rep.Deliver(ctx, inq, r)
	switch {
	case errors.Is(err, ErrUndeliverable):
		d.Log.Warn("reply undeliverable", "inquiry_id", inq.ID, "err", err)
		_, uerr := d.Store.Update(ctx, inq.ID, koban.Event{Kind: koban.EventDeliveryFailed, Actor: koban.ActorKoban,
			Data: map[string]string{"error": err.Error(), "reply_event": fmt.Sprint(eventID)}},
			func(i *koban.Inquiry) { i.Failure = err.Error() })
		return uerr
	case err != nil:
		return fmt.Errorf("deliver inquiry %d (attempt %d): %w", inq.ID, attempt, err)
	}
	return d.markDelivered(ctx, inq.ID, eventID, string(inq.Source), d.permalink(ctx, inq))
}

// markDelivered records a delivered reply; a non-empty link becomes the
// inquiry's permalink unless it has one already.
func (d *Desk) markDelivered(ctx context.Context, id, eventID int64, via string, link ...string) error {
	var keep func(*koban.Inquiry)
	if len(link) > 0 && link[0] != "" {
		keep = func(i *koban.Inquiry) {
			if i.Permalink == "" {
				i.Permalink = link[0]
			}
		}
	}
	_, err := d.Store.Update(ctx, id, koban.Event{Kind: koban.EventDelivered, Actor: koban.ActorKoban,
		Data: map[string]string{"reply_event": fmt.Sprint(eventID), "via": via}}, keep)
	return err
}

// Solved is the asker's "Solved" button: the docs answered it.
func (d *Desk) Solved(ctx context.Context, id int64, user string) (*koban.Inquiry, error) {
	inq, err := d.authorized(ctx, id, user, authz.Solved)
	if err != nil {
		return nil, err
	}
	ev := koban.Event{Kind: koban.EventResolved, Actor: user, Data: map[string]string{"feedback": string(koban.FeedbackSolved)}}
	if inq.Final.IsZero() && inq.State == koban.StateAnswered {
		ev.Data["category"] = koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}.String()
	}
	inq, err = d.act(ctx, id, koban.StateResolved, ev, func(i *koban.Inquiry) {
		if i.Final.IsZero() && i.State == koban.StateAnswered {
			// The asker confirms koban's docs answer solved it.
			i.Final = koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
		}
	})
	if err != nil {
		return nil, err
	}
	d.markResolved(ctx, inq)
	return inq, nil
}

// NeedHuman is the asker's "I need a human" button.
func (d *Desk) NeedHuman(ctx context.Context, id int64, user string) (*koban.Inquiry, error) {
	if _, err := d.authorized(ctx, id, user, authz.NeedHuman); err != nil {
		return nil, err
	}
	return d.escalateByHand(ctx, id, user, koban.FeedbackNeedHuman, "", "the asker asked for a human", koban.Label{})
}

// DocsWrong is the "Docs are wrong or missing" button: the asker's feedback
// and note (what is wrong, redacted like the question) are recorded and a
// human is brought in.
func (d *Desk) DocsWrong(ctx context.Context, id int64, user, note string) (*koban.Inquiry, error) {
	if _, err := d.authorized(ctx, id, user, authz.DocsWrong); err != nil {
		return nil, err
	}
	return d.escalateByHand(ctx, id, user, koban.FeedbackDocsWrong, note, "the asker says the docs are wrong or missing", koban.Label{Category: koban.DocsMissing})
}

func (d *Desk) escalateByHand(ctx context.Context, id int64, user string, feedback koban.Feedback, note, reason string, askerSays koban.Label) (*koban.Inquiry, error) {
	inq, err := d.Store.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	note, _ = d.redact(strings.TrimSpace(note))
	if inq.State == koban.StateEscalated || inq.State == koban.StateAcknowledged {
		// A human is already on it: keep the feedback only.
		data := map[string]string{"feedback": string(feedback)}
		if note != "" {
			data["note"] = note
		}
		return d.Store.Update(ctx, id, koban.Event{Kind: koban.EventFeedback, Actor: user, Data: data}, nil)
	}
	esc := d.route(ctx, inq.Domain)
	esc.Reason = reason
	// The card shows koban's own prediction: what the asker says (docs
	// wrong) is their feedback, recorded apart, never koban's prediction.
	tr := koban.Triage{Label: inq.Predicted, Confidence: inq.Confidence, Domain: inq.Domain, Decision: koban.DecideEscalate, Reasons: []string{reason}}
	data := map[string]string{"feedback": string(feedback), "triage": mustJSON(tr), "answer": mustJSON(koban.Answer{Lang: inq.Lang}),
		"rotation": esc.Rotation, "oncall": esc.OnCall, "group": esc.Group, "reason": reason, "category": tr.Label.String(), "domain": string(inq.Domain)}
	if esc.Channel != "" {
		data["rotation_channel"] = esc.Channel
	}
	if note != "" {
		data["note"] = note
	}
	if !askerSays.IsZero() {
		data["asker_label"] = askerSays.String()
	}
	esc.record(data, d.Now(), inq.Urgent)
	inq, err = d.act(ctx, id, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated, Actor: user, Data: data}, func(i *koban.Inquiry) {
		i.Assignee, i.Rotation = esc.OnCall, esc.Rotation
	})
	if err != nil {
		return nil, err
	}
	events, err := d.Store.Events(ctx, id)
	if err != nil {
		return inq, err
	}
	// Deliver now, while the person who clicked waits; after a failure (or
	// the click's deadline) the inquiry's job delivers it, with retries (the
	// escalation is recorded either way, for the reminders and the handoff).
	// The claim is released and the job enqueued even when ctx has ended.
	if err := d.deliverPending(ctx, inq, events, 1); err != nil {
		d.Log.Warn("deliver escalation; retrying in the background", "inquiry_id", id, "err", err)
		if err := d.Store.Enqueue(context.WithoutCancel(ctx), id); err != nil {
			d.Log.Error("enqueue escalation delivery", "inquiry_id", id, "err", err)
		}
	}
	return inq, nil
}

// Acknowledge is the on-call's "Acknowledge" button.
func (d *Desk) Acknowledge(ctx context.Context, id int64, user string) (*koban.Inquiry, error) {
	if _, err := d.authorized(ctx, id, user, authz.Acknowledge); err != nil {
		return nil, err
	}
	return d.act(ctx, id, koban.StateAcknowledged, koban.Event{Kind: koban.EventAcknowledged, Actor: user}, func(i *koban.Inquiry) {
		i.Assignee = user
		if i.FirstHumanResponseAt.IsZero() {
			i.FirstHumanResponseAt = d.Now().UTC()
		}
	})
}

// HumanReplied records a reply by someone other than the asker in the thread.
func (d *Desk) HumanReplied(ctx context.Context, id int64, user string) (*koban.Inquiry, error) {
	return d.Store.Update(ctx, id, koban.Event{Kind: koban.EventHumanReplied, Actor: user}, func(i *koban.Inquiry) {
		if i.FirstHumanResponseAt.IsZero() {
			i.FirstHumanResponseAt = d.Now().UTC()
		}
	})
}

// Resolution is what the on-call records when resolving an inquiry.
type Resolution struct {
	Label  koban.Label
	Domain koban.Domain
	Page   string // the doc page that answered it, if any
	Note   string
}

// Resolve is the on-call's "Resolve…" modal: the human label wins, and
// becomes evidence for future triage.
func (d *Desk) Resolve(ctx context.Context, id int64, user string, r Resolution) (*koban.Inquiry, error) {
	if err := r.Label.Validate(); err != nil {
		return nil, err
	}
	if _, err := d.authorized(ctx, id, user, authz.Resolve); err != nil {
		return nil, err
	}
	if r.Domain == "" {
		r.Domain = koban.DomainOther
	}
	note, _ := d.redact(r.Note)
	r.Page, _ = d.redact(r.Page)
	ev := koban.Event{Kind: koban.EventResolved, Actor: user, Data: map[string]string{
		"category": r.Label.String(), "domain": string(r.Domain), "page": r.Page, "note": note}}
	inq, err := d.act(ctx, id, koban.StateResolved, ev, func(i *koban.Inquiry) {
		i.Final, i.Domain = r.Label, r.Domain
		if i.FirstHumanResponseAt.IsZero() {
			i.FirstHumanResponseAt = d.Now().UTC()
		}
		if r.Page != "" && !slices.Contains(i.Citations, r.Page) {
			i.Citations = append(i.Citations, r.Page)
		}
	})
	if err != nil {
		return nil, err
	}
	d.learn(ctx, inq, r.Label, r.Domain)
	d.keepPastAnswer(ctx, inq, user, note)
	d.markResolved(ctx, inq)
	return inq, nil
}

// Relabel changes the human label of an inquiry, resolved or not (a
// responder only), and teaches triage the new label. koban's own prediction
// stays as it was.
func (d *Desk) Relabel(ctx context.Context, id int64, user string, l koban.Label, dom koban.Domain) (*koban.Inquiry, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	inq, err := d.Store.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := d.mayRespond(ctx, user, authz.Relabel, inq); err != nil {
		return nil, err
	}
	inq, err = d.Store.Update(ctx, id, koban.Event{Kind: koban.EventRelabelled, Actor: user, Data: map[string]string{"category": l.String(), "domain": string(dom)}},
		func(i *koban.Inquiry) {
			i.Final = l
			if dom != "" {
				i.Domain = dom
			}
		})
	if err != nil {
		return nil, err
	}
	d.learn(ctx, inq, l, inq.Domain)
	return inq, nil
}

// AutoClose resolves answered inquiries that have been silent for longer than
// Config.AutoCloseAfter, recording that nobody closed them. It is meant to
// run as a periodic job.
func (d *Desk) AutoClose(ctx context.Context, now time.Time, open []koban.Inquiry) (closed int, err error) {
	if d.cfg.AutoCloseAfter <= 0 {
		return 0, nil
	}
	var errs []error
	for _, inq := range open {
		if inq.State != koban.StateAnswered || now.Sub(inq.UpdatedAt) < d.cfg.AutoCloseAfter {
			continue
		}
		ev := koban.Event{Kind: koban.EventAutoClosed, Actor: koban.ActorKoban, Data: map[string]string{"silent_for": now.Sub(inq.UpdatedAt).Round(time.Hour).String()}}
		if _, err := d.Store.Transition(ctx, inq.ID, koban.StateResolved, ev, nil); err != nil {
			errs = append(errs, fmt.Errorf("auto-close inquiry %d: %w", inq.ID, err))
			continue
		}
		closed++
	}
	return closed, errors.Join(errs...)
}

func (d *Desk) markResolved(ctx context.Context, inq *koban.Inquiry) {
	if rep, ok := d.Repliers[inq.Source]; ok {
		if err := rep.Resolved(ctx, inq); err != nil {
			d.Log.Warn("mark resolved", "inquiry_id", inq.ID, "err", err)
		}
	}
}

func (d *Desk) redact(text string) (string, int) {
	if d.Redactor == nil {
		return text, 0
	}
	return d.Redactor.Redact(text)
}

// pendingQuestion returns the question that waits for koban's decision: the
// inquiry itself when nothing was decided yet, or the latest follow-up or
// reopening after the last decision, with the earlier texts as context.
// from is the id of the event that asked it (0 for an inquiry without
// events).
func pendingQuestion(inq *koban.Inquiry, events []koban.Event) (q koban.Question, from int64, ok bool) {
	texts := []string{inq.Text}
	pending := true
	for _, ev := range events {
		switch ev.Kind {
		case koban.EventReceived:
			if from == 0 {
				from = ev.ID
			}
		case koban.EventAnswered, koban.EventEscalated:
			pending = false
		case koban.EventFollowUp, koban.EventReopened:
			t := ev.Data["text"]
			if t == "" && ev.Kind == koban.EventFollowUp {
				continue // a file or a reaction in the thread: nothing new to answer
			}
			// A reopening always waits for a decision, even without words
			// (a file alone): its empty question is escalated.
			texts = append(texts, t)
			pending, from = true, ev.ID
		}
	}
	if !pending {
		return koban.Question{}, 0, false
	}
	switch inq.State {
	case koban.StateReceived, koban.StateAnswered, koban.StateReopened:
	default:
		return koban.Question{}, 0, false // a human has it
	}
	last := texts[len(texts)-1]
	earlier := slices.DeleteFunc(slices.Clone(texts[:len(texts)-1]), func(t string) bool { return t == "" })
	return koban.Question{Text: last, Lang: inq.Lang, Context: earlier}, from, true
}

// undelivered returns the latest answered or escalated event when no
// delivered or delivery-failed event follows it.
func undelivered(events []koban.Event) (koban.Event, bool) {
	var last koban.Event
	found := false
	for _, ev := range events {
		switch ev.Kind {
		case koban.EventAnswered, koban.EventEscalated:
			last, found = ev, true
		case koban.EventDelivered, koban.EventDeliveryFailed:
			if ev.Data["reply_event"] == fmt.Sprint(last.ID) {
				found = false
			}
		}
	}
	return last, found
}

// replyFromEvent rebuilds the reply recorded with an answered or escalated event.
func replyFromEvent(ev koban.Event) (Reply, error) {
	r := Reply{Kind: ev.Kind}
	if s := ev.Data["answer"]; s != "" {
		if err := json.Unmarshal([]byte(s), &r.Answer); err != nil {
			return Reply{}, fmt.Errorf("decode answer of event %d: %w", ev.ID, err)
		}
	}
	if s := ev.Data["triage"]; s != "" {
		if err := json.Unmarshal([]byte(s), &r.Triage); err != nil {
			return Reply{}, fmt.Errorf("decode triage of event %d: %w", ev.ID, err)
		}
	}
	if ev.Kind == koban.EventEscalated {
		r.Escalation = Escalation{Rotation: ev.Data["rotation"], OnCall: ev.Data["oncall"], Group: ev.Data["group"], Reason: ev.Data["reason"]}
		r.Urgent = ev.Data["urgent"] == "true"
		r.Escalation.read(ev.Data)
		if ev.Data["suggest"] == "true" {
			r.Suggest = r.Answer.Pages
		}
	}
	if s := ev.Data["past"]; s != "" {
		if err := json.Unmarshal([]byte(s), &r.Past); err != nil {
			return Reply{}, fmt.Errorf("decode past answers of event %d: %w", ev.ID, err)
		}
	}
	return r, nil
}

// ReplyOf returns the reply recorded with an answered or escalated event, for
// the web UI's timeline.
func ReplyOf(ev koban.Event) (Reply, error) { return replyFromEvent(ev) }

func escalationReason(a koban.Answer, t koban.Triage) string {
	switch {
	case t.Urgent:
		return "urgent: it looks like an outage, production down or a security issue"
	case t.Label.Category == koban.PlatformOnly:
		return "needs the platform team"
	case !a.Known:
		return "the docs did not answer it with confidence"
	case t.Label.Category == koban.DocsMissing:
		return "the docs seem not to cover it"
	}
	return "koban was not confident enough to answer"
}

func citedPaths(cs []koban.Citation) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Path) {
			out = append(out, c.Path)
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("desk: encode %T: %v", v, err)) // only plain structs are encoded
	}
	return string(b)
}
