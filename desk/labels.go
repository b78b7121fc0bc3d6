package desk

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kobanhq/koban"
)

// LabelEvent is a label a human gave an inquiry, as the store records it.
type LabelEvent struct {
	EventID int64
	At      time.Time
	Text    string // the inquiry's redacted question
	Lang    string
	Label   koban.Label
	Domain  koban.Domain
}

// LabelSource lists the labels humans gave at or after a time, on any
// replica, oldest first (the store).
type LabelSource interface {
	LabelEvents(ctx context.Context, since time.Time) ([]LabelEvent, error)
}

// labelOverlap is how far back each sync reads again: a label committed a
// little after a later one (two replicas, one slower transaction) is still
// seen, and the event ids already learned are skipped.
const labelOverlap = 2 * time.Minute

// LabelSyncEvery is how often each replica reads the labels given on the
// others (Desk.RunLabelSync).
const LabelSyncEvery = 30 * time.Second

// labelCursor remembers what a replica has learned: the time it has read
// up to and the events it learned within the overlap.
type labelCursor struct {
	mu    sync.Mutex
	start time.Time // labels given before are triage's to load at start
	since time.Time
	seen  map[int64]time.Time
}

func newLabelCursor(start time.Time) *labelCursor {
	return &labelCursor{start: start, since: start, seen: map[int64]time.Time{}}
}

// learn teaches triage a human label: through the shared labels when the
// desk has them (so that this replica learns it exactly once, like the
// others), else directly.
func (d *Desk) learn(ctx context.Context, inq *koban.Inquiry, l koban.Label, dom koban.Domain) {
	if d.Learner == nil {
		return
	}
	if d.Labels != nil {
		if _, err := d.SyncLabels(ctx); err != nil {
			d.Log.Warn("learn from label", "inquiry_id", inq.ID, "err", err)
		}
		return
	}
	if err := d.Learner.Learn(ctx, koban.Question{Text: inq.Text, Lang: inq.Lang}, l, dom); err != nil {
		d.Log.Warn("learn from label", "inquiry_id", inq.ID, "err", err)
	}
}

// SyncLabels teaches triage the labels humans gave since the last sync, on
// this replica or any other, and returns how many it learned. The labels
// given before the desk was made are triage's to load at start.
func (d *Desk) SyncLabels(ctx context.Context) (int, error) {
	if d.Labels == nil || d.Learner == nil {
		return 0, nil
	}
	d.labels.mu.Lock()
	defer d.labels.mu.Unlock()
	return d.syncLocked(ctx)
}

// syncLocked is SyncLabels with the cursor's lock held.
func (d *Desk) syncLocked(ctx context.Context) (int, error) {
	c := d.labels
	from := c.since.Add(-labelOverlap)
	events, err := d.Labels.LabelEvents(ctx, from)
	if err != nil {
		return 0, fmt.Errorf("sync labels: %w", err)
	}
	learned := 0
	for _, le := range events {
		if _, ok := c.seen[le.EventID]; ok {
			continue
		}
		c.seen[le.EventID] = le.At
		if le.At.After(c.since) {
			c.since = le.At
		}
		if !le.At.After(c.start) {
			continue // learned at start, from the labelled inquiries
		}
		if err := d.Learner.Learn(ctx, koban.Question{Text: le.Text, Lang: le.Lang}, le.Label, le.Domain); err != nil {
			d.Log.Warn("skip label", "event_id", le.EventID, "err", err)
			continue
		}
		learned++
	}
	for id, at := range c.seen {
		if at.Before(c.since.Add(-2 * labelOverlap)) {
			delete(c.seen, id)
		}
	}
	if learned > 0 {
		d.Log.Info("triage learned labels", "labels", learned)
	}
	return learned, nil
}

// syncBeforeTriage reads the labels given since the last sync before a
// question is triaged, so that a label given a moment ago on another
// replica counts. When a sync is already running it does not wait: the
// periodic sync catches up within LabelSyncEvery.
func (d *Desk) syncBeforeTriage(ctx context.Context) {
	if d.Labels == nil || d.Learner == nil || !d.labels.mu.TryLock() {
		return
	}
	defer d.labels.mu.Unlock()
	if _, err := d.syncLocked(ctx); err != nil {
		d.Log.Warn("sync labels before triage", "err", err)
	}
}

// RunLabelSync runs SyncLabels every LabelSyncEvery until ctx ends. Every
// replica runs it: it is not a leader's job, since each replica's triage
// learns in memory.
func (d *Desk) RunLabelSync(ctx context.Context) error {
	t := time.NewTicker(LabelSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := d.SyncLabels(ctx); err != nil {
				d.Log.Warn("sync labels", "err", err)
			}
		}
	}
}
