package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

// TestNearestSameEveryRun checks that the similarity of an example does not
// depend on the order Go walks a map in: two examples of the same text are
// exactly as similar to a question, whatever the order, so they rank by
// their number alone.
func TestNearestSameEveryRun(t *testing.T) {
	const dup = "Our nightly batch job in the reports namespace is evicted for memory pressure; the node pool autoscaler never adds nodes, and the pods stay pending with insufficient cpu."
	for run := 0; run < 20; run++ {
		x := newSimilarIndex()
		x.add("How do I rotate the credentials of the reports database?")
		a, b := x.add(dup), x.add(dup)
		x.add("The ingress for the billing service returns 502 since the upgrade.")
		x.refresh()
		near := x.nearest("batch job pods pending, evicted for memory, autoscaler adds no nodes to the pool", 4, 0)
		if len(near) < 2 || near[0].id != a || near[1].id != b {
			t.Fatalf("run %d: nearest = %+v, want examples %d and %d first", run, near, a, b)
		}
		if near[0].sim != near[1].sim {
			t.Fatalf("run %d: the same text is %v and %v similar", run, near[0].sim, near[1].sim)
		}
		if n0, n1 := x.norms[a], x.norms[b]; n0 != n1 {
			t.Fatalf("run %d: the same text has norms %v and %v", run, n0, n1)
		}
	}
}

// TestNeighbourVotesGrowWithEvidence checks that the votes of similar
// inquiries are small for one loose match and grow with the number and
// similarity of the matches, keep the category of the matches, and never
// exceed their evidence mass.
func TestNeighbourVotesGrowWithEvidence(t *testing.T) {
	po := learnedLabel{label: koban.Label{Category: koban.PlatformOnly}}
	tests := []struct {
		name string
		sims []float64
	}{
		{"one loose match", []float64{0.3}},
		{"one close match", []float64{0.6}},
		{"two close matches", []float64{0.6, 0.5}},
		{"four close matches", []float64{0.6, 0.5, 0.5, 0.4}},
	}
	var prev float64
	for _, tt := range tests {
		near := make([]neighbour, len(tt.sims))
		labels := make([]learnedLabel, len(tt.sims))
		mass := 1.0
		for i, s := range tt.sims {
			near[i], labels[i] = neighbour{id: i, sim: s}, po
			mass *= 1 - s
		}
		mass = 1 - mass
		var v vector
		neighbourVotes(&v, near, labels)
		if v[fNearSS] != 0 || v[fNearDM] != 0 {
			t.Errorf("%s: votes %v for categories no match has", tt.name, v[fNearSS:fNearDM+1])
		}
		if got := v[fNearPO]; got <= prev || got >= mass {
			t.Errorf("%s: platform-only vote %v, want above %v (less evidence) and below the evidence mass %v", tt.name, got, prev, mass)
		}
		prev = v[fNearPO]
	}
	if prev < 0.7 {
		t.Errorf("four close matches vote %v, want most of their weight", prev)
	}
	var v vector
	neighbourVotes(&v, nil, nil)
	if v[fNearSS]+v[fNearDM]+v[fNearPO] != 0 {
		t.Errorf("no neighbours: votes %v, want none", v[fNearSS:fNearPO+1])
	}
}
