package desk

import (
	"context"

	"github.com/kobanhq/koban"
)

// suggestions returns the pages shown to the asker beside an escalation:
// the best pages retrieved (koban.SuggestedPages: the procedure page of a
// request first), when triage decided to suggest (or the inquiry
// is urgent and the docs did answer: it escalates at once, and the asker
// may still find the way out in the meantime).
func suggestions(a koban.Answer, t koban.Triage) []koban.Citation {
	switch {
	case t.Decision == koban.DecideSuggest:
	case t.Urgent && t.Decision == koban.DecideAnswer && a.Known:
	default:
		return nil
	}
	return koban.SuggestedPages(a, t.Procedure)
}

// SuggestionSolved is the asker's "This solved it" on the pages suggested
// while the on-call was brought in: the inquiry is resolved as
// self-solvable/docs-unfindable (the docs had it, the asker had not found
// it), which stops the reminders; the Replier tells the on-call in the
// thread. Only the asker may press it: anyone else gets EInvalid and
// nothing changes.
func (d *Desk) SuggestionSolved(ctx context.Context, id int64, user string) (*koban.Inquiry, error) {
	inq, err := d.Store.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := d.mayAnswerForAsker(ctx, user, inq); err != nil {
		return nil, err
	}
	label := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailDocsUnfindable}
	ev := koban.Event{Kind: koban.EventResolved, Actor: user, Data: map[string]string{"feedback": string(koban.FeedbackSuggestionSolved)}}
	if inq.Final.IsZero() {
		ev.Data["category"], ev.Data["domain"] = label.String(), string(inq.Domain)
	}
	inq, err = d.act(ctx, id, koban.StateResolved, ev, func(i *koban.Inquiry) {
		if i.Final.IsZero() {
			i.Final = label
		}
	})
	if err != nil {
		return nil, err
	}
	if ev.Data["category"] != "" {
		d.learn(ctx, inq, label, inq.Domain)
	}
	d.markResolved(ctx, inq)
	return inq, nil
}
