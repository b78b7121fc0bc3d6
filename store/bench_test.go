package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// forEachDBBench runs a benchmark on SQLite and, when configured, PostgreSQL.
func forEachDBBench(b *testing.B, f func(b *testing.B, opts Options)) {
	b.Run("sqlite", func(b *testing.B) { f(b, sqliteOptions(b)) })
	b.Run("postgres", func(b *testing.B) { f(b, postgresOptions(b)) })
}

// BenchmarkCreateInquiry inserts inquiries with their received event and
// job, one transaction each, as the bot does. Run with -benchtime=10000x
// for the 10,000-inquiry figure.
func BenchmarkCreateInquiry(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, opts Options) {
		s := mustOpen(b, opts)
		i := 0
		start := time.Now()
		for b.Loop() {
			i++
			inq := sampleInquiry(fmt.Sprintf("Ev%d", i))
			if _, err := s.CreateInquiry(b.Context(), inq); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(i)/time.Since(start).Seconds(), "inquiries/s")
		if n := count(b, s, `SELECT COUNT(*) FROM river_job`); n != i {
			b.Errorf("%d jobs for %d inquiries", n, i)
		}
	})
}

// BenchmarkCountInquiries counts 100,000 inquiries by state and category,
// as the koban_inquiries gauge does at each scrape.
func BenchmarkCountInquiries(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, opts Options) {
		s, _, _ := seedYear(b, opts)
		for b.Loop() {
			counts, err := s.CountInquiries(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			sum := 0
			for _, c := range counts {
				sum += c.Count
			}
			if sum != yearTotal {
				b.Fatalf("counted %d inquiries, want %d", sum, yearTotal)
			}
		}
	})
}

// seedInquiries bulk-inserts n resolved inquiries spread evenly over span,
// with varied labels and domains (and no events or jobs: the aggregates
// read the inquiries table).
func seedInquiries(b *testing.B, s *Store, n int, from time.Time, span time.Duration) {
	b.Helper()
	const batch = 500
	step := span / time.Duration(n)
	err := s.inTx(b.Context(), func(q querier) error {
		for lo := 0; lo < n; lo += batch {
			var sb strings.Builder
			sb.WriteString(`INSERT INTO inquiries (channel, thread_ts, state, created_at, updated_at, first_response_at, resolved_at,
				predicted_category, predicted_detail, final_category, final_detail, domain) VALUES `)
			var args []any
			for i := lo; i < min(lo+batch, n); i++ {
				created := from.Add(time.Duration(i) * step)
				pred := koban.Labels[i%len(koban.Labels)]
				var final koban.Label
				if i%3 == 0 {
					final = koban.Labels[(i/3)%len(koban.Labels)]
				}
				if i > lo {
					sb.WriteString(", ")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+12)
				args = append(args, "C1", fmt.Sprint(i), koban.StateResolved, s.ts(created), s.ts(created), s.ts(created.Add(time.Minute)), s.ts(created.Add(time.Hour)),
					pred.Category, pred.Detail, final.Category, final.Detail, koban.DefaultDomains[i%len(koban.DefaultDomains)])
			}
			if _, err := q.exec(b.Context(), sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	if s.dialect == postgresDialect {
		if _, err := s.write().exec(b.Context(), `ANALYZE inquiries`); err != nil {
			b.Fatal(err)
		}
	} else if _, err := s.write().exec(b.Context(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// yearTotal is how many inquiries seedYear stores.
const yearTotal = 100_000

// seedYear opens a store with yearTotal inquiries spread over 2025 (UTC)
// and returns it with the year's start and Asia/Tokyo, where the
// aggregates are computed.
func seedYear(b *testing.B, opts Options) (*Store, time.Time, *time.Location) {
	b.Helper()
	s := mustOpen(b, opts)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seedInquiries(b, s, yearTotal, from, 365*24*time.Hour)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		b.Fatal(err)
	}
	return s, from, tokyo
}
