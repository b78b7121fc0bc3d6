package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban/internal/pgtest"
)

// TestLoadGenerator checks what loadTest sends, against a server that
// verifies Slack signatures as koban does: every event signed, each one
// new, all counted; a server that refuses them all fails them all.
func TestLoadGenerator(t *testing.T) {
	const secret = "load-secret"
	var (
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sv, err := slack.NewSecretsVerifier(r.Header, secret)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(io.TeeReader(r.Body, &sv))
		if r.URL.Path != "/slack/events" || sv.Ensure() != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := regexp.MustCompile(`"event_id":"([^"]+)"`).FindSubmatch(body)
		if id == nil {
			http.Error(w, "no event id", http.StatusBadRequest)
			return
		}
		mu.Lock()
		ids[string(id[1])] = true
		mu.Unlock()
	}))
	defer srv.Close()

	ctx := context.Background()
	res, err := loadTest(ctx, loadOptions{URL: srv.URL, Secret: secret, Events: 30, Rate: 300, Channel: "CLOAD"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 30 || res.Failed != 0 || len(ids) != 30 || res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
		t.Errorf("loadTest() = %+v with %d distinct events received; want 30 sent, none failed, 30 received, ordered latencies", res, len(ids))
	}
	res, err = loadTest(ctx, loadOptions{URL: srv.URL, Secret: "wrong", Events: 5, Rate: 500})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 5 || res.Failed != 5 || len(res.Errors) != 5 || !strings.Contains(res.Errors[0], "401") {
		t.Errorf("loadTest() with the wrong secret = %+v, want 5 failed with 401", res)
	}
	if _, err := loadTest(ctx, loadOptions{URL: srv.URL, Secret: secret}); err == nil {
		t.Error("loadTest() without events and rate succeeded")
	}
}

// TestLoad posts 1,000 signed events at 50/s to koban serve, whose durable
// jobs answer through a fake Slack, and checks that every event became
// exactly one inquiry with exactly one reply. It takes about 25 s per
// database: set KOBAN_LOAD=1 to run it (KOBAN_LOAD_EVENTS and
// KOBAN_LOAD_RATE change the load).
func TestLoad(t *testing.T) {
	if os.Getenv("KOBAN_LOAD") == "" {
		t.Skip("set KOBAN_LOAD=1 to run the load test (1,000 events at 50/s, ~25 s per database)")
	}
	events, rate := envInt("KOBAN_LOAD_EVENTS", 1000), envInt("KOBAN_LOAD_RATE", 50)
	t.Run("sqlite", func(t *testing.T) { runServeLoad(t, "", events, rate) })
	t.Run("postgres", func(t *testing.T) { runServeLoad(t, pgtest.URL(t), events, rate) })
}

func runServeLoad(t *testing.T, dbURL string, events, rate int) {
	const secret, channel = "load-signing-secret", "CLOAD"
	fs := newFakeSlackAPI(t)
	cfg := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(cfg, []byte("slack:\n  channels:\n    - id: "+channel+"\n      mode: all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_CONFIG": cfg, "SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": secret, "KOBAN_SLACK_API_URL": fs.srv.GetAPIURL()}
	if dbURL != "" {
		env["KOBAN_DATABASE_URL"] = dbURL
	}
	base := startServe(t, env)

	res, err := loadTest(context.Background(), loadOptions{URL: base, Secret: secret, Events: events, Rate: rate, Channel: channel})
	if err != nil {
		t.Fatalf("load test: %v", err)
	}
	t.Logf("%s", res)
	if res.Failed > 0 {
		t.Errorf("%d of %d events failed: %v", res.Failed, res.Sent, res.Errors)
	}
	if res.P99 > 3*time.Second {
		t.Errorf("ack p99 %s exceeds Slack's 3 s", res.P99)
	}

	start := time.Now()
	replies := func() map[string]int {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		per := map[string]int{}
		for _, p := range fs.posts {
			if p.Get("channel") == channel && p.Get("thread_ts") != "" {
				per[p.Get("thread_ts")]++
			}
		}
		return per
	}
	for len(replies()) < events && time.Since(start) < 3*time.Minute {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // anything doubled would arrive now
	t.Logf("all replies %s after the last event", time.Since(start).Round(time.Millisecond))
	per := replies()
	doubled := 0
	for _, n := range per {
		if n > 1 {
			doubled++
		}
	}
	if len(per) != events || doubled > 0 {
		t.Errorf("replies in %d threads, %d with more than one; want exactly one in each of %d", len(per), doubled, events)
	}
	// The inquiry gauge counts the store.
	inquiries := 0
	for _, m := range regexp.MustCompile(`(?m)^koban_inquiries\{[^}]*\} (\d+)$`).FindAllStringSubmatch(scrape(t, base), -1) {
		n, _ := strconv.Atoi(m[1])
		inquiries += n
	}
	if inquiries != events {
		t.Errorf("inquiries = %d, want %d", inquiries, events)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
