package main

import (
	"testing"
	"time"

	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// TestRouterCarriesReplyTarget checks an escalation routed to a rotation
// carries its reply target and when it runs out, in business hours when the
// rotation has them, so that the asker is told when to expect a reply.
func TestRouterCarriesReplyTarget(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rots, err := oncall.Config{Rotations: []oncall.RotationConfig{{
		Name: "platform", Members: []string{"U0ALICE", "U0BOB"}, Shift: "1w", Handoff: "monday 09:00",
		TimeZone: "Asia/Tokyo", Start: "2026-11-02", Channel: "C0PLATFORM", ReplyTarget: "4h",
		BusinessHours: &oncall.BusinessHoursConfig{Start: "09:00", End: "18:00"},
	}}}.Parse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := oncallRouter{svc: oncall.NewService(rots, oncall.Deps{Store: st, Notifier: noNotifier{}}), rots: rots}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	tests := []struct {
		name   string
		now    time.Time
		wantBy time.Time
	}{
		{"within hours", time.Date(2026, 12, 7, 10, 0, 0, 0, tokyo), time.Date(2026, 12, 7, 14, 0, 0, 0, tokyo)},
		{"late on a Friday: Monday morning", time.Date(2026, 12, 4, 17, 0, 0, 0, tokyo), time.Date(2026, 12, 7, 12, 0, 0, 0, tokyo)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			esc, err := r.Route(ctx, "", tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if esc.ReplyTarget != 4*time.Hour || !esc.BusinessHours || !esc.ReplyBy.Equal(tt.wantBy) || esc.OnCall == "" {
				t.Errorf("escalation = %+v, want a 4h target in business hours due %v", esc, tt.wantBy)
			}
		})
	}
}
