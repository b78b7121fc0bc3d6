package desk

import (
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

// MaxQuestionChars caps what koban keeps of a question or follow-up: Slack
// allows 40,000 characters in a message, and anything longer is not a
// question koban can answer. The transports tell the asker when their text
// was cut.
const MaxQuestionChars = 40000

// CapQuestion returns text cut to MaxQuestionChars characters, and whether
// it was cut.
func CapQuestion(text string) (string, bool) {
	if len(text) <= MaxQuestionChars || utf8.RuneCountInString(text) <= MaxQuestionChars {
		return text, false
	}
	n := 0
	for i := range text {
		if n == MaxQuestionChars {
			return text[:i], true
		}
		n++
	}
	return text, false
}

// messageKey names the Slack message a question was, so that the same
// message delivered under another event id is the same inquiry. The web
// playground has no messages: its forms carry their own idempotency key.
func messageKey(in Incoming) string {
	if in.Source == koban.SourceWeb || in.MessageTS == "" || in.Channel == "" {
		return ""
	}
	return in.Channel + "/" + in.MessageTS
}
