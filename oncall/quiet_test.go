package oncall

import (
	"context"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// ranWith records that koban has run with these rotations before (as its
// first Tick with each does).
func ranWith(st *memStore, rotations ...string) {
	for _, r := range rotations {
		st.claims["oncall-seen:"+r] = claim{at: time.Now(), done: true}
	}
}

// TestQuietFirstStart: koban's first Tick with a rotation posts no handoff
// for a shift that began before it ran (its "previous person" would be
// invented); a shift change while it runs is handed off; a missed one is
// caught up while recent, not days later; a swap that leaves the same
// person on call hands nothing off.
func TestQuietFirstStart(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		ranOnce bool     // koban ran with the rotation before
		ticks   []string // Berlin times
		swap    bool     // UB swaps the 11-16 shift change with itself (UA's week goes to UB)
		want    []string // handoffs, outgoing>incoming
	}{
		{name: "first start mid-shift", ticks: []string{"2026-11-10 14:00", "2026-11-10 14:01"}},
		{name: "first start at the shift change", ticks: []string{"2026-11-09 09:00"}, want: []string{"UA>UB"}},
		{name: "first start, then a shift change", ticks: []string{"2026-11-12 10:00", "2026-11-16 09:00"}, want: []string{"UB>UC"}},
		{name: "missed change, still recent", ranOnce: true, ticks: []string{"2026-11-16 20:00"}, want: []string{"UB>UC"}},
		{name: "missed change, no longer recent", ranOnce: true, ticks: []string{"2026-11-21 09:00"}},
		{name: "first start long after, then the next change", ticks: []string{"2026-11-21 09:00", "2026-11-23 09:00"}, want: []string{"UC>UA"}},
		{name: "self-swap hands nothing off", ranOnce: true, swap: true, ticks: []string{"2026-11-16 09:00", "2026-11-23 09:00"}, want: []string{"UB>UA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st, rec := mustService(t, weekly("platform"))
			if tt.ranOnce {
				ranWith(st, "platform")
			}
			if tt.swap {
				// UB covers UC's week: UB stays on call across 11-16.
				if _, err := st.AddOverride(ctx, koban.Override{Rotation: "platform", Kind: koban.OverrideCover, Person: "UB",
					From: local(t, berlin, "2026-11-16 09:00"), To: local(t, berlin, "2026-11-23 09:00")}); err != nil {
					t.Fatal(err)
				}
			}
			for _, at := range tt.ticks {
				if err := s.Tick(ctx, local(t, berlin, at)); err != nil {
					t.Fatalf("Tick %s: %v", at, err)
				}
			}
			var got []string
			for _, h := range rec.handoffs {
				got = append(got, h.Outgoing+">"+h.Incoming)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("handoffs = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("handoffs = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestReplyTargets(t *testing.T) {
	c := Config{Rotations: []RotationConfig{
		{Name: "a", ReplyTarget: "4h"}, {Name: "b"}, {Name: "c", ReplyTarget: "1d"}, {Name: "d", ReplyTarget: "soon"},
	}}
	got := c.ReplyTargets()
	want := map[string]time.Duration{"a": 4 * time.Hour, "b": DefaultReplyTarget, "c": 24 * time.Hour, "d": DefaultReplyTarget}
	if len(got) != len(want) {
		t.Fatalf("ReplyTargets = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ReplyTargets[%s] = %v, want %v", k, got[k], v)
		}
	}
}
