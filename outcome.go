package koban

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

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

// Outcome is what koban replies with when it answers or escalates a
// question: the data of an answered or escalated event.
type Outcome struct {
	Answer Answer // Pages holds the suggested pages of an escalation, if any
	Triage Triage
	// Past holds similar inquiries people answered before, most similar
	// first.
	Past []PastAnswer

	// An escalation's: who is brought in, and whether it is urgent (an
	// outage, production down, security) and suggests Answer.Pages to the
	// asker meanwhile.
	Escalation Escalation
	Urgent     bool
	Suggest    bool

	// An escalation a person asked for: their feedback, their note (what
	// is wrong with the docs) and what they say it is. koban's confidence
	// is recorded only for its own decisions.
	Feedback   Feedback
	Note       string
	AskerLabel Label
}

// OutcomeEvent returns the event that records d: answered or escalated
// (kind), by actor.
func OutcomeEvent(kind EventKind, actor string, d Outcome) Event {
	data := map[string]string{
		"answer":   mustJSON(d.Answer),
		"triage":   mustJSON(d.Triage),
		"category": d.Triage.Label.String(),
		"domain":   string(d.Triage.Domain),
	}
	if d.Feedback == "" {
		data["confidence"] = fmt.Sprintf("%.3f", d.Answer.Confidence)
	}
	if len(d.Past) > 0 {
		data["past"] = mustJSON(d.Past)
	}
	if kind == EventEscalated {
		d.encodeEscalation(data)
	}
	return Event{Kind: kind, Actor: actor, Data: data}
}

func (d Outcome) encodeEscalation(data map[string]string) {
	e := d.Escalation
	data["rotation"], data["oncall"], data["group"], data["reason"] = e.Rotation, e.OnCall, e.Group, e.Reason
	put := func(k, v string) {
		if v != "" {
			data[k] = v
		}
	}
	put("rotation_channel", e.Channel)
	if e.ReplyTarget > 0 {
		data["reply_target"] = e.ReplyTarget.String()
		data["reply_by"] = e.ReplyBy.UTC().Format(time.RFC3339)
	}
	put("business_hours", flag(e.ReplyTarget > 0 && e.BusinessHours))
	put("suggest", flag(d.Suggest))
	put("urgent", flag(d.Urgent))
	put("feedback", string(d.Feedback))
	put("note", d.Note)
	if !d.AskerLabel.IsZero() {
		data["asker_label"] = d.AskerLabel.String()
	}
}

// Outcome returns what an answered or escalated event records. Events
// written before some of it was kept leave that part empty.
func (e Event) Outcome() (Outcome, error) {
	if e.Kind != EventAnswered && e.Kind != EventEscalated {
		return Outcome{}, Errorf(EInvalid, "event %d is %s: only answered and escalated events record an outcome", e.ID, e.Kind)
	}
	var d Outcome
	for k, v := range map[string]any{"answer": &d.Answer, "triage": &d.Triage, "past": &d.Past} {
		if err := e.decode(k, v); err != nil {
			return Outcome{}, err
		}
	}
	if e.Kind != EventEscalated {
		return d, nil
	}
	d.Escalation = Escalation{Rotation: e.Data["rotation"], OnCall: e.Data["oncall"], Group: e.Data["group"],
		Channel: e.Data["rotation_channel"], Reason: e.Data["reason"]}
	d.Escalation.readExpectation(e.Data)
	d.Urgent, d.Suggest = e.Data["urgent"] == "true", e.Data["suggest"] == "true"
	d.Feedback, d.Note = Feedback(e.Data["feedback"]), e.Data["note"]
	if s := e.Data["asker_label"]; s != "" {
		d.AskerLabel, _ = ParseLabel(s) // a label no longer known is left out
	}
	return d, nil
}

// PastShown returns the past answers an answered or escalated event showed
// (its Outcome's Past), without decoding the rest.
func (e Event) PastShown() ([]PastAnswer, error) {
	var past []PastAnswer
	return past, e.decode("past", &past)
}

// decode decodes the JSON under key k of e's data into v, if there is any.
func (e Event) decode(k string, v any) error {
	s := e.Data[k]
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode %s of event %d: %w", k, e.ID, err)
	}
	return nil
}

// readExpectation reads the reply-time expectation recorded with an
// escalation; events recorded before koban kept it leave it empty.
func (e *Escalation) readExpectation(data map[string]string) {
	target, err := time.ParseDuration(data["reply_target"])
	if err != nil || target <= 0 {
		return
	}
	by, err := time.Parse(time.RFC3339, data["reply_by"])
	if err != nil {
		return
	}
	e.ReplyTarget, e.ReplyBy = target, by
	e.BusinessHours, _ = strconv.ParseBool(data["business_hours"])
}

func flag(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("koban: encode %T: %v", v, err)) // only plain structs are encoded
	}
	return string(b)
}
