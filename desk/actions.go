package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
)

// Actions are what people do with an inquiry, by its buttons in Slack or on
// the web; each checks who may (EForbidden), and returns ENotFound for an
// unknown inquiry and EConflict for an action its state forbids.
type Actions interface {
	Solved(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	NeedHuman(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	DocsWrong(ctx context.Context, id int64, user, note string) (*koban.Inquiry, error)
	Acknowledge(ctx context.Context, id int64, user string) (*koban.Inquiry, error)
	// Resolve records the human label; EInvalid for a bad label.
	Resolve(ctx context.Context, id int64, user string, r Resolution) (*koban.Inquiry, error)
}

var _ Actions = (*Desk)(nil)

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
	return d.escalateByHand(ctx, id, user, koban.FeedbackNeedHuman, "", "reason.need_human", koban.Label{})
}

// DocsWrong is the "Docs are wrong or missing" button: the asker's feedback
// and note (what is wrong, redacted like the question) are recorded and a
// human is brought in.
func (d *Desk) DocsWrong(ctx context.Context, id int64, user, note string) (*koban.Inquiry, error) {
	if _, err := d.authorized(ctx, id, user, authz.DocsWrong); err != nil {
		return nil, err
	}
	return d.escalateByHand(ctx, id, user, koban.FeedbackDocsWrong, note, "reason.docs_wrong", koban.Label{Category: koban.DocsMissing})
}

func (d *Desk) escalateByHand(ctx context.Context, id int64, user string, feedback koban.Feedback, note, reasonID string, askerSays koban.Label) (*koban.Inquiry, error) {
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
	esc.Reason = reason(reasonID)
	expectReply(&esc, d.Now(), inq.Urgent)
	// The card shows koban's own prediction: what the asker says (docs
	// wrong) is their feedback, recorded apart, never koban's prediction.
	dec := koban.Outcome{
		Answer:     koban.Answer{Lang: inq.Lang},
		Triage:     koban.Triage{Label: inq.Predicted, Confidence: inq.Confidence, Domain: inq.Domain, Decision: koban.DecideEscalate, Reasons: []koban.Reason{koban.Why(reasonID)}},
		Escalation: esc,
		Feedback:   feedback,
		Note:       note,
		AskerLabel: askerSays,
	}
	inq, err = d.act(ctx, id, koban.StateEscalated, koban.OutcomeEvent(koban.EventEscalated, user, dec), func(i *koban.Inquiry) {
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
