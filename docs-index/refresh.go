package docsindex

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
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
	st, err := r.runOnce(ctx)
	if r.Observe != nil && ctx.Err() == nil {
		r.Observe(st, err)
	}
	return st, err
}

// ErrSourceEmptied is the error of a refresh that found a docs folder with
// no Markdown left while the index still holds pages from it.
var ErrSourceEmptied = errors.New("docs source emptied")

func (r *Refresher) runOnce(ctx context.Context) (Stats, error) {
	// A folder that had pages and now has no Markdown at all is far more
	// likely a sync caught half way, or a volume not mounted yet, than docs
	// deleted on purpose: keep what is indexed rather than answer nothing.
	for _, src := range r.Sources {
		if n := r.Index.SourcePages(src.Path); n > 0 && !hasMarkdown(src.Path) {
			return Stats{}, fmt.Errorf("docs source %s has no Markdown files now; keeping the %d pages indexed from it (run koban index to empty it on purpose): %w", src.Path, n, ErrSourceEmptied)
		}
	}
	st, warns, err := r.Index.Update(ctx, r.Sources)
	for try := 1; errors.Is(err, ErrSourceMoved) && try < 3; try++ {
		// The new checkout is complete once the link points at it.
		st, warns, err = r.Index.Update(ctx, r.Sources)
	}
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
	if err != nil {
		// A failed update may have stopped before some files: keep what
		// was reported, so that it is not reported again.
		for p, reason := range r.warned {
			if _, ok := now[p]; !ok {
				now[p] = reason
			}
		}
		r.warned = now
		return st, err
	}
	r.warned = now
	if st.Added+st.Changed+st.Removed > 0 {
		r.log().Info("docs refreshed", "added", st.Added, "changed", st.Changed, "relinked", st.Relinked,
			"removed", st.Removed, "pages", st.Documents, "took", st.Took.Round(time.Millisecond))
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

// hasMarkdown reports whether the folder at path (a link to one included)
// holds at least one Markdown file that would be indexed.
func hasMarkdown(path string) bool {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		path = r
	}
	found := false
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != path && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules"):
			return fs.SkipDir
		case !d.IsDir() && markdownExt[strings.ToLower(filepath.Ext(d.Name()))]:
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}
