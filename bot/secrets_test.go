package bot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/redact"
)

// Secrets in tests are split so that this file does not trip secret scanners.
var (
	testGitHubToken = "gh" + "p_1OGMmjxWkI9X7H6aMuFbh7x41Ztpdp4K8ffU"
	testPassword    = "Sup3rS3cretPw"
)

// withRedactor is the harness with secret redaction on, as koban serve wires
// it: the desk masks what it stores, the bot what it posts and logs.
func withRedactor(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	red, err := redact.New()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, o)
	h.desk.Redactor = red
	h.bot.deps.Redactor = red
	return h
}

// ephemerals returns the ephemeral messages sent to user.
func (f *fakeSlack) ephemeralTexts(user string) []string {
	var out []string
	for _, c := range f.called("chat.postEphemeral") {
		if c.Form.Get("user") == user {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

func TestAskCommandPostsNoSecret(t *testing.T) {
	h := withRedactor(t, harnessOpts{})
	q := "ask git push says 403 with token " + testGitHubToken + ", why?"
	w := slashCommand(t, h.h, asker, helpChannel, q)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "rotate") {
		t.Fatalf("/koban %s = %d %s, want a reply that says to rotate the token", q, w.Code, w.Body)
	}
	posted := h.slack.posts(helpChannel, "")
	if len(posted) != 1 {
		t.Fatalf("/koban ask posted %d messages, want 1", len(posted))
	}
	if text := posted[0].Form.Get("text"); strings.Contains(text, testGitHubToken) || !strings.Contains(text, "[REDACTED:github-pat]") || !strings.Contains(text, "git push says 403") {
		t.Errorf("/koban ask posted %q, want the question with the token masked", text)
	}
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil || len(open) != 1 || strings.Contains(open[0].Text, testGitHubToken) {
		t.Errorf("stored inquiries = %+v (%v), want one without the token", open, err)
	}

	// Without a secret, nothing is said about one.
	w = slashCommand(t, h.h, asker, helpChannel, "ask how do I roll back a deployment?")
	if strings.Contains(w.Body.String(), "rotate") {
		t.Errorf("/koban ask without a secret = %s, want no word of rotation", w.Body)
	}
}

func TestSecretInMessageWarnsAsker(t *testing.T) {
	h := withRedactor(t, harnessOpts{})
	inq := h.ask("EvS1", helpChannel, "our deploy fails, values.yaml has\npassword: "+testPassword+"\nwhat is wrong?", "1700000100.000100")
	if strings.Contains(inq.Text, testPassword) || inq.Redactions != 1 {
		t.Fatalf("stored %q with %d redactions, want the password masked", inq.Text, inq.Redactions)
	}
	waitFor(t, "a warning to the asker", func() bool { return len(h.slack.ephemeralTexts(asker)) == 1 })
	got := h.slack.ephemeralTexts(asker)[0]
	for _, want := range []string{"delete", "rotate"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning %q does not say %q", got, want)
		}
	}
	if c := h.slack.called("chat.postEphemeral")[0]; c.Form.Get("channel") != helpChannel {
		t.Errorf("warning sent in %q, want %q", c.Form.Get("channel"), helpChannel)
	}

	// A follow-up with a secret warns again; one without does not.
	h.process(inq.ID)
	followUp := messageEvent("EvS2", helpChannel, asker, "also tried DB_PASSWORD=correct-horse-battery", "1700000101.000100", inq.ThreadTS)
	postEvent(t, h.h, followUp)
	postEvent(t, h.h, followUp) // Slack retries it: one warning still
	waitFor(t, "a second warning", func() bool { return len(h.slack.ephemeralTexts(asker)) == 2 })
	h.ask("EvS3", helpChannel, "How do I request a database for my service?", "1700000102.000100")
	time.Sleep(50 * time.Millisecond) // the queue is drained in order: a warning would be there
	if n := len(h.slack.ephemeralTexts(asker)); n != 2 {
		t.Errorf("warnings = %d after a question without a secret, want still 2", n)
	}
}

// syncBuffer is a log sink safe for the bot's workers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// parsingOnCall runs the on-call command parser, whose errors quote what
// they could not read ("… is not a person"), and does nothing more.
type parsingOnCall struct{ recordingOnCall }

func (*parsingOnCall) Command(_ context.Context, _, text string) (string, error) {
	if _, err := oncall.ParseCommand(text); err != nil {
		return "", err
	}
	return "", koban.Errorf(koban.EInvalid, "not run in this test")
}

func TestCommandErrorsAreLoggedRedacted(t *testing.T) {
	h := withRedactor(t, harnessOpts{onCall: &parsingOnCall{}})
	var logs syncBuffer
	h.bot.log = slog.New(slog.NewTextHandler(&logs, nil))
	w := slashCommand(t, h.h, asker, helpChannel, "oncall cover "+testGitHubToken+" tomorrow")
	if w.Code != http.StatusOK {
		t.Fatalf("/koban oncall: %d", w.Code)
	}
	out := logs.String()
	if !strings.Contains(out, "is not a person") {
		t.Fatalf("log = %q, want the refused command logged", out)
	}
	if strings.Contains(out, testGitHubToken) {
		t.Errorf("log = %q, want the token masked", out)
	}
}
