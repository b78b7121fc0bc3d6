package metrics

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// TestReplyTargetPerRotation: each escalation is measured against the
// reply target of the rotation it went to, so a report does not call
// "still within the target" what the rotation already announced as late.
func TestReplyTargetPerRotation(t *testing.T) {
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	esc := now.Add(-6 * time.Hour)
	inqs := []koban.Inquiry{
		// Replied after 5h: late for a 4h rotation, in time for 24h.
		{ID: 1, State: koban.StateAcknowledged, Rotation: "fast", CreatedAt: esc, FirstHumanResponseAt: esc.Add(5 * time.Hour)},
		{ID: 2, State: koban.StateAcknowledged, Rotation: "slow", CreatedAt: esc, FirstHumanResponseAt: esc.Add(5 * time.Hour)},
		{ID: 3, State: koban.StateAcknowledged, CreatedAt: esc, FirstHumanResponseAt: esc.Add(5 * time.Hour)},
		// No reply for 6h: breached for 4h, pending for 24h.
		{ID: 4, State: koban.StateEscalated, Rotation: "fast", CreatedAt: esc},
		{ID: 5, State: koban.StateEscalated, Rotation: "slow", CreatedAt: esc},
	}
	tests := []struct {
		name        string
		targets     map[string]time.Duration
		wantWithin  int
		wantPending int
		wantText    string
	}{
		{name: "one target for all", wantWithin: 3, wantPending: 2, wantText: "within 24h of the escalation"},
		{name: "per rotation", targets: map[string]time.Duration{"fast": 4 * time.Hour, "slow": 24 * time.Hour}, wantWithin: 2, wantPending: 1,
			wantText: "within the reply target of its rotation (fast 4h, slow 24h) of the escalation"},
		{name: "a single rotation's target", targets: map[string]time.Duration{"fast": 4 * time.Hour}, wantWithin: 2, wantPending: 1, wantText: "within 4h of the escalation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(month, Data{Inquiries: inqs}, Data{}, nil, now, Options{ReplyTargets: tt.targets})
			rt := r.ReplyTimes
			if rt.Escalations != 5 || rt.WithinTarget != tt.wantWithin || rt.Pending != tt.wantPending {
				t.Errorf("escalations %d, within %d, pending %d; want 5, %d, %d", rt.Escalations, rt.WithinTarget, rt.Pending, tt.wantWithin, tt.wantPending)
			}
			var b bytes.Buffer
			if err := WriteMarkdown(&b, r); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.wantText) {
				t.Errorf("Markdown lacks %q", tt.wantText)
			}
		})
	}
}
