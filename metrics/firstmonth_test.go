package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// TestVolumeStatsSinceFirstInquiry: the average, least and most are taken
// over the months since koban's first inquiry, not twelve months padded
// with zeros, and say how many months they cover.
func TestVolumeStatsSinceFirstInquiry(t *testing.T) {
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		history     map[string]int // months before the two read in full
		prev, cur   int
		wantMonths  int
		wantAverage float64
		wantMin     int
		wantMax     int
	}{
		{name: "new install, first month", cur: 11, wantMonths: 1, wantAverage: 11, wantMin: 11, wantMax: 11},
		{name: "second month", prev: 4, cur: 8, wantMonths: 2, wantAverage: 6, wantMin: 4, wantMax: 8},
		{name: "a quiet month after the first counts as 0", history: map[string]int{"2026-07": 6}, prev: 0, cur: 3, wantMonths: 4, wantAverage: 9.0 / 4, wantMin: 0, wantMax: 6},
		{name: "first inquiry long ago: twelve months", history: map[string]int{"2023-01": 1, "2026-01": 12}, cur: 24, wantMonths: 12, wantAverage: 3, wantMin: 0, wantMax: 24},
		{name: "no inquiry yet", wantMonths: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counts := map[string]int{"2026-09": tt.prev, "2026-10": tt.cur}
			for m, n := range tt.history {
				counts[m] = n
			}
			src := &memSource{}
			for m, n := range counts {
				at, err := time.Parse("2006-01", m)
				if err != nil {
					t.Fatal(err)
				}
				for range n {
					src.inqs = append(src.inqs, koban.Inquiry{ID: int64(len(src.inqs) + 1), Text: "q", State: koban.StateResolved, CreatedAt: at.AddDate(0, 0, 9)})
				}
			}
			r, err := NewService(src, Options{}, nil, func() time.Time { return month.AddDate(0, 1, 0) }).Report(context.Background(), month)
			if err != nil {
				t.Fatal(err)
			}
			v := r.Volume
			if v.Months != tt.wantMonths || v.Average != tt.wantAverage || v.Min != tt.wantMin || v.Max != tt.wantMax {
				t.Errorf("months %d, average %v, min %d, max %d; want %d, %v, %d, %d", v.Months, v.Average, v.Min, v.Max, tt.wantMonths, tt.wantAverage, tt.wantMin, tt.wantMax)
			}
			if len(v.History) != 12 {
				t.Errorf("history has %d months, want 12 for the chart", len(v.History))
			}
		})
	}
}

// TestReporterSkipsMonthsBeforeFirstInquiry: a new installation posts no
// report of zeros for the month before its first inquiry, and posts the
// first month that has one.
func TestReporterSkipsMonthsBeforeFirstInquiry(t *testing.T) {
	ctx := context.Background()
	ledger := newMemLedger()
	poster := &recordingPoster{}
	// The fixture's first inquiries are in September 2026: August is before.
	sept := time.Date(2026, 9, 1, 9, 30, 0, 0, tokyo)
	if err := newTestReporter(t, "", ledger, poster).RunOnce(ctx, sept); err != nil {
		t.Fatal(err)
	}
	if len(poster.posted) != 0 || len(ledger.reports) != 0 {
		t.Fatalf("posted %d reports and saved %d for August, before the first inquiry; want none", len(poster.posted), len(ledger.reports))
	}
	if err := newTestReporter(t, "", ledger, poster).RunOnce(ctx, sept.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if len(poster.posted) != 1 || poster.posted[0].Month != "2026-09" {
		t.Fatalf("posted %d reports, want September's", len(poster.posted))
	}
}
