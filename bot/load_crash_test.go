package bot

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/pgtest"
	"github.com/kobanhq/koban/internal/sampledocs"
	"github.com/kobanhq/koban/knowledge"
	"github.com/kobanhq/koban/store"
	"github.com/kobanhq/koban/triage"
)

// Timings of the crash test's koban: short, so that the jobs of the killed
// process are rescued within seconds rather than minutes. The claim goes
// stale before the rescue, as with the defaults (5 and 6 minutes).
const (
	crashJobTimeout = 10 * time.Second
	crashClaimStale = 15 * time.Second
	crashRescue     = 20 * time.Second
)

// TestLoadCrash sends 1,000 signed events at 50/s to a koban in another
// process, kills it with SIGKILL half-way, starts it again on the same
// database, and checks that every event became one inquiry with one reply.
// Deliveries that failed while koban was down are retried as Slack does.
func TestLoadCrash(t *testing.T) {
	if os.Getenv("KOBAN_LOAD") == "" {
		t.Skip("set KOBAN_LOAD=1 to run the load test with a crash (~1 minute per database)")
	}
	events, rate := 1000, 50
	if n, err := strconv.Atoi(os.Getenv("KOBAN_LOAD_EVENTS")); err == nil && n > 0 {
		events = n
	}
	dbs := []struct{ name, url string }{{"sqlite", ""}}
	if u := os.Getenv("KOBAN_TEST_DATABASE_URL"); u != "" {
		dbs = append(dbs, struct{ name, url string }{"postgres", u})
	}
	for _, db := range dbs {
		t.Run(db.name, func(t *testing.T) {
			url := db.url
			if url != "" {
				url = pgtest.URL(t) // a schema of its own: event ids repeat between runs
			}
			runLoadCrash(t, url, events, rate)
		})
	}
}

