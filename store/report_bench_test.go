package store

import (
	"testing"
	"time"
)

// BenchmarkMonthlyVolumes counts a year of 100,000 inquiries by month in
// Asia/Tokyo, as the report's history does: compare BenchmarkMonthlyCounts,
// which also groups by label and domain.
func BenchmarkMonthlyVolumes(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, opts Options) {
		s := mustOpen(b, opts)
		const total = 100_000
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		seedInquiries(b, s, total, from, 365*24*time.Hour)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			got, err := s.MonthlyVolumes(b.Context(), from.In(tokyo), from.AddDate(1, 0, 0), tokyo)
			if err != nil {
				b.Fatal(err)
			}
			sum := 0
			for _, n := range got {
				sum += n
			}
			// The UTC year ends nine hours into January 2026 in Tokyo: 13 months.
			if sum != total || len(got) != 13 {
				b.Fatalf("counted %d inquiries in %d months, want %d", sum, len(got), total)
			}
		}
	})
}
