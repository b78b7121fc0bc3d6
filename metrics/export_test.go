package metrics

import "github.com/kobanhq/koban"

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
