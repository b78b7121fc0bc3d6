package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// evalCase is one line of the evaluation sets in ../../shared/eval.
type evalCase = eval.Case

// evalSet is an evaluation file and the corpus it is judged against.
type evalSet struct {
	name, file, corpus string
	langs              []string
}

var evalSets = []evalSet{
	{"k8s", "dev.jsonl", "k8s-docs", []string{"en", "ja"}},
	{"moj", "moj-cloud-platform-dev.jsonl", "moj-cloud-platform-docs", []string{"en"}},
	{"bcgov", "bcgov-private-cloud-dev.jsonl", "bcgov-private-cloud-docs", []string{"en"}},
}

// evalIndexDir is where the evaluation tests keep their indexes between
// runs: KOBAN_EVAL_INDEX, or a folder in the temporary directory.
func evalIndexDir() string {
	if dir := os.Getenv("KOBAN_EVAL_INDEX"); dir != "" {
		return dir
	}
	return filepath.Join(os.TempDir(), "koban-eval-index")
}

// openEvalIndex opens the index in dir and brings it up to date with set's
// corpus under shared, for the evaluation tests; the caller closes it.
func openEvalIndex(t *testing.T, dir, shared string, set evalSet, opts ...docsindex.Option) (*docsindex.Index, docsindex.Stats) {
	t.Helper()
	ix, err := docsindex.Open(dir, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var srcs []docsindex.Source
	for _, l := range set.langs {
		srcs = append(srcs, docsindex.Source{Path: filepath.Join(shared, "corpora", set.corpus, l), Lang: l})
	}
	st, _, err := ix.Update(context.Background(), srcs)
	if err != nil {
		ix.Close()
		t.Fatal(err)
	}
	return ix, st
}

// unitWeights gives every field of the index weight 1.
func unitWeights() map[string]float64 {
	all := make(map[string]float64, len(docsindex.AllFields))
	for _, k := range docsindex.AllFields {
		all[k] = 1
	}
	return all
}

// TestEvalRetrieval computes page-level Recall@5 and nDCG@10 on the shared
// evaluation sets. It is slow (it indexes the corpora), so it runs only with
// KOBAN_EVAL=1. KOBAN_EVAL_SET limits it to one set; KOBAN_EVAL_JA picks the
// Japanese analyzer (kagome or cjk); KOBAN_EVAL_INDEX keeps the indexes
// between runs (default: a folder under the system temp dir).
func TestEvalRetrieval(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to run the retrieval evaluation over ../../shared")
	}
	shared := filepath.Join("..", "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "eval")); err != nil {
		t.Skipf("evaluation data not found at %s: %v", shared, err)
	}
	ja := os.Getenv("KOBAN_EVAL_JA")
	base := evalIndexDir()
	only := os.Getenv("KOBAN_EVAL_SET")
	for _, set := range evalSets {
		if only != "" && only != set.name {
			continue
		}
		t.Run(set.name, func(t *testing.T) {
			var opts []docsindex.Option
			if ja != "" {
				opts = append(opts, docsindex.WithJapaneseAnalyzer(ja))
			}
			ix, st := openEvalIndex(t, filepath.Join(base, set.name+ja), shared, set, opts...)
			defer ix.Close()
			t.Logf("index: %d pages, %d sections, %d re-indexed in %v", st.Documents, st.Sections, st.Added+st.Changed, st.Took.Round(time.Millisecond))
			cases := readCases(t, filepath.Join(shared, "eval", set.file))
			svc := New(ix, Config{}, nil)
			m := map[string]*metrics{"all": {}}
			conf := map[koban.Category][3]float64{} // category → n, sum confidence, known
			var tops []float64
			for _, c := range cases {
				ans, err := svc.Answer(context.Background(), koban.Question{Text: c.Question, Lang: c.Lang})
				if err != nil {
					t.Errorf("%s: %v", c.ID, err)
					continue
				}
				if len(ans.Pages) > 0 {
					tops = append(tops, ans.Pages[0].Score)
				}
				cc := conf[c.Category]
				cc[0]++
				cc[1] += ans.Confidence
				if ans.Known {
					cc[2]++
				}
				conf[c.Category] = cc
				if len(c.RelevantDocs) == 0 {
					continue
				}
				var got []string
				for _, p := range ans.Pages {
					got = append(got, p.Path)
				}
				rs := eval.ScoreRanking(c.RelevantDocs, got)
				r5, nd := rs.Recall[1], rs.NDCG
				for _, k := range []string{"all", c.Lang} {
					if m[k] == nil {
						m[k] = &metrics{}
					}
					m[k].add(r5, nd)
				}
				if testing.Verbose() && r5 < 1 {
					t.Logf("%-28s R@5=%.2f nDCG=%.2f conf=%.2f want %v ranks %v\n\tgot %v", c.ID, r5, nd, ans.Confidence, c.RelevantDocs, ranksOf(svc, c), head(got, 5))
				}
			}
			sort.Float64s(tops)
			if len(tops) > 0 {
				t.Logf("%s top page score: p10 %.1f, median %.1f, p90 %.1f", set.name, tops[len(tops)/10], tops[len(tops)/2], tops[len(tops)*9/10])
			}
			for cat, cc := range conf {
				t.Logf("%s %s: n=%.0f mean confidence %.2f, known %.0f%%", set.name, cat, cc[0], cc[1]/cc[0], 100*cc[2]/cc[0])
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				t.Logf("%s %s: n=%d Recall@5=%.3f nDCG@10=%.3f", set.name, k, m[k].n, m[k].recall/float64(m[k].n), m[k].ndcg/float64(m[k].n))
			}
		})
	}
}

// ranksOf gives the rank of each relevant page among all retrieved
// candidates (-1 when not retrieved), to tell ranking from recall problems.
func ranksOf(svc *Service, c evalCase) []int {
	wide := New(svc.s, Config{Candidates: 400, MaxPages: 400}, nil)
	ans, err := wide.Answer(context.Background(), koban.Question{Text: c.Question, Lang: c.Lang})
	if err != nil {
		return nil
	}
	var ranks []int
	for _, r := range c.RelevantDocs {
		rank := -1
		for i, p := range ans.Pages {
			if p.Path == r {
				rank = i + 1
				break
			}
		}
		ranks = append(ranks, rank)
	}
	return ranks
}

type metrics struct {
	n            int
	recall, ndcg float64
}

func (m *metrics) add(r, n float64) { m.n++; m.recall += r; m.ndcg += n }

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func readCases(t *testing.T, path string) []evalCase {
	t.Helper()
	cases, err := eval.LoadCases(path)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}
