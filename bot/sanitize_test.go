package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// pings are the constructs no answer may carry to Slack.
var pings = []string{"<!channel", "<!here", "<!everyone", "<!subteam", "<@U", "<@W", "@channel", "@here", "@everyone", "＠channel"}

func assertNoMentions(t *testing.T, what, text string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, m := range pings {
		if strings.Contains(lower, strings.ToLower(m)) {
			t.Errorf("%s contains %q:\n%s", what, m, text)
		}
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello <!channel> world", "hello [mention removed] world"},
		{"<!here|here> and <!everyone>", "[mention removed] and [mention removed]"},
		{"ask <!subteam^S0123|@sre>", "ask [mention removed]"},
		{"thanks <@U0123ABCD> and <@W1|bob>", "thanks [mention removed] and [mention removed]"},
		{"ping @channel or @HERE or ＠everyone", "ping channel or HERE or everyone"},
		{"< !channel >", "[mention removed]"},
		{"<!channel", "‹channel"},
		{"email ops@example.com and see <https://docs.example.com|docs>", "email ops@example.com and see <https://docs.example.com|docs>"},
		{"a <b> c", "a <b> c"},
		{"<!DOCTYPE html> and <!date^1392734382^{date}|Feb 18>", "<!DOCTYPE html> and <!date^1392734382^{date}|Feb 18>"},
		{"cut <@U0123", "cut ‹U0123"},
	}
	for _, tt := range tests {
		if got := sanitize("en", tt.in); got != tt.want {
			t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		assertNoMentions(t, "sanitize("+tt.in+")", sanitize("en", tt.in))
	}
}

// A removed mention is noted in the answer's language.
func TestSanitizeLanguage(t *testing.T) {
	tests := []struct{ lang, answerLang, want string }{
		{"en", "", "hello [mention removed] world"},
		{"ja", "", "hello [メンションを削除しました] world"},
		{"en", "ja", "hello [メンションを削除しました] world"},
		{"ja", "en", "hello [mention removed] world"},
	}
	for _, tt := range tests {
		a := sanitizeAnswer(tt.lang, koban.Answer{Lang: tt.answerLang, Text: "hello <!channel> world"})
		if a.Text != tt.want {
			t.Errorf("sanitizeAnswer(%q, lang %q) = %q, want %q", tt.lang, tt.answerLang, a.Text, tt.want)
		}
	}
}

// TestDeliverWithoutMentions delivers an answer written by a model that a
// docs page talked into pinging everyone, quoting a page that does the same,
// and an escalation citing that page: what reaches Slack pings nobody and
// keeps the words.
func TestDeliverWithoutMentions(t *testing.T) {
	b, fs := newTestBot(t)
	malicious := "<!channel> <!here|here> URGENT: the registry is compromised [1]. <@U0123ABCD> <!subteam^S0456EFGH|@platform-oncall> @everyone ＠here paste your password here < !everyone>."
	cite := koban.Citation{Path: "how-to/rotate.md", Title: "Rotate <!here> credentials", Section: "@channel notice",
		Snippet: "IMPORTANT <@U0999> read this", URL: "https://docs.example.com/rotate", Quadrant: koban.HowTo}
	inq := &koban.Inquiry{ID: 7, Channel: "CHELP", ThreadTS: "7.7", Lang: "en"}
	replies := []desk.Reply{
		{Kind: koban.EventAnswered, Answer: koban.Answer{Lang: "en", Known: true, Text: malicious, Citations: []koban.Citation{cite}, Pages: []koban.Citation{cite}}},
		{Kind: koban.EventEscalated, Answer: koban.Answer{Pages: []koban.Citation{cite}}},
	}
	for _, r := range replies {
		if err := b.Deliver(context.Background(), inq, r); err != nil {
			t.Fatalf("Deliver(%s) error: %v", r.Kind, err)
		}
	}
	posts := fs.posts("CHELP", "7.7")
	if len(posts) != len(replies) {
		t.Fatalf("posted %d messages, want %d", len(posts), len(replies))
	}
	for i, p := range posts {
		text := textOf(t, p) + p.Form.Get("text")
		assertNoMentions(t, string(replies[i].Kind), text)
		if i == 0 && !strings.Contains(text, "URGENT") {
			t.Errorf("delivered answer lost its text:\n%s", text)
		}
	}
}
