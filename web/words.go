package web

import "regexp"

// slackMention matches a Slack user mention in koban's messages.
var slackMention = regexp.MustCompile(`<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>`)

// plainMentions shows the Slack mentions of an error message as the web
// shows people ("<@U0ALICE>" → "@U0ALICE").
func plainMentions(s string) string {
	return slackMention.ReplaceAllString(s, "@$1")
}
