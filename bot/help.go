package bot

import (
	"strings"

	"github.com/slack-go/slack"
)

// helpCommand is one line of /koban help: the syntax (capitals are what
// you fill in, brackets what you may leave out), what it does, and
// examples typed exactly as they work.
type helpCommand struct {
	syntax, what string
	examples     []string
}

// helpCommands is what /koban help shows. Every example goes through the
// real command parser and handlers in the tests.
var helpCommands = []helpCommand{
	{"/koban ask QUESTION", "ask here; I answer in a thread.",
		[]string{"/koban ask where do I find the runbook for our ingress controller?"}},
	{"/koban status", "the open inquiries (only you see them).", nil},
	{"/koban oncall", "who is on call now and next.", nil},
	{"/koban oncall list [in ROTATION]", "upcoming shifts and overrides, with their numbers.",
		[]string{"/koban oncall list"}},
	{"/koban oncall cover @PERSON from WHEN to WHEN [in ROTATION]",
		"someone covers a shift. WHEN is `2026-12-07 09:00`, `today 18:00`, `tomorrow`, `friday 09:00` or `now`; leave out `from` to start now.",
		[]string{"/koban oncall cover @alice from tomorrow 09:00 to tomorrow 18:00", "/koban oncall cover @alice to friday 09:00"}},
	{"/koban oncall swap @PERSON [in ROTATION]", "exchange your next shift with theirs; they confirm in a DM.",
		[]string{"/koban oncall swap @bob"}},
	{"/koban oncall remove NUMBER", "undo an override (`/koban oncall list` shows the numbers).",
		[]string{"/koban oncall remove 12"}},
	{"/koban oncall note TEXT", "a note for the next handoff.",
		[]string{"/koban oncall note the certificate renewal job is paused until Monday"}},
	{"/koban help", "this message.", nil},
}

// helpText renders helpCommands in mrkdwn.
func helpText() string {
	var b strings.Builder
	b.WriteString("*koban* answers platform questions from the docs and brings in the on-call when it cannot. " +
		"Ask in the help channel, mention `@koban`, or DM me.\n")
	for _, c := range helpCommands {
		b.WriteString("• `" + c.syntax + "`: " + c.what)
		for i, ex := range c.examples {
			if i == 0 {
				b.WriteString("\n   e.g. ")
			} else {
				b.WriteString(" or ")
			}
			b.WriteString("`" + ex + "`")
		}
		b.WriteString("\n")
	}
	b.WriteString("Pick people from the @-menu, or type their Slack name (`@alice`).")
	return b.String()
}

// renderHelp renders the answer to /koban help.
func renderHelp() message {
	s := helpText()
	return message{Text: stripMarkup(s), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(s), nil, nil)}}
}
