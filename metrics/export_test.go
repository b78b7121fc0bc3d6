package metrics

import "github.com/kobanhq/koban"

// SeedBig exposes the bigMonth seed (October 2026 in Tokyo) to the
// store benchmarks of package metrics_test.
func SeedBig(n int) ([]koban.Inquiry, []koban.Event) {
	s := bigMonth(n)
	return s.inqs, s.events
}

// Tokyo is the seeds' time zone.
var Tokyo = tokyo
