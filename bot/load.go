package bot

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
	"slices"
	"strconv"
	"sync"
	"time"
)

// LoadOptions configure LoadTest.
type LoadOptions struct {
	URL     string // koban's base URL; events go to URL + "/slack/events"
	Secret  string // the Slack signing secret koban verifies with
	Events  int    // how many message events to send
	Rate    int    // events per second
	Channel string // a channel koban listens to in mode "all"
	// RunID makes event ids and timestamps unique per run, so that a second
	// run against the same database is not dropped as duplicates.
	RunID  string
	Client *http.Client
}

// LoadResult is what LoadTest measured: how long koban took to acknowledge.
type LoadResult struct {
	Sent, Failed  int
	P50, P99, Max time.Duration
	Took          time.Duration
	Errors        []string // the first few failures
}

func (r LoadResult) String() string {
	return fmt.Sprintf("sent %d events in %s: ack p50 %s, p99 %s, max %s; %d failed",
		r.Sent, r.Took.Round(time.Millisecond), r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), r.Failed)
}

var loadQuestions = []string{
	"How do I request a database for my service?",
	"How do I roll back a deployment?",
	"Where can I see the logs of my service?",
	"How do I request a quota increase?",
	"How do I set up alerts?",
	"ログの見方を教えてください",
}

// LoadTest posts o.Events signed message events, at o.Rate per second, to a
// running koban's Events API endpoint, like Slack would, and measures the
// acknowledgement latency. Each event is a new question by its own user.
func LoadTest(ctx context.Context, o LoadOptions) (LoadResult, error) {
	if o.Events <= 0 || o.Rate <= 0 || o.URL == "" || o.Secret == "" {
		return LoadResult{}, fmt.Errorf("load test: url, secret, events and rate are required")
	}
	if o.Channel == "" {
		o.Channel = "CLOADTEST"
	}
	if o.RunID == "" {
		o.RunID = strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	endpoint := o.URL + "/slack/events"
	base := time.Now().Unix()

	var (
		mu  sync.Mutex
		lat []time.Duration
		res LoadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	every := time.Second / time.Duration(o.Rate)
	for i := range o.Events {
		// Event i goes out at start + i/rate, however late the previous one
		// was: a slow machine sends bursts rather than a lower rate.
		if wait := time.Until(start.Add(time.Duration(i) * every)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				wg.Wait()
				return res, ctx.Err()
			case <-t.C:
			}
		}
		body, err := json.Marshal(map[string]any{
			"type": "event_callback", "team_id": "TLOAD", "event_id": fmt.Sprintf("Ev%s%06d", o.RunID, i), "event_time": base,
			"event": map[string]any{
				"type": "message", "channel": o.Channel, "channel_type": "channel",
				"user": fmt.Sprintf("UL%s%06d", o.RunID, i), "text": loadQuestions[i%len(loadQuestions)],
				"ts": fmt.Sprintf("%d.%06d", base, i),
			},
		})
		if err != nil {
			return res, err
		}
		res.Sent++
		wg.Go(func() {
			d, err := postSigned(ctx, o.Client, endpoint, o.Secret, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed++
				if len(res.Errors) < 5 {
					res.Errors = append(res.Errors, err.Error())
				}
				return
			}
			lat = append(lat, d)
		})
	}
	wg.Wait()
	res.Took = time.Since(start)
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		res.P50 = lat[n/2]
		res.P99 = lat[min(n-1, n*99/100)]
		res.Max = lat[n-1]
	}
	return res, nil
}

// postSigned posts body signed with secret, as Slack does, and returns how
// long the acknowledgement took.
func postSigned(ctx context.Context, c *http.Client, url, secret string, body []byte) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("status %s", resp.Status)
	}
	return d, nil
}
