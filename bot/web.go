package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// WebReplier returns the desk.Replier of inquiries asked in the web
// playground. Their replies stay on the web page; an escalation is also
// sent in Slack to the on-call (a DM) and to the rotation's channel, the
// same notice with Acknowledge and Resolve… buttons, so that it reaches
// someone.
func (c *Client) WebReplier() desk.Replier { return webReplier{c} }

type webReplier struct{ c *Client }

// Deliver tells the on-call of an escalation. An answer needs no Slack call.
// The escalation counts as delivered once one notice is posted; when every
// post failed, the error makes the desk try again (or record it as
// undeliverable).
func (w webReplier) Deliver(ctx context.Context, inq *koban.Inquiry, r desk.Reply) error {
	if r.Kind != koban.EventEscalated {
		return nil
	}
	r.Answer = sanitizeAnswer(w.c.teamLang(), r.Answer)
	msg := renderWebEscalation(w.c.teamLang(), inq, w.c.links().reply(r), w.c.now())
	var errs []error
	tried := 0
	for _, to := range w.c.escalationTargets(ctx, r.Escalation) {
		tried++
		if err := w.c.post(ctx, to, "", msg); err != nil {
			w.c.log.Warn("tell the on-call of a web escalation", "inquiry_id", inq.ID, "to", to, "err", err)
			errs = append(errs, err)
		}
	}
	if tried == 0 {
		w.c.log.Warn("web escalation reaches nobody in Slack: no on-call, fallback group or rotation channel",
			"inquiry_id", inq.ID, "rotation", r.Escalation.Rotation,
			"fix", "set oncall.rotations (with a channel) or slack.fallback_group")
		return nil
	}
	if len(errs) == tried {
		return fmt.Errorf("notify the on-call of web inquiry %d: %w", inq.ID, errors.Join(errs...))
	}
	return nil
}

// Resolved has nothing to mark: the web page shows the state.
func (webReplier) Resolved(context.Context, *koban.Inquiry) error { return nil }

// maxGroupDMs caps the DMs sent to a fallback group's members.
const maxGroupDMs = 10

// escalationTargets lists where an escalation notice is posted outside the
// asker's conversation, each a Slack ID: the on-call's DM or, with nobody on
// call, a DM to each member of the fallback user group (a group mention
// inside a DM or on the web reaches no one); then the rotation's channel.
func (c *Client) escalationTargets(ctx context.Context, e koban.Escalation) []string {
	var to []string
	switch {
	case validID(e.OnCall):
		to = append(to, e.OnCall)
	case validID(e.Group):
		members, err := c.GroupMembers(ctx, e.Group)
		if err != nil {
			c.log.Warn("members of the fallback group", "group", e.Group, "err", err)
		}
		for _, m := range members {
			if validID(m) && len(to) < maxGroupDMs {
				to = append(to, m)
			}
		}
	}
	if validID(e.Channel) {
		to = append(to, e.Channel)
	}
	return to
}

// renderWebEscalation renders the notice of a web playground escalation:
// the escalation card with a head saying where it was asked and, unless the
// inquiry is private, the question (the on-call cannot see the web page's
// conversation from Slack).
func renderWebEscalation(lang string, inq *koban.Inquiry, r desk.Reply, now time.Time) message {
	if inq.Private {
		return renderPrivateEscalation(lang, inq, r, now)
	}
	r.Escalation.ReplyTarget = 0 // when to expect a reply is for the asker
	m := renderEscalation(lang, inq, r, now)
	who := escalationMention(r.Escalation)
	if who == "" {
		who = say(lang, "escalation.platform_oncall")
	}
	head := say(lang, "escalation.web", "Who", who, "Asker", userRef(inq.AskedBy), "ID", inq.ID)
	m.Text = stripMarkup(head)
	quote := "> " + truncate(escape(oneLine(inq.Text)), 500)
	if len(m.Blocks) > 0 {
		m.Blocks[0] = slack.NewSectionBlock(mrkdwn(head+"\n"+quote), nil, nil)
	}
	return m
}
