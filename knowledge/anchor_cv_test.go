package knowledge

import (
	"fmt"
	"os"
	"testing"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// TestTuneAnchorCV cross-validates the weight of a page's anchor text
// (docsindex.FieldPageAnchor, the texts of the links to it from the other
// pages of its docs), every other parameter as it is, as
// TestTuneQuadrantPriorCV does for the explanation prior; weight 0 is the
// ranking without it. KOBAN_TUNE=1 runs it.
func TestTuneAnchorCV(t *testing.T) {
	if os.Getenv("KOBAN_TUNE") == "" {
		t.Skip("set KOBAN_TUNE=1 to cross-validate the anchor text weight on ../../shared/eval")
	}
	cases, start := cvCases(t)
	var grid []ranking
	var labels []string
	for _, w := range []float64{0, 0.25, 0.5, 1, 2, 3, 4, 6, 8} {
		r := start
		r.weights = copyWeights(start.weights)
		r.weights[docsindex.FieldPageAnchor] = w
		grid = append(grid, r)
		labels = append(labels, fmt.Sprintf("page.anchor %g", w))
	}
	crossValidate(t, cases, grid, labels)
}
