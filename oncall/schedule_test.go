package oncall

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

// mustSchedule parses rotation configs that use user IDs only.
func mustSchedule(t *testing.T, rcs ...RotationConfig) *Schedule {
	t.Helper()
	rots, err := Config{Rotations: rcs}.Parse(context.Background(), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return NewSchedule(rots)
}

// local parses "2006-01-02 15:04" in the named zone.
func local(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAtAcrossDST(t *testing.T) {
	members := []string{"UA", "UB", "UC"}
	tests := []struct {
		name      string
		zone      string
		shift     string
		handoff   string
		start     string
		at        string // local
		person    string
		wantStart string // local
		wantEnd   string // local
		wantLen   time.Duration
	}{
		// New York springs forward on 2026-03-08 at 02:00.
		{"ny daily before spring", "America/New_York", "1d", "09:00", "2026-03-01", "2026-03-07 12:00", "UA", "2026-03-07 09:00", "2026-03-08 09:00", 23 * time.Hour},
		{"ny daily after spring", "America/New_York", "24h", "09:00", "2026-03-01", "2026-03-08 09:00", "UB", "2026-03-08 09:00", "2026-03-09 09:00", 24 * time.Hour},
		{"ny daily just before handoff", "America/New_York", "1d", "09:00", "2026-03-01", "2026-03-08 08:59", "UA", "2026-03-07 09:00", "2026-03-08 09:00", 23 * time.Hour},
		// ...and falls back on 2026-11-01 at 02:00.
		{"ny daily fall back", "America/New_York", "1d", "09:00", "2026-10-01", "2026-10-31 23:00", "UA", "2026-10-31 09:00", "2026-11-01 09:00", 25 * time.Hour},
		{"ny weekly fall back", "America/New_York", "1w", "monday 09:00", "2026-10-05", "2026-10-30 10:00", "UA", "2026-10-26 09:00", "2026-11-02 09:00", 169 * time.Hour},
		// A handoff time that does not exist that day moves forward by the gap.
		{"ny handoff in the gap", "America/New_York", "1d", "02:30", "2026-03-01", "2026-03-08 12:00", "UB", "2026-03-08 03:30", "2026-03-09 02:30", 23 * time.Hour},
		// Berlin: summer time from 2026-03-29, winter time from 2026-10-25.
		{"berlin weekly spring", "Europe/Berlin", "168h", "monday 09:00", "2026-03-02", "2026-03-29 03:00", "UA", "2026-03-23 09:00", "2026-03-30 09:00", 167 * time.Hour},
		{"berlin weekly autumn", "Europe/Berlin", "1w", "monday 09:00", "2026-03-02", "2026-10-25 12:00", "UA", "2026-10-19 09:00", "2026-10-26 09:00", 169 * time.Hour},
		{"berlin start not on weekday", "Europe/Berlin", "1w", "monday 09:00", "2026-03-04", "2026-03-10 09:00", "UA", "2026-03-09 09:00", "2026-03-16 09:00", 168 * time.Hour},
		{"berlin two weeks", "Europe/Berlin", "2w", "wednesday 10:00", "2026-01-07", "2026-03-30 10:00", "UC", "2026-03-18 10:00", "2026-04-01 10:00", 335 * time.Hour},
		// Tokyo has no DST: every week is 168 hours.
		{"tokyo weekly", "Asia/Tokyo", "1w", "monday 10:00", "2026-01-05", "2026-03-29 03:00", "UC", "2026-03-23 10:00", "2026-03-30 10:00", 168 * time.Hour},
		{"tokyo weekly late", "Asia/Tokyo", "1w", "monday 10:00", "2026-01-05", "2026-11-01 01:30", "UA", "2026-10-26 10:00", "2026-11-02 10:00", 168 * time.Hour},
		{"tokyo first instant", "Asia/Tokyo", "1d", "10:00", "2026-01-05", "2026-01-05 10:00", "UA", "2026-01-05 10:00", "2026-01-06 10:00", 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, RotationConfig{Name: "r", Members: members, Shift: tt.shift, Handoff: tt.handoff, TimeZone: tt.zone, Start: tt.start})
			got, err := s.At("r", local(t, tt.zone, tt.at))
			if err != nil {
				t.Fatalf("At(%s) error: %v", tt.at, err)
			}
			wantStart, wantEnd := local(t, tt.zone, tt.wantStart), local(t, tt.zone, tt.wantEnd)
			if got.Person != tt.person || !got.Start.Equal(wantStart) || !got.End.Equal(wantEnd) || got.Override {
				t.Errorf("At(%s) = %s [%s, %s) override=%v, want %s [%s, %s)", tt.at, got.Person, got.Start, got.End, got.Override, tt.person, wantStart, wantEnd)
			}
			if d := got.End.Sub(got.Start); d != tt.wantLen {
				t.Errorf("At(%s) lasts %s, want %s", tt.at, d, tt.wantLen)
			}
		})
	}
}

