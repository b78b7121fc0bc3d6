package oncall

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"
	"github.com/kobanhq/koban"
)

func TestICSParses(t *testing.T) {
	s := mustSchedule(t, RotationConfig{Name: "platform", Members: []string{"UA", "UB"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: "America/New_York", Start: "2026-10-05"})
	from := local(t, "America/New_York", "2026-10-20 12:00")
	shifts, err := s.Shifts("platform", from, from.AddDate(0, 0, 21))
	if err != nil {
		t.Fatal(err)
	}
	// A long summary with non-ASCII text exercises folding.
	shifts = append(shifts, koban.Shift{Rotation: strings.Repeat("データベース", 10), Person: "UC", Start: from, End: from.Add(time.Hour), Override: true})
	body := ICS(shifts)
	for i, line := range strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, want at most 75", i, len(line))
		}
		if strings.Contains(line, "\n") {
			t.Errorf("line %d has a bare LF", i)
		}
	}
	cal, err := ical.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	events := cal.Events()
	if len(events) != len(shifts) {
		t.Fatalf("%d events, want %d", len(events), len(shifts))
	}
	uids := map[string]bool{}
	for i, ev := range events {
		start, err := ev.GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, err := ev.GetEndAt()
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(shifts[i].Start) || !end.Equal(shifts[i].End) {
			t.Errorf("event %d: [%s, %s), want [%s, %s)", i, start, end, shifts[i].Start, shifts[i].End)
		}
		summary := ev.GetProperty(ical.ComponentPropertySummary).Value
		if !strings.Contains(summary, shifts[i].Person) || !strings.HasPrefix(summary, shifts[i].Rotation) {
			t.Errorf("event %d summary %q lacks the rotation or person", i, summary)
		}
		if uids[ev.Id()] {
			t.Errorf("event %d: duplicate UID %s", i, ev.Id())
		}
		uids[ev.Id()] = true
	}
	// The fall-back week (2026-10-26 to 11-02) is 169 hours long.
	if d := shifts[1].End.Sub(shifts[1].Start); d != 169*time.Hour {
		t.Errorf("fall-back week lasts %s, want 169h", d)
	}
	if again := ICS(shifts); !bytes.Equal(again, body) {
		t.Errorf("ICS is not stable across calls")
	}
}

func TestCalendarHandler(t *testing.T) {
	db := weekly("db")
	db.Members = []string{"UD", "UE"}
	s, st, _ := mustService(t, weekly("platform"), db)
	now := local(t, berlin, "2026-11-10 10:00")
	if _, err := st.AddOverride(context.Background(), koban.Override{ID: 1, Rotation: "db", Kind: koban.OverrideCover, Person: "UZ", From: now, To: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.CalendarHandler(func() time.Time { return now }))
	defer srv.Close()

	get := func(query string) (*http.Response, *ical.Calendar) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/oncall.ics" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return resp, nil
		}
		cal, err := ical.ParseCalendar(resp.Body)
		if err != nil {
			t.Fatalf("ParseCalendar: %v", err)
		}
		return resp, cal
	}
	resp, cal := get("?rotation=db")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type = %q", ct)
	}
	// The db shifts from a week ago: UE's week cut by UZ's cover, then UD, UE, ...
	want := []struct{ person, start string }{
		{"UD", "2026-11-02 09:00"}, {"UE", "2026-11-09 09:00"}, {"UZ", "2026-11-10 10:00"}, {"UE", "2026-11-10 12:00"}, {"UD", "2026-11-16 09:00"}, {"UE", "2026-11-23 09:00"},
	}
	events := cal.Events()
	for i, w := range want {
		if i >= len(events) {
			t.Fatalf("only %d events", len(events))
		}
		start, _ := events[i].GetStartAt()
		summary := events[i].GetProperty(ical.ComponentPropertySummary).Value
		if !start.Equal(local(t, berlin, w.start)) || !strings.Contains(summary, w.person) || !strings.HasPrefix(summary, "db") {
			t.Errorf("event %d = %q at %s, want %s at %s", i, summary, start, w.person, w.start)
		}
	}
	_, all := get("")
	if got, want := len(all.Events()), len(events)+len(events)-2; got != want {
		t.Errorf("all rotations: %d events, want %d (platform has no cover)", got, want)
	}
	if resp, _ := get("?rotation=nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown rotation: status %d, want 404", resp.StatusCode)
	}
}
