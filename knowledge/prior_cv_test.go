package knowledge

import (
	"maps"
	"os"
	"testing"

	"github.com/kobanhq/koban"
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
	cases, start := cvCases(t)
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
	// heldOut chooses a value on the cases held does not select and
	// scores it on the others, for each of the splits.
	heldOut := func(name string, splits []func(int, *tuneCase) bool) {
		m := map[string]*[3]float64{}
		for i, held := range splits {
			train, test := split(cases, held)
			v := choose(train)
			t.Logf("%s, split %d: chose %.1f", name, i, v)
			for _, c := range test {
				addScores(m, c, with(v))
			}
		}
		for s, x := range m {
			t.Logf("%s %s R@5 %.3f nDCG %.3f", name, s, x[1]/x[0], x[2]/x[0])
		}
	}
	var folds, sets []func(int, *tuneCase) bool
	for f := range 5 {
		folds = append(folds, func(i int, _ *tuneCase) bool { return i%5 == f })
	}
	for _, set := range []string{"k8s", "bcgov", "moj"} {
		sets = append(sets, func(_ int, c *tuneCase) bool { return c.set == set })
	}
	heldOut("pooled 5-fold CV", folds)
	heldOut("leave-one-set-out", sets)
}
