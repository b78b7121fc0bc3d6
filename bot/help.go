package bot

import (
	"strings"

	"github.com/slack-go/slack"
)

// helpCommand is one line of /koban help: the syntax (capitals are what
// you fill in, brackets what you may leave out), the catalogue message
// saying what it does, and examples typed exactly as they work.
type helpCommand struct {
	syntax, what string
	examples     []string
}

// helpCommands is what /koban help shows. Every example goes through the
// real command parser and handlers in the tests.
var helpCommands = []helpCommand{
	{"/koban ask QUESTION", "help.ask",
		[]string{"/koban ask where do I find the runbook for our ingress controller?"}},
	{"/koban status", "help.status", nil},
	{"/koban oncall", "help.oncall", nil},
	{"/koban oncall list [in ROTATION]", "help.oncall_list",
		[]string{"/koban oncall list"}},
	{"/koban oncall cover @PERSON from WHEN to WHEN [in ROTATION]", "help.oncall_cover",
		[]string{"/koban oncall cover @alice from tomorrow 09:00 to tomorrow 18:00", "/koban oncall cover @alice to friday 09:00"}},
	{"/koban oncall swap @PERSON [in ROTATION]", "help.oncall_swap",
		[]string{"/koban oncall swap @bob"}},
	{"/koban oncall remove NUMBER", "help.oncall_remove",
		[]string{"/koban oncall remove 12"}},
	{"/koban oncall note TEXT", "help.oncall_note",
		[]string{"/koban oncall note the certificate renewal job is paused until Monday"}},
	{"/koban help", "help.help", nil},
}

// helpText renders helpCommands in mrkdwn, in lang.
func helpText(lang string) string {
	var b strings.Builder
	b.WriteString(say(lang, "help.intro") + "\n")
	for _, c := range helpCommands {
		b.WriteString("• `" + c.syntax + "`: " + say(lang, c.what))
		for i, ex := range c.examples {
			if i == 0 {
				b.WriteString("\n   " + say(lang, "help.eg") + " ")
			} else {
				b.WriteString(" " + say(lang, "help.or") + " ")
			}
			b.WriteString("`" + ex + "`")
		}
		b.WriteString("\n")
	}
	b.WriteString(say(lang, "help.people"))
	return b.String()
}

// renderHelp renders the answer to /koban help.
func renderHelp(lang string) message {
	s := helpText(lang)
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}
