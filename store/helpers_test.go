package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/pgtest"
	"github.com/kobanhq/koban/internal/testclock"
)

// newClock is a settable clock for the store's timestamps.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 5, 10, 9, 30, 0, 0, time.UTC))
}

// forEachDB runs f once per database: SQLite in a temporary directory, and
// PostgreSQL in a fresh schema when KOBAN_TEST_DATABASE_URL is set. f gets
// Options for a new, empty database it may open (and reopen) with mustOpen.
func forEachDB(t *testing.T, f func(t *testing.T, opts Options)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		f(t, sqliteOptions(t))
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, postgresOptions(t))
	})
}

func sqliteOptions(t testing.TB) Options {
	return Options{DataDir: t.TempDir()}
}

// postgresOptions creates a schema of its own for the test (dropped at the
// end) and returns Options whose URL uses it. Without KOBAN_TEST_DATABASE_URL
// the test is skipped, unless KOBAN_REQUIRE_POSTGRES is set; a database that
// is set but unreachable fails the test.
func postgresOptions(t testing.TB) Options {
	t.Helper()
	return Options{URL: pgtest.URL(t)}
}

// mustOpen opens the store and closes it when the test ends.
func mustOpen(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// mustCreate creates an inquiry and fails the test if it is not created.
func mustCreate(t testing.TB, s *Store, inq *koban.Inquiry) *koban.Inquiry {
	t.Helper()
	created, err := s.CreateInquiry(t.Context(), inq)
	if err != nil || !created {
		t.Fatalf("CreateInquiry = %v, %v; want true, nil", created, err)
	}
	return inq
}

// count runs a COUNT(*) query.
func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.write().queryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// jobStates returns the River states of the inquiry jobs, by job id.
func jobStates(t testing.TB, s *Store) []string {
	t.Helper()
	out, err := queryJobStates(t.Context(), s)
	if err != nil {
		t.Fatalf("job states: %v", err)
	}
	return out
}

// queryJobStates lists the states of the inquiry jobs in the order they were
// inserted.
func queryJobStates(ctx context.Context, s *Store) ([]string, error) {
	rows, err := s.write().query(ctx, `SELECT state FROM river_job WHERE kind = $1 ORDER BY id`, inquiryJobKind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// wantCode fails the test unless err carries the koban error code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := koban.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var errBoom = errors.New("boom")
