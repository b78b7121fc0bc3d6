package desk

import (
	"context"
	"slices"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
)

// WebActor is the actor of what is done in the web UI with the shared
// token, which only the platform team holds (it is required beyond
// loopback).
const WebActor = "web"

// mayAnswerForAsker checks that user may say that what koban showed the
// asker of inq solved it: the asker (and admins, when an access policy is
// configured).
func (d *Desk) mayAnswerForAsker(ctx context.Context, user string, inq *koban.Inquiry) error {
	if d.Access != nil {
		if err := d.Access.Check(ctx, user, authz.SuggestionSolved, inq); err != nil {
			d.Access.Refused(user, authz.SuggestionSolved, inq)
			return err
		}
		return nil
	}
	if user == "" || user != inq.AskedBy {
		d.Log.Info("refused: not the asker", "user", user, "action", koban.FeedbackSuggestionSolved)
		return koban.Say(koban.EForbidden, "refusal.not_asker", nil)
	}
	return nil
}

// mayRespond checks that user may take a responder's act (relabel an
// inquiry, remove a past answer) on inq (nil when the action is on no
// inquiry in particular). With an access policy it decides; without one
// (tests, a desk built alone) the web UI and the configured responders may,
// and with none configured anyone but the asker.
func (d *Desk) mayRespond(ctx context.Context, user string, act authz.Action, inq *koban.Inquiry) error {
	if d.Access != nil {
		if err := d.Access.Check(ctx, user, act, inq); err != nil {
			d.Access.Refused(user, act, inq)
			return err
		}
		return nil
	}
	switch {
	case user == WebActor:
		return nil
	case user == "":
	case len(d.Responders) > 0:
		if slices.Contains(d.Responders, user) {
			return nil
		}
	case inq == nil || user != inq.AskedBy:
		return nil
	}
	d.Log.Info("refused: not a responder", "user", user, "action", act)
	return koban.Say(koban.EForbidden, "refusal.not_responder", nil)
}
