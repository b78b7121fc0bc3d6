package koban_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// faultyClaimer grants every claim and fails Done or Release as told; the
// claims themselves are tested over the store (store.TestOnceAndHold).
type faultyClaimer struct {
	doneErr, releaseErr error
	done, released      []string
	ctxErr              error // ctx.Err() seen by the last Done or Release
}

func (c *faultyClaimer) Claim(context.Context, string, time.Duration) (bool, error) { return true, nil }

func (c *faultyClaimer) Done(ctx context.Context, key string) error {
	c.done, c.ctxErr = append(c.done, key), ctx.Err()
	return c.doneErr
}

func (c *faultyClaimer) Release(ctx context.Context, key string) error {
	c.released, c.ctxErr = append(c.released, key), ctx.Err()
	return c.releaseErr
}

func TestOnceFailures(t *testing.T) {
	boom, lost := errors.New("boom"), errors.New("database gone")
	tests := []struct {
		name         string
		claimer      faultyClaimer
		fnErr        error
		hold         bool
		wantIs       []error
		wantNotIs    []error
		wantDone     int
		wantReleased int
	}{
		{name: "success is marked done", wantDone: 1, wantNotIs: []error{koban.ErrNotDone}},
		{name: "held success is neither done nor released", hold: true},
		{name: "failure is released", fnErr: boom, wantIs: []error{boom}, wantNotIs: []error{koban.ErrNotDone}, wantReleased: 1},
		{name: "failed release is said too", claimer: faultyClaimer{releaseErr: lost}, fnErr: boom, wantIs: []error{boom, lost}, wantReleased: 1},
		{name: "success not marked done", claimer: faultyClaimer{doneErr: lost}, wantIs: []error{koban.ErrNotDone, lost}, wantDone: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			run := koban.Once
			if tt.hold {
				run = koban.Hold
			}
			c := &tt.claimer
			ran, err := run(ctx, c, "k", time.Minute, func(context.Context) error {
				cancel() // the caller gives up while the work runs
				return tt.fnErr
			})
			if !ran {
				t.Error("ran = false, want true")
			}
			for _, want := range tt.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want it to wrap %v", err, want)
				}
			}
			for _, not := range tt.wantNotIs {
				if errors.Is(err, not) {
					t.Errorf("err = %v, want it not to wrap %v", err, not)
				}
			}
			if len(tt.wantIs) == 0 && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
			if len(c.done) != tt.wantDone || len(c.released) != tt.wantReleased {
				t.Errorf("done %v, released %v; want %d done, %d released", c.done, c.released, tt.wantDone, tt.wantReleased)
			}
			if c.ctxErr != nil {
				t.Errorf("Done or Release saw a cancelled context: %v", c.ctxErr)
			}
		})
	}
}
