package bot

import (
	"context"

	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/store"
)

// TestLoad posts 1,000 signed events at 50/s to the bot's real HTTP handler
// over a real store whose durable jobs run the real desk, and checks that
// every event became exactly one inquiry with exactly one reply. It takes
// about 25 s per database: set KOBAN_LOAD=1 to run it.
func TestLoad(t *testing.T) {
	if os.Getenv("KOBAN_LOAD") == "" {
		t.Skip("set KOBAN_LOAD=1 to run the load test (1,000 events at 50/s, ~25 s per database)")
	}
	events, rate := envInt("KOBAN_LOAD_EVENTS", 1000), envInt("KOBAN_LOAD_RATE", 50)
	dbs := []struct{ name, url string }{{"sqlite", ""}}
	if u := os.Getenv("KOBAN_TEST_DATABASE_URL"); u != "" {
		dbs = append(dbs, struct{ name, url string }{"postgres", u})
	} else {
		t.Log("KOBAN_TEST_DATABASE_URL is unset: PostgreSQL not load-tested")
	}
	for _, db := range dbs {
		t.Run(db.name, func(t *testing.T) { runLoad(t, db.url, events, rate) })
	}
}

func runLoad(t *testing.T, dbURL string, events, rate int) {
	channel := "CLOAD" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	h := newHarness(t, harnessOpts{databaseURL: dbURL, workers: 8, channels: []Channel{{ID: channel, Mode: "all"}}})
	ctx := context.Background()
	if err := h.store.StartJobs(ctx, store.Jobs{ProcessInquiry: h.desk.Process, Workers: 4, PollInterval: 100 * time.Millisecond}); err != nil {
		t.Fatalf("start jobs: %v", err)
	}
	t.Cleanup(func() { h.store.StopJobs(context.Background()) })
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)

	res, err := LoadTest(ctx, LoadOptions{URL: srv.URL, Secret: testSecret, Events: events, Rate: rate, Channel: channel})
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
	deadline := start.Add(3 * time.Minute)
	replies := func() map[string]int {
		per := map[string]int{}
		for _, c := range h.slack.called("chat.postMessage") {
			if !c.Failed && c.Form.Get("channel") == channel {
				per[c.Form.Get("thread_ts")]++
			}
		}
		return per
	}
	for len(replies()) < events && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // anything doubled would arrive now
	t.Logf("all replies %s after the last event", time.Since(start).Round(time.Millisecond))

	inqs, err := h.store.Inquiries(ctx, store.Filter{Channel: channel, Limit: 10 * events})
	if err != nil {
		t.Fatal(err)
	}
	if len(inqs) != events {
		t.Errorf("inquiries = %d, want %d", len(inqs), events)
	}
	per := replies()
	var missing, doubled, answered int
	for _, inq := range inqs {
		switch n := per[inq.ThreadTS]; {
		case n == 0:
			missing++
		case n > 1:
			doubled++
		}
		if inq.State == koban.StateAnswered {
			answered++
		}
	}
	t.Logf("%d inquiries: %d answered, %d escalated", len(inqs), answered, len(inqs)-answered)
	if missing > 0 || doubled > 0 || len(per) != events {
		t.Errorf("replies: %d threads with replies, %d inquiries without, %d with more than one; want exactly one each", len(per), missing, doubled)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
