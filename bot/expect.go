package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
)

// expectLine renders when the asker may expect a human reply; "" when the
// escalation carries no reply target.
func expectLine(lang string, e koban.Escalation) string {
	if e.ReplyTarget <= 0 || e.ReplyBy.IsZero() {
		return ""
	}
	hours := ""
	if e.BusinessHours {
		hours = say(lang, "expect.hours")
	}
	when := slackDate(e.ReplyBy)
	if e.Rotation == "" {
		return say(lang, "expect.no_rotation", "When", when, "Target", span(lang, e.ReplyTarget), "Hours", hours)
	}
	return say(lang, "expect.rotation", "When", when, "Rotation", escape(e.Rotation), "Target", span(lang, e.ReplyTarget), "Hours", hours)
}

// withExpect adds the expectation line under an escalation's header.
func withExpect(msg message, lang string, e koban.Escalation) message {
	s := expectLine(lang, e)
	if s == "" || len(msg.Blocks) == 0 {
		return msg
	}
	blocks := append([]slack.Block{msg.Blocks[0], slack.NewContextBlock(expectBlock, mrkdwn(s))}, msg.Blocks[1:]...)
	msg.Blocks = blocks
	return msg
}

// expectBlock is the block ID of the escalation's line on when to expect a
// reply, which says who picked the inquiry up once it is acknowledged.
const expectBlock = "expect"

// withPickedUp returns an escalation's blocks with the expectation line
// replaced by who picked it up (added under the header when there was none).
func withPickedUp(blocks []slack.Block, lang, user string) []slack.Block {
	line := slack.NewContextBlock(expectBlock, mrkdwn(pickedUpLine(lang, user)))
	out := make([]slack.Block, 0, len(blocks)+1)
	replaced := false
	for _, bl := range blocks {
		if c, ok := bl.(*slack.ContextBlock); ok && c.BlockID == expectBlock {
			out, replaced = append(out, line), true
			continue
		}
		out = append(out, bl)
	}
	if !replaced && len(out) > 0 {
		out = append([]slack.Block{out[0], line}, out[1:]...)
	}
	return out
}

// markPickedUp edits koban's escalation of inq in its thread to say who
// picked it up (the on-call who acknowledged it).
func (c *Client) markPickedUp(ctx context.Context, inq *koban.Inquiry, user string) error {
	id := strconv.FormatInt(inq.ID, 10)
	return c.editOwnReplies(ctx, inq, func(m slack.Message) ([]slack.Block, bool) {
		p := m.Metadata.EventPayload
		if m.Metadata.EventType != replyEvent || fmt.Sprint(p["inquiry_id"]) != id || fmt.Sprint(p["kind"]) != string(koban.EventEscalated) {
			return nil, false
		}
		return withPickedUp(m.Blocks.BlockSet, inq.Lang, user), true
	})
}

// pickedUp renders the thread notice that a person acknowledged the inquiry.
func pickedUp(lang, user string) string {
	return say(lang, "expect.picked_up", "Who", userRef(user))
}

// pickedUpLine renders the escalation's line saying who picked it up.
func pickedUpLine(lang, user string) string {
	return say(lang, "expect.picked_up_line", "Who", userRef(user))
}

// slackDate renders t as a Slack date token, which each reader sees in
// their own time zone; the fallback is UTC.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("Mon Jan 2 15:04 UTC"))
}

// span renders a reply target: "8h", "30m", "1d", "1d 4h" (in Japanese
// "8時間", "1日 4時間").
func span(lang string, d time.Duration) string {
	d = d.Round(time.Minute)
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	h, m := rest/time.Hour, (rest%time.Hour)/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, say(lang, "duration.days", "N", int(days)))
	}
	if h > 0 {
		parts = append(parts, say(lang, "duration.hours", "N", int(h)))
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, say(lang, "duration.minutes", "N", int(m)))
	}
	return strings.Join(parts, " ")
}
