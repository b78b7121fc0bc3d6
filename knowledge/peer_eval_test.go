package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// TestEvalPeerEngine compares koban's page ranking with what an off-the-
// shelf search engine gives on the same docs: bleve with BM25 scoring and
// its English (or CJK) analyzer, fed each page whole (title and text) or
// each section (collapsed to its page, first occurrence wins), and the
// question as typed. The issue asks for koban at 1.10 times the better of
// the two on Recall@5 and nDCG@10; this prints both engines and the ratio
// on each development set. KOBAN_EVAL=1 runs it.
func TestEvalPeerEngine(t *testing.T) {
	if os.Getenv("KOBAN_EVAL") == "" {
		t.Skip("set KOBAN_EVAL=1 to compare with a plain BM25 engine on ../../shared")
	}
	shared := filepath.Join("..", "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "eval")); err != nil {
		t.Skipf("evaluation data not found at %s: %v", shared, err)
	}
	for _, set := range evalSets {
		t.Run(set.name, func(t *testing.T) {
			ix, _ := openEvalIndex(t, filepath.Join(evalIndexDir(), set.name), shared, set)
			defer ix.Close()
			sections, err := ix.Sections()
			if err != nil {
				t.Fatal(err)
			}
			pages := newPeer(t, "pages", sections, true)
			secs := newPeer(t, "sections", sections, false)
			svc := New(ix, Config{}, nil)
			var ours, byPage, bySection metrics
			for _, c := range readCases(t, filepath.Join(shared, "eval", set.file)) {
				if len(c.RelevantDocs) == 0 {
					continue
				}
				ans, err := svc.Answer(context.Background(), koban.Question{Text: c.Question, Lang: c.Lang})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, p := range ans.Pages {
					got = append(got, p.Path)
				}
				for _, r := range []struct {
					m   *metrics
					got []string
				}{{&ours, got}, {&byPage, pages.search(t, c.Question, c.Lang)}, {&bySection, secs.search(t, c.Question, c.Lang)}} {
					s := eval.ScoreRanking(c.RelevantDocs, r.got)
					r.m.add(s.Recall[1], s.NDCG)
				}
			}
			if ours.n == 0 {
				t.Fatal("no case with relevant pages")
			}
			best := func(f func(m metrics) float64) float64 { return max(f(byPage), f(bySection)) }
			r5 := func(m metrics) float64 { return m.recall / float64(m.n) }
			nd := func(m metrics) float64 { return m.ndcg / float64(m.n) }
			t.Logf("%s, %d cases, Recall@5 / nDCG@10: koban %.3f / %.3f; BM25 pages %.3f / %.3f; BM25 sections %.3f / %.3f; koban ÷ best peer %s / %s",
				set.name, ours.n, r5(ours), nd(ours), r5(byPage), nd(byPage), r5(bySection), nd(bySection),
				ratio(r5(ours), best(r5)), ratio(nd(ours), best(nd)))
			if byPage.n != ours.n || bySection.n != ours.n {
				t.Errorf("cases scored: koban %d, pages %d, sections %d", ours.n, byPage.n, bySection.n)
			}
		})
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "∞"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// peer is a plain bleve index per language of the docs' pages or
// sections, scored by BM25.
type peer struct {
	byLang map[string]bleve.Index
	pageOf map[string]string // document ID → page path
}

func newPeer(t *testing.T, name string, sections []docsindex.Section, whole bool) *peer {
	t.Helper()
	p := &peer{byLang: map[string]bleve.Index{}, pageOf: map[string]string{}}
	docs := map[string]map[string]string{} // lang → ID → text
	var order []string
	for _, s := range sections {
		id := s.ID
		if whole {
			id = s.Path
		}
		if docs[s.Lang] == nil {
			docs[s.Lang] = map[string]string{}
		}
		key := s.Lang + "\x00" + id
		if _, ok := docs[s.Lang][id]; !ok {
			order = append(order, key)
			docs[s.Lang][id] = s.Title + "\n"
		}
		docs[s.Lang][id] += s.Heading + "\n" + s.Text + "\n"
		p.pageOf[id] = s.Path
	}
	sort.Strings(order)
	for lang, byID := range docs {
		m := bleve.NewIndexMapping()
		m.ScoringModel = bleveindex.BM25Scoring
		m.DefaultAnalyzer = en.AnalyzerName
		if lang == "ja" {
			m.DefaultAnalyzer = cjk.AnalyzerName
		}
		ix, err := bleve.NewUsing(filepath.Join(t.TempDir(), name+"-"+lang), m, scorch.Name, scorch.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		b := ix.NewBatch()
		for _, key := range order {
			l, id, _ := strings.Cut(key, "\x00")
			if l != lang {
				continue
			}
			if err := b.Index(id, map[string]string{"text": byID[id]}); err != nil {
				t.Fatal(err)
			}
		}
		if err := ix.Batch(b); err != nil {
			t.Fatal(err)
		}
		p.byLang[lang] = ix
	}
	return p
}

// search gives the ten best pages for the question as typed.
func (p *peer) search(t *testing.T, question, lang string) []string {
	t.Helper()
	ix := p.byLang[lang]
	if ix == nil {
		return nil
	}
	q := bleve.NewMatchQuery(question)
	q.SetField("text")
	req := bleve.NewSearchRequestOptions(q, 200, 0, false)
	res, err := ix.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	seen := map[string]bool{}
	for _, h := range res.Hits {
		page := p.pageOf[h.ID]
		if seen[page] {
			continue
		}
		seen[page] = true
		got = append(got, page)
		if len(got) == 10 {
			break
		}
	}
	return got
}
