package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
)

// expectText holds the words that tell the asker when to expect a human
// reply, and who picked their inquiry up.
type expectText struct {
	// expect: when (a date token), the rotation, its reply target, and
	// hours (business hours, or nothing).
	expect, expectNoRotation, hours string
	// pickedUp: who; said in the thread when the on-call acknowledges.
	// pickedUpLine: the same on the escalation itself.
	pickedUp, pickedUpLine string
}

var expectTexts = map[string]expectText{
	"en": {
		expect:           "Expect a human reply by %s: the *%s* rotation aims to reply within %s%s.",
		expectNoRotation: "Expect a human reply by %s: the on-call aims to reply within %s%s.",
		hours:            " of business hours",
		pickedUp:         ":wave: %s picked this up and will reply here.",
		pickedUpLine:     "Picked up by %s.",
	},
	"ja": {
		expect:           "%s までに担当者から返信がある見込みです(*%s* ローテーションの返信目標: %s%s)。",
		expectNoRotation: "%s までに担当者から返信がある見込みです(オンコールの返信目標: %s%s)。",
		hours:            "、営業時間で計算",
		pickedUp:         ":wave: %s さんが対応を始めました。このスレッドで返信します。",
		pickedUpLine:     "%s さんが対応中です。",
	},
}

// expectLine renders when the asker may expect a human reply; "" when the
// escalation carries no reply target.
func expectLine(lang string, e koban.Escalation) string {
	if e.ReplyTarget <= 0 || e.ReplyBy.IsZero() {
		return ""
	}
	t := inLang(expectTexts, lang)
	hours := ""
	if e.BusinessHours {
		hours = t.hours
	}
	when := slackDate(e.ReplyBy)
	if e.Rotation == "" {
		return fmt.Sprintf(t.expectNoRotation, when, span(e.ReplyTarget), hours)
	}
	return fmt.Sprintf(t.expect, when, escape(e.Rotation), span(e.ReplyTarget), hours)
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
	return fmt.Sprintf(inLang(expectTexts, lang).pickedUp, userRef(user))
}

// pickedUpLine renders the escalation's line saying who picked it up.
func pickedUpLine(lang, user string) string {
	return fmt.Sprintf(inLang(expectTexts, lang).pickedUpLine, userRef(user))
}

// slackDate renders t as a Slack date token, which each reader sees in
// their own time zone; the fallback is UTC.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("Mon Jan 2 15:04 UTC"))
}

// span renders a reply target: "8h", "30m", "1d", "1d 4h".
func span(d time.Duration) string {
	d = d.Round(time.Minute)
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	h, m := rest/time.Hour, (rest%time.Hour)/time.Minute
	var s string
	if days > 0 {
		s = fmt.Sprintf("%dd", days)
	}
	if h > 0 {
		s += sep(s) + fmt.Sprintf("%dh", h)
	}
	if m > 0 || s == "" {
		s += sep(s) + fmt.Sprintf("%dm", m)
	}
	return s
}

func sep(s string) string {
	if s == "" {
		return ""
	}
	return " "
}
