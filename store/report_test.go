package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/kobanhq/koban"
)

func TestEventsOfInquiries(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		// May 2026 in Tokyo: 2026-04-30 15:00 UTC up to 2026-05-31 15:00 UTC.
		from := time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo)
		to := from.AddDate(0, 1, 0)
		mk := func(ev string, at time.Time) *koban.Inquiry {
			in := sampleInquiry(ev)
			in.CreatedAt = at
			return mustCreate(t, s, in)
		}
		before := mk("before", from.Add(-time.Second)) // April in Tokyo
		first := mk("first", from)                     // the first instant of May
		mid := mk("mid", from.Add(10*24*time.Hour))
		last := mk("last", to.Add(-time.Microsecond))
		after := mk("after", to)                        // June
		quiet := mk("quiet", from.Add(20*24*time.Hour)) // only its received event

		add := func(inq *koban.Inquiry, e koban.Event) {
			t.Helper()
			e.InquiryID = inq.ID
			if e.At.IsZero() {
				e.At = inq.CreatedAt.Add(time.Minute)
			}
			if err := s.AppendEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		// Events of inquiries outside the month count for nothing, even
		// when the events themselves happen within it.
		add(before, koban.Event{Kind: koban.EventEscalated, At: from.Add(time.Hour)})
		add(after, koban.Event{Kind: koban.EventAnswered})
		// Events after the month of inquiries within it count.
		add(last, koban.Event{Kind: koban.EventEscalated, At: to.Add(48 * time.Hour)})
		add(first, koban.Event{Kind: koban.EventAnswered})
		add(first, koban.Event{Kind: koban.EventFeedback, Actor: "U1", At: first.CreatedAt.Add(2 * time.Minute), Data: map[string]string{"feedback": "solved"}})
		add(first, koban.Event{Kind: koban.EventReminded, At: first.CreatedAt.Add(2 * time.Minute)})
		if _, err := s.Transition(ctx, mid.ID, koban.StateEscalated, koban.Event{Kind: koban.EventEscalated, At: mid.CreatedAt.Add(time.Second)}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, mid.ID, koban.StateResolved, koban.Event{Kind: koban.EventResolved, Actor: "U9", At: mid.CreatedAt.Add(time.Hour),
			Data: map[string]string{"feedback": "need-human"}}, nil); err != nil {
			t.Fatal(err)
		}

		// What the store says, inquiry by inquiry, is the reference.
		inMonth := []*koban.Inquiry{first, mid, last, quiet}
		want := func(kinds ...koban.EventKind) []koban.Event {
			var out []koban.Event
			for _, inq := range inMonth {
				evs, err := s.Events(ctx, inq.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range evs {
					if len(kinds) == 0 || slices.Contains(kinds, e.Kind) {
						out = append(out, e)
					}
				}
			}
			return out
		}
		tests := []struct {
			name   string
			kinds  []koban.EventKind
			events int // how many the reference must hold, so that it cannot be empty by mistake
		}{
			{"all kinds", nil, 4 + 3 + 2 + 1},
			{"report kinds", []koban.EventKind{koban.EventEscalated, koban.EventAnswered, koban.EventFeedback, koban.EventResolved}, 2 + 2 + 1},
			{"one kind", []koban.EventKind{koban.EventReceived}, 4},
			{"no such events", []koban.EventKind{koban.EventDeliveryFailed}, 0},
		}
		for _, tt := range tests {
			got, err := s.EventsOfInquiries(ctx, from, to, tt.kinds...)
			if err != nil {
				t.Fatalf("EventsOfInquiries(%s): %v", tt.name, err)
			}
			sortEvents(got)
			w := want(tt.kinds...)
			if len(w) != tt.events {
				t.Fatalf("reference for %s has %d events, want %d", tt.name, len(w), tt.events)
			}
			if diff := gocmp.Diff(w, got); diff != "" {
				t.Errorf("EventsOfInquiries(%s) (-want +got):\n%s", tt.name, diff)
			}
		}

		got, err := s.EventsOfInquiries(ctx, from, to, koban.EventFeedback, koban.EventResolved)
		if err != nil {
			t.Fatal(err)
		}
		sortEvents(got)
		if len(got) != 2 || got[0].Data["feedback"] != "solved" || got[1].Data["feedback"] != "need-human" || got[1].Actor != "U9" || got[0].At.Location() != time.UTC {
			t.Errorf("EventsOfInquiries(feedback, resolved) = %+v", got)
		}
		if got, err := s.EventsOfInquiries(ctx, to, to.AddDate(0, 1, 0), koban.EventEscalated); err != nil || len(got) != 0 {
			t.Errorf("EventsOfInquiries(June, escalated) = %v, %v; want none", got, err)
		}
		_, err = s.EventsOfInquiries(ctx, to, from)
		wantCode(t, "EventsOfInquiries over a reversed period", err, koban.EInvalid)
	})
}

