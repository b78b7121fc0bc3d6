package knowledge

import (
	"fmt"
	"maps"
	"os"
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
	cases, start := cvCases(t)
	var grid []ranking
	var labels []string
	for _, v := range []float64{1, 0.9, 0.8, 0.7, 0.6, 0.5} {
		r := start
		r.quadrantPrior = maps.Clone(start.quadrantPrior)
		r.quadrantPrior[koban.Explanation] = v
		grid = append(grid, r)
		labels = append(labels, fmt.Sprintf("explanation %.1f", v))
	}
	crossValidate(t, cases, grid, labels)
}

// TestTuneNameCV cross-validates the evidence of a page's name, every other
// parameter as it is: titleCover, pathCover and nameScale together, as
// TestTuneQuadrantPriorCV does for the explanation prior. KOBAN_TUNE=1
// runs it.
func TestTuneNameCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate the name parameters on ../../shared/eval")
	}
	cases, start := cvCases(t)
	var grid []ranking
	var labels []string
	for _, scale := range []float64{1, 1.5, 2, 3} {
		for _, title := range []float64{0.5, 1} {
			for _, path := range []float64{0.5, 1, 2} {
				r := start
				r.nameScale, r.titleCover, r.pathCover = scale, title, path
				grid = append(grid, r)
				labels = append(labels, fmt.Sprintf("scale %.1f title %.1f path %.1f", scale, title, path))
			}
		}
	}
	crossValidate(t, cases, grid, labels)
}

// crossValidate prints the figures of each ranking of grid on all cases,
// then those of the ranking chosen (by Recall@5 + nDCG@10 summed over
// cases) on four folds of the pooled cases and scored on the fifth, and on
// two sets and scored on the third.
func crossValidate(t *testing.T, cases []*tuneCase, grid []ranking, labels []string) {
	t.Helper()
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
	choose := func(cs []*tuneCase) int {
		best, bi := -1.0, 0
		for i, r := range grid {
			if o := obj(cs, r); o > best+1e-9 {
				best, bi = o, i
			}
		}
		return bi
	}
	for i, r := range grid {
		m := map[string]*[3]float64{}
		for _, c := range cases {
			addScores(m, c, r)
		}
		for _, s := range []string{"k8s", "bcgov", "moj"} {
			if x := m[s]; x != nil {
				t.Logf("%s %s R@5 %.3f nDCG %.3f", labels[i], s, x[1]/x[0], x[2]/x[0])
			}
		}
	}
	// heldOut chooses a ranking on the cases held does not select and
	// scores it on the others, for each of the splits.
	heldOut := func(name string, splits []func(int, *tuneCase) bool) {
		m := map[string]*[3]float64{}
		for i, held := range splits {
			train, test := split(cases, held)
			c := choose(train)
			t.Logf("%s, split %d: chose %s", name, i, labels[c])
			for _, tc := range test {
				addScores(m, tc, grid[c])
			}
		}
		for _, s := range []string{"k8s", "bcgov", "moj"} {
			if x := m[s]; x != nil {
				t.Logf("%s %s R@5 %.3f nDCG %.3f", name, s, x[1]/x[0], x[2]/x[0])
			}
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

// TestTuneIdentCV cross-validates the weights of the identifier fields
// (docsindex.FieldIdent, FieldPageIdent), every other parameter as it is,
// as TestTuneQuadrantPriorCV does for the explanation prior; weight 0 for
// both is the ranking without them. KOBAN_TUNE=1 runs it.
func TestTuneIdentCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate the identifier weights on ../../shared/eval")
	}
	cases, start := cvCases(t)
	var grid []ranking
	var labels []string
	for _, sec := range []float64{0, 1, 2, 4} {
		for _, pg := range []float64{0, 1, 2, 4, 8} {
			r := start
			r.weights = copyWeights(start.weights)
			r.weights[docsindex.FieldIdent], r.weights[docsindex.FieldPageIdent] = sec, pg
			grid = append(grid, r)
			labels = append(labels, fmt.Sprintf("ident %g page.ident %g", sec, pg))
		}
	}
	crossValidate(t, cases, grid, labels)
}
