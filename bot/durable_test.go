package bot

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/kobanhq/koban/desk"
)

// The same Slack message under two event ids (a message event and its
// redelivery with a new id) is one inquiry, answered once.
func TestMessageUniqueByChannelAndTS(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	const ts = "1700000601.000100"
	for _, id := range []string{"EvTwiceA", "EvTwiceB"} {
		if w := postEvent(t, h.h, messageEvent(id, helpChannel, asker, "How do I request a database for my service?", ts, "")); w.Code != 200 {
			t.Fatalf("event %s: %d", id, w.Code)
		}
	}
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil || len(open) != 1 {
		t.Fatalf("open inquiries = %d (%v), want 1", len(open), err)
	}
	h.process(open[0].ID)
	if n := len(h.slack.posts(helpChannel, ts)); n != 1 {
		t.Errorf("replies = %d, want 1", n)
	}
	// The same follow-up under two event ids is recorded once.
	for _, id := range []string{"EvFuA", "EvFuB"} {
		postEvent(t, h.h, messageEvent(id, helpChannel, asker, "and for staging?", "1700000602.000100", ts))
	}
	evs, err := h.store.Events(context.Background(), open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == "follow-up" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("follow-up events = %d, want 1", n)
	}
}

// A replayed /koban ask (the same signed request) and the same question
// sent twice in a row post and record one question.
func TestSlashAskAskedOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	form := url.Values{
		"command": {"/koban"}, "text": {"ask how do I rotate my service's TLS certificate?"}, "user_id": {asker}, "channel_id": {helpChannel},
		"team_id": {testTeam}, "trigger_id": {"trig-replayed"},
	}.Encode()
	for range 2 {
		if w := slackRequest(t, h.h, "/slack/commands", "application/x-www-form-urlencoded", []byte(form), nil); w.Code != 200 {
			t.Fatalf("/koban ask: %d", w.Code)
		}
	}
	// A double submit: the same question under a new trigger.
	w := slashCommand(t, h.h, asker, helpChannel, "ask how do I rotate my service's TLS certificate?")
	if !strings.Contains(w.Body.String(), "You just asked that") {
		t.Errorf("repeat of /koban ask = %s, want it recognised", w.Body)
	}
	if n := len(h.slack.posts(helpChannel, "")); n != 1 {
		t.Errorf("questions posted in the channel = %d, want 1", n)
	}
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil || len(open) != 1 {
		t.Errorf("inquiries = %d (%v), want 1", len(open), err)
	}
	// Another person asking the same is a new question.
	slashCommand(t, h.h, oncallUser, helpChannel, "ask how do I rotate my service's TLS certificate?")
	if open, _ := h.store.OpenInquiries(context.Background()); len(open) != 2 {
		t.Errorf("inquiries after another person asked = %d, want 2", len(open))
	}
}

// A question longer than the cap is kept cut, and the asker is told.
func TestLongQuestionIsCapped(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	long := "How do I read this log? " + strings.Repeat("ログ line ", 6000) // ~54,000 characters
	inq := h.ask("EvLong", helpChannel, long, "1700000701.000100")
	if n := utf8.RuneCountInString(inq.Text); n != desk.MaxQuestionChars {
		t.Errorf("stored question = %d characters, want %d", n, desk.MaxQuestionChars)
	}
	h.bot.idle()
	eph := h.slack.ephemeralsTo(asker)
	if len(eph) != 1 || !strings.Contains(eph[0].Form.Get("text"), "40000") {
		t.Errorf("the asker was not told their question was cut (ephemerals: %d)", len(eph))
	}
	w := slashCommand(t, h.h, asker, helpChannel, "ask "+long)
	if !strings.Contains(w.Body.String(), "kept the first 40000") {
		t.Errorf("/koban ask of a long question = %s, want it to say it was cut", w.Body)
	}
}

// Socket Mode acknowledges an event only once its inquiry is written: with
// the database gone, the envelope stays unacknowledged (Slack redelivers it).
func TestSocketModeAcksAfterWriting(t *testing.T) {
	h := newHarness(t, harnessOpts{appToken: "xapp-test"})
	var conn *websocket.Conn
	select {
	case conn = <-h.slack.sockets:
	case <-time.After(5 * time.Second):
		t.Fatal("koban opened no Socket Mode connection")
	}
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		t.Fatal(err)
	}
	send := func(id, eventID, ts string) {
		var payload json.RawMessage = messageEvent(eventID, helpChannel, asker, "How do I roll back a deployment?", ts, "")
		if err := conn.WriteJSON(map[string]any{"envelope_id": id, "type": "events_api", "payload": payload}); err != nil {
			t.Fatal(err)
		}
	}
	acked := func(id string, wait time.Duration) bool {
		conn.SetReadDeadline(time.Now().Add(wait))
		for {
			var res struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if err := conn.ReadJSON(&res); err != nil {
				return false
			}
			if res.EnvelopeID == id {
				return true
			}
		}
	}
	send("env-ok", "EvSockOK", "1700000801.000100")
	if !acked("env-ok", 5*time.Second) {
		t.Fatal("a recorded event was not acknowledged")
	}
	// Written before the ack: the inquiry is there the moment the ack is.
	if _, err := h.store.InquiryByThread(context.Background(), helpChannel, "1700000801.000100"); err != nil {
		t.Errorf("inquiry not written by the time of the ack: %v", err)
	}
	h.store.Close() // the database goes away
	send("env-lost", "EvSockDown", "1700000802.000100")
	if acked("env-lost", 2*time.Second) {
		t.Error("an event that could not be written was acknowledged: Slack would not deliver it again")
	}
}
