package koban

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Claimer reserves once-only work by key across processes, retries and
// restarts (package store implements it over its claims table). Use it
// through Once and Hold.
type Claimer interface {
	// Claim takes key for the caller: true when nobody has done the work
	// and nobody else holds a claim younger than staleAfter.
	Claim(ctx context.Context, key string, staleAfter time.Duration) (bool, error)
	// Done records that the work is done for good: key is never claimed
	// again.
	Done(ctx context.Context, key string) error
	// Release gives a claim back, so that the work may be retried.
	Release(ctx context.Context, key string) error
}

// ErrNotDone is wrapped by the error of a Once whose work succeeded but
// whose claim could not be marked done: the claim goes stale, and the work
// may run again once it has.
var ErrNotDone = errors.New("done, but the claim is not marked done")

// Once runs fn under the claim of key, so that it succeeds once whoever
// calls it and however often: it returns ran = false, and no error, when
// the work is done or another caller holds a claim younger than stale.
// When fn fails the claim is released, so that a later call retries, and
// fn's error is returned (joined with the release's, if that fails too).
// When fn succeeds the claim is marked done; a failure to do so is an error
// that wraps ErrNotDone. A claim that cannot be taken gives ran = false and
// an error. A caller that dies while fn runs leaves a claim that goes stale
// after stale: the work then runs again, at most once more.
//
// Release and Done outlive ctx's cancellation: what fn did (or did not) is
// recorded even when the caller gives up.
func Once(ctx context.Context, c Claimer, key string, stale time.Duration, fn func(context.Context) error) (ran bool, err error) {
	return claimed(ctx, c, key, stale, fn, true)
}

// Hold is Once for work that may run again after a while: when fn succeeds
// the claim is kept, not marked done, so that key can be claimed again only
// once it goes stale. It debounces repeats (a double submit, a replay).
func Hold(ctx context.Context, c Claimer, key string, stale time.Duration, fn func(context.Context) error) (ran bool, err error) {
	return claimed(ctx, c, key, stale, fn, false)
}

func claimed(ctx context.Context, c Claimer, key string, stale time.Duration, fn func(context.Context) error, done bool) (bool, error) {
	won, err := c.Claim(ctx, key, stale)
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	if !won {
		return false, nil
	}
	if err := fn(ctx); err != nil {
		if rerr := c.Release(context.WithoutCancel(ctx), key); rerr != nil {
			return true, errors.Join(err, fmt.Errorf("release %s: %w", key, rerr))
		}
		return true, err
	}
	if !done {
		return true, nil
	}
	if err := c.Done(context.WithoutCancel(ctx), key); err != nil {
		return true, fmt.Errorf("%w: %w", ErrNotDone, err)
	}
	return true, nil
}
