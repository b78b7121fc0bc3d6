package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveWith runs koban serve with a koban.yaml and env on a free port and
// returns its base URL and its log.
func serveWith(t *testing.T, yaml string, env map[string]string) (string, *syncWriter) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env["KOBAN_DATA_DIR"] = t.TempDir()
	env["KOBAN_HTTP_ADDR"] = "127.0.0.1:0"
	getenv := func(k string) string { return env[k] }
	cfg, err := loadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncWriter{w: &bytes.Buffer{}}
	a := &app{getenv: getenv, stdout: io.Discard, stderr: io.Discard, cfg: cfg, log: newLogger(logs, "text", "warn")}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve returned %v", err)
			}
		})
		return "http://" + addr, logs
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped before it was ready: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("serve was not ready after 2 minutes")
	}
	return "", nil
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(*bytes.Buffer).String()
}

// askWeb asks in the web playground and returns the page.
func askWeb(t *testing.T, base, text string) string {
	t.Helper()
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.PostForm(base+"/ask", url.Values{"text": {text}, "key": {"k1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /ask = %d:\n%s", resp.StatusCode, body)
	}
	return string(body)
}

const outage = "Our production database is down since 10 minutes, please help!"

// As wired by koban serve, a web playground escalation is sent in Slack to
// the on-call by DM and to the rotation's channel.
func TestServeWebEscalationReachesSlack(t *testing.T) {
	slack := newFakeSlackAPI(t)
	base, _ := serveWith(t,
		"oncall:\n  rotations:\n    - {name: platform, members: [U0DAVE], shift: 1w, handoff: monday 09:00, start: 2026-01-05, channel: CPLAT}\n",
		map[string]string{"SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": "s", "KOBAN_SLACK_API_URL": slack.srv.GetAPIURL()})
	askWeb(t, base, outage)
	notices := func() map[string]bool {
		slack.mu.Lock()
		defer slack.mu.Unlock()
		to := map[string]bool{}
		for _, p := range slack.posts {
			if strings.Contains(p.Get("text"), "web playground") {
				to[p.Get("channel")] = true
			}
		}
		return to
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(notices()) < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := notices(); !got["U0DAVE"] || !got["CPLAT"] || len(got) != 2 {
		t.Errorf("web escalation notices went to %v, want U0DAVE and CPLAT", got)
	}
}

// With no rotation and no fallback group, koban serve logs what to set and
// the web playground says nobody was notified.
func TestServeNoOnCallSaysSo(t *testing.T) {
	base, logs := serveWith(t, "", map[string]string{})
	page := askWeb(t, base, outage)
	for _, want := range []string{"no on-call is configured", "oncall.rotations", "slack.fallback_group"} {
		if !strings.Contains(page, want) {
			t.Errorf("the web page lacks %q", want)
		}
	}
	if !strings.Contains(logs.String(), "no on-call configured") || !strings.Contains(logs.String(), "oncall.rotations") {
		t.Errorf("the log does not say what to configure:\n%s", logs)
	}
}
