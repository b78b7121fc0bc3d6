package desk

import (
	"context"
	"slices"

	"github.com/kobanhq/koban"
)

// WebActor is the actor of what is done in the web UI, which only the
// platform team reaches (it requires the web token beyond loopback).
const WebActor = "web"

// mayAnswerForAsker checks that user asked inq: only the asker can say
// that what koban showed them solved it.
func mayAnswerForAsker(user string, inq *koban.Inquiry) error {
	if user == "" || user != inq.AskedBy {
		return koban.Errorf(koban.EInvalid, "Only the person who asked can say this solved it.")
	}
	return nil
}

// mayRespond checks that user may act as a responder (relabel an inquiry,
// remove a past answer): the web UI, and the configured responders; with
// none configured, anyone but the asker of inq (nil when the action is on
// no inquiry in particular). It is the one place these actions are
// authorised.
func (d *Desk) mayRespond(_ context.Context, user string, inq *koban.Inquiry) error {
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
	d.Log.Info("refused: not a responder", "user", user)
	return koban.Errorf(koban.EInvalid, "Only the platform team's responders can do that.")
}
