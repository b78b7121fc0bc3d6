package oncall

import (
	"context"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// An urgent inquiry asked on a Friday evening runs its reply-time clock
// through the night; an ordinary one waits for Monday's business hours.
func TestUrgentClockSkipsBusinessHours(t *testing.T) {
	ctx := context.Background()
	rc := weekly("platform")
	rc.ReplyTarget = "4h"
	rc.BusinessHours = &BusinessHoursConfig{Start: "09:00", End: "18:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	s, st, rec := mustService(t, rc)
	asked := local(t, berlin, "2026-11-13 19:00") // Friday, after hours
	ordinary := koban.Inquiry{ID: 1, State: koban.StateEscalated, Rotation: "platform", CreatedAt: asked}
	urgent := koban.Inquiry{ID: 2, State: koban.StateEscalated, Rotation: "platform", CreatedAt: asked, Urgent: true}
	st.setInquiries(ordinary, urgent)
	if err := s.Tick(ctx, asked.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(rec.reminders) != 1 {
		t.Fatalf("reminders after 4h on a Friday night = %+v, want one for the urgent inquiry", rec.reminders)
	}
	r := rec.reminders[0]
	if r.Inquiry.ID != 2 || !r.Breach() || !r.Due.Equal(asked.Add(4*time.Hour)) {
		t.Errorf("reminder = %+v, want a breach of inquiry 2 due at %s", r, asked.Add(4*time.Hour))
	}
	h, err := s.BuildHandoff(ctx, "platform", asked.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Open) != 2 {
		t.Fatalf("handoff lists %d open inquiries, want 2", len(h.Open))
	}
	for _, o := range h.Open {
		switch o.Inquiry.ID {
		case 1:
			if want := local(t, berlin, "2026-11-16 13:00"); !o.Due.Equal(want) || o.Left != 4*time.Hour {
				t.Errorf("ordinary inquiry due %s with %s left, want %s with 4h", o.Due, o.Left, want)
			}
		case 2:
			if !o.Due.Equal(asked.Add(4*time.Hour)) || o.Left != 2*time.Hour {
				t.Errorf("urgent inquiry due %s with %s left, want %s with 2h", o.Due, o.Left, asked.Add(4*time.Hour))
			}
		}
	}
}
