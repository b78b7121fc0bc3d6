// Package pgtest gives tests a PostgreSQL schema of their own on the server
// KOBAN_TEST_DATABASE_URL names, so that one conformance suite can run
// against PostgreSQL as well as SQLite, in parallel, without the tests
// seeing each other's rows. It is for tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Skip is the message tests skip with when no PostgreSQL is configured.
const Skip = "PostgreSQL: set KOBAN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run"

// URL creates a schema for the test, drops it when the test ends, and
// returns a database URL whose search_path (and application_name, so a test
// can find its own connections) is that schema.
//
// Without KOBAN_TEST_DATABASE_URL the test is skipped, unless
// KOBAN_REQUIRE_POSTGRES is set, as in CI: then it fails. A URL that is set
// but unreachable always fails the test.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("KOBAN_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("KOBAN_REQUIRE_POSTGRES") != "" {
			t.Fatal("KOBAN_REQUIRE_POSTGRES is set but KOBAN_TEST_DATABASE_URL is not")
		}
		t.Skip(Skip)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("KOBAN_TEST_DATABASE_URL is set but PostgreSQL is unreachable: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "koban_t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema + "&application_name=" + schema
}
