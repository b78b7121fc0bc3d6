package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

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
	// A request that a docs page describes doing is answered from that
	// page, whichever page ranked first.
	if ans, err = koban.ReplyAnswer(ctx, d.Knowledge, q, ans, tr); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d.Log.Warn("answer from the procedure page", "inquiry_id", inq.ID, "page", tr.Procedure, "err", err)
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
	dec := koban.Outcome{Answer: ans, Triage: tr}
	dec.Answer.Pages = nil // the ranked pages are for triage; the reply needs the citations
	suggest := suggestions(ans, tr)
	if len(suggest) > 0 {
		dec.Answer.Pages, dec.Suggest = suggest, true // shown to the asker beside the escalation
	}
	answer := tr.Decision == koban.DecideAnswer && ans.Known && !tr.Urgent
	dec.Past = d.similarPastShown(ctx, inq, q, answer)
	if answer {
		ev := koban.OutcomeEvent(koban.EventAnswered, koban.ActorKoban, dec)
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
	expectReply(&esc, d.Now(), tr.Urgent)
	dec.Escalation, dec.Urgent = esc, tr.Urgent
	ev := koban.OutcomeEvent(koban.EventEscalated, koban.ActorKoban, dec)
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
func (d *Desk) route(ctx context.Context, dom koban.Domain) koban.Escalation {
	if d.Router != nil {
		esc, err := d.Router.Route(ctx, dom, d.Now())
		if err == nil && (esc.OnCall != "" || esc.Group != "") {
			return esc
		}
		if err != nil {
			d.Log.Warn("route escalation", "domain", dom, "err", err)
		}
	}
	return koban.Escalation{Group: d.cfg.FallbackGroup}
}

// deliverPending delivers the latest answered or escalated event that has
// not been delivered yet.
func (d *Desk) deliverPending(ctx context.Context, inq *koban.Inquiry, events []koban.Event, attempt int) error {
	ev, ok := undelivered(events)
	if !ok {
		return nil
	}
	r, err := ReplyOf(ev)
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

// ReplyOf returns the reply recorded with an answered or escalated event:
// what is delivered, and what the web UI's timeline shows.
func ReplyOf(ev koban.Event) (Reply, error) {
	dec, err := ev.Outcome()
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Kind: ev.Kind, Answer: dec.Answer, Triage: dec.Triage, Past: dec.Past, Escalation: dec.Escalation, Urgent: dec.Urgent}
	if dec.Suggest {
		r.Suggest = dec.Answer.Pages
	}
	return r, nil
}

// escalationReason says why koban brings a person in. It is recorded in
// English (the catalogue's "reason." messages) and shown in the reader's
// language.
func escalationReason(a koban.Answer, t koban.Triage) string {
	id := "reason.default"
	switch {
	case t.Urgent:
		id = "reason.urgent"
	case t.Label.Category == koban.PlatformOnly:
		id = "reason.platform"
	case !a.Known:
		id = "reason.not_answered"
	case t.Label.Category == koban.DocsMissing:
		id = "reason.docs_missing"
	}
	return reason(id)
}

// reason is an escalation reason of the catalogue, as recorded: in English.
func reason(id string) string { return i18n.T(i18n.English, id, nil) }

func citedPaths(cs []koban.Citation) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Path) {
			out = append(out, c.Path)
		}
	}
	return out
}
