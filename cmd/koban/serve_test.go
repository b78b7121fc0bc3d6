package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// fakeSlackAPI is the Slack Web API koban talks to in these tests: slacktest's
// server with handlers that record chat.postMessage calls.
type fakeSlackAPI struct {
	srv   *slacktest.Server
	mu    sync.Mutex
	posts []url.Values
}

func newFakeSlackAPI(t *testing.T) *fakeSlackAPI {
	t.Helper()
	f := &fakeSlackAPI{}
	ok := func(extra map[string]any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			resp := map[string]any{"ok": true}
			for k, v := range extra {
				resp[k] = v
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(resp)
		}
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", ok(map[string]any{"user_id": "UKOBAN", "bot_id": "BKOBAN", "team_id": "T1", "user": "koban"}))
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			f.mu.Lock()
			f.posts = append(f.posts, r.PostForm)
			n := len(f.posts)
			f.mu.Unlock()
			ok(map[string]any{"channel": r.PostForm.Get("channel"), "ts": fmt.Sprintf("1700000100.%06d", n)})(w, r)
		})
		for _, m := range []string{"/reactions.add", "/chat.update", "/chat.postEphemeral", "/views.publish"} {
			c.Handle(m, ok(nil))
		}
		c.Handle("/conversations.replies", ok(map[string]any{"messages": []any{}}))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlackAPI) postsTo(thread string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, p := range f.posts {
		if p.Get("thread_ts") == thread {
			out = append(out, p)
		}
	}
	return out
}

// startServe runs koban serve with env on a free port and returns its base URL.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	env["KOBAN_DATA_DIR"] = t.TempDir()
	env["KOBAN_HTTP_ADDR"] = "127.0.0.1:0"
	getenv := func(k string) string { return env[k] }
	cfg, err := loadConfig("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a := &app{getenv: getenv, stdout: io.Discard, stderr: io.Discard, cfg: cfg, log: newLogger(&syncWriter{w: &logs}, "text", "warn")}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr
	case err := <-done:
		t.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve was not ready after 2 minutes")
	}
	return ""
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestServeZeroConfig runs koban with no configuration but its data folder
// and port: SQLite, the sample docs and the web UI. A question asked in the
// playground is answered from the sample docs with citations.
func TestServeZeroConfig(t *testing.T) {
	base := startServe(t, map[string]string{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(base+"/ask", url.Values{"text": {"How do I request a database for my service?"}, "key": {"k1"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /ask = %d:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"Request a database", "how-to/request-a-database.md", "Solved"} {
		if !strings.Contains(page, want) {
			t.Errorf("the answer page lacks %q", want)
		}
	}
}

// TestServeSlackEventsAPI connects koban to a fake Slack over the Events API:
// a signed message in a configured channel is answered in its thread, a
// repeated delivery is not, and a bad signature gets 401.
func TestServeSlackEventsAPI(t *testing.T) {
	slack := newFakeSlackAPI(t)
	const secret = "e2e-signing-secret"
	base := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-e2e",
		"SLACK_SIGNING_SECRET": secret,
		"KOBAN_SLACK_API_URL":  slack.srv.GetAPIURL(),
	})

	event := func(id, ts, text string) []byte {
		b, _ := json.Marshal(map[string]any{
			"type": "event_callback", "team_id": "T1", "event_id": id, "event_time": time.Now().Unix(),
			"event": map[string]any{"type": "app_mention", "channel": "CHELP", "user": "UASKER", "ts": ts, "text": "<@UKOBAN> " + text},
		})
		return b
	}
	post := func(body []byte, sign string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(sign))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	body := event("Ev1", "1700000000.000100", "How do I request a database for my service?")
	if code := post(body, "wrong-secret"); code != http.StatusUnauthorized {
		t.Errorf("badly signed event = %d, want 401", code)
	}
	for range 3 { // Slack retries
		if code := post(body, secret); code != http.StatusOK {
			t.Fatalf("signed event = %d, want 200", code)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for len(slack.postsTo("1700000000.000100")) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // time for a duplicate to show up, were there one
	posts := slack.postsTo("1700000000.000100")
	if len(posts) != 1 {
		t.Fatalf("koban posted %d replies in the thread, want 1", len(posts))
	}
	if p := posts[0]; p.Get("channel") != "CHELP" || !strings.Contains(p.Get("blocks"), "request-a-database") {
		t.Errorf("reply = channel %q, blocks %.300s; want an answer citing request-a-database in CHELP", p.Get("channel"), p.Get("blocks"))
	}
}

// TestServeRefreshesDocs changes the docs while koban runs: a page written
// after start is answered from without a restart.
func TestServeRefreshesDocs(t *testing.T) {
	docs := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(docs, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("request-a-database.md", "---\ntitle: Request a database\n---\n\n# Request a database\n\nAdd a DatabaseClaim to your repository and the platform creates a PostgreSQL database for your service.\n")
	base := startServe(t, map[string]string{"KOBAN_DOCS": docs + "@en", "KOBAN_DOCS_REFRESH": "100ms"})
	write("rotate-the-frobnicator.md", "---\ntitle: Rotate the frobnicator\n---\n\n# Rotate the frobnicator\n\nRun `hoshi frobnicator rotate` to rotate the frobnicator of your team; the old one keeps working for an hour.\n")

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	deadline := time.Now().Add(time.Minute)
	for i := 0; ; i++ {
		resp, err := client.PostForm(base+"/ask", url.Values{"text": {"How do I rotate the frobnicator?"}, "key": {fmt.Sprintf("r%d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /ask = %d:\n%s", resp.StatusCode, body)
		}
		if strings.Contains(string(body), "rotate-the-frobnicator.md") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a page written after start was not answered from within a minute; last answer:\n%s", body)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Operators see the index and its refreshes in /metrics.
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(body)
	for _, want := range []string{"koban_docs_pages 2\n", `koban_docs_refreshes_total{result="ok"}`, "koban_docs_last_refresh_timestamp_seconds "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
