package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/triage"
)

// clickOffer clicks the Ask koban button of an offer, with its value.
func clickOffer(t testing.TB, h http.Handler, user, channel, value string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trig-offer", "team": map[string]any{"id": testTeam},
		"user": map[string]any{"id": user}, "channel": map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": "1700009999.000100", "channel_id": channel, "is_ephemeral": true},
		"actions":   []map[string]any{{"type": "button", "action_id": actAskKoban, "block_id": "b", "value": value}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	if w := slackRequest(t, h, "/slack/interactive", "application/x-www-form-urlencoded", []byte(form), nil); w.Code != http.StatusOK {
		t.Fatalf("click offer: status %d: %s", w.Code, w.Body)
	}
}

// TestChannelMessagesThatAskForNothing checks that in an all channel thanks,
// an FYI, chatter and an emoji create no inquiry and page no one, that a
// question still does, and that a mention is always an inquiry.
func TestChannelMessagesThatAskForNothing(t *testing.T) {
	tri, err := triage.New(triage.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOpts{detector: tri})
	tests := []struct {
		name, channel, text string
		inquiry             bool
	}{
		{"thanks", helpChannel, "thanks everyone, it works now!", false},
		{"fyi", helpChannel, "FYI: we will deploy payments-api at 15:00", false},
		{"chatter", helpChannel, "lunch anyone?", false},
		{"emoji", helpChannel, ":tada:", false},
		{"thanks in a questions channel", quietChan, "thank you, all sorted", false},
		{"question", helpChannel, "how do I view the logs of my service?", true},
		{"breakage", helpChannel, "deploys fail with 503 from the registry since this morning", true},
		{"japanese question", helpChannel, "ログの保存期間を教えてください", true},
	}
	before := 0
	for i, tt := range tests {
		ts := "17000002" + string(rune('0'+i)) + "0.000100"
		if w := postEvent(t, h.h, messageEvent("D"+string(rune('a'+i)), tt.channel, asker, tt.text, ts, "")); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", tt.name, w.Code)
		}
		open, err := h.store.OpenInquiries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := len(open) > before; got != tt.inquiry {
			t.Errorf("%q in %s: inquiry created = %v, want %v", tt.text, tt.channel, got, tt.inquiry)
		}
		before = len(open)
	}
	h.bot.pending.Wait()
	for _, c := range h.slack.called("chat.postMessage") {
		if c.Form.Get("channel") == oncallUser {
			t.Errorf("the on-call was messaged: %v", c.Form)
		}
	}
}

// unsure is a detector that is never sure, so koban always offers help.
type unsure struct{}

func (unsure) Detect(string) koban.Detection {
	return koban.Detection{Confidence: 0.4, Reason: "unsure"}
}

// TestOfferHelpThenAsk checks the quiet offer: an unsure message gets an
// ephemeral "Need help with this?" to its author alone and no inquiry; the
// button turns the message into an inquiry, once however often it is clicked.
func TestOfferHelpThenAsk(t *testing.T) {
	h := newHarness(t, harnessOpts{detector: unsure{}})
	const ts = "1700000300.000100"
	const text = "the nightly export seems slow lately"
	if w := postEvent(t, h.h, messageEvent("O1", helpChannel, asker, text, ts, "")); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	var offer apiCall
	waitFor(t, "an ephemeral offer", func() bool {
		calls := h.slack.called("chat.postEphemeral")
		if len(calls) == 0 {
			return false
		}
		offer = calls[0]
		return true
	})
	if got := offer.Form.Get("user"); got != asker {
		t.Errorf("offer shown to %q, want the author %q", got, asker)
	}
	if got := offer.Form.Get("text"); got != "Need help with this?" {
		t.Errorf("offer text = %q", got)
	}
	if open, _ := h.store.OpenInquiries(context.Background()); len(open) != 0 {
		t.Fatalf("an unsure message created %d inquiries, want none before the click", len(open))
	}
	var value string
	for _, b := range blocksOf(t, offer) {
		if acc, ok := b["accessory"].(map[string]any); ok {
			value, _ = acc["value"].(string)
		}
	}
	if value == "" {
		t.Fatalf("offer has no Ask koban button: %v", blocksOf(t, offer))
	}
	clickOffer(t, h.h, "USOMEONEELSE", helpChannel, value)
	h.bot.pending.Wait()
	if open, _ := h.store.OpenInquiries(context.Background()); len(open) != 0 {
		t.Fatalf("someone else's click created %d inquiries, want none", len(open))
	}
	told := false
	for _, c := range h.slack.called("chat.postEphemeral") {
		told = told || c.Form.Get("user") == "USOMEONEELSE"
	}
	if !told {
		t.Errorf("someone else's click was not told why nothing happened")
	}
	clickOffer(t, h.h, asker, helpChannel, value)
	clickOffer(t, h.h, asker, helpChannel, value)
	var inq *koban.Inquiry
	waitFor(t, "the inquiry from the offer", func() bool {
		var err error
		inq, err = h.store.InquiryByThread(context.Background(), helpChannel, ts)
		return err == nil
	})
	if inq.Text != text || inq.AskedBy != asker || inq.Source != koban.SourceChannel {
		t.Errorf("inquiry = text %q by %s from %s, want the message's text by its author from the channel", inq.Text, inq.AskedBy, inq.Source)
	}
	h.bot.pending.Wait()
	if open, _ := h.store.OpenInquiries(context.Background()); len(open) != 1 {
		t.Errorf("two clicks created %d inquiries, want 1", len(open))
	}
}
