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

// TestRefresherGitSyncLayout follows a docs source published the way
// git-sync publishes it: a symbolic link to the current checkout, swapped
// for a link to the next one.
func TestRefresherGitSyncLayout(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	checkout := func(name, body string) string {
		t.Helper()
		dir := filepath.Join(root, ".worktrees", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "runbook.md"), []byte("# Runbook\n\n"+body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	link := filepath.Join(root, "platform")
	if err := os.Symlink(checkout("a", "Restart the quuxinator with care."), link); err != nil {
		t.Fatal(err)
	}
	r := &Refresher{Index: mustOpen(t, t.TempDir()), Sources: []Source{{Path: link}}}
	if st, err := r.RunOnce(ctx); err != nil || st.Documents != 1 {
		t.Fatalf("refresh through a link = %+v, %v; want its one page", st, err)
	}
	// The next checkout, published by swapping the link.
	next := filepath.Join(root, "platform.next")
	if err := os.Symlink(checkout("b", "Restart the zyxomat with care."), next); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, link); err != nil {
		t.Fatal(err)
	}
	if st, err := r.RunOnce(ctx); err != nil || st.Changed != 1 {
		t.Fatalf("refresh after the link moved = %+v, %v; want the page changed", st, err)
	}
	hits, err := r.Index.Search(ctx, Query{Text: "zyxomat"})
	if err != nil || len(hits) == 0 || hits[0].Path != "runbook.md" {
		t.Errorf("Search(zyxomat) = %v, %v; want the new checkout's runbook.md", hits, err)
	}
}

// TestRefresherKeepsPagesOfEmptiedSource empties a docs folder, as a sync
// caught half way or a volume not mounted would: the refresh fails and the
// pages stay; an explicit Update (koban index) still empties it.
func TestRefresherKeepsPagesOfEmptiedSource(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	r := &Refresher{Index: mustOpen(t, t.TempDir()), Sources: []Source{{Path: docs}}}
	st, err := r.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := st.Documents
	entries, err := os.ReadDir(docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(docs, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.RunOnce(ctx); err == nil || !strings.Contains(err.Error(), "no Markdown files") {
		t.Errorf("refresh of an emptied folder = %v, want an error saying it has no Markdown files", err)
	}
	if got := r.Index.Stats().Documents; got != before {
		t.Errorf("after refreshing an emptied folder the index has %d pages, want the %d it had", got, before)
	}
	if st, _, err := r.Index.Update(ctx, r.Sources); err != nil || st.Documents != 0 {
		t.Errorf("Update of the emptied folder = %+v, %v; want it emptied", st, err)
	}
}
