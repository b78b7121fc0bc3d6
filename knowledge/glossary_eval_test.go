package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// TestEvalCrossLanguage measures how well a Japanese question finds the
// English page that answers it, the glossary's job. The Kubernetes docs
// translate pages under the same path, so each Japanese page with an English
// counterpart is a case: its title and first sentence, in Japanese, are the
// question, and the English page at its path is the answer. It compares the
// question's Latin-script words alone with the default glossary. Run with
// KOBAN_EVAL=1 after TestEvalRetrieval has built the index.
func TestEvalCrossLanguage(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to measure cross-language retrieval on ../../shared/corpora/k8s-docs")
	}
	base := evalIndexDir()
	shared := filepath.Join("..", "..", "shared", "corpora", "k8s-docs")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("corpus not found at %s: %v", shared, err)
	}
	ix, err := docsindex.Open(filepath.Join(base, "k8s"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.Update(context.Background(), []docsindex.Source{
		{Path: filepath.Join(shared, "en"), Lang: "en"}, {Path: filepath.Join(shared, "ja"), Lang: "ja"},
	}); err != nil {
		t.Fatal(err)
	}
	sections, err := ix.Sections()
	if err != nil {
		t.Fatal(err)
	}
	en := map[string]bool{}
	type jaPage struct{ path, question string }
	var pages []jaPage
	seen := map[string]bool{}
	for _, s := range sections {
		if s.Lang == "en" {
			en[s.Path] = true
		}
	}
	for _, s := range sections {
		if s.Lang != "ja" || seen[s.Path] || !en[s.Path] {
			continue
		}
		seen[s.Path] = true
		q := s.Title + "。" + firstSentence(s.Text)
		pages = append(pages, jaPage{s.Path, q})
	}
	if len(pages) < 100 {
		t.Fatalf("%d Japanese pages with an English counterpart, want over 100", len(pages))
	}
	svc := New(ix, Config{}, nil)
	empty, err := ParseGlossary("ja", "en", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		name string
		g    *Glossary
	}{{"latin words only", empty}, {"default glossary", DefaultGlossary()}} {
		var r5, r10 float64
		carried := 0
		for _, p := range pages {
			tq := g.g.Translate(CleanQuery(p.question))
			if len(queryTerms(tq)) == 0 {
				continue
			}
			carried++
			r, err := svc.retrieve(context.Background(), p.question, tq, "en", false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, pg := range r.pages {
				got = append(got, pg.best.Path)
			}
			rs := eval.ScoreRanking([]string{p.path}, got)
			r5 += rs.Recall[1]
			r10 += rs.Recall[2]
		}
		n := float64(len(pages))
		t.Logf("%s: %d Japanese questions, %d with words to search in English; Recall@5 %.3f, Recall@10 %.3f", g.name, len(pages), carried, r5/n, r10/n)
	}
}

// firstSentence is the first sentence of a section's prose.
func firstSentence(text string) string {
	prose, _ := docsindex.SplitCode(text)
	prose = strings.TrimSpace(prose)
	if i := strings.Index(prose, "。"); i >= 0 {
		return prose[:i]
	}
	if i := strings.IndexByte(prose, '\n'); i >= 0 {
		return prose[:i]
	}
	return prose
}
