package knowledge

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// TestTuneQuadrantPriorCV cross-validates one parameter, the prior of
// explanation pages, every other as it is: it prints the figures of each
// value of the grid, then those of the value chosen (by Recall@5 + nDCG@10
// summed over cases) on four folds of the pooled cases and scored on the
// fifth, and on two sets and scored on the third. KOBAN_TUNE=1 runs it.
func TestTuneQuadrantPriorCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate the explanation prior on ../../shared/eval")
	}
	shared, err := filepath.Abs(filepath.Join("..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	base := os.Getenv("KOBAN_EVAL_INDEX")
	if base == "" {
		base = filepath.Join(os.TempDir(), "koban-eval-index")
	}
	all := map[string]float64{}
	for _, k := range docsindex.AllFields {
		all[k] = 1
	}
	cases := loadTuneCases(t, base, shared, 300, all)
	start := defaultRanking
	start.weights = copyWeights(all)
	for k := range start.weights {
		start.weights[k] = defaultRanking.weights[k]
	}
	grid := []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5}
	with := func(v float64) ranking {
		r := start
		r.quadrantPrior = maps.Clone(start.quadrantPrior)
		r.quadrantPrior[koban.Explanation] = v
		return r
	}
	obj := func(cs []*tuneCase, r ranking) float64 {
		m := map[string]*[3]float64{}
		for _, c := range cs {
			addScores(m, c, r)
		}
		o := 0.0
		for _, s := range m {
			o += s[1] + s[2]
		}
		return o
	}
	choose := func(cs []*tuneCase) float64 {
		best, bv := -1.0, 1.0
		for _, v := range grid {
			if o := obj(cs, with(v)); o > best+1e-9 {
				best, bv = o, v
			}
		}
		return bv
	}
	for _, v := range grid {
		m := map[string]*[3]float64{}
		for _, c := range cases {
			addScores(m, c, with(v))
		}
		for s, x := range m {
			t.Logf("explanation %.1f %s R@5 %.3f nDCG %.3f", v, s, x[1]/x[0], x[2]/x[0])
		}
	}
	cv := map[string]*[3]float64{}
	for f := 0; f < 5; f++ {
		var train, test []*tuneCase
		for i, c := range cases {
			if i%5 == f {
				test = append(test, c)
			} else {
				train = append(train, c)
			}
		}
		v := choose(train)
		t.Logf("fold %d chose %.1f", f, v)
		for _, c := range test {
			addScores(cv, c, with(v))
		}
	}
	for s, x := range cv {
		t.Logf("pooled 5-fold CV %s R@5 %.3f nDCG %.3f", s, x[1]/x[0], x[2]/x[0])
	}
	loso := map[string]*[3]float64{}
	for _, held := range []string{"k8s", "bcgov", "moj"} {
		var train, test []*tuneCase
		for _, c := range cases {
			if c.set == held {
				test = append(test, c)
			} else {
				train = append(train, c)
			}
		}
		v := choose(train)
		t.Logf("leave out %s: chose %.1f", held, v)
		for _, c := range test {
			addScores(loso, c, with(v))
		}
	}
	for s, x := range loso {
		t.Logf("leave-one-set-out %s R@5 %.3f nDCG %.3f", s, x[1]/x[0], x[2]/x[0])
	}
}
