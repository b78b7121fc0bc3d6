package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/pgtest"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/store"
)

// storeSource is the report's Source over the store. Lean, it reads as
// cmd/koban wires it: the report's fields of a month's inquiries, their
// events in one query, and monthly volumes counted in SQL. Otherwise it
// reads whole inquiries and each one's events, and counts the months in Go:
// the reference the lean reads must agree with.
//
// The benchmark of the report over 100,000 stored inquiries is
// BenchmarkReport in cmd/koban, through the source koban itself uses.
type storeSource struct {
	st   *store.Store
	lean bool
}

func (s storeSource) ReportData(ctx context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	if s.lean {
		return metrics.StoreSource(s.st).ReportData(ctx, from, to)
	}
	inqs, err := s.st.Inquiries(ctx, store.Filter{From: from, To: to, Limit: math.MaxInt32})
	if err != nil {
		return nil, nil, err
	}
	var events []koban.Event
	for _, q := range inqs {
		evs, err := s.st.Events(ctx, q.ID)
		if err != nil {
			return nil, nil, err
		}
		events = append(events, evs...)
	}
	return inqs, events, nil
}

func (s storeSource) MonthlyTotals(ctx context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	if s.lean {
		return metrics.StoreSource(s.st).MonthlyTotals(ctx, from, to, loc)
	}
	if loc == nil {
		loc = time.UTC
	}
	inqs, err := s.st.Inquiries(ctx, store.Filter{From: from, To: to, Limit: math.MaxInt32})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, q := range inqs {
		out[q.CreatedAt.In(loc).Format("2006-01")]++
	}
	return out, nil
}

// TestReportFromStore stores the October seed through the store's own
// methods, on SQLite and (with KOBAN_TEST_DATABASE_URL) PostgreSQL, and
// checks the report read back equals the one computed from memory.
func TestReportFromStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testReportFromStore(t, store.Options{DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		testReportFromStore(t, store.Options{URL: pgtest.URL(t)})
	})
}

func testReportFromStore(t *testing.T, opts store.Options) {
	ctx := context.Background()
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inqs, events := metrics.SeedOctober()
	for i := range inqs {
		q := inqs[i]
		want := q.ID
		if _, err := st.CreateInquiry(ctx, &q); err != nil {
			t.Fatal(err)
		}
		if q.ID != want {
			t.Fatalf("stored inquiry %d got id %d", want, q.ID)
		}
	}
	for _, e := range events {
		if err := st.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opt := metrics.Options{Location: metrics.Tokyo, Quadrant: metrics.QuadrantOf}
	now := func() time.Time { return metrics.ReportNow }
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, metrics.Tokyo)
	want, err := metrics.NewService(memSource{inqs, events}, opt, log, now).Report(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	for _, lean := range []bool{false, true} {
		got, err := metrics.NewService(storeSource{st: st, lean: lean}, opt, log, now).Report(ctx, month)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("report from the %s store (lean reads: %v) differs from the one from memory (-memory +store):\n%s", st.Dialect(), lean, d)
		}
		if got.Volume.Inquiries != 100 || got.Deflection.Solved != 12 {
			t.Errorf("report from the %s store (lean reads: %v): %d inquiries, %d deflected; want 100 and 12", st.Dialect(), lean, got.Volume.Inquiries, got.Deflection.Solved)
		}
	}
}

// memSource serves seeded inquiries from memory.
type memSource struct {
	inqs   []koban.Inquiry
	events []koban.Event
}

func (m memSource) ReportData(_ context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	var out []koban.Inquiry
	for _, q := range m.inqs {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			out = append(out, q)
		}
	}
	return out, m.events, nil
}

func (m memSource) MonthlyTotals(_ context.Context, from, to time.Time, loc *time.Location) (map[string]int, error) {
	out := map[string]int{}
	for _, q := range m.inqs {
		if !q.CreatedAt.Before(from) && q.CreatedAt.Before(to) {
			out[q.CreatedAt.In(loc).Format("2006-01")]++
		}
	}
	return out, nil
}
