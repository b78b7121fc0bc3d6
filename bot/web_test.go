package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// noRouter finds nobody on call; the desk falls back to its user group.
type noRouter struct{}

func (noRouter) Route(context.Context, koban.Domain, time.Time) (koban.Escalation, error) {
	return koban.Escalation{}, nil
}

// askWeb asks as the web playground does and processes the inquiry.
func (h *harness) askWeb(key, text string) *koban.Inquiry {
	h.t.Helper()
	inq, _, err := h.desk.Ask(context.Background(), desk.Incoming{Source: koban.SourceWeb, EventID: "web-" + key,
		Channel: "web", MessageTS: "web-" + key, User: "alice@example.com", Text: text})
	if err != nil {
		h.t.Fatalf("ask on the web: %v", err)
	}
	h.process(inq.ID)
	return h.inquiry(inq.ID)
}

// A web playground escalation reaches the on-call in Slack, by DM and in the
// rotation channel, and its Acknowledge button works from there.
func TestWebEscalationReachesTheOnCall(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.desk.Repliers[koban.SourceWeb] = h.bot.WebReplier() // as cmd/koban wires it
	const q = "Our production database is down since 10 minutes, please help!"
	inq := h.askWeb("k1", q)
	if inq.State != koban.StateEscalated {
		t.Fatalf("state = %s, want escalated", inq.State)
	}
	for _, to := range []string{oncallUser, platformChan} {
		posts := h.slack.posts(to, "")
		if len(posts) != 1 {
			t.Fatalf("posts to %s = %d, want 1 notice", to, len(posts))
		}
		raw := textOf(t, posts[0])
		for _, want := range []string{"<@" + oncallUser + ">", "web playground", "production database is down"} {
			if !strings.Contains(raw, want) {
				t.Errorf("notice to %s lacks %q: %s", to, want, raw)
			}
		}
		if got := actionIDs(blocksOf(t, posts[0])); !slices.Contains(got, actionID(actAck, inq.ID)) || !slices.Contains(got, actionID(actResolve, inq.ID)) {
			t.Errorf("notice to %s has buttons %v, want Acknowledge and Resolve…", to, got)
		}
	}
	// Nothing is posted in a Slack conversation named "web".
	if n := len(h.slack.posts("web", "web-k1")) + len(h.slack.posts("web", "")); n != 0 {
		t.Errorf("%d posts to the web inquiry's own channel", n)
	}
	// A retried job posts nothing new.
	h.process(inq.ID)
	if n := len(h.slack.posts(oncallUser, "")); n != 1 {
		t.Errorf("DMs to the on-call after a retried job = %d, want still 1", n)
	}
	if w := clickButton(t, h.h, oncallUser, oncallUser, "1", actionID(actAck, inq.ID)); w.Code != http.StatusOK {
		t.Fatalf("click Acknowledge: status %d", w.Code)
	}
	h.bot.idle()
	if got := h.inquiry(inq.ID); got.State != koban.StateAcknowledged || got.Assignee != oncallUser {
		t.Errorf("after Acknowledge from Slack: %s by %q, want acknowledged by %s", got.State, got.Assignee, oncallUser)
	}
}

// A private web inquiry's notice leaves its text out.
func TestWebEscalationOfAPrivateInquiry(t *testing.T) {
	inq := &koban.Inquiry{ID: 7, Source: koban.SourceWeb, AskedBy: asker, Text: "why is the kestrel payroll job slow", Private: true, CreatedAt: time.Now()}
	r := desk.Reply{Kind: koban.EventEscalated, Escalation: koban.Escalation{OnCall: oncallUser, Channel: platformChan}}
	m := renderWebEscalation("en", inq, r, time.Now())
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "kestrel") || strings.Contains(string(raw), "kestrel") {
		t.Errorf("private web notice carries the question: %s", raw)
	}
	if !strings.Contains(string(raw), "@"+oncallUser) {
		t.Errorf("private web notice does not mention the on-call: %s", raw)
	}
}

// With nobody on call, the fallback group's members get the notice by DM;
// with no group either, the web escalation is still recorded as delivered
// (its page says nobody was notified); when every post fails, the failure
// is recorded on the inquiry, not lost.
func TestWebEscalationWithNobodyOrFailingSlack(t *testing.T) {
	const q = "Our production database is down since 10 minutes, please help!"
	t.Run("fallback group", func(t *testing.T) {
		h := newHarness(t, harnessOpts{router: noRouter{}})
		h.slack.mu.Lock()
		h.slack.groups["SPLATFORM"] = []string{memberUser, groupResponder}
		h.slack.mu.Unlock()
		h.desk.Repliers[koban.SourceWeb] = h.bot.WebReplier()
		inq := h.askWeb("k4", q)
		if inq.State != koban.StateEscalated {
			t.Fatalf("state %s, want escalated", inq.State)
		}
		for _, to := range []string{memberUser, groupResponder} {
			posts := h.slack.posts(to, "")
			if len(posts) != 1 {
				t.Errorf("DMs to group member %s = %d, want 1", to, len(posts))
				continue
			}
			if raw := textOf(t, posts[0]); !strings.Contains(raw, "subteam^SPLATFORM") {
				t.Errorf("DM to %s does not name the group: %s", to, raw)
			}
		}
	})
	t.Run("no on-call", func(t *testing.T) {
		h := newHarness(t, harnessOpts{router: noRouter{}, noFallback: true})
		h.desk.Repliers[koban.SourceWeb] = h.bot.WebReplier()
		inq := h.askWeb("k2", q)
		if inq.State != koban.StateEscalated || inq.Failure != "" {
			t.Fatalf("state %s, failure %q; want escalated with no failure", inq.State, inq.Failure)
		}
		if n := len(h.slack.called("chat.postMessage")); n != 0 {
			t.Errorf("%d Slack posts with nobody to tell", n)
		}
	})
	t.Run("Slack refuses", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		h.desk.Repliers[koban.SourceWeb] = h.bot.WebReplier()
		h.slack.failNext("chat.postMessage", failure{status: 200, slackErr: "channel_not_found"})
		h.slack.failNext("chat.postMessage", failure{status: 200, slackErr: "channel_not_found"})
		inq := h.askWeb("k3", q)
		if inq.State != koban.StateEscalated || !strings.Contains(inq.Failure, "channel_not_found") {
			t.Errorf("state %s, failure %q; want escalated with the Slack error recorded", inq.State, inq.Failure)
		}
	})
}

// A DM escalation with nobody on call reaches the fallback group's members
// by DM, without the question's text.
func TestDMEscalationReachesTheFallbackGroup(t *testing.T) {
	h := newHarness(t, harnessOpts{router: noRouter{}})
	h.slack.mu.Lock()
	h.slack.groups["SPLATFORM"] = []string{memberUser}
	h.slack.mu.Unlock()
	const secretish = "our production database for team kestrel is down, please help"
	inq := h.ask("EvDMG", "DASKER", secretish, "1700000901.000100")
	if !inq.Private {
		t.Fatalf("a DM question is not private")
	}
	h.process(inq.ID)
	if got := h.inquiry(inq.ID).State; got != koban.StateEscalated {
		t.Fatalf("state %s, want escalated", got)
	}
	posts := h.slack.posts(memberUser, "")
	if len(posts) != 1 {
		t.Fatalf("DMs to the group member = %d, want 1", len(posts))
	}
	raw := textOf(t, posts[0])
	if strings.Contains(raw, "kestrel") || !strings.Contains(raw, "subteam^SPLATFORM") {
		t.Errorf("notice to the group member: %s; want the group named and no question text", raw)
	}
}
