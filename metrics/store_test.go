package metrics_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/metrics"
	"github.com/kobanhq/koban/store"
)

// These benchmarks build the report from the real store, on SQLite and on
// PostgreSQL (with KOBAN_TEST_DATABASE_URL), over 100,000 inquiries. The
// rows are bulk-inserted with SQL to keep the setup short; the report then
// reads them through the store's own methods, as koban report does.

// storeSource is the report's Source over the store, as cmd/koban wires it.
// With bulk set, it reads the events of the month in one query (what
// store.EventsOfInquiries is to do); without, one query per inquiry with
// store.Events.
type storeSource struct {
	st   *store.Store
	bulk func(ctx context.Context, from, to time.Time) ([]koban.Event, error)
}

func (s storeSource) ReportData(ctx context.Context, from, to time.Time) ([]koban.Inquiry, []koban.Event, error) {
	inqs, err := s.st.Inquiries(ctx, store.Filter{From: from, To: to, Limit: math.MaxInt32})
	if err != nil {
		return nil, nil, err
	}
	if s.bulk != nil {
		events, err := s.bulk(ctx, from, to)
		return inqs, events, err
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
	counts, err := s.st.MonthlyCounts(ctx, from, to, loc)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range counts {
		out[c.Month] += c.Count
	}
	return out, nil
}

const benchInquiries = 100_000

func BenchmarkReportStoreSQLite(b *testing.B) {
	dir := b.TempDir()
	opts := store.Options{DataDir: dir}
	st := openStore(b, opts)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "koban.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seed(b, db, "?", func(t time.Time) any { return t.UnixMicro() })
	benchReport(b, st, db, "?")
}

func BenchmarkReportStorePostgres(b *testing.B) {
	base := os.Getenv("KOBAN_TEST_DATABASE_URL")
	if base == "" {
		b.Skip("PostgreSQL: set KOBAN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run")
	}
	url := pgSchema(b, base)
	st := openStore(b, store.Options{URL: url})
	db, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seed(b, db, "$", func(t time.Time) any { return t.UTC() })
	benchReport(b, st, db, "$")
}

func openStore(b *testing.B, opts store.Options) *store.Store {
	b.Helper()
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// seed bulk-inserts the bigMonth seed. mark is the placeholder style ("?"
// or "$"), ts the dialect's timestamp value.
func seed(b *testing.B, db *sql.DB, mark string, ts func(time.Time) any) {
	b.Helper()
	start := time.Now()
	inqs, events := metrics.SeedBig(benchInquiries)
	ph := func(n int) string {
		s := make([]string, n)
		for i := range s {
			if mark == "?" {
				s[i] = "?"
			} else {
				s[i] = fmt.Sprintf("$%d", i+1)
			}
		}
		return strings.Join(s, ", ")
	}
	opt := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return ts(t)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	insInq, err := tx.Prepare(`INSERT INTO inquiries (id, channel, asked_by, text, state, created_at, updated_at,
		first_response_at, first_human_response_at, resolved_at, predicted_category, predicted_detail,
		final_category, final_detail, domain, assignee, citations, tokens) VALUES (` + ph(18) + `)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range inqs {
		cit, _ := json.Marshal(q.Citations)
		if q.Citations == nil {
			cit = []byte("[]")
		}
		state := q.State
		if state == "" {
			state = koban.StateReceived
		}
		if _, err := insInq.Exec(q.ID, q.Channel, q.AskedBy, q.Text, state, ts(q.CreatedAt), ts(q.CreatedAt),
			opt(q.FirstResponseAt), opt(q.FirstHumanResponseAt), opt(q.ResolvedAt), q.Predicted.Category, q.Predicted.Detail,
			q.Final.Category, q.Final.Detail, q.Domain, q.Assignee, string(cit), q.Tokens); err != nil {
			b.Fatal(err)
		}
	}
	insEv, err := tx.Prepare(`INSERT INTO events (id, inquiry_id, kind, actor, at, data) VALUES (` + ph(6) + `)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range events {
		data := []byte("{}")
		if e.Data != nil {
			data, _ = json.Marshal(e.Data)
		}
		if _, err := insEv.Exec(e.ID, e.InquiryID, e.Kind, e.Actor, ts(e.At), string(data)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d inquiries and %d events in %v", len(inqs), len(events), time.Since(start))
}

func benchReport(b *testing.B, st *store.Store, db *sql.DB, mark string) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, metrics.Tokyo)
	for _, v := range []struct {
		name string
		src  storeSource
	}{
		{"bulk-events", storeSource{st: st, bulk: bulkEvents(db, mark)}},
		{"events-per-inquiry", storeSource{st: st}},
	} {
		if v.src.bulk == nil && os.Getenv("KOBAN_BENCH_PER_INQUIRY") == "" {
			continue // one query per inquiry: tens of seconds; set KOBAN_BENCH_PER_INQUIRY=1 to measure
		}
		b.Run(v.name, func(b *testing.B) {
			svc := metrics.NewService(v.src, metrics.Options{Location: metrics.Tokyo}, log, nil)
			for b.Loop() {
				start := time.Now()
				r, err := svc.Report(context.Background(), month)
				if err != nil {
					b.Fatal(err)
				}
				if r.Volume.Inquiries != benchInquiries {
					b.Fatalf("report has %d inquiries, want %d", r.Volume.Inquiries, benchInquiries)
				}
				b.Logf("report over %d inquiries from the %s store (%s): %v", r.Volume.Inquiries, st.Dialect(), v.name, time.Since(start))
			}
		})
	}
}

// bulkEvents reads the events the report uses of the inquiries created in
// [from, to) in one query, as the store method the report asks for would.
func bulkEvents(db *sql.DB, mark string) func(ctx context.Context, from, to time.Time) ([]koban.Event, error) {
	return func(ctx context.Context, from, to time.Time) ([]koban.Event, error) {
		q := `SELECT e.id, e.inquiry_id, e.kind, e.actor, e.at, e.data FROM inquiries i JOIN events e ON e.inquiry_id = i.id
			WHERE i.created_at >= $1 AND i.created_at < $2 AND e.kind IN ('escalated', 'answered', 'feedback', 'resolved')`
		var lo, hi any = from.UTC(), to.UTC()
		if mark == "?" {
			q = strings.NewReplacer("$1", "?", "$2", "?").Replace(q)
			lo, hi = from.UnixMicro(), to.UnixMicro()
		}
		rows, err := db.QueryContext(ctx, q, lo, hi)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []koban.Event
		for rows.Next() {
			var e koban.Event
			var at any
			var data string
			if err := rows.Scan(&e.ID, &e.InquiryID, &e.Kind, &e.Actor, &at, &data); err != nil {
				return nil, err
			}
			switch at := at.(type) {
			case int64:
				e.At = time.UnixMicro(at).UTC()
			case time.Time:
				e.At = at.UTC()
			}
			if data != "{}" {
				if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
					return nil, err
				}
			}
			out = append(out, e)
		}
		return out, rows.Err()
	}
}

// TestReportFromStore stores the October seed through the store's own
// methods, on SQLite and (with KOBAN_TEST_DATABASE_URL) PostgreSQL, and
// checks the report read back equals the one computed from memory.
func TestReportFromStore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testReportFromStore(t, store.Options{DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("KOBAN_TEST_DATABASE_URL")
		if base == "" {
			t.Skip("PostgreSQL: set KOBAN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run")
		}
		testReportFromStore(t, store.Options{URL: pgSchema(t, base)})
	})
}

// pgSchema creates a schema dropped when the test ends and returns base
// with it as the search path.
func pgSchema(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("KOBAN_TEST_DATABASE_URL is set but PostgreSQL is unreachable: %v", err)
	}
	var rb [6]byte
	rand.Read(rb[:])
	schema := "koban_metrics_" + hex.EncodeToString(rb[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
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
	got, err := metrics.NewService(storeSource{st: st}, opt, log, now).Report(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	want, err := metrics.NewService(memSource{inqs, events}, opt, log, now).Report(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("report from the %s store differs from the one from memory (-memory +store):\n%s", st.Dialect(), d)
	}
	if got.Volume.Inquiries != 100 || got.Deflection.Solved != 12 {
		t.Errorf("report from the store: %d inquiries, %d deflected; want 100 and 12", got.Volume.Inquiries, got.Deflection.Solved)
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
