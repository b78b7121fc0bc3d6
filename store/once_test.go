package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// TestOnceAndHold runs koban.Once and koban.Hold over the store's claims:
// work that succeeds runs once (Once) or once per stale period (Hold), work
// that fails is retried, and a held claim is left alone.
func TestOnceAndHold(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		boom := errors.New("boom")
		runs := map[string]int{}
		work := func(key string, fail bool) func(context.Context) error {
			return func(context.Context) error {
				runs[key]++
				if fail {
					return boom
				}
				return nil
			}
		}
		steps := []struct {
			name    string
			hold    bool
			key     string
			fail    bool
			advance time.Duration // before the step
			wantRan bool
			wantErr error
		}{
			{name: "first once runs", key: "once:1", wantRan: true},
			{name: "done once does not run again", key: "once:1", advance: time.Hour},
			{name: "failing once runs", key: "once:2", fail: true, wantRan: true, wantErr: boom},
			{name: "failed once is retried", key: "once:2", wantRan: true},
			{name: "retried once is done", key: "once:2"},
			{name: "first hold runs", hold: true, key: "hold:1", wantRan: true},
			{name: "held within stale does not run", hold: true, key: "hold:1", advance: 30 * time.Second},
			{name: "held past stale runs again", hold: true, key: "hold:1", advance: time.Minute, wantRan: true},
			{name: "failing hold runs", hold: true, key: "hold:2", fail: true, wantRan: true, wantErr: boom},
			{name: "failed hold is retried at once", hold: true, key: "hold:2", wantRan: true},
		}
		for _, st := range steps {
			clk.Advance(st.advance)
			before := runs[st.key]
			run := koban.Once
			if st.hold {
				run = koban.Hold
			}
			ran, err := run(ctx, s, st.key, time.Minute, work(st.key, st.fail))
			if ran != st.wantRan || !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
				t.Errorf("%s: ran = %v, err = %v; want %v, %v", st.name, ran, err, st.wantRan, st.wantErr)
			}
			if got := runs[st.key] - before; (got == 1) != st.wantRan {
				t.Errorf("%s: the work ran %d times", st.name, got)
			}
		}
		// A claim held by another caller, not stale yet: nothing runs.
		if ok, err := s.Claim(ctx, "once:3", time.Minute); !ok || err != nil {
			t.Fatalf("Claim(once:3) = %v, %v", ok, err)
		}
		if ran, err := koban.Once(ctx, s, "once:3", time.Minute, work("once:3", false)); ran || err != nil || runs["once:3"] != 0 {
			t.Errorf("Once of a held claim: ran = %v, err = %v, runs = %d", ran, err, runs["once:3"])
		}
		// A claim that cannot be taken is an error, and nothing runs.
		ran, err := koban.Once(ctx, s, "", time.Minute, work("", false))
		if ran || koban.ErrorCode(err) != koban.EInvalid || runs[""] != 0 {
			t.Errorf("Once with an empty key: ran = %v, err = %v, runs = %d", ran, err, runs[""])
		}
	})
}
