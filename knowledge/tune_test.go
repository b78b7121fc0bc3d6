package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// tuneCase is an evaluation case with its retrieved candidates cached.
type tuneCase struct {
	evalCase
	set  string
	sig  signals
	hits []docsindex.Hit
}

// TestTuneRanking searches once per evaluation case with every field, then
// tries ranking parameters on the cached evidence and prints the figures of
// each, so that weights are chosen on data. KOBAN_TUNE=1 runs it (after
// TestEvalRetrieval has built the indexes).
// combine recomputes each hit's Score and PageScore from its Fields with
// r.weights, and sorts the hits best first.
func (r ranking) combine(hits []docsindex.Hit) {
	for i := range hits {
		h := &hits[i]
		h.Score, h.PageScore = 0, 0
		// Sum in a fixed order, so that equal evidence gives equal scores
		// to the last bit.
		keys := make([]string, 0, len(h.Fields))
		for k := range h.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := h.Fields[k]
			if strings.HasPrefix(k, "page.") {
				h.PageScore += r.weights[k] * v
			} else {
				h.Score += r.weights[k] * v
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		return hits[i].Score+hits[i].PageScore > hits[j].Score+hits[j].PageScore
	})
}

func TestTuneRanking(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to tune ranking parameters on ../../shared/eval")
	}
	shared := filepath.Join("..", "..", "shared")
	base := evalIndexDir()
	all := unitWeights()
	// The candidates are the best of each kind with every field at weight
	// 1: a deep pool (KOBAN_TUNE_SIZE, default 1000) keeps the cut from
	// deciding which weights look best.
	size := 1000
	if v := os.Getenv("KOBAN_TUNE_SIZE"); v != "" {
		fmt.Sscan(v, &size)
	}
	cases := loadTuneCases(t, base, shared, size, all)
	eval := func(r ranking) map[string][2]float64 {
		sum := map[string][3]float64{}
		for _, c := range cases {
			hits := append([]docsindex.Hit(nil), c.hits...)
			r.combine(hits)
			pages := r.rankPages(hits, c.sig)
			var got []string
			for _, p := range pages {
				got = append(got, p.best.Path)
			}
			s := sum[c.set]
			s[0]++
			rs := eval.ScoreRanking(c.RelevantDocs, got)
			s[1] += rs.Recall[1]
			s[2] += rs.NDCG
			sum[c.set] = s
		}
		out := map[string][2]float64{}
		for k, s := range sum {
			out[k] = [2]float64{s[1] / s[0], s[2] / s[0]}
		}
		return out
	}
	format := func(m map[string][2]float64) string {
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s R@5=%.3f nDCG=%.3f  ", k, m[k][0], m[k][1])
		}
		return b.String()
	}
	objective := func(m map[string][2]float64) float64 {
		// k8s decides, the small sets guard against overfitting it.
		return 2*(m["k8s"][0]+m["k8s"][1]) + 0.5*(m["moj"][0]+m["moj"][1]+m["bcgov"][0]+m["bcgov"][1])
	}
	cur := defaultRanking
	cur.weights = copyWeights(all)
	for k := range cur.weights {
		cur.weights[k] = defaultRanking.weights[k]
	}
	best := objective(eval(cur))
	t.Logf("default: %s", format(eval(cur)))
	// KOBAN_TUNE_ZERO=field,field shows the default without those fields.
	if z := os.Getenv("KOBAN_TUNE_ZERO"); z != "" {
		for _, f := range strings.Split(z, ",") {
			try := cur
			try.weights = copyWeights(cur.weights)
			try.weights[f] = 0
			t.Logf("without %s: %s", f, format(eval(try)))
		}
		return
	}
	grid := []float64{0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12}
	for round := 0; round < 3; round++ {
		keys := make([]string, 0, len(cur.weights))
		for k := range cur.weights {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range grid {
				try := cur
				try.weights = copyWeights(cur.weights)
				try.weights[k] = v
				if o := objective(eval(try)); o > best+1e-9 {
					best, cur = o, try
				}
			}
		}
		if os.Getenv("KOBAN_TUNE_WEIGHTS_ONLY") != "" {
			t.Logf("round %d: %s weights=%v", round, format(eval(cur)), cur.weights)
			continue
		}
		for _, v := range []float64{0, 0.1, 0.2, 0.3, 0.5} {
			try := cur
			try.extraSection = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, v := range []float64{0, 0.25, 0.5, 1, 1.5, 2} {
			try := cur
			try.titleCover = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, v := range []float64{0, 0.25, 0.5, 1, 1.5, 2} {
			try := cur
			try.pathCover = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, v := range []float64{0, 0.25, 0.5, 0.75, 1, 1.5} {
			try := cur
			try.linkPrior = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, v := range []float64{1, 1.5, 2, 3} {
			try := cur
			try.nameScale = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, v := range []float64{0, 0.05, 0.1, 0.15, 0.2, 0.3} {
			try := cur
			try.lengthPrior = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		for _, q := range []koban.Quadrant{koban.Reference, koban.Explanation, koban.HowTo, koban.Tutorial} {
			for _, v := range []float64{0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2} {
				try := cur
				try.quadrantPrior = map[koban.Quadrant]float64{}
				for k, x := range cur.quadrantPrior {
					try.quadrantPrior[k] = x
				}
				try.quadrantPrior[q] = v
				if o := objective(eval(try)); o > best+1e-9 {
					best, cur = o, try
				}
			}
		}
		for _, v := range []float64{1, 1.1, 1.2, 1.3, 1.5} {
			try := cur
			try.intentBoost = v
			if o := objective(eval(try)); o > best+1e-9 {
				best, cur = o, try
			}
		}
		t.Logf("round %d: %s weights=%v extra=%.2f intent=%.2f title=%.2f path=%.2f name=%.2f len=%.2f links=%.2f quad=%v", round, format(eval(cur)), cur.weights, cur.extraSection, cur.intentBoost, cur.titleCover, cur.pathCover, cur.nameScale, cur.lengthPrior, cur.linkPrior, cur.quadrantPrior)
	}
}

func copyWeights(w map[string]float64) map[string]float64 {
	c := make(map[string]float64, len(w))
	for k, v := range w {
		c[k] = v
	}
	return c
}

// loadTuneCases searches once per evaluation case (with relevant pages) of
// every set, on the index under base that it brings up to date, with the
// given field weights and pool size, and keeps the hits for the tuners.
func loadTuneCases(t *testing.T, base, shared string, size int, weights map[string]float64) []*tuneCase {
	t.Helper()
	var cases []*tuneCase
	for _, set := range evalSets {
		ix, err := docsindex.Open(filepath.Join(base, set.name), nil)
		if err != nil {
			t.Fatal(err)
		}
		var srcs []docsindex.Source
		for _, l := range set.langs {
			srcs = append(srcs, docsindex.Source{Path: filepath.Join(shared, "corpora", set.corpus, l), Lang: l})
		}
		if _, _, err := ix.Update(context.Background(), srcs); err != nil {
			t.Fatal(err)
		}
		for _, c := range readCases(t, filepath.Join(shared, "eval", set.file)) {
			if len(c.RelevantDocs) == 0 {
				continue
			}
			q := CleanQuery(c.Question)
			hits, err := ix.Search(context.Background(), docsindex.Query{Text: q, Lang: c.Lang, Size: size, Weights: weights})
			if err != nil {
				t.Fatal(err)
			}
			sig := signalsOf(c.Question, q)
			sig.idf = nameIDF(ix, c.Lang, hits)
			cases = append(cases, &tuneCase{evalCase: c, set: set.name, sig: sig, hits: hits})
		}
		ix.Close()
	}
	return cases
}
