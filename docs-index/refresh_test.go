package docsindex

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRefresherRunOnce(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	var logs bytes.Buffer
	var changed []Stats
	var failed, observed int
	r := &Refresher{
		Index:   mustOpen(t, t.TempDir()),
		Sources: []Source{{Path: docs}},
		Changed: func(_ context.Context, st Stats) { changed = append(changed, st) },
		Observe: func(_ Stats, err error) {
			observed++
			if err != nil {
				failed++
			}
		},
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(changed) != 1 {
		t.Fatalf("first refresh called Changed %d times, want 1", len(changed))
	}

	// Nothing changed: no update, no call.
	st, err := r.RunOnce(ctx)
	if err != nil || st.Added+st.Changed+st.Removed != 0 || len(changed) != 1 {
		t.Fatalf("refresh without changes = %+v, %v, Changed called %d times; want nothing done", st, err, len(changed))
	}

	// A new page and a broken one: the page is searchable, the broken
	// file is reported once however often the docs are refreshed.
	if err := os.WriteFile(filepath.Join(docs, "runbook.md"), []byte("---\ntitle: Runbook\n---\n\n# Runbook\n\nThe frobnicator restarts nightly.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "broken.md"), []byte("---\ntitle: [unclosed\n---\n\nText.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(changed) != 2 || changed[1].Added != 1 {
		t.Errorf("Changed calls = %+v, want a second one with 1 page added", changed)
	}
	hits, err := r.Index.Search(ctx, Query{Text: "frobnicator"})
	if err != nil || len(hits) == 0 || hits[0].Path != "runbook.md" {
		t.Errorf("Search(frobnicator) = %v, %v; want runbook.md", hits, err)
	}
	if n := strings.Count(logs.String(), "broken.md"); n != 1 {
		t.Errorf("broken.md logged %d times over 3 refreshes, want once:\n%s", n, logs.String())
	}

	// Fixed, then broken again: reported again.
	if err := os.Remove(filepath.Join(docs, "broken.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "broken.md"), []byte{}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "broken.md"); n != 2 {
		t.Errorf("broken.md logged %d times, want twice (once per breakage)", n)
	}

	// A source that went away is an error, and the index keeps its pages.
	r.Sources = []Source{{Path: filepath.Join(docs, "gone")}}
	if _, err := r.RunOnce(ctx); err == nil {
		t.Error("refresh of a missing folder succeeded, want an error")
	}
	if got := r.Index.Stats().Documents; got == 0 {
		t.Error("index emptied by a failed refresh")
	}
	if observed != 8 || failed != 1 {
		t.Errorf("Observe saw %d refreshes, %d failed; want 8 and 1", observed, failed)
	}
}

func TestRefresherRun(t *testing.T) {
	docs := copyDocs(t)
	r := &Refresher{Index: mustOpen(t, t.TempDir()), Sources: []Source{{Path: docs}}, Every: 10 * time.Millisecond}
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if err := os.WriteFile(filepath.Join(docs, "late.md"), []byte("# Late\n\nThe zorblax page arrived later.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		hits, err := r.Index.Search(context.Background(), Query{Text: "zorblax"})
		if err == nil && len(hits) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running refresher did not index the new page")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after its context ended, want nil", err)
	}
}
