package koban

import (
	"slices"
	"time"
)

// State is where an inquiry is in its lifecycle.
//
//	received → answered → resolved
//	received/answered → escalated → acknowledged → resolved
//	resolved → reopened → (answered | escalated | acknowledged | resolved)
type State string

// The inquiry states.
const (
	StateReceived     State = "received"
	StateAnswered     State = "answered"
	StateEscalated    State = "escalated"
	StateAcknowledged State = "acknowledged"
	StateResolved     State = "resolved"
	StateReopened     State = "reopened"
)

// States lists every state in lifecycle order.
var States = []State{StateReceived, StateAnswered, StateEscalated, StateAcknowledged, StateResolved, StateReopened}

// Open reports whether an inquiry in state s still waits for something.
func (s State) Open() bool { return s != StateResolved }

// transitions lists, for each state, the states it may move to. Answered →
// answered is a follow-up answered in the same thread; any open state may be
// resolved directly (the asker says it is solved, the on-call resolves it, or
// it auto-closes after a silence).
var transitions = map[State][]State{
	StateReceived:     {StateAnswered, StateEscalated, StateResolved},
	StateAnswered:     {StateAnswered, StateEscalated, StateResolved},
	StateEscalated:    {StateAcknowledged, StateResolved},
	StateAcknowledged: {StateResolved},
	StateResolved:     {StateReopened},
	StateReopened:     {StateAnswered, StateEscalated, StateAcknowledged, StateResolved},
}

// CanTransition reports whether an inquiry may move from one state to another.
func CanTransition(from, to State) bool {
	return slices.Contains(transitions[from], to)
}

// CheckTransition returns an EConflict error that names both states and the
// allowed ones when the move from one state to another is illegal.
func CheckTransition(id int64, from, to State) error {
	if CanTransition(from, to) {
		return nil
	}
	allowed := transitions[from]
	if len(allowed) == 0 {
		return Errorf(EInvalid, "inquiry %d is in unknown state %q", id, from)
	}
	return Errorf(EConflict, "inquiry %d cannot go from %s to %s: from %s it can only go to %v", id, from, to, from, allowed)
}

// Source says where an inquiry was asked.
type Source string

// The inquiry sources.
const (
	SourceChannel Source = "channel" // a message in a configured channel
	SourceMention Source = "mention" // an @koban mention in any channel
	SourceDM      Source = "dm"      // a direct message to koban
	SourceCommand Source = "command" // /koban ask
	SourceWeb     Source = "web"     // the web playground
)

// Inquiry is one question, from the first message to its resolution.
// Text is always redacted: secrets are masked before an inquiry is built.
type Inquiry struct {
	ID int64

	// Where it was asked. EventID is the Slack event id (unique): deliveries
	// with the same id are the same inquiry.
	Source    Source
	EventID   string
	Team      string // Slack team (workspace) ID
	Channel   string // Slack channel ID, or "web"
	ThreadTS  string // the conversation: the ts of the thread's first message
	MessageTS string // the ts of the question itself
	AskedBy   string // Slack user ID
	// MessageKey names the Slack message the question was ("channel/ts"),
	// unique like EventID: the same message delivered under another event
	// id is the same inquiry. Empty for the web playground.
	MessageKey string
	// Private marks a question asked in a DM or a private channel: its text
	// is shown only to its asker and to responders, and never feeds reports.
	Private bool

	Text       string // the redacted question
	Lang       string // "en", "ja" or "" when unknown
	Redactions int    // how many secrets were masked in Text

	State     State
	CreatedAt time.Time // when koban received it (UTC)
	UpdatedAt time.Time

	// FirstResponseAt is koban's first reply (an answer or an escalation
	// notice); FirstHumanResponseAt the first reply or ack by a human;
	// ResolvedAt the last resolution. Zero when it has not happened.
	FirstResponseAt      time.Time
	FirstHumanResponseAt time.Time
	ResolvedAt           time.Time

	Predicted  Label   // koban's triage
	Confidence float64 // koban's confidence in Predicted, in [0,1]
	Final      Label   // the human's label; zero until a human sets one
	Domain     Domain
	Assignee   string // Slack user ID of the on-call it was routed to
	Rotation   string // the rotation it was routed to

	// Urgent is set when triage found an outage, production down or a
	// security issue: the reply-time clock runs in wall time.
	Urgent bool

	// Permalink links to the inquiry's Slack thread (chat.getPermalink),
	// kept when koban first replies; "" before then and for the web. A
	// private inquiry's link is shown only where its text may be.
	Permalink string

	Citations []string // paths of the doc pages cited in koban's answer
	Tokens    int      // LLM tokens spent on it
	Failure   string   // why a reply could not be delivered, if it could not
}

// Label is the label reports count: the human's when there is one, else koban's.
func (i *Inquiry) Label() Label {
	if !i.Final.IsZero() {
		return i.Final
	}
	return i.Predicted
}

// HumanLabelled reports whether a human has confirmed or corrected the label.
func (i *Inquiry) HumanLabelled() bool { return !i.Final.IsZero() }

// EventKind names what happened to an inquiry.
type EventKind string

// The event kinds. Events are append-only; the inquiry row is their summary.
const (
	EventReceived       EventKind = "received"
	EventAnswered       EventKind = "answered"
	EventEscalated      EventKind = "escalated"
	EventAcknowledged   EventKind = "acknowledged"
	EventHumanReplied   EventKind = "human-replied"
	EventFollowUp       EventKind = "follow-up"
	EventResolved       EventKind = "resolved"
	EventReopened       EventKind = "reopened"
	EventRelabelled     EventKind = "relabelled"
	EventAutoClosed     EventKind = "auto-closed"
	EventFeedback       EventKind = "feedback"
	EventReminded       EventKind = "reminded"
	EventDelivered      EventKind = "delivered"
	EventDeliveryFailed EventKind = "delivery-failed"
)

// ActorKoban is the Actor of events koban itself caused.
const ActorKoban = "koban"

// Event is one thing that happened to an inquiry. Data carries the
// kind-specific payload (e.g. "category", "note", "feedback"); answered and
// escalated events are written with OutcomeEvent and read with Outcome.
type Event struct {
	ID        int64
	InquiryID int64
	Kind      EventKind
	Actor     string // Slack user ID, or ActorKoban
	At        time.Time
	Data      map[string]string
}