func TestMonthlyVolumes(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		s := mustOpen(t, opts)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		newYork, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		mk := func(at time.Time) {
			t.Helper()
			n++
			in := sampleInquiry(fmt.Sprint("Ev", n))
			in.CreatedAt = at
			mustCreate(t, s, in)
		}
		utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
		mk(utc(2024, 1, 15, 0))  // Jan 2024 everywhere
		mk(utc(2026, 3, 31, 16)) // April in Tokyo, March in UTC and New York
		mk(utc(2026, 4, 1, 2))   // April in UTC, still March in New York (EDT, UTC-4)
		mk(utc(2026, 4, 10, 0))
		mk(utc(2026, 5, 1, 3))  // May in UTC and Tokyo, April in New York
		mk(utc(2026, 5, 1, 4))  // May everywhere: midnight EDT
		mk(utc(2026, 11, 1, 3)) // October in New York: 23:00 EDT
		mk(utc(2026, 11, 1, 5)) // November in New York: 01:00 EDT (EDT ends at 06:00 UTC)
		mk(utc(2026, 12, 1, 5)) // December in New York: midnight EST is 05:00 UTC

		tests := []struct {
			name     string
			from, to time.Time
			loc      *time.Location
			want     map[string]int
		}{
			{"Tokyo", time.Date(2026, 3, 1, 0, 0, 0, 0, tokyo), time.Date(2026, 6, 1, 0, 0, 0, 0, tokyo), tokyo,
				map[string]int{"2026-04": 3, "2026-05": 2}},
			{"UTC (nil)", utc(2026, 3, 1, 0), utc(2026, 6, 1, 0), nil,
				map[string]int{"2026-03": 1, "2026-04": 2, "2026-05": 2}},
			{"New York across both clock changes", time.Date(2026, 3, 1, 0, 0, 0, 0, newYork), time.Date(2027, 1, 1, 0, 0, 0, 0, newYork), newYork,
				map[string]int{"2026-03": 2, "2026-04": 2, "2026-05": 1, "2026-10": 1, "2026-11": 1, "2026-12": 1}},
			// A period cut inside months counts only its part of them.
			{"partial months", utc(2026, 4, 1, 3), utc(2026, 5, 1, 4), tokyo,
				map[string]int{"2026-04": 1, "2026-05": 1}},
			// Three years: more months than one statement counts.
			{"three years", utc(2024, 1, 1, 0), utc(2027, 1, 1, 0), nil,
				map[string]int{"2024-01": 1, "2026-03": 1, "2026-04": 2, "2026-05": 2, "2026-11": 2, "2026-12": 1}},
			{"nothing", utc(2025, 1, 1, 0), utc(2025, 6, 1, 0), tokyo, map[string]int{}},
		}
		for _, tt := range tests {
			got, err := s.MonthlyVolumes(ctx, tt.from, tt.to, tt.loc)
			if err != nil {
				t.Fatalf("MonthlyVolumes(%s): %v", tt.name, err)
			}
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MonthlyVolumes(%s) (-want +got):\n%s", tt.name, diff)
			}
		}
		_, err = s.MonthlyVolumes(ctx, time.Time{}, utc(2026, 1, 1, 0), nil)
		wantCode(t, "MonthlyVolumes from the zero time", err, koban.EInvalid)
		_, err = s.MonthlyVolumes(ctx, utc(2026, 1, 1, 0), utc(2026, 1, 1, 0), nil)
		wantCode(t, "MonthlyVolumes over an empty period", err, koban.EInvalid)
	})
}

