package knowledge

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/eval"
)

// TestTuneRankingCV says whether tuning the ranking on labelled questions
// generalises: it splits the cases of all evaluation sets into k folds
// (KOBAN_TUNE_FOLDS, default 5; cases assigned round-robin in file order),
// tunes the parameters on all folds but one with the same coordinate search
// as TestTuneRanking, and scores the fold left out. It prints, per set, the
// figures of the present parameters (fitted on all the cases, so measured on
// their own training data) beside the cross-validated ones: a tuned
// parameter is progress only if the cross-validated figures move.
// KOBAN_TUNE=1 runs it, on the indexes TestEvalRetrieval builds.
func TestTuneRankingCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate ranking parameters on ../../shared/eval")
	}
	folds := 5
	if v := os.Getenv("KOBAN_TUNE_FOLDS"); v != "" {
		fmt.Sscan(v, &folds)
	}
	cases, start := cvCases(t)
	present := map[string]*[3]float64{} // set → cases, R@5, nDCG@10
	cv := map[string]*[3]float64{}
	for f := 0; f < folds; f++ {
		train, test := split(cases, func(i int, _ *tuneCase) bool { return i%folds == f })
		tuned := tuneOn(train, start)
		t.Logf("fold %d chose %s", f, tuned)
		for _, c := range test {
			addScores(present, c, start)
			addScores(cv, c, tuned)
		}
	}
	var sets []string
	for k := range present {
		sets = append(sets, k)
	}
	sort.Strings(sets)
	for _, s := range sets {
		p, c := present[s], cv[s]
		t.Logf("%s (%d cases): present parameters R@5 %.3f nDCG@10 %.3f; %d-fold cross-validated R@5 %.3f nDCG@10 %.3f",
			s, int(p[0]), p[1]/p[0], p[2]/p[0], folds, c[1]/c[0], c[2]/c[0])
	}
}

// cvCases loads the cases of every evaluation set with the candidates of
// all fields, and the present ranking with the default weights.
func cvCases(t *testing.T) ([]*tuneCase, ranking) {
	t.Helper()
	// Absolute, as koban eval names its sources: its indexes serve too.
	shared, err := filepath.Abs(filepath.Join("..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	base := evalIndexDir()
	all := unitWeights()
	cases := loadTuneCases(t, base, shared, 300, all)
	start := defaultRanking
	start.weights = copyWeights(all)
	for k := range start.weights {
		start.weights[k] = defaultRanking.weights[k]
	}
	return cases, start
}

// split parts cases into those held out (held true) and the others.
func split(cases []*tuneCase, held func(i int, c *tuneCase) bool) (train, test []*tuneCase) {
	for i, c := range cases {
		if held(i, c) {
			test = append(test, c)
		} else {
			train = append(train, c)
		}
	}
	return train, test
}

func addScores(m map[string]*[3]float64, c *tuneCase, r ranking) {
	s := m[c.set]
	if s == nil {
		s = &[3]float64{}
		m[c.set] = s
	}
	got := rankedPaths(c, r)
	s[0]++
	s[1] += eval.ScoreRanking(c.RelevantDocs, got).Recall[1]
	s[2] += eval.ScoreRanking(c.RelevantDocs, got).NDCG
}

func rankedPaths(c *tuneCase, r ranking) []string {
	hits := append([]docsindex.Hit(nil), c.hits...)
	r.combine(hits)
	var got []string
	for _, p := range r.rankPages(hits, c.sig) {
		got = append(got, p.best.Path)
	}
	return got
}

// tuneOn searches the ranking parameters that score best on cases,
// coordinate by coordinate from start, as TestTuneRanking does (two rounds).
func tuneOn(cases []*tuneCase, start ranking) ranking {
	objective := func(r ranking) float64 {
		sum := map[string][3]float64{}
		for _, c := range cases {
			got := rankedPaths(c, r)
			s := sum[c.set]
			s[0]++
			s[1] += eval.ScoreRanking(c.RelevantDocs, got).Recall[1]
			s[2] += eval.ScoreRanking(c.RelevantDocs, got).NDCG
			sum[c.set] = s
		}
		o := 0.0
		for set, s := range sum {
			w := 0.5
			if set == "k8s" {
				w = 2
			}
			o += w * (s[1] + s[2]) / s[0]
		}
		return o
	}
	cur, best := start, objective(start)
	try := func(r ranking) {
		if o := objective(r); o > best+1e-9 {
			best, cur = o, r
		}
	}
	grid := []float64{0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12}
	for round := 0; round < 2; round++ {
		keys := make([]string, 0, len(cur.weights))
		for k := range cur.weights {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range grid {
				r := cur
				r.weights = copyWeights(cur.weights)
				r.weights[k] = v
				try(r)
			}
		}
		for _, v := range []float64{0, 0.25, 0.5, 1, 1.5, 2} {
			r := cur
			r.titleCover = v
			try(r)
		}
		for _, v := range []float64{0, 0.25, 0.5, 1, 1.5, 2} {
			r := cur
			r.pathCover = v
			try(r)
		}
		for _, v := range []float64{0, 0.1, 0.2, 0.3} {
			r := cur
			r.lengthPrior = v
			try(r)
		}
		for _, v := range []float64{1, 1.5, 2, 3} {
			r := cur
			r.nameScale = v
			try(r)
		}
		for _, v := range []float64{0.5, 0.7, 0.9, 1} {
			r := cur
			r.quadrantPrior = maps.Clone(cur.quadrantPrior)
			r.quadrantPrior[koban.Reference] = v
			try(r)
		}
		for _, v := range []float64{1, 1.1, 1.2, 1.3, 1.5} {
			r := cur
			r.intentBoost = v
			try(r)
		}
	}
	return cur
}

// String gives the ranking's parameters, for the tuners' logs.
func (r ranking) String() string {
	keys := slices.Sorted(maps.Keys(r.weights))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%g ", k, r.weights[k])
	}
	fmt.Fprintf(&b, "title=%g path=%g name=%g len=%g intent=%g quadrants=%v", r.titleCover, r.pathCover, r.nameScale, r.lengthPrior, r.intentBoost, r.quadrantPrior)
	return b.String()
}
