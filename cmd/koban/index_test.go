package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIndexAndAskSampleDocs(t *testing.T) {
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"index"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban index: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "indexed ") || strings.Contains(out.String(), "indexed 0 pages") {
		t.Errorf("koban index printed %q, want the sample pages indexed", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"index"}, getenv, &out, &errb); err != nil {
		t.Fatalf("second koban index: %v", err)
	}
	if !strings.Contains(out.String(), "0 added, 0 changed, 0 relinked, 0 removed") {
		t.Errorf("second koban index printed %q, want nothing re-indexed", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"ask", "how do I request a database?"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban ask: %v", err)
	}
	for _, want := range []string{"request-a-database.md", "confidence", "took"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("koban ask printed %q, want %q in it", out.String(), want)
		}
	}

	if err := run(ctx, []string{"ask"}, getenv, &out, &errb); err == nil {
		t.Error("koban ask without a question: no error")
	}
}

// TestWireIndexKeepsEmptiedDocs starts koban on a docs folder that has
// lost all its pages since the last start (a volume not mounted yet): it
// starts, on the pages indexed before.
func TestWireIndexKeepsEmptiedDocs(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "runbook.md"), []byte("# Runbook\n\nRestart the quuxinator.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig("", func(k string) string {
		return map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_DOCS": docs + "@en"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg, log: newLogger(io.Discard, "text", "error")}
	ix, _, st, err := wireIndex(context.Background(), a)
	if err != nil || st.Documents != 1 {
		t.Fatalf("first start: %+v, %v; want 1 page", st, err)
	}
	ix.Close()
	if err := os.Remove(filepath.Join(docs, "runbook.md")); err != nil {
		t.Fatal(err)
	}
	ix, _, st, err = wireIndex(context.Background(), a)
	if err != nil {
		t.Fatalf("start on an emptied docs folder: %v, want it to start on the pages indexed before", err)
	}
	defer ix.Close()
	if st.Documents != 1 {
		t.Errorf("start on an emptied docs folder has %d pages, want the 1 indexed before", st.Documents)
	}
}
