package bot

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban/desk"
)

// expectText holds the words that tell the asker when to expect a human
// reply, and who picked their inquiry up.
type expectText struct {
	// expect: when (a date token), the rotation, its reply target, and
	// hours (business hours, or nothing).
	expect, expectNoRotation, hours string
	// pickedUp: who; said in the thread when the on-call acknowledges.
	pickedUp string
}

var expectTexts = map[string]expectText{
	"en": {
		expect:           "Expect a human reply by %s: the *%s* rotation aims to reply within %s%s.",
		expectNoRotation: "Expect a human reply by %s: the on-call aims to reply within %s%s.",
		hours:            " of business hours",
		pickedUp:         ":wave: %s picked this up and will reply here.",
	},
	"ja": {
		expect:           "%s までに担当者から返信がある見込みです(*%s* ローテーションの返信目標: %s%s)。",
		expectNoRotation: "%s までに担当者から返信がある見込みです(オンコールの返信目標: %s%s)。",
		hours:            "、営業時間で計算",
		pickedUp:         ":wave: %s さんが対応を始めました。このスレッドで返信します。",
	},
}

// expectLine renders when the asker may expect a human reply; "" when the
// escalation carries no reply target.
func expectLine(lang string, e desk.Escalation) string {
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
func withExpect(msg message, lang string, e desk.Escalation) message {
	s := expectLine(lang, e)
	if s == "" || len(msg.Blocks) == 0 {
		return msg
	}
	blocks := append([]slack.Block{msg.Blocks[0], slack.NewContextBlock("", mrkdwn(s))}, msg.Blocks[1:]...)
	msg.Blocks = blocks
	return msg
}

// pickedUp renders the thread notice that a person acknowledged the inquiry.
func pickedUp(lang, user string) string {
	return fmt.Sprintf(inLang(expectTexts, lang).pickedUp, userRef(user))
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
