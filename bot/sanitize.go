package bot

import (
	"regexp"
	"strings"

	"github.com/kobanhq/koban"
)

// Mentions that would notify people. Answers quote docs and model output,
// and neither may ping a channel or a person: docs can be edited by many,
// and a model can be talked into anything.
var (
	// <!channel>, <!here|here>, <!everyone>, <!subteam^S123|@team>, and
	// user and bot mentions <@U123>, <@W123|name>.
	slackMention = regexp.MustCompile(`(?i)<\s*(?:!\s*(?:channel|here|everyone|group|subteam\^)|@\s*[UWB])[^>]*>`)
	// @channel, @here, @everyone as plain text, which Slack links when a
	// message is posted with link_names.
	plainMention = regexp.MustCompile(`(?i)[@＠]\s*(channel|here|everyone|group)\b`)
	// Unterminated openings of the above, which a later edit or a
	// concatenation could complete. <!DOCTYPE> and <!date^…> are left alone.
	openMention = regexp.MustCompile(`(?i)<\s*(?:!\s*(?:channel|here|everyone|group|subteam)|@\s*[UWB][A-Z0-9])`)
)

// sanitize removes from text every construct that would notify people in
// Slack: broadcast mentions, user group mentions and user mentions, in Slack
// markup or as plain text. The words stay, without their power to ping; a
// mention is replaced by a note in lang, the language of the answer.
func sanitize(lang, text string) string {
	removed := say(lang, "answer.mention_removed")
	for range 3 { // removal can join pieces into a new mention
		before := text
		text = slackMention.ReplaceAllLiteralString(text, removed)
		text = plainMention.ReplaceAllString(text, "$1")
		text = openMention.ReplaceAllStringFunc(text, func(m string) string {
			return strings.NewReplacer("<", "‹", "!", "", "@", "").Replace(m)
		})
		if text == before {
			break
		}
	}
	return text
}

// sanitizeAnswer strips mentions from everything of a that reaches Slack,
// noting each in the answer's language, or lang (the message's) when the
// answer has none.
func sanitizeAnswer(lang string, a koban.Answer) koban.Answer {
	if a.Lang != "" {
		lang = a.Lang
	}
	a.Text = sanitize(lang, a.Text)
	a.Citations = sanitizeCitations(lang, a.Citations)
	a.Pages = sanitizeCitations(lang, a.Pages)
	return a
}

func sanitizeCitations(lang string, cs []koban.Citation) []koban.Citation {
	if cs == nil {
		return nil
	}
	out := make([]koban.Citation, len(cs))
	for i, c := range cs {
		c.Title, c.Section, c.Snippet = sanitize(lang, c.Title), sanitize(lang, c.Section), sanitize(lang, c.Snippet)
		out[i] = c
	}
	return out
}