func runLoadCrash(t *testing.T, dbURL string, events, rate int) {
	fs := newFakeSlack(t)
	dataDir := t.TempDir()
	channel := "CCRASH" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestLoadCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KOBAN_LOADCRASH_HELPER=1", "KOBAN_LOADCRASH_DB="+dbURL, "KOBAN_LOADCRASH_DIR="+dataDir,
			"KOBAN_LOADCRASH_SLACK="+fs.url(), "KOBAN_LOADCRASH_ADDR="+addr, "KOBAN_LOADCRASH_CHANNEL="+channel)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "KOBAN-READY") {
					ready <- true
				}
			}
		}()
		select {
		case <-ready:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("koban did not start")
		}
		return cmd
	}
	first := start()
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })

	ctx := context.Background()
	done := make(chan crashSend, 1)
	go func() { done <- sendRetrying(ctx, "http://"+addr+"/slack/events", channel, events, rate, 4) }()
	time.Sleep(time.Duration(events/2/rate) * time.Second)
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown at all
		t.Fatal(err)
	}
	first.Wait()
	killedAt := time.Now()
	second := start()
	t.Cleanup(func() { second.Process.Kill(); second.Wait() })
	t.Logf("killed half-way and restarted in %s", time.Since(killedAt).Round(time.Millisecond))
	r := <-done
	t.Logf("sent %d events at %d/s in %s: %d deliveries retried, %d never acknowledged", r.sent, rate, r.took.Round(time.Millisecond), r.retried, r.failed)
	if r.failed > 0 {
		t.Errorf("%d of %d events were never acknowledged: %v", r.failed, r.sent, r.errs)
	}

	st, err := store.Open(ctx, store.Options{URL: dbURL, DataDir: dataDir, NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	replies := func() map[string]int {
		per := map[string]int{}
		for _, c := range fs.called("chat.postMessage") {
			if !c.Failed && c.Form.Get("channel") == channel {
				per[c.Form.Get("thread_ts")]++
			}
		}
		return per
	}
	waitStart := time.Now()
	for len(replies()) < events && time.Since(waitStart) < 3*time.Minute {
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // anything doubled would arrive now
	t.Logf("all replies %s after the last event", time.Since(waitStart).Round(time.Millisecond))
	inqs, err := st.Inquiries(ctx, store.Filter{Channel: channel, Limit: 10 * events})
	if err != nil {
		t.Fatal(err)
	}
	per := replies()
	var missing, doubled int
	for _, inq := range inqs {
		switch n := per[inq.ThreadTS]; {
		case n == 0:
			missing++
		case n > 1:
			doubled++
		}
	}
	t.Logf("%d inquiries; %d threads with a reply, %d without, %d with more than one", len(inqs), len(per), missing, doubled)
	if len(inqs) != events || missing > 0 || doubled > 0 {
		t.Errorf("want %d inquiries each answered once", events)
	}
}

// TestLoadCrashHelper is the koban that TestLoadCrash kills: the bot's HTTP
// handler and the desk over the store, with its job runner, and Slack at
// the parent's fake.
func TestLoadCrashHelper(t *testing.T) {
	if os.Getenv("KOBAN_LOADCRASH_HELPER") != "1" {
		t.Skip("run by TestLoadCrash")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: os.Getenv("KOBAN_LOADCRASH_DB"), DataDir: os.Getenv("KOBAN_LOADCRASH_DIR")})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := sampledocs.Index()
	if err != nil {
		t.Fatal(err)
	}
	tri, err := triage.New(triage.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ctx, ClientOptions{BotToken: "xoxb-test", APIURL: os.Getenv("KOBAN_LOADCRASH_SLACK")}, ClientDeps{Events: st})
	if err != nil {
		t.Fatal(err)
	}
	policy := authz.New(authz.Config{Rotations: map[string][]string{"platform": {oncallUser}}}, nil, nil)
	d := desk.New(desk.Config{FallbackGroup: "SPLATFORM", ClaimStale: crashClaimStale}, desk.Deps{
		Store: st, Access: policy, Knowledge: knowledge.New(ix, knowledge.Config{}, nil), Triage: tri, Learner: tri, Router: fixedRouter{oncallUser},
		Repliers: c.Repliers(),
	})
	b, err := New(c, Options{SigningSecret: testSecret, Channels: []Channel{{ID: os.Getenv("KOBAN_LOADCRASH_CHANNEL"), Mode: "all"}}, Workers: 8},
		Deps{Desk: d, Inquiries: st, Access: policy, Claims: st})
	if err != nil {
		t.Fatal(err)
	}
	go b.Run(ctx)
	if err := st.StartJobs(ctx, store.Jobs{ProcessInquiry: d.Process, Workers: 4, PollInterval: 100 * time.Millisecond,
		Timeout: crashJobTimeout, RescueAfter: crashRescue}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", os.Getenv("KOBAN_LOADCRASH_ADDR"))
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("KOBAN-READY\n")
	http.Serve(ln, b.Handler()) // until killed
}

// crashSend is what sendRetrying did.
type crashSend struct {
	sent, failed, retried int
	took                  time.Duration
	errs                  []string
}

// sendRetrying posts events signed message events at rate per second, each
// a new question, and delivers again those that fail (no answer, or not
// 200) after 1, 2, 4… seconds with X-Slack-Retry-Num, as Slack does.
func sendRetrying(ctx context.Context, endpoint, channel string, events, rate, retries int) crashSend {
	var (
		mu  sync.Mutex
		res crashSend
		wg  sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	base := time.Now().Unix()
	start := time.Now()
	post := func(body []byte, retry int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		sign(req, body, testSecret, time.Now())
		if retry > 0 {
			req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
			req.Header.Set("X-Slack-Retry-Reason", "http_error")
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	}
	questions := []string{"How do I request a database for my service?", "How do I roll back a deployment?",
		"Where can I see the logs of my service?", "ログの見方を教えてください"}
	for i := range events {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		body := callbackBody(fmt.Sprintf("EvCrash%06d", i), map[string]any{"type": "message", "channel": channel, "channel_type": "channel",
			"user": fmt.Sprintf("UCRASH%06d", i), "text": questions[i%len(questions)], "ts": fmt.Sprintf("%d.%06d", base, i)})
		res.sent++
		wg.Go(func() {
			err := post(body, 0)
			for retry := 1; err != nil && retry <= retries; retry++ {
				time.Sleep(time.Duration(1<<(retry-1)) * time.Second)
				mu.Lock()
				res.retried++
				mu.Unlock()
				err = post(body, retry)
			}
			if err != nil {
				mu.Lock()
				res.failed++
				if len(res.errs) < 5 {
					res.errs = append(res.errs, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.took = time.Since(start)
	return res
}
