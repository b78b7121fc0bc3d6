package bot

import (
	"cmp"
	"regexp"
	"strings"
)

// escapedMention matches a user mention that escape made inert.
var escapedMention = regexp.MustCompile(`&lt;@([UW][A-Z0-9]{2,})&gt;`)

// keepMentions turns the user mentions of koban's own error messages
// ("Already acknowledged by <@U0ALICE>") back into mentions after escape,
// so that people read a name; nothing else of the message becomes markup.
func keepMentions(escaped string) string {
	return escapedMention.ReplaceAllString(escaped, "<@$1>")
}

// slackMarkup matches what Slack escapes in a slash command's text when the
// command has should_escape: <@U123|alice>, <#C123|general>,
// <!subteam^S1|@team>, <!here>, <https://example.com|example.com>.
var slackMarkup = regexp.MustCompile(`<([@#!]?)([^|>]*)(?:\|([^>]*))?>`)

// commandText turns an escaped slash command's text into what the person
// typed: mentions as @name, channels as #name, links as their address, and
// &amp; &lt; &gt; as & < >.
func commandText(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		p := slackMarkup.FindStringSubmatch(m)
		kind, target, label := p[1], p[2], p[3]
		switch kind {
		case "@":
			return "@" + cmp.Or(label, target)
		case "#":
			return "#" + cmp.Or(label, target)
		case "!":
			if label != "" {
				return label
			}
			if target == "here" || target == "channel" || target == "everyone" {
				return "@" + target
			}
			return target
		}
		if rest, ok := strings.CutPrefix(target, "mailto:"); ok {
			return rest
		}
		return target
	})
	return slackUnescape.Replace(s)
}
