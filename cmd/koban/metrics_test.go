package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// TestServeMetricsMove answers one question through the job path, with
// koban's first reply refused by Slack once (a 503): the job fails, is
// retried and delivers. /metrics then shows one failed Slack call, one
// failed job run, one answer duration (the retry adds none) and the
// inquiry in the gauge.
func TestServeMetricsMove(t *testing.T) {
	var (
		mu    sync.Mutex
		posts int
	)
	ok := func(w http.ResponseWriter, extra map[string]any) {
		resp := map[string]any{"ok": true}
		for k, v := range extra {
			resp[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}
	slack := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, _ *http.Request) {
			ok(w, map[string]any{"user_id": "UKOBAN", "bot_id": "BKOBAN", "team_id": "T1", "user": "koban"})
		})
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			posts++
			n := posts
			mu.Unlock()
			if n == 1 {
				http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
				return
			}
			ok(w, map[string]any{"channel": "CHELP", "ts": fmt.Sprintf("1700000100.%06d", n)})
		})
		for _, m := range []string{"/reactions.add", "/chat.update", "/chat.postEphemeral", "/views.publish"} {
			c.Handle(m, func(w http.ResponseWriter, _ *http.Request) { ok(w, nil) })
		}
		c.Handle("/chat.getPermalink", func(w http.ResponseWriter, _ *http.Request) {
			ok(w, map[string]any{"channel": "CHELP", "permalink": "https://koban-test.slack.com/archives/CHELP/p1700000000000200"})
		})
		c.Handle("/conversations.replies", func(w http.ResponseWriter, _ *http.Request) { ok(w, map[string]any{"messages": []any{}}) })
	})
	slack.Start()
	t.Cleanup(slack.Stop)
	const secret = "metrics-signing-secret"
	base := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-metrics",
		"SLACK_SIGNING_SECRET": secret,
		"KOBAN_SLACK_API_URL":  slack.GetAPIURL(),
	})

	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": "EvM1", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_mention", "channel": "CHELP", "user": "UASKER", "ts": "1700000000.000200",
			"text": "<@UKOBAN> How do I request a database for my service?"},
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed event = %d, want 200", resp.StatusCode)
	}

	// Wait for the retry's post and the metrics of its run.
	posted := func() int { mu.Lock(); defer mu.Unlock(); return posts }
	var text string
	deadline := time.Now().Add(time.Minute)
	for {
		text = scrape(t, base)
		done := posted() >= 2 && strings.Contains(text, `koban_inquiries{category=`) && strings.Contains(text, `state="answered"} 1`)
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the retried run returns after its post
	text = scrape(t, base)
	for _, want := range []string{
		"koban_answer_duration_seconds_count 1\n",
		"koban_job_failures_total 1\n",
		"koban_slack_api_errors_total 1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	gauge := regexp.MustCompile(`(?m)^koban_inquiries\{category="([^"]*)",state="([^"]*)"\} (\d+)$`).FindAllStringSubmatch(text, -1)
	if len(gauge) != 1 || gauge[0][2] != "answered" || gauge[0][3] != "1" {
		t.Errorf("koban_inquiries = %q, want one answered inquiry", gauge)
	}
	if posts := posted(); posts != 2 {
		t.Errorf("chat.postMessage called %d times, want 2 (refused, then the answer)", posts)
	}
}

// scrape returns the text of base/metrics.
func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
