package oncall

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"
	"github.com/kobanhq/koban"
)

// namedRecorder is the fake notifier that also knows display names, as
// the Slack bot does through users.info.
type namedRecorder struct {
	*recorder
	display map[string]string
}

func (n namedRecorder) PersonName(_ context.Context, id string) string { return n.display[id] }

// TestCalendarNamesAndZones fetches the feed as a calendar client would and
// checks names rather than IDs and local times with TZID across New York's
// fall-back change (2026-11-01).
func TestCalendarNamesAndZones(t *testing.T) {
	const ny = "America/New_York"
	rc := RotationConfig{Name: "platform", Members: []string{"UALICE", "bob@example.com", "UCAROL"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: ny, Start: "2026-10-19"}
	// Bob is configured by email: he shows by name, as the others.
	rec := &recorder{names: map[string]string{}, emails: map[string]string{"bob@example.com": "UBOB"}}
	rots, err := Config{Rotations: []RotationConfig{rc}}.Parse(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(rots, Deps{Store: newMemStore(), Notifier: namedRecorder{rec, map[string]string{"UALICE": "Alice", "UBOB": "Bob Smith"}}, Log: discard()})
	s.Horizon = 3 * 7 * 24 * time.Hour
	now := local(t, ny, "2026-10-27 12:00")
	srv := httptest.NewServer(s.CalendarHandler(func() time.Time { return now }))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/oncall.ics?rotation=platform")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	for _, want := range []string{
		"SUMMARY:platform on call: Alice\r\n",
		"SUMMARY:platform on call: Bob Smith\r\n",
		"SUMMARY:platform on call: UCAROL\r\n", // no name known: the ID
		"DTSTART;TZID=America/New_York:20261026T090000\r\n",
		"DTSTART;TZID=America/New_York:20261102T090000\r\n", // 09:00 local on both sides of the change
		"BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n",
		"BEGIN:DAYLIGHT\r\n", "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("feed lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "SUMMARY:platform on call: UALICE") || strings.Contains(text, "UBOB") || strings.Contains(text, "bob@") {
		t.Errorf("feed shows Alice or Bob by ID or email")
	}
	cal, err := ical.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	want := []struct{ who, start, end string }{
		{"Alice", "2026-10-19 09:00", "2026-10-26 09:00"},
		{"Bob Smith", "2026-10-26 09:00", "2026-11-02 09:00"}, // 169 hours: the clocks go back
		{"UCAROL", "2026-11-02 09:00", "2026-11-09 09:00"},
	}
	events := cal.Events()
	if len(events) < len(want) {
		t.Fatalf("%d events, want at least %d", len(events), len(want))
	}
	for i, w := range want {
		start, err := events[i].GetStartAt()
		if err != nil {
			t.Fatal(err)
		}
		end, err := events[i].GetEndAt()
		if err != nil {
			t.Fatal(err)
		}
		summary := events[i].GetProperty(ical.ComponentPropertySummary).Value
		if !start.Equal(local(t, ny, w.start)) || !end.Equal(local(t, ny, w.end)) || summary != "platform on call: "+w.who {
			t.Errorf("event %d = %q [%s, %s), want %s [%s, %s)", i, summary, start, end, w.who, w.start, w.end)
		}
	}
}

// The feed's words are in the team's language; names and times are not
// translated.
func TestCalendarLanguage(t *testing.T) {
	from := time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC)
	shifts := []koban.Shift{
		{Rotation: "platform", Person: "UA", Start: from, End: from.Add(time.Hour)},
		{Rotation: "platform", Person: "UB", Start: from.Add(time.Hour), End: from.Add(2 * time.Hour), Override: true},
	}
	names := func(id string) string { return map[string]string{"UA": "Alice", "UB": "Bob"}[id] }
	tests := []struct {
		lang string
		want []string
	}{
		{"", []string{"X-WR-CALNAME:koban on-call\r\n", "SUMMARY:platform on call: Alice\r\n", "SUMMARY:platform on call: Bob (override)\r\n", "DESCRIPTION:Alice is on call for rotation platform.\r\n"}},
		{"ja", []string{"X-WR-CALNAME:koban オンコール\r\n", "SUMMARY:platform オンコール: Alice\r\n", "SUMMARY:platform オンコール: Bob (交代)\r\n", "DESCRIPTION:Alice さんがローテーション platform のオンコールを担当します。\r\n"}},
	}
	for _, tt := range tests {
		text := string(Calendar{Name: names, Lang: tt.lang}.Render(shifts))
		unfolded := strings.ReplaceAll(text, "\r\n ", "")
		for _, w := range tt.want {
			if !strings.Contains(unfolded, w) {
				t.Errorf("lang %q: feed lacks %q:\n%s", tt.lang, w, text)
			}
		}
		if _, err := ical.ParseCalendar(strings.NewReader(text)); err != nil {
			t.Errorf("lang %q: ParseCalendar: %v", tt.lang, err)
		}
	}
}
