package triage

import "testing"

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
