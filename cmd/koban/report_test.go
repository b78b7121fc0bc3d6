package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/store"
)

// TestReportSource checks that the report read through metrics.StoreSource from
// a real store, on SQLite and (with KOBAN_TEST_DATABASE_URL) PostgreSQL,
// equals the report computed from the same inquiries and events held in
// memory: the lean reads leave out nothing the report uses, and the
// twelve months of history are counted right.
func TestReportSource(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, tokyo)
	// Thirteen months: the one before the report's history must not count.
	seed := newBenchSeed(3000, month.AddDate(0, -12, 0), month.AddDate(0, 1, 0))
	dbs := []struct {
		name string
		open func(testing.TB) (store.Options, bulkInserter)
	}{
		{"sqlite", sqliteBench},
		{"postgres", postgresBench},
	}
	for _, d := range dbs {
		t.Run(d.name, func(t *testing.T) {
			opts, ins := d.open(t)
			st, err := store.Open(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := ins.insert(t.Context(), seed); err != nil {
				t.Fatalf("seed: %v", err)
			}
			opt := metrics.Options{Location: tokyo, Quadrant: docsindex.QuadrantOfPath}
			now := func() time.Time { return month.AddDate(0, 1, 1) }
			log := slog.New(slog.DiscardHandler)
			got, err := metrics.NewService(metrics.StoreSource(st), opt, log, now).Report(t.Context(), month)
			if err != nil {
				t.Fatal(err)
			}
			want, err := metrics.NewService(seedSource{seed}, opt, log, now).Report(t.Context(), month)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("report from the %s store differs from the one from memory (-memory +store):\n%s", d.name, diff)
			}
			if got.Volume.Inquiries < 200 || got.Volume.History[0].Count < 200 || got.Deflection.Solved == 0 || got.ReplyTimes.Escalations == 0 {
				t.Errorf("report from the store is too thin to compare: %d inquiries, %+v history, %d solved, %d escalations",
					got.Volume.Inquiries, got.Volume.History, got.Deflection.Solved, got.ReplyTimes.Escalations)
			}
		})
	}
}

// seedSource serves a benchSeed from memory, whole inquiries and all
// their events.
type seedSource struct{ s *benchSeed }

func (m seedSource) ReportData(_ context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	var inqs []koban.Inquiry
	ids := map[int64]bool{}
	for _, q := range m.s.inquiries {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			inqs = append(inqs, q)
			ids[q.ID] = true
		}
	}
	var events []koban.Event
	for _, e := range m.s.events {
		if ids[e.InquiryID] {
			events = append(events, e)
		}
	}
	return inqs, events, nil
}

func (m seedSource) MonthlyTotals(_ context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	out := map[string]int{}
	for _, q := range m.s.inquiries {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			out[q.CreatedAt.In(loc).Format("2006-01")]++
		}
	}
	return out, nil
}
