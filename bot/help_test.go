package bot

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

// onCallHarness is the bot over the real on-call service with one daily
// rotation of oncallUser and memberUser, whose Slack names (users.list) are
// @bob and @alice: plain names are resolved as Slack sends them when the
// person is typed rather than picked.
func onCallHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, harnessOpts{platformOnCall: true})
	h.slack.users = []map[string]any{slackUser(memberUser, "alice", "Alice A", "Alice Abe"), slackUser(oncallUser, "bob", "Bob B", "Bob Baba")}
	return h
}

// replyText is the text and blocks of a slash command's ephemeral reply.
func replyText(t *testing.T, body []byte) string {
	t.Helper()
	var reply struct {
		ResponseType string           `json:"response_type"`
		Text         string           `json:"text"`
		Blocks       []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatalf("reply %s: %v", body, err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(reply.Blocks); err != nil {
		t.Fatal(err)
	}
	return reply.Text + "\n" + b.String()
}

var overrideNumber = regexp.MustCompile(`Override #(\d+)`)

// TestHelpExamplesWork types every example /koban help shows, as shown,
// through the real slash-command handler, the real command parser and the
// real on-call service, and checks each does what it says without an error.
func TestHelpExamplesWork(t *testing.T) {
	help := helpText("en")
	var n int
	for _, c := range helpCommands {
		if !strings.Contains(help, "`"+c.syntax+"`") {
			t.Errorf("help does not show the syntax %q", c.syntax)
		}
		for _, ex := range c.examples {
			n++
			if !strings.Contains(help, "`"+ex+"`") {
				t.Errorf("help does not show the example %q", ex)
			}
			t.Run(ex, func(t *testing.T) {
				h := onCallHarness(t)
				user := oncallUser
				text := strings.TrimPrefix(ex, "/koban ")
				switch {
				case strings.HasPrefix(text, "oncall swap"):
					user = memberUser // alice asks bob
				case strings.HasPrefix(text, "oncall remove"):
					// The number is one /koban oncall list shows: make override exist.
					got := replyText(t, slashCommand(t, h.h, oncallUser, helpChannel, "oncall cover @alice from tomorrow 09:00 to tomorrow 18:00").Body.Bytes())
					m := overrideNumber.FindStringSubmatch(got)
					if m == nil {
						t.Fatalf("no override to remove: %s", got)
					}
					text = strings.Replace(text, "12", m[1], 1)
				}
				w := slashCommand(t, h.h, user, helpChannel, text)
				got := replyText(t, w.Body.Bytes())
				if w.Code != 200 || strings.Contains(got, ":warning:") || strings.Contains(got, "I don't know") || strings.Contains(got, "Try one of") {
					t.Fatalf("%s as %s = %d %s", text, user, w.Code, got)
				}
				switch {
				case strings.HasPrefix(text, "oncall cover"):
					if !strings.Contains(got, "<@"+memberUser+"> covers *platform*") {
						t.Errorf("cover reply %s, want @alice resolved to %s", got, memberUser)
					}
				case strings.HasPrefix(text, "oncall swap"):
					if !strings.Contains(got, "<@"+oncallUser+"> to confirm") {
						t.Errorf("swap reply %s, want a request to @bob (%s)", got, oncallUser)
					}
				case strings.HasPrefix(text, "oncall remove"):
					if !strings.Contains(got, "Removed override #") {
						t.Errorf("remove reply %s", got)
					}
				}
			})
		}
	}
	if n < 6 {
		t.Errorf("help shows %d examples, want one per command that takes arguments", n)
	}
	// The syntax-only commands work as typed too.
	h := onCallHarness(t)
	for _, c := range helpCommands {
		if strings.ContainsAny(c.syntax, "[@") || strings.ToUpper(c.syntax) == c.syntax {
			continue
		}
		if c.syntax != strings.ToLower(c.syntax) {
			continue // has a placeholder
		}
		got := replyText(t, slashCommand(t, h.h, oncallUser, helpChannel, strings.TrimPrefix(c.syntax, "/koban")).Body.Bytes())
		if strings.Contains(got, ":warning:") || strings.Contains(got, "I don't know") {
			t.Errorf("%s = %s", c.syntax, got)
		}
	}
}

// TestOnCallUsageExamplesParse feeds the examples of /koban oncall help
// (the usage shown after a mistake) back through the command parser.
func TestOnCallUsageExamplesParse(t *testing.T) {
	examples := regexp.MustCompile("`(/koban oncall[^`]*)`").FindAllStringSubmatch(oncall.Usage("en"), -1)
	if len(examples) < 5 {
		t.Fatalf("usage shows %d examples", len(examples))
	}
	for _, m := range examples {
		text := strings.TrimSpace(strings.TrimPrefix(m[1], "/koban oncall"))
		if strings.ContainsAny(text, "<>") {
			continue // a placeholder such as <text>
		}
		if _, err := oncall.ParseCommand(text); err != nil {
			t.Errorf("usage example %q: %v", m[1], err)
		}
	}
}

func TestCommandText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"why can't <@U0ALICE|alice> push to <#C0DEPLOY|deploys>?", "why can't @alice push to #deploys?"},
		{"is <https://status.example.com|status.example.com> right &amp; current?", "is https://status.example.com right & current?"},
		{"ping <!subteam^S0OPS|@ops> and <!here>", "ping @ops and @here"},
		{"mail <mailto:ops@example.com|ops@example.com>", "mail ops@example.com"},
		{"a &lt;b&gt; c", "a <b> c"},
		{"<@U0BOB>", "@U0BOB"},
	}
	for _, tt := range tests {
		if got := commandText(tt.in); got != tt.want {
			t.Errorf("commandText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorKeepsOnlyMentions(t *testing.T) {
	err := koban.Errorf(koban.EConflict, "Already acknowledged by <@U0ALICE>. <!channel> <https://evil.example|x> <@not-an-id>")
	got := renderError("en", err).Blocks[0].(*slack.SectionBlock).Text.Text
	want := ":warning: Already acknowledged by <@U0ALICE>. &lt;!channel&gt; &lt;https://evil.example|x&gt; &lt;@not-an-id&gt;"
	if got != want {
		t.Errorf("renderError = %q, want %q", got, want)
	}
}