func TestShiftsContiguous(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/Berlin", "Asia/Tokyo"} {
		s := mustSchedule(t, RotationConfig{Name: "r", Members: []string{"UA", "UB"}, Shift: "1d", Handoff: "09:00", TimeZone: zone, Start: "2026-01-01"})
		from := local(t, zone, "2026-01-01 09:00")
		shifts, err := s.Shifts("r", from, from.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if len(shifts) != 365 {
			t.Errorf("%s: Shifts over a year = %d shifts, want 365", zone, len(shifts))
		}
		for i, sh := range shifts {
			if l := sh.Start.In(sh.Start.Location()); l.Hour() != 9 || l.Minute() != 0 {
				t.Errorf("%s: shift %d starts at %s, want 09:00 local", zone, i, l)
			}
			if i > 0 && !shifts[i-1].End.Equal(sh.Start) {
				t.Errorf("%s: shift %d starts %s, previous ended %s", zone, i, sh.Start, shifts[i-1].End)
			}
			if i > 0 && shifts[i-1].Person == sh.Person {
				t.Errorf("%s: shift %d: %s on call twice in a row", zone, i, sh.Person)
			}
		}
	}
}

func TestBeforeStart(t *testing.T) {
	s := mustSchedule(t, RotationConfig{Name: "r", Members: []string{"UA", "UB"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: "Asia/Tokyo", Start: "2026-12-02"})
	before := local(t, "Asia/Tokyo", "2026-12-07 08:59")
	_, err := s.At("r", before)
	if koban.ErrorCode(err) != koban.ENotFound {
		t.Fatalf("At before start: err = %v, want ENotFound", err)
	}
	next, err := s.Next("r", before)
	if err != nil {
		t.Fatalf("Next before start: %v", err)
	}
	if want := local(t, "Asia/Tokyo", "2026-12-07 09:00"); next.Person != "UA" || !next.Start.Equal(want) {
		t.Errorf("Next before start = %s at %s, want UA at %s", next.Person, next.Start, want)
	}
	shifts, err := s.Shifts("r", before.AddDate(0, 0, -30), before.AddDate(0, 0, 15))
	if err != nil {
		t.Fatal(err)
	}
	if len(shifts) != 3 || shifts[0].Person != "UA" || shifts[1].Person != "UB" || shifts[2].Person != "UA" {
		t.Errorf("Shifts across start = %v, want UA, UB, UA", shifts)
	}
	// A cover before the start puts someone on call.
	cov := s.WithOverrides([]koban.Override{{ID: 1, Rotation: "r", Kind: koban.OverrideCover, Person: "UZ", From: before.Add(-time.Hour), To: before.Add(time.Minute)}})
	sh, err := cov.At("r", before)
	if err != nil || sh.Person != "UZ" || !sh.Override {
		t.Errorf("At before start with a cover = %v, %v; want UZ (override)", sh, err)
	}
	sh, err = cov.At("r", before.Add(2*time.Minute))
	if err != nil || sh.Person != "UA" || !sh.Start.Equal(before.Add(time.Minute)) {
		t.Errorf("At first shift after an early cover = %v, %v; want UA from the cover's end", sh, err)
	}
}

func TestOverrides(t *testing.T) {
	const zone = "Europe/Berlin"
	s := mustSchedule(t, RotationConfig{Name: "r", Members: []string{"UA", "UB", "UC"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: zone, Start: "2026-11-02"})
	// Weeks: UA 11-02, UB 11-09, UC 11-16, UA 11-23, UB 11-30.
	ovs := []koban.Override{
		// UZ covers Tuesday 18:00 to Wednesday 09:00 of UB's week.
		{ID: 1, Rotation: "r", Kind: koban.OverrideCover, Person: "UZ", From: local(t, zone, "2026-11-10 18:00"), To: local(t, zone, "2026-11-11 09:00")},
		// UC and UA swap: UA takes UC's week of 11-16, UC takes UA's week of 11-23.
		{ID: 2, Rotation: "r", Kind: koban.OverrideSwap, Person: "UA", Replaces: "UC", From: local(t, zone, "2026-11-16 09:00"), To: local(t, zone, "2026-11-23 09:00")},
		{ID: 3, Rotation: "r", Kind: koban.OverrideSwap, Person: "UC", Replaces: "UA", From: local(t, zone, "2026-11-23 09:00"), To: local(t, zone, "2026-11-30 09:00")},
		// Another rotation's override does not apply.
		{ID: 4, Rotation: "other", Kind: koban.OverrideCover, Person: "UY", From: local(t, zone, "2026-11-02 09:00"), To: local(t, zone, "2026-11-30 09:00")},
	}
	s = s.WithOverrides(ovs)
	tests := []struct {
		at, person, start, end string
		override               bool
	}{
		{"2026-11-05 12:00", "UA", "2026-11-02 09:00", "2026-11-09 09:00", false},
		{"2026-11-10 17:59", "UB", "2026-11-09 09:00", "2026-11-10 18:00", false},
		{"2026-11-10 18:00", "UZ", "2026-11-10 18:00", "2026-11-11 09:00", true},
		{"2026-11-11 09:00", "UB", "2026-11-11 09:00", "2026-11-16 09:00", false},
		{"2026-11-20 09:00", "UA", "2026-11-16 09:00", "2026-11-23 09:00", true},
		{"2026-11-23 09:00", "UC", "2026-11-23 09:00", "2026-11-30 09:00", true},
		{"2026-11-30 09:00", "UB", "2026-11-30 09:00", "2026-12-07 09:00", false},
	}
	for _, tt := range tests {
		got, err := s.At("r", local(t, zone, tt.at))
		if err != nil {
			t.Fatalf("At(%s): %v", tt.at, err)
		}
		start, end := local(t, zone, tt.start), local(t, zone, tt.end)
		if got.Person != tt.person || !got.Start.Equal(start) || !got.End.Equal(end) || got.Override != tt.override {
			t.Errorf("At(%s) = %s [%s, %s) override=%v, want %s [%s, %s) override=%v", tt.at, got.Person, got.Start, got.End, got.Override, tt.person, start, end, tt.override)
		}
	}
	shifts, err := s.Shifts("r", local(t, zone, "2026-11-09 12:00"), local(t, zone, "2026-11-30 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	for _, sh := range shifts {
		people = append(people, sh.Person)
	}
	if got, want := strings.Join(people, ","), "UB,UZ,UB,UA,UC"; got != want {
		t.Errorf("Shifts = %s, want %s", got, want)
	}
	next, err := s.Next("r", local(t, zone, "2026-11-10 12:00"))
	if err != nil || next.Person != "UZ" {
		t.Errorf("Next during UB's week = %v, %v; want UZ's cover", next, err)
	}
}

func TestMemberRemoved(t *testing.T) {
	cfg := RotationConfig{Name: "r", Members: []string{"UA", "UB", "UC", "UD"}, Shift: "1d", Handoff: "09:00", TimeZone: "Asia/Tokyo", Start: "2026-01-01"}
	from := local(t, "Asia/Tokyo", "2026-06-01 09:00")
	to := from.AddDate(0, 0, 28)
	before, err := mustSchedule(t, cfg).Shifts("r", from, to)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Members = []string{"UA", "UC", "UD"} // UB left
	after1, err := mustSchedule(t, cfg).Shifts("r", from, to)
	if err != nil {
		t.Fatal(err)
	}
	after2, err := mustSchedule(t, cfg).Shifts("r", from, to)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i, sh := range after1 {
		if sh.Person == "UB" {
			t.Errorf("shift %d still goes to removed member UB", i)
		}
		if a := after2[i]; a.Person != sh.Person || !a.Start.Equal(sh.Start) || !a.End.Equal(sh.End) {
			t.Errorf("shift %d differs between two identical configurations: %v vs %v", i, sh, after2[i])
		}
		if !sh.Start.Equal(before[i].Start) || !sh.End.Equal(before[i].End) {
			t.Errorf("shift %d moved: %v, was %v", i, sh, before[i])
		}
		count[sh.Person]++
	}
	for _, m := range cfg.Members {
		if count[m] < 9 || count[m] > 10 {
			t.Errorf("%s has %d of 28 shifts, want an even share (9 or 10)", m, count[m])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	good := RotationConfig{Name: "r", Members: []string{"UA"}, Shift: "1w", Handoff: "monday 09:00", TimeZone: "Asia/Tokyo", Start: "2026-01-05"}
	tests := []struct {
		name   string
		modify func(*RotationConfig)
		want   string // in the message
	}{
		{"no name", func(r *RotationConfig) { r.Name = "" }, "name is empty"},
		{"no members", func(r *RotationConfig) { r.Members = nil }, "members is empty"},
		{"bad member", func(r *RotationConfig) { r.Members = []string{"alice"} }, `member "alice"`},
		{"email without lookup", func(r *RotationConfig) { r.Members = []string{"a@example.com"} }, "Slack user ID"},
		{"bad shift", func(r *RotationConfig) { r.Shift = "12h" }, "whole days"},
		{"weekday on daily", func(r *RotationConfig) { r.Shift = "1d" }, "not a whole number of weeks"},
		{"bad handoff", func(r *RotationConfig) { r.Handoff = "funday 09:00" }, "unknown weekday"},
		{"bad clock", func(r *RotationConfig) { r.Handoff = "monday 25:00" }, "HH:MM"},
		{"bad zone", func(r *RotationConfig) { r.TimeZone = "Mars/Olympus" }, "IANA"},
		{"no start", func(r *RotationConfig) { r.Start = "" }, "start is empty"},
		{"bad start", func(r *RotationConfig) { r.Start = "05/01/2026" }, "2026-01-05"},
		{"bad target", func(r *RotationConfig) { r.ReplyTarget = "soon" }, "reply_target"},
		{"bad hours", func(r *RotationConfig) { r.BusinessHours = &BusinessHoursConfig{Start: "18:00", End: "09:00"} }, "not after start"},
		{"bad day", func(r *RotationConfig) {
			r.BusinessHours = &BusinessHoursConfig{Start: "09:00", End: "18:00", Days: []string{"mon", "caturday"}}
		}, "caturday"},
	}
	for _, tt := range tests {
		rc := good
		tt.modify(&rc)
		_, err := Config{Rotations: []RotationConfig{rc}}.Parse(context.Background(), nil)
		if koban.ErrorCode(err) != koban.EInvalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want EInvalid mentioning %q", tt.name, err, tt.want)
		}
	}
	if _, err := (Config{Rotations: []RotationConfig{good, good}}).Parse(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Errorf("two rotations with one name: err = %v, want 'defined twice'", err)
	}
	rots, err := Config{Rotations: []RotationConfig{good}}.Parse(context.Background(), nil)
	if err != nil {
		t.Fatalf("good config: %v", err)
	}
	if rots[0].ReplyTarget != DefaultReplyTarget {
		t.Errorf("default reply target = %s, want %s", rots[0].ReplyTarget, DefaultReplyTarget)
	}
}

type lookupFunc func(ctx context.Context, email string) (string, error)

func (f lookupFunc) LookupEmail(ctx context.Context, email string) (string, error) {
	return f(ctx, email)
}

func TestConfigResolvesEmails(t *testing.T) {
	calls := 0
	lookup := lookupFunc(func(_ context.Context, email string) (string, error) {
		calls++
		if email == "alice@example.com" {
			return "UALICE", nil
		}
		return "", koban.Errorf(koban.ENotFound, "no user")
	})
	rc := RotationConfig{Name: "r", Members: []string{"alice@example.com", "UBOB"}, Shift: "1d", Handoff: "09:00", Start: "2026-01-01"}
	rots, err := Config{Rotations: []RotationConfig{rc}}.Parse(context.Background(), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rots[0].Members, ","); got != "UALICE,UBOB" || calls != 1 {
		t.Errorf("members = %s after %d lookups, want UALICE,UBOB after 1", got, calls)
	}
	rc.Members = []string{"ghost@example.com"}
	if _, err := (Config{Rotations: []RotationConfig{rc}}).Parse(context.Background(), lookup); koban.ErrorCode(err) != koban.EInvalid || !strings.Contains(err.Error(), "ghost@example.com") {
		t.Errorf("unknown email: err = %v, want EInvalid naming it", err)
	}
}

func TestRoute(t *testing.T) {
	base := RotationConfig{Members: []string{"UA"}, Shift: "1d", Handoff: "09:00", Start: "2026-01-01"}
	db, platform, net := base, base, base
	db.Name, db.Domains = "db", []koban.Domain{"database"}
	platform.Name = "platform"
	net.Name, net.Domains = "net", []koban.Domain{"network", "cdn"}
	tests := []struct {
		rots   []RotationConfig
		domain koban.Domain
		want   string
	}{
		{[]RotationConfig{db, platform, net}, "database", "db"},
		{[]RotationConfig{db, platform, net}, "cdn", "net"},
		{[]RotationConfig{db, platform, net}, "iam", "platform"},
		{[]RotationConfig{db, net}, "iam", "db"},
	}
	for _, tt := range tests {
		r, err := mustSchedule(t, tt.rots...).Route(tt.domain)
		if err != nil || r.Name != tt.want {
			t.Errorf("Route(%s) = %v, %v; want %s", tt.domain, r, err, tt.want)
		}
	}
}