// sortEvents orders events as Events does, inquiry by inquiry.
func sortEvents(evs []koban.Event) {
	slices.SortFunc(evs, func(a, b koban.Event) int {
		return cmp.Or(cmp.Compare(a.InquiryID, b.InquiryID), a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
}

func TestReportInquiries(t *testing.T) {
	forEachDB(t, func(t *testing.T, opts Options) {
		ctx := t.Context()
		clk := newClock()
		opts.Now = clk.Now
		s := mustOpen(t, opts)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo)
		to := from.AddDate(0, 1, 0)
		required := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
		var inMonth []int64
		for i, at := range []time.Time{from.Add(-time.Microsecond), from, from.Add(72 * time.Hour), to.Add(-time.Microsecond), to} {
			in := sampleInquiry(fmt.Sprint("Ev", i))
			in.CreatedAt, in.Tokens, in.Assignee, in.Rotation = at, 100*i, fmt.Sprint("U", i), "platform"
			if i == 2 {
				in.Citations = nil
				in.Final = required
				in.Text = "日本語の質問"
			}
			mustCreate(t, s, in)
			if !at.Before(from) && at.Before(to) {
				inMonth = append(inMonth, in.ID)
			}
		}
		// One answered, escalated, acknowledged and resolved: all four
		// timestamps set; the others keep NULLs.
		id := inMonth[1]
		for j, st := range []koban.State{koban.StateAnswered, koban.StateEscalated, koban.StateAcknowledged, koban.StateResolved} {
			clk.Advance(time.Minute)
			if _, err := s.Transition(ctx, id, st, koban.Event{Kind: koban.EventKind(st), At: clk.Now().Add(time.Duration(j) * time.Second)}, nil); err != nil {
				t.Fatal(err)
			}
		}

		got, err := s.ReportInquiries(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b koban.Inquiry) int { return cmp.Compare(a.ID, b.ID) })
		var want []koban.Inquiry
		for _, id := range inMonth {
			q, err := s.Inquiry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, koban.Inquiry{ID: q.ID, Channel: q.Channel, Text: q.Text, State: q.State, CreatedAt: q.CreatedAt,
				FirstResponseAt: q.FirstResponseAt, FirstHumanResponseAt: q.FirstHumanResponseAt, ResolvedAt: q.ResolvedAt,
				Predicted: q.Predicted, Final: q.Final, Domain: q.Domain, Assignee: q.Assignee, Citations: q.Citations, Tokens: q.Tokens, Rotation: q.Rotation})
		}
		if len(want) != 3 || want[1].ResolvedAt.IsZero() || want[1].FirstHumanResponseAt.IsZero() || want[0].Citations == nil || want[1].Citations != nil || want[1].Final.IsZero() || !want[2].ResolvedAt.IsZero() {
			t.Fatalf("reference inquiries are not what the test set up: %+v", want)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("ReportInquiries (-want +got):\n%s", diff)
		}
		if got, err := s.ReportInquiries(ctx, to.AddDate(0, 1, 0), to.AddDate(0, 2, 0)); err != nil || len(got) != 0 {
			t.Errorf("ReportInquiries of an empty month = %v, %v; want none", got, err)
		}
		_, err = s.ReportInquiries(ctx, to, from)
		wantCode(t, "ReportInquiries over a reversed period", err, koban.EInvalid)
	})
}

// TestDecodeJSON checks the report's JSON readers against encoding/json.
func TestDecodeJSON(t *testing.T) {
	tests := []string{
		`[]`, `[ ]`, `["how-to/db.md#staging"]`, `["a", "b","c"]`, ` [ "a" , "b" ] `, `["日本語/ページ.md"]`,
		`["with \"quote\""]`, `["tab\tin"]`, `["\u00e9"]`, `[1]`, `["a",]`, `["a" "b"]`, `["a"`, `null`, `"a"`, ``, `["a"] x`,
		`{}`, `{ }`, `{"feedback":"solved"}`, `{"feedback": "docs-wrong", "note": "日本語も"}`, `{"a":"1","a":"2"}`,
		`{"n": 1}`, `{"a":"b",}`, `{"a" "b"}`, `{"a":}`, `{"esc\\aped":"x"}`, `{"a":"b"} {}`, "[\"\xff\"]", "{\"a\":\"\xff\"}",
	}
	for _, in := range tests {
		var want, got []string
		wantErr := json.Unmarshal([]byte(in), &want)
		gotErr := decodeStrings(in, &got)
		if (gotErr != nil) != (wantErr != nil) || !slices.Equal(got, want) || (got == nil) != (want == nil) {
			t.Errorf("decodeStrings(%q) = %q, %v; encoding/json gives %q, %v", in, got, gotErr, want, wantErr)
		}
		var wantM, gotM map[string]string
		wantErr = json.Unmarshal([]byte(in), &wantM)
		gotErr = decodeStringMap(in, &gotM)
		if (gotErr != nil) != (wantErr != nil) || !maps.Equal(gotM, wantM) || (gotM == nil) != (wantM == nil) {
			t.Errorf("decodeStringMap(%q) = %q, %v; encoding/json gives %q, %v", in, gotM, gotErr, wantM, wantErr)
		}
	}
}
