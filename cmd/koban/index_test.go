package main

import (
	"bytes"
	"context"
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
	if !strings.Contains(out.String(), "0 added, 0 changed, 0 removed") {
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
