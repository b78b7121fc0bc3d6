package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestThreadPermalinkKeptOnFirstReply checks koban asks Slack for the
// thread's permalink once, when it first replies, keeps it on the inquiry,
// and links the inquiry to its thread in /koban status and App Home.
func TestThreadPermalinkKeptOnFirstReply(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("EvLink", helpChannel, "How do I request a database for my service?", "1700000090.000100")
	if n := len(h.slack.called("chat.getPermalink")); n != 0 {
		t.Fatalf("chat.getPermalink calls before any reply = %d, want 0", n)
	}
	h.process(inq.ID)
	want := "https://koban-test.slack.com/archives/" + helpChannel + "/p1700000090000100"
	if got := h.inquiry(inq.ID).Permalink; got != want {
		t.Fatalf("permalink after the first reply = %q, want %q", got, want)
	}
	// A second reply (the escalation after "I need a human") asks nothing more.
	clickButton(t, h.h, asker, helpChannel, "x", actionID(actNeedHuman, inq.ID))
	h.bot.idle()
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 2 {
		t.Fatalf("posts in the thread = %d, want answer + escalation", n)
	}
	if n := len(h.slack.called("chat.getPermalink")); n != 1 {
		t.Errorf("chat.getPermalink calls = %d, want 1", n)
	}
	if got := h.inquiry(inq.ID).Permalink; got != want {
		t.Errorf("permalink after the escalation = %q, want %q", got, want)
	}

	linked := "<" + want + "|#"
	w := slashCommand(t, h.h, oncallUser, helpChannel, "status")
	if w.Code != http.StatusOK || !strings.Contains(strings.ReplaceAll(w.Body.String(), `\u003c`, "<"), linked) {
		t.Errorf("/koban status = %d %s, want the thread link %s", w.Code, w.Body, linked)
	}
	postEvent(t, h.h, callbackBody("EvHomeLink", map[string]any{"type": "app_home_opened", "user": asker, "channel": "DASKER", "tab": "home"}))
	h.bot.idle()
	pub := h.slack.called("views.publish")
	if len(pub) != 1 {
		t.Fatalf("views.publish calls = %d, want 1", len(pub))
	}
	var view strings.Builder
	if err := json.NewEncoder(&view).Encode(pub[0].JSON["view"]); err != nil {
		t.Fatal(err)
	}
	if s := strings.ReplaceAll(view.String(), `\u003c`, "<"); !strings.Contains(s, linked) {
		t.Errorf("App Home lacks the thread link %s: %s", linked, s)
	}
}

// TestPermalinkFailureKeepsTheReply checks a failing chat.getPermalink loses
// nothing: the reply is delivered and recorded, the inquiry has no link.
func TestPermalinkFailureKeepsTheReply(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("EvLinkFail", helpChannel, "How do I request a database for my service?", "1700000091.000100")
	h.slack.failNext("chat.getPermalink", failure{slackErr: "message_not_found"})
	h.process(inq.ID)
	if n := len(h.slack.posts(helpChannel, inq.ThreadTS)); n != 1 {
		t.Fatalf("posts in the thread = %d, want the answer", n)
	}
	got := h.inquiry(inq.ID)
	if got.Permalink != "" || got.Failure != "" {
		t.Errorf("after a failed permalink: permalink %q, failure %q; want both empty", got.Permalink, got.Failure)
	}
	events, err := h.store.Events(context.Background(), inq.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; last.Kind != "delivered" {
		t.Errorf("last event = %s, want delivered", last.Kind)
	}
}
