//go:build eval

package triage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/knowledge"
)

// retrievalSets pairs each evaluation set with the corpus it is judged on.
var retrievalSets = []struct {
	file, corpus string
	langs        []string
}{
	{"dev.jsonl", "k8s-docs", []string{"en", "ja"}},
	{"moj-cloud-platform-dev.jsonl", "moj-cloud-platform-docs", []string{"en"}},
	{"bcgov-private-cloud-dev.jsonl", "bcgov-private-cloud-docs", []string{"en"}},
}

// TestEvalWithRetrieval reports triage figures with real retrieval: each
// corpus is indexed with docsindex and every case answered by knowledge
// first. It builds only with the eval tag, so that triage's own tests never
// depend on those packages:
//
//	KOBAN_EVAL=1 go test -tags eval ./triage/ -run TestEvalWithRetrieval -v
//
// KOBAN_EVAL_INDEX keeps the indexes between runs (default: a folder under
// the system temp dir). KOBAN_EVAL_ANSWERS names a folder to save the
// answers in, one file per set, for TestEvalCachedAnswers to replay.
func TestEvalWithRetrieval(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to run the triage evaluation with retrieval")
	}
	dir := evalDir
	if d := os.Getenv("KOBAN_EVAL_DIR"); d != "" {
		dir = d
	}
	base := os.Getenv("KOBAN_EVAL_INDEX")
	if base == "" {
		base = filepath.Join(os.TempDir(), "koban-triage-eval-index")
	}
	save := os.Getenv("KOBAN_EVAL_ANSWERS")
	verbose := os.Getenv("KOBAN_EVAL_VERBOSE") != ""
	for _, set := range retrievalSets {
		t.Run(set.file, func(t *testing.T) {
			ix, err := docsindex.Open(filepath.Join(base, set.corpus), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			var srcs []docsindex.Source
			for _, l := range set.langs {
				srcs = append(srcs, docsindex.Source{Path: filepath.Join(dir, "..", "corpora", set.corpus, l), Lang: l})
			}
			st, _, err := ix.Update(context.Background(), srcs)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("index: %d pages, %d sections in %v", st.Documents, st.Sections, st.Took.Round(time.Millisecond))
			svc := knowledge.New(ix, knowledge.Config{}, nil)
			answers := make(map[string]koban.Answer)
			answer := func(t *testing.T, c evalCase) koban.Answer {
				if a, ok := answers[c.ID]; ok {
					return a
				}
				a, err := svc.Answer(context.Background(), koban.Question{Text: c.Question, Lang: c.Lang})
				if err != nil {
					t.Logf("%s: answer: %v", c.ID, err)
				}
				answers[c.ID] = a
				return a
			}
			cases := loadEvalCases(t, filepath.Join(dir, set.file))
			reportWithAnswers(t, set.file, cases, answer, verbose)
			if save != "" {
				saveAnswers(t, filepath.Join(save, set.file), cases, answers)
			}
		})
	}
}
