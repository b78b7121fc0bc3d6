package oncall

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestShowSlackTime: /koban oncall gives the end of the shift as a Slack
// date token (each reader's own zone), with the rotation's zone as fallback.
func TestShowSlackTime(t *testing.T) {
	const tokyo = "Asia/Tokyo"
	s, _, _ := mustService(t, RotationConfig{Name: "platform", Members: []string{"UA", "UB"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: tokyo, Start: "2026-11-02"})
	now := local(t, tokyo, "2026-11-04 15:00")
	got, err := s.Do(context.Background(), "UA", &ShowCommand{}, now)
	if err != nil {
		t.Fatal(err)
	}
	end := local(t, tokyo, "2026-11-09 09:00")
	want := fmt.Sprintf("*platform*: <@UA> until <!date^%d^{date_short_pretty} {time}|Mon 2026-11-09 09:00 JST>", end.Unix())
	if !strings.Contains(got, want) {
		t.Errorf("show = %q, want it to contain %q", got, want)
	}
}
