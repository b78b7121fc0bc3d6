package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
)

// notifyPrivate brings the on-call in on an escalation from a DM or a
// private channel, where they cannot see the conversation: a DM to the
// on-call (with nobody on call, to the fallback group's members) and a
// notice in the rotation's channel, all without the question's text. Their Resolve… button shows the question to responders
// only. Failures are logged: the escalation itself is in the asker's
// conversation and in the reminders.
func (c *Client) notifyPrivate(ctx context.Context, inq *koban.Inquiry, r desk.Reply) {
	msg := renderPrivateEscalation(c.teamLang(), inq, r, c.now())
	for _, to := range c.escalationTargets(ctx, r.Escalation) {
		if err := c.post(ctx, to, "", msg); err != nil {
			c.log.Warn("tell the on-call of a private escalation", "inquiry_id", inq.ID, "to", to, "err", err)
		}
	}
}

// renderPrivateEscalation renders the escalation notice for people outside
// the private conversation: who asked, the category and domain, and the
// Acknowledge and Resolve… buttons; never the text.
func renderPrivateEscalation(lang string, inq *koban.Inquiry, r desk.Reply, now time.Time) message {
	r.Escalation.ReplyTarget = 0 // when to expect a reply is for the asker
	m := renderEscalation(lang, inq, r, now)
	who := say(lang, "escalation.platform_oncall")
	switch {
	case validID(r.Escalation.OnCall):
		who = "<@" + r.Escalation.OnCall + ">"
	case validID(r.Escalation.Group):
		who = "<!subteam^" + r.Escalation.Group + ">"
	}
	head := say(lang, "escalation.private", "Who", who, "Asker", userRef(inq.AskedBy), "ID", inq.ID)
	m.Text = stripMarkup(head)
	// The header, the triage fields and the buttons; triage reasons and
	// cited pages stay out, as they may echo the question's words.
	if n := len(m.Blocks); n >= 3 {
		m.Blocks = []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil), m.Blocks[1], m.Blocks[n-1]}
	}
	return m
}

// shownText is what channel posts (handoff digests, reminders) show of an
// inquiry: its text, or for a private one a note that the text stays in its
// conversation (Resolve… shows it to the on-call).
func shownText(lang string, inq koban.Inquiry) string {
	if inq.Private {
		return say(lang, "escalation.private_text")
	}
	return inq.Text
}

// publicHandoff returns h with the text and link of private inquiries left out, for
// the rotation channel.
func publicHandoff(lang string, h oncall.Handoff) oncall.Handoff {
	open := make([]oncall.OpenInquiry, len(h.Open))
	for i, o := range h.Open {
		o.Inquiry = public(lang, o.Inquiry)
		open[i] = o
	}
	h.Open = open
	return h
}
