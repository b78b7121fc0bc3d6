package docsindex

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kobanhq/koban"
)

// copyDocs copies testdata/docs into a temporary folder the test may change.
func copyDocs(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir("testdata/docs", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/docs", p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustOpen(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestUpdateIncremental(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	srcs := []Source{{Path: docs}}

	st, _, err := ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 5 || st.Changed != 0 || st.Removed != 0 || st.Documents != 5 {
		t.Fatalf("first Update = %+v, want 5 added, 5 documents", st)
	}

	// Nothing changed: nothing re-indexed, also after reopening.
	ix.Close()
	ix = mustOpen(t, dir)
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added+st.Changed+st.Removed != 0 || st.Documents != 5 {
		t.Fatalf("Update after reopen = %+v, want nothing re-indexed", st)
	}

	// Change one page: only it is re-indexed, and the new text is found.
	p := filepath.Join(docs, "reference", "quotas.md")
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, []byte("\n## Ephemeral storage\n\nZanzibar volumes are capped at 10Gi.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Changed != 1 || st.Added != 0 || st.Removed != 0 {
		t.Fatalf("Update after one change = %+v, want 1 changed", st)
	}
	hits, err := ix.Search(ctx, Query{Text: "zanzibar volumes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Anchor != "ephemeral-storage" {
		t.Errorf("Search(zanzibar) = %v, want the new section first", hits)
	}

	// Delete one page: it is dropped from the index.
	if err := os.Remove(filepath.Join(docs, "concepts", "networking.md")); err != nil {
		t.Fatal(err)
	}
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Removed != 1 || st.Documents != 4 {
		t.Fatalf("Update after delete = %+v, want 1 removed, 4 documents", st)
	}
	hits, err = ix.Search(ctx, Query{Text: "default deny network policy ingress controller"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Path == "concepts/networking.md" {
			t.Errorf("Search found deleted page %s", h.ID)
		}
	}
	if _, err := ix.Page("concepts/networking.md"); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("Page(deleted) error = %v, want not_found", err)
	}
}

func TestSchemaChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	if _, _, err := ix.Update(ctx, []Source{{Path: "testdata/docs"}}); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	// Another analyzer is another schema: the index starts over.
	ix2, err := Open(dir, nil, WithJapaneseAnalyzer("cjk"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	if st := ix2.Stats(); st.Documents != 0 {
		t.Errorf("Stats after schema change = %+v, want an empty index", st)
	}
	st, _, err := ix2.Update(ctx, []Source{{Path: "testdata/docs"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 5 {
		t.Errorf("Update after schema change = %+v, want all 5 pages added", st)
	}
}

func TestSearchLanguages(t *testing.T) {
	ctx := context.Background()
	for _, ja := range []string{"kagome", "cjk"} {
		ix, err := OpenMem(nil, WithJapaneseAnalyzer(ja))
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if _, _, err := ix.Update(ctx, []Source{{Path: "testdata/docs"}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			q, lang, want string
		}{
			{"how do I request a postgres database", "en", "how-to/request-a-database.md"},
			{"pods rejected exceeded quota", "en", "reference/quotas.md"},
			{"イングレスを作成", "ja", "ja/ingress.md"},
			{"証明書の発行", "", "ja/ingress.md"},
		}
		for _, tt := range tests {
			hits, err := ix.Search(ctx, Query{Text: tt.q, Lang: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Path != tt.want {
				t.Errorf("%s: Search(%q) first = %v, want %s", ja, tt.q, hits, tt.want)
			}
			for _, h := range hits {
				if tt.lang != "" && h.Lang != tt.lang {
					t.Errorf("%s: Search(%q, lang %s) returned %s in %s", ja, tt.q, tt.lang, h.ID, h.Lang)
				}
			}
		}
	}
}

func TestUpdateBadSource(t *testing.T) {
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_, _, err = ix.Update(context.Background(), []Source{{Path: "testdata/no-such-folder"}})
	if koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("Update(missing folder) error = %v, want invalid", err)
	}
}
