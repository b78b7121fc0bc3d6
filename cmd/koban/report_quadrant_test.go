package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kobanhq/koban"
)

// TestReportQuadrants checks that koban report sorts cited pages by the
// docs index's quadrants (front matter included), and by the index's path
// rules when the index is not there or koban serve holds it.
func TestReportQuadrants(t *testing.T) {
	docs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(docs, "how-to"), 0o755); err != nil {
		t.Fatal(err)
	}
	page := "---\ntitle: Why we shard\ndiataxis: explanation\n---\n\n# Why we shard\n\nSharding spreads the load over several machines.\n"
	if err := os.WriteFile(filepath.Join(docs, "how-to", "why-we-shard.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig("", func(k string) string {
		return map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_DOCS": docs + "@en"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg, log: newLogger(io.Discard, "text", "error")}
	const cited = "how-to/why-we-shard.md"

	q, closeIndex := reportQuadrants(a) // no index yet
	if got := q(cited); got != koban.HowTo {
		t.Errorf("without an index: quadrant(%s) = %q, want %q from the path", cited, got, koban.HowTo)
	}
	closeIndex()

	ix, _, _, err := wireIndex(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			ix.Close()
		}
	}()
	q, closeIndex = reportQuadrants(a) // koban serve holds the index
	if got := q(cited); got != koban.HowTo {
		t.Errorf("with the index held: quadrant(%s) = %q, want %q from the path", cited, got, koban.HowTo)
	}
	closeIndex()
	ix.Close()
	held = false

	q, closeIndex = reportQuadrants(a)
	defer closeIndex()
	if got := q(cited); got != koban.Explanation {
		t.Errorf("from the index: quadrant(%s) = %q, want %q from its front matter", cited, got, koban.Explanation)
	}
}
