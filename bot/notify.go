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
	msg := renderHandoff(publicHandoff(h))
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
	r.Inquiry = public(r.Inquiry)
	if err := c.post(ctx, to, "", renderReminder(r)); err != nil {
		return fmt.Errorf("remind about inquiry %d: %w", r.Inquiry.ID, err)
	}
	return nil
}

// renderHandoff renders the digest of a shift change.
func renderHandoff(h oncall.Handoff) message {
	head := fmt.Sprintf("*Handoff: %s*  %s → %s", escape(h.Rotation), userRef(h.Outgoing), userRef(h.Incoming))
	if h.Outgoing == "" {
		head = fmt.Sprintf("*%s on call: %s*", escape(h.Rotation), userRef(h.Incoming))
	}
	if !h.Shift.End.IsZero() {
		head += " until " + slackDate(h.Shift.End)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}

	var open []string
	for _, o := range h.Open {
		line := fmt.Sprintf("• %s · %s · %s old", inquiryRef(o.Inquiry), o.Inquiry.State, ago(o.Age))
		if o.Waiting {
			if o.Left < 0 {
				line += fmt.Sprintf(" · *reply target missed by %s*", ago(-o.Left))
			} else {
				line += fmt.Sprintf(" · reply due in %s", ago(o.Left))
			}
		}
		line += "\n   " + truncate(escape(oneLine(o.Inquiry.Text)), 120)
		open = append(open, line)
	}
	s := fmt.Sprintf("*Still open* (%d)\n", len(h.Open))
	if len(open) == 0 {
		s += "_nothing: a clean handoff_"
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
				parts = append(parts, fmt.Sprintf("%d %s", counts[c], c))
			}
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("Resolved last shift: %d (%s)", len(h.Resolved), strings.Join(parts, ", ")))))
	}
	if len(h.Notes) > 0 {
		var notes []string
		for _, n := range h.Notes {
			notes = append(notes, "• "+userRef(n.Author)+": "+escape(n.Text))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Notes*\n"+truncate(strings.Join(notes, "\n"), 2800)), nil, nil))
	}
	return message{Text: stripMarkup(head), Blocks: blocks}
}

// renderReminder renders a reply-time reminder.
func renderReminder(r oncall.Reminder) message {
	inq := r.Inquiry
	var s string
	switch {
	case r.Breach():
		s = fmt.Sprintf(":rotating_light: %s inquiry %s has waited past its reply target (%s over).",
			userRef(r.Person), inquiryRef(inq), ago(-r.Left))
	default:
		s = fmt.Sprintf(":hourglass_flowing_sand: Inquiry %s is waiting for a human reply: %d%% of the reply target is used, %s left.",
			inquiryRef(inq), r.Percent, ago(r.Left))
	}
	if inq.Urgent {
		s = "*Urgent* " + s
	}
	s += "\n> " + truncate(escape(oneLine(inq.Text)), 200)
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}
