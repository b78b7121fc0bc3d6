package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/kobanhq/koban"
)

// TestSocketMode drives the bot over a Socket Mode connection: the envelope
// is acknowledged and handled by the same handler as the Events API, and a
// slash command's reply travels in its ack.
func TestSocketMode(t *testing.T) {
	h := newHarness(t, harnessOpts{appToken: "xapp-test"})
	var conn *websocket.Conn
	select {
	case conn = <-h.slack.sockets:
	case <-time.After(5 * time.Second):
		t.Fatal("koban opened no Socket Mode connection")
	}
	send := func(v any) {
		t.Helper()
		if err := conn.WriteJSON(v); err != nil {
			t.Fatalf("write envelope: %v", err)
		}
	}
	// ack reads until the ack of envelope id arrives and returns its payload.
	ack := func(id string) json.RawMessage {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			var res struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if err := conn.ReadJSON(&res); err != nil {
				t.Fatalf("waiting for the ack of %s: %v", id, err)
			}
			if res.EnvelopeID == id {
				return res.Payload
			}
		}
	}
	send(map[string]any{"type": "hello", "num_connections": 1})

	var payload json.RawMessage = messageEvent("EvSock1", helpChannel, asker, "How do I roll back a deployment?", "1700000200.000100", "")
	envelope := map[string]any{"envelope_id": "env-1", "type": "events_api", "payload": payload, "accepts_response_payload": false}
	send(envelope)
	ack("env-1")
	send(envelope) // Slack redelivers an envelope it thinks was lost
	ack("env-1")
	waitFor(t, "the inquiry", func() bool {
		_, err := h.store.InquiryByThread(context.Background(), helpChannel, "1700000200.000100")
		return err == nil
	})
	open, err := h.store.OpenInquiries(context.Background())
	if err != nil || len(open) != 1 || open[0].Source != koban.SourceChannel {
		t.Fatalf("open inquiries after two deliveries = %+v (%v), want one channel inquiry", open, err)
	}

	send(map[string]any{"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"command": "/koban", "text": "status", "user_id": asker, "channel_id": helpChannel, "team_id": testTeam, "trigger_id": "t1"}})
	if got := string(ack("env-2")); !strings.Contains(got, "1 open inquiries") || !strings.Contains(got, "ephemeral") {
		t.Errorf("ack of /koban status = %s, want the ephemeral status", got)
	}
}
