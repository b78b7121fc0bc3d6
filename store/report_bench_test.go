package store

import (
	"testing"
)

// BenchmarkMonthlyVolumes counts a year of 100,000 inquiries by month in
// Asia/Tokyo, as the report's history does.
func BenchmarkMonthlyVolumes(b *testing.B) {
	forEachDBBench(b, func(b *testing.B, opts Options) {
		s, from, tokyo := seedYear(b, opts)
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
			if sum != yearTotal || len(got) != 13 {
				b.Fatalf("counted %d inquiries in %d months, want %d", sum, len(got), yearTotal)
			}
		}
	})
}
