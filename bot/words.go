package bot

import "regexp"

// escapedMention matches a user mention that escape made inert.
var escapedMention = regexp.MustCompile(`&lt;@([UW][A-Z0-9]{2,})&gt;`)

// keepMentions turns the user mentions of koban's own error messages
// ("Already acknowledged by <@U0ALICE>") back into mentions after escape,
// so that people read a name; nothing else of the message becomes markup.
func keepMentions(escaped string) string {
	return escapedMention.ReplaceAllString(escaped, "<@$1>")
}
