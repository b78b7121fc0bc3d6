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

// SeedOctober exposes the october seed, inquiries in ID order.
func SeedOctober() ([]koban.Inquiry, []koban.Event) {
	s := october()
	return s.inqs, s.events
}

// ReportNow is when the October report is made.
var ReportNow = reportNow

// QuadrantOf is the seeds' quadrant lookup.
var QuadrantOf = quadrantOf
