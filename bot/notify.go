package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

var _ oncall.Notifier = (*Bot)(nil)

// PostHandoff posts the shift-change digest in the rotation's channel and
// sends it to the incoming on-call. It implements oncall.Notifier.
func (c *Client) PostHandoff(ctx context.Context, h oncall.Handoff) error {
	msg := renderHandoff(c.teamLang(), publicHandoff(c.teamLang(), h))
	var errs []error
	if h.Channel != "" {
		if err := c.post(ctx, h.Channel, "", msg); err != nil {
			errs = append(errs, err)
		}
	}
	if validID(h.Incoming) {
		// A DM: chat.postMessage to a user ID opens the conversation with koban.
		if err := c.post(ctx, h.Incoming, "", msg); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("post %s handoff: %w", h.Rotation, err)
	}
	return nil
}

// Remind nudges the on-call in a DM about an inquiry waiting for a human
// reply; a breach (or a rotation with nobody on call) goes to the rotation's
// channel. It implements oncall.Notifier.
func (c *Client) Remind(ctx context.Context, r oncall.Reminder) error {
	to := r.Person
	if r.Breach() || !validID(to) {
		to = r.Channel
	}
	if to == "" {
		return nil
	}
	r.Inquiry = public(c.teamLang(), r.Inquiry)
	if err := c.post(ctx, to, "", renderReminder(c.teamLang(), r)); err != nil {
		return fmt.Errorf("remind about inquiry %d: %w", r.Inquiry.ID, err)
	}
	return nil
}

// renderHandoff renders the digest of a shift change in lang.
func renderHandoff(lang string, h oncall.Handoff) message {
	head := say(lang, "handoff.head", "Rotation", escape(h.Rotation), "Outgoing", userRef(h.Outgoing), "Incoming", userRef(h.Incoming))
	if h.Outgoing == "" {
		head = say(lang, "handoff.head_first", "Rotation", escape(h.Rotation), "Incoming", userRef(h.Incoming))
	}
	if !h.Shift.End.IsZero() {
		head += say(lang, "shift.until", "When", slackDate(h.Shift.End))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}

	var open []string
	for _, o := range h.Open {
		line := say(lang, "handoff.open_line", "Ref", inquiryRef(lang, o.Inquiry), "State", stateText(lang, o.Inquiry.State), "Age", ago(lang, o.Age))
		if o.Waiting {
			if o.Left < 0 {
				line += say(lang, "handoff.missed", "By", ago(lang, -o.Left))
			} else {
				line += say(lang, "handoff.due", "In", ago(lang, o.Left))
			}
		}
		line += "\n   " + truncate(escape(oneLine(o.Inquiry.Text)), 120)
		open = append(open, line)
	}
	s := say(lang, "handoff.still_open", "Count", len(h.Open)) + "\n"
	if len(open) == 0 {
		s += say(lang, "handoff.clean")
	} else {
		s += truncate(strings.Join(open, "\n"), 2800)
	}
	blocks = append(blocks, slack.NewSectionBlock(mrkdwn(s), nil, nil))

	if len(h.Resolved) > 0 {
		counts := map[koban.Category]int{}
		for _, inq := range h.Resolved {
			counts[inq.Label().Category]++
		}
		var parts []string
		for _, c := range koban.Categories {
			if counts[c] > 0 {
				parts = append(parts, say(lang, "status.part", "Count", counts[c], "State", c))
			}
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(say(lang, "handoff.resolved", "Count", len(h.Resolved), "Parts", strings.Join(parts, say(lang, "list.sep"))))))
	}
	if len(h.Notes) > 0 {
		var notes []string
		for _, n := range h.Notes {
			notes = append(notes, "• "+userRef(n.Author)+": "+escape(n.Text))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(say(lang, "handoff.notes")+"\n"+truncate(strings.Join(notes, "\n"), 2800)), nil, nil))
	}
	return message{Text: stripMarkup(head), Blocks: blocks}
}

// renderReminder renders a reply-time reminder in lang.
func renderReminder(lang string, r oncall.Reminder) message {
	inq := r.Inquiry
	var s string
	switch {
	case r.Breach():
		s = say(lang, "reminder.breach", "Who", userRef(r.Person), "Ref", inquiryRef(lang, inq), "Over", ago(lang, -r.Left))
	default:
		s = say(lang, "reminder.waiting", "Ref", inquiryRef(lang, inq), "Percent", r.Percent, "Left", ago(lang, r.Left))
	}
	if inq.Urgent {
		s = say(lang, "reminder.urgent") + s
	}
	s += "\n> " + truncate(escape(oneLine(inq.Text)), 200)
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}
