package oncall

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kobanhq/koban"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func weekday(d time.Weekday) *time.Weekday { return &d }

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   string
		want Command
	}{
		{"", &ShowCommand{}},
		{"who in db", &ShowCommand{Rotation: "db"}},
		{"cover @alice from 2026-11-23 09:00 to 2026-11-24 09:00", &CoverCommand{
			Person: Person{Name: "alice"},
			From:   Moment{Date: date(2026, 11, 23), Clock: 9 * 60},
			To:     Moment{Date: date(2026, 11, 24), Clock: 9 * 60},
		}},
		{"cover <@U0123ABCD|alice> from today 18:00 to tomorrow", &CoverCommand{
			Person: Person{ID: "U0123ABCD", Name: "alice"},
			From:   Moment{Clock: 18 * 60},
			To:     Moment{Days: 1, Clock: -1},
		}},
		{"COVER <@U0123ABCD> until friday 09:00 in db", &CoverCommand{
			Person:   Person{ID: "U0123ABCD"},
			From:     Moment{Now: true, Clock: -1},
			To:       Moment{Weekday: weekday(time.Friday), Clock: 9 * 60},
			Rotation: "db",
		}},
		{"cover @bob from now to 2026-12-01T08:30", &CoverCommand{
			Person: Person{Name: "bob"},
			From:   Moment{Now: true, Clock: -1},
			To:     Moment{Date: date(2026, 12, 1), Clock: 8*60 + 30},
		}},
		{"cover @bob from 13:00 to 17:00", &CoverCommand{
			Person: Person{Name: "bob"},
			From:   Moment{Clock: 13 * 60},
			To:     Moment{Clock: 17 * 60},
		}},
		{"swap @bob", &SwapCommand{Person: Person{Name: "bob"}}},
		{"swap <@U0BOB1234|bob> in platform", &SwapCommand{Person: Person{ID: "U0BOB1234", Name: "bob"}, Rotation: "platform"}},
		{"list", &ListCommand{}},
		{"list db", &ListCommand{Rotation: "db"}},
		{"list in db", &ListCommand{Rotation: "db"}},
		{"remove 12", &RemoveCommand{ID: 12}},
		{"remove #7", &RemoveCommand{ID: 7}},
		{"note  the failover test is at 14:00; watch #db-alerts ", &NoteCommand{Text: "the failover test is at 14:00; watch #db-alerts"}},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in)
		if err != nil {
			t.Errorf("ParseCommand(%q) error: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCommand(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string // in the message
	}{
		{"dance", "I don't know `dance`"},
		{"help", "/koban oncall swap @bob"},
		{"cover", "Say who covers"},
		{"cover alice from today to tomorrow", "is not a person"},
		{"cover @alice from today", "until when"},
		{"cover @alice tomorrow to friday", "did not understand"},
		{"cover @alice from today 25:00 to tomorrow", "is not a time"},
		{"cover @alice from yesterday to tomorrow", "did not understand"},
		{"cover @alice to", "Give a date and time"},
		{"cover @alice from now 10:00 to tomorrow", "`now` takes no time"},
		{"swap", "Say who to swap with"},
		{"swap @bob @alice", "Say who to swap with"},
		{"swap @bob in", "Name the rotation"},
		{"remove", "Say which override"},
		{"remove twelve", "not an override number"},
		{"remove -3", "not an override number"},
		{"note", "Write the note"},
		{"list a b", "at most a rotation"},
	}
	for _, tt := range tests {
		_, err := ParseCommand(tt.in)
		if koban.ErrorCode(err) != koban.EInvalid || !strings.Contains(koban.ErrorMessage(err), tt.want) {
			t.Errorf("ParseCommand(%q) error = %v, want EInvalid containing %q", tt.in, err, tt.want)
		}
	}
}

func TestMomentResolve(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc) // a Wednesday
	handoff := 9 * 60
	tests := []struct {
		m    Moment
		want time.Time
	}{
		{Moment{Now: true}, now},
		{Moment{Clock: 18 * 60}, time.Date(2026, 11, 25, 18, 0, 0, 0, loc)},
		{Moment{Clock: -1}, time.Date(2026, 11, 25, 9, 0, 0, 0, loc)},
		{Moment{Days: 1, Clock: -1}, time.Date(2026, 11, 26, 9, 0, 0, 0, loc)},
		{Moment{Weekday: weekday(time.Friday), Clock: 9 * 60}, time.Date(2026, 11, 27, 9, 0, 0, 0, loc)},
		{Moment{Weekday: weekday(time.Wednesday), Clock: 9 * 60}, time.Date(2026, 12, 2, 9, 0, 0, 0, loc)},
		{Moment{Weekday: weekday(time.Wednesday), Clock: 11 * 60}, time.Date(2026, 11, 25, 11, 0, 0, 0, loc)},
		{Moment{Date: date(2027, 3, 28), Clock: 2*60 + 30}, time.Date(2027, 3, 28, 3, 30, 0, 0, loc)}, // in the DST gap
	}
	for _, tt := range tests {
		if got := tt.m.Resolve(now, loc, handoff); !got.Equal(tt.want) {
			t.Errorf("%+v.Resolve = %s, want %s", tt.m, got, tt.want)
		}
	}
}
