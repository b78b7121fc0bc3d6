package bot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

// TestCountErrors drives the bot against the fake Slack with the counting
// transport: each failed Web API call counts once, the calls that succeed
// count nothing, and every response still reaches the client whole.
func TestCountErrors(t *testing.T) {
	var n atomic.Int64
	b, fs := newTestBotWith(t, func(o *ClientOptions, _ *ClientDeps) {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: CountErrors(nil, func() { n.Add(1) })}
	})
	ctx := context.Background()
	if got := n.Load(); got != 0 {
		t.Fatalf("errors after connecting = %d, want 0", got)
	}
	inq := &koban.Inquiry{ID: 1, Channel: "CHELP", ThreadTS: "1.1"}
	reply := desk.Reply{Kind: koban.EventAnswered, Answer: koban.Answer{Text: "x", Known: true}}
	if err := b.Deliver(ctx, inq, reply); err != nil {
		t.Fatalf("Deliver() error: %v", err)
	}
	fs.failNext("chat.postMessage", failure{slackErr: "channel_not_found"})
	if err := b.Deliver(ctx, inq, reply); err == nil {
		t.Fatal("Deliver() to a missing channel succeeded")
	}
	fs.failNext("chat.postMessage", failure{status: 503})
	if err := b.Deliver(ctx, inq, reply); err == nil {
		t.Fatal("Deliver() with Slack down succeeded")
	}
	if got := n.Load(); got != 2 {
		t.Errorf("errors counted = %d, want 2 (one ok:false, one 503)", got)
	}
	if posts := fs.posts("CHELP", "1.1"); len(posts) != 1 {
		t.Errorf("posted %d messages, want the 1 that succeeded", len(posts))
	}
}

func TestCountErrorsTransport(t *testing.T) {
	long := `{"ok":true,"messages":[` + strings.Repeat(`{"text":"hello"},`, 200) + `{"text":"end"}]}`
	tests := []struct {
		name   string
		status int
		body   string
		want   int64
	}{
		{"ok", 200, `{"ok":true}`, 0},
		{"long ok", 200, long, 0},
		{"slack error", 200, `{"ok":false,"error":"channel_not_found"}`, 1},
		{"spaced slack error", 200, " {\n  \"ok\" : false, \"error\": \"x\"}", 1},
		{"rate limited", 429, `{"ok":false,"error":"ratelimited"}`, 1},
		{"server error", 500, `oops`, 1},
		{"empty", 200, ``, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			var n atomic.Int64
			c := &http.Client{Transport: CountErrors(nil, func() { n.Add(1) })}
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(body) != tt.body {
				t.Errorf("body = %q, %v; want %q whole", body, err, tt.body)
			}
			if got := n.Load(); got != tt.want {
				t.Errorf("counted %d, want %d", got, tt.want)
			}
		})
	}
	var n atomic.Int64
	c := &http.Client{Transport: CountErrors(nil, func() { n.Add(1) })}
	if _, err := c.Get("http://127.0.0.1:1/"); err == nil || n.Load() != 1 {
		t.Errorf("a refused connection: err %v, counted %d; want an error counted once", err, n.Load())
	}
}
