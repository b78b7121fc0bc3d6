package openai

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// retryDoer retries requests that got 429 or a 5xx response, or no response
// at all, up to tries attempts in all, waiting as Retry-After (or OpenAI's
// retry-after-ms) says or with exponential backoff. It gives up early when the
// wait would outlast max or the request's deadline: a late answer is worth
// less than the extractive one.
type retryDoer struct {
	next  openai.HTTPDoer
	tries int
	base  time.Duration
	max   time.Duration
	sleep func(ctx context.Context, d time.Duration) error
	log   *slog.Logger
}

func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for try := 1; ; try++ {
		if try > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := d.next.Do(req)
		replayable := req.Body == nil || req.GetBody != nil
		if ctx.Err() != nil || try >= d.tries || !replayable || (err == nil && !retryable(resp.StatusCode)) {
			return resp, err
		}
		wait := d.base << (try - 1)
		wait += time.Duration(rand.Int64N(int64(wait)/5 + 1)) // jitter, so that replicas spread out
		status := 0
		if resp != nil {
			status = resp.StatusCode
			if ra, ok := retryAfter(resp.Header, time.Now()); ok {
				wait = ra
			}
		}
		if wait > d.max {
			return resp, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		d.log.Warn("llm request retried", "path", req.URL.Path, "status", status, "try", try, "wait", wait)
		if err := d.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads how long the server asks to wait: retry-after-ms
// (OpenAI, Azure), or Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
