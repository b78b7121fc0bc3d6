package docsindex

import (
	"context"
	"log/slog"
	"time"
)

// Refresher keeps an index in line with its sources while koban runs: docs
// change without koban restarting (a git-sync sidecar, a mounted volume, a
// CI job copying the built docs). Each refresh is an incremental Update, so
// when nothing changed it only reads and hashes the files.
type Refresher struct {
	Index   *Index
	Sources []Source
	// Every is the time between refreshes.
	Every time.Duration
	// Changed, when not nil, is called after a refresh that added, changed
	// or removed pages (to embed the new sections, say).
	Changed func(ctx context.Context, st Stats)
	// Observe, when not nil, is told the outcome of every refresh (for
	// metrics).
	Observe func(st Stats, err error)
	Log     *slog.Logger

	// warned holds the skipped files already logged, with their reason,
	// so that a broken file is reported once rather than every refresh.
	warned map[string]string
}

// Run refreshes the index every r.Every until ctx ends. A failed refresh
// is logged and tried again at the next tick: the index keeps serving what
// it had.
func (r *Refresher) Run(ctx context.Context) error {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
				r.log().Error("refresh docs index", "err", err)
			}
		}
	}
}

// RunOnce brings the index in line with the sources once and returns what
// it did.
func (r *Refresher) RunOnce(ctx context.Context) (Stats, error) {
	st, warns, err := r.Index.Update(ctx, r.Sources)
	if r.warned == nil {
		r.warned = map[string]string{}
	}
	now := map[string]string{}
	for _, w := range warns {
		now[w.Path] = w.Reason
		if r.warned[w.Path] != w.Reason {
			r.log().Warn("docs skipped", "file", w.Path, "reason", w.Reason)
		}
	}
	r.warned = now
	if r.Observe != nil {
		r.Observe(st, err)
	}
	if err != nil {
		return st, err
	}
	if st.Added+st.Changed+st.Removed > 0 {
		r.log().Info("docs refreshed", "added", st.Added, "changed", st.Changed, "removed", st.Removed,
			"pages", st.Documents, "took", st.Took.Round(time.Millisecond))
		if r.Changed != nil {
			r.Changed(ctx, st)
		}
	}
	return st, nil
}

func (r *Refresher) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}
