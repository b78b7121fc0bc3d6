package oncall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kobanhq/koban"
	"gopkg.in/yaml.v3"
)

const berlin = "Europe/Berlin"

// weekly is a weekly Berlin rotation: UA from Mon 2026-11-02, then UB, UC.
func weekly(name string) RotationConfig {
	return RotationConfig{
		Name: name, Members: []string{"UA", "UB", "UC"}, Shift: "1w", Handoff: "monday 09:00",
		TimeZone: berlin, Start: "2026-11-02", Channel: "C0PLATFORM", UserGroup: "S0ONCALL",
	}
}

func mustDo(t *testing.T, s *Service, user, text string, now time.Time) string {
	t.Helper()
	cmd, err := ParseCommand(text)
	if err != nil {
		t.Fatalf("ParseCommand(%q): %v", text, err)
	}
	reply, err := s.Do(context.Background(), user, cmd, now)
	if err != nil {
		t.Fatalf("Do(%q): %v", text, err)
	}
	return reply
}

func doErr(t *testing.T, s *Service, user, text string, now time.Time) error {
	t.Helper()
	cmd, err := ParseCommand(text)
	if err != nil {
		return err
	}
	_, err = s.Do(context.Background(), user, cmd, now)
	return err
}

func TestCover(t *testing.T) {
	ctx := context.Background()
	s, st, _ := mustService(t, weekly("platform"))
	s.access = staticAccess{admins: []string{"UB"}} // admins may put anyone on call
	now := local(t, berlin, "2026-11-10 10:00")     // UB's week
	reply := mustDo(t, s, "UB", "cover @alice from today 18:00 to tomorrow", now)
	if !strings.Contains(reply, "<@UALICE> covers *platform*") {
		t.Errorf("cover reply = %q", reply)
	}
	if len(st.overrides) != 1 {
		t.Fatalf("stored %d overrides, want 1", len(st.overrides))
	}
	o := st.overrides[0]
	if want := local(t, berlin, "2026-11-10 18:00"); !o.From.Equal(want) {
		t.Errorf("cover from %s, want %s", o.From, want)
	}
	if want := local(t, berlin, "2026-11-11 09:00"); !o.To.Equal(want) {
		t.Errorf("cover to %s (tomorrow at the handoff time), want %s", o.To, want)
	}
	if o.Person != "UALICE" || o.Replaces != "UB" || o.CreatedBy != "UB" || o.Kind != koban.OverrideCover {
		t.Errorf("override = %+v", o)
	}
	sh, err := s.Now(ctx, "platform", local(t, berlin, "2026-11-10 20:00"))
	if err != nil || sh.Person != "UALICE" {
		t.Errorf("Now during the cover = %v, %v; want UALICE", sh, err)
	}

	tests := []struct {
		text string
		code string
		want string
	}{
		{"cover @alice from today 20:00 to tomorrow 08:00", koban.EConflict, "overlaps override #1"},
		{"cover @alice from tomorrow to today 18:00", koban.EInvalid, "before it starts"},
		{"cover @alice from 2026-11-01 09:00 to 2026-11-02 09:00", koban.EInvalid, "already over"},
		{"cover @alice from today to 2027-01-01", koban.EInvalid, "at most 31 days"},
		{"cover @carol from today 19:00 to tomorrow", koban.EInvalid, "could not tell who @carol is"},
		{"cover @alice from 2026-11-20 09:00 to 2026-11-21 09:00 in nope", koban.ENotFound, `no on-call rotation "nope"`},
	}
	for _, tt := range tests {
		err := doErr(t, s, "UB", tt.text, now)
		if koban.ErrorCode(err) != tt.code || !strings.Contains(koban.ErrorMessage(err), tt.want) {
			t.Errorf("%q: err = %v, want %s containing %q", tt.text, err, tt.code, tt.want)
		}
	}
	// A cover that started earlier today is clipped to now.
	mustDo(t, s, "UB", "cover <@U0CAROL00|carol> from 2026-11-12 06:00 to 2026-11-12 12:00", local(t, berlin, "2026-11-12 07:30"))
	if got := st.overrides[1].From; !got.Equal(local(t, berlin, "2026-11-12 07:30")) {
		t.Errorf("cover starting in the past: from %s, want now", got)
	}
}

func TestSwapListRemove(t *testing.T) {
	ctx := context.Background()
	rc := weekly("platform")
	rc.Members = []string{"UA", "UBOB", "UC"}
	s, st, _ := mustService(t, rc)
	s.access = staticAccess{admins: []string{"UC"}} // an admin's swap needs no confirmation
	now := local(t, berlin, "2026-11-03 10:00")     // UA's week; UBOB next (11-09), UC (11-16), UA (11-23)
	reply := mustDo(t, s, "UC", "swap @bob", now)
	if !strings.Contains(reply, "Swapped") {
		t.Errorf("swap reply = %q", reply)
	}
	tests := []struct{ at, want string }{
		{"2026-11-05 09:00", "UA"},
		{"2026-11-10 09:00", "UC"},
		{"2026-11-17 09:00", "UBOB"},
		{"2026-11-24 09:00", "UA"},
	}
	for _, tt := range tests {
		sh, err := s.Now(ctx, "platform", local(t, berlin, tt.at))
		if err != nil || sh.Person != tt.want {
			t.Errorf("after swap, Now(%s) = %v, %v; want %s", tt.at, sh.Person, err, tt.want)
		}
	}
	if err := doErr(t, s, "UC", "cover @alice from 2026-11-10 12:00 to 2026-11-10 13:00", now); koban.ErrorCode(err) != koban.EConflict || !strings.Contains(err.Error(), "override #2") {
		t.Errorf("cover over a swapped shift: err = %v, want EConflict naming #2", err)
	}
	if err := doErr(t, s, "UX", "swap @bob", now); koban.ErrorCode(err) != koban.EForbidden || !strings.Contains(err.Error(), "Only members") {
		t.Errorf("swap by a non-member: err = %v, want EForbidden 'Only members'", err)
	}
	if err := doErr(t, s, "UBOB", "swap @bob", now); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("swap with oneself: err = %v, want EInvalid", err)
	}

	list := mustDo(t, s, "UA", "list", now)
	if !strings.Contains(list, "#1 swap <@UBOB>") || !strings.Contains(list, "#2 swap <@UC>") || !strings.Contains(list, "(override)") {
		t.Errorf("list = %q, want both swap halves and override marks", list)
	}

	reply = mustDo(t, s, "UA", "remove 2", now)
	if !strings.Contains(reply, "#2 and #1") {
		t.Errorf("remove reply = %q, want both halves removed", reply)
	}
	if len(st.overrides) != 0 {
		t.Errorf("after remove: %d overrides left, want 0", len(st.overrides))
	}
	if err := doErr(t, s, "UA", "remove 2", now); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("remove twice: err = %v, want ENotFound", err)
	}
	sh, _ := s.Now(ctx, "platform", local(t, berlin, "2026-11-10 09:00"))
	if sh.Person != "UBOB" {
		t.Errorf("after removing the swap, Now = %s, want UBOB", sh.Person)
	}
}

func TestNoteAndShow(t *testing.T) {
	db := weekly("db")
	db.Domains = []koban.Domain{"database"}
	db.Members = []string{"UD", "UE"}
	s, st, _ := mustService(t, weekly("platform"), db)
	now := local(t, berlin, "2026-11-03 10:00")
	mustDo(t, s, "UD", "note replica lag alert is noisy, ignore until Friday", now)
	if len(st.notes) != 1 || st.notes[0].Rotation != "db" || st.notes[0].Author != "UD" {
		t.Errorf("notes = %+v, want one for db by UD", st.notes)
	}
	show := mustDo(t, s, "UB", "", now)
	if !strings.Contains(show, "*platform*: <@UA>") || !strings.Contains(show, "*db*: <@UD>") {
		t.Errorf("show = %q", show)
	}
	rot, sh, err := s.Route(context.Background(), "database", now)
	if err != nil || rot != "db" || sh.Person != "UD" {
		t.Errorf("Route(database) = %s, %v, %v; want db, UD", rot, sh, err)
	}
	rot, sh, err = s.Route(context.Background(), "iam", now)
	if err != nil || rot != "platform" || sh.Person != "UA" {
		t.Errorf("Route(iam) = %s, %v, %v; want platform, UA", rot, sh, err)
	}
	_, _, err = s.Route(context.Background(), "iam", local(t, berlin, "2026-10-01 10:00"))
	if koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("Route before the rotation starts: err = %v, want ENotFound", err)
	}
}

func TestTickHandoffOnce(t *testing.T) {
	ctx := context.Background()
	s, st, rec := mustService(t, weekly("platform"))
	mon := local(t, berlin, "2026-11-09 09:00") // UA → UB
	st.setInquiries(
		koban.Inquiry{ID: 1, State: koban.StateEscalated, Rotation: "platform", AskedBy: "UASK", CreatedAt: mon.Add(-2 * time.Hour), UpdatedAt: mon.Add(-time.Hour)},
		koban.Inquiry{ID: 2, State: koban.StateAcknowledged, Rotation: "platform", CreatedAt: mon.Add(-30 * time.Hour), UpdatedAt: mon.Add(-3 * time.Hour), FirstHumanResponseAt: mon.Add(-29 * time.Hour)},
		koban.Inquiry{ID: 3, State: koban.StateEscalated, Rotation: "other", CreatedAt: mon.Add(-time.Hour)},
		koban.Inquiry{ID: 4, State: koban.StateResolved, Rotation: "platform", CreatedAt: mon.Add(-50 * time.Hour), ResolvedAt: mon.Add(-48 * time.Hour)},
		koban.Inquiry{ID: 5, State: koban.StateResolved, Rotation: "platform", CreatedAt: mon.Add(-10 * 24 * time.Hour), ResolvedAt: mon.Add(-9 * 24 * time.Hour)},
	)
	st.notes = []koban.HandoffNote{
		{ID: 10, Rotation: "platform", Author: "UA", Text: "old", CreatedAt: mon.Add(-8 * 24 * time.Hour)},
		{ID: 11, Rotation: "platform", Author: "UA", Text: "deploy freeze Thursday", CreatedAt: mon.Add(-24 * time.Hour)},
	}
	for i := range 3 {
		if err := s.Tick(ctx, mon.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("Tick %d: %v", i, err)
		}
	}
	if len(rec.handoffs) != 1 {
		t.Fatalf("3 Ticks posted %d handoffs, want 1", len(rec.handoffs))
	}
	h := rec.handoffs[0]
	if h.Outgoing != "UA" || h.Incoming != "UB" || h.Channel != "C0PLATFORM" || !h.Shift.Start.Equal(mon) {
		t.Errorf("handoff = %s → %s in %s at %s", h.Outgoing, h.Incoming, h.Channel, h.Shift.Start)
	}
	var open []int64
	for _, o := range h.Open {
		open = append(open, o.Inquiry.ID)
	}
	if len(open) != 2 || open[0] != 1 || open[1] != 2 {
		t.Errorf("open inquiries = %v, want [1 2] (waiting first)", open)
	}
	if o := h.Open[0]; !o.Waiting || o.Left != 22*time.Hour || o.Age != 2*time.Hour {
		t.Errorf("inquiry 1: waiting=%v left=%s age=%s, want waiting, 22h left, 2h old", o.Waiting, o.Left, o.Age)
	}
	if h.Open[1].Waiting {
		t.Errorf("acknowledged inquiry 2 counted as waiting")
	}
	if len(h.Resolved) != 1 || h.Resolved[0].ID != 4 {
		t.Errorf("resolved = %v, want inquiry 4 only", h.Resolved)
	}
	if len(h.Notes) != 1 || h.Notes[0].ID != 11 {
		t.Errorf("notes = %v, want note 11 only", h.Notes)
	}
	if len(rec.groups) != 1 || rec.groups[0].group != "S0ONCALL" || rec.groups[0].users[0] != "UB" {
		t.Errorf("user group syncs = %v, want one to UB", rec.groups)
	}
	// An hour later the group is reconciled; the handoff is not repeated.
	if err := s.Tick(ctx, mon.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(rec.groups) != 2 || len(rec.handoffs) != 1 {
		t.Errorf("an hour later: %d group syncs, %d handoffs; want 2, 1", len(rec.groups), len(rec.handoffs))
	}
}

func TestTickCatchesUpOnce(t *testing.T) {
	s, st, rec := mustService(t, weekly("platform"))
	ranWith(st, "platform")
	// koban was down across three handoffs; it comes back mid-shift.
	if err := s.Tick(context.Background(), local(t, berlin, "2026-11-25 15:00")); err != nil {
		t.Fatal(err)
	}
	if len(rec.handoffs) != 1 {
		t.Fatalf("catch-up posted %d handoffs, want 1", len(rec.handoffs))
	}
	if h := rec.handoffs[0]; h.Incoming != "UA" || h.Outgoing != "UC" || !h.Shift.Start.Equal(local(t, berlin, "2026-11-23 09:00")) {
		t.Errorf("catch-up handoff = %s → %s at %s, want UC → UA at 11-23 09:00", h.Outgoing, h.Incoming, h.Shift.Start)
	}
}

func TestTickRetriesFailures(t *testing.T) {
	ctx := context.Background()
	s, st, rec := mustService(t, weekly("platform"))
	ranWith(st, "platform")
	now := local(t, berlin, "2026-11-09 09:00")
	slackDown := errors.New("slack: connection refused")
	rec.fail = func(op string) error { return koban.Errorf(koban.EUnavailable, "%v", slackDown) }
	if err := s.Tick(ctx, now); err == nil {
		t.Fatal("Tick with Slack down returned nil, want an error")
	}
	if len(rec.handoffs)+len(rec.groups) != 0 {
		t.Fatalf("recorded sends while failing")
	}
	for key, c := range st.claims {
		if key == "oncall-seen:platform" {
			continue
		}
		t.Errorf("claim %s left behind after a failure (done=%v)", key, c.done)
	}
	rec.fail = nil
	if err := s.Tick(ctx, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(rec.handoffs) != 1 || len(rec.groups) != 1 {
		t.Errorf("after Slack came back: %d handoffs, %d group syncs; want 1, 1", len(rec.handoffs), len(rec.groups))
	}
}

func TestTickOverrideBoundaries(t *testing.T) {
	ctx := context.Background()
	s, st, rec := mustService(t, weekly("platform"))
	ranWith(st, "platform")
	from, to := local(t, berlin, "2026-11-10 18:00"), local(t, berlin, "2026-11-11 09:00")
	if _, err := st.AddOverride(ctx, koban.Override{Rotation: "platform", Kind: koban.OverrideCover, Person: "UZ", From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{from.Add(-time.Minute), from, to.Add(-time.Minute), to} {
		if err := s.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, h := range rec.handoffs {
		got = append(got, h.Outgoing+">"+h.Incoming)
	}
	if strings.Join(got, ",") != "UA>UB,UB>UZ,UZ>UB" {
		t.Errorf("handoffs = %v, want UA>UB, UB>UZ, UZ>UB", got)
	}
}

func TestReminders(t *testing.T) {
	ctx := context.Background()
	rc := weekly("platform")
	rc.ReplyTarget = "10h"
	s, st, rec := mustService(t, rc)
	asked := local(t, berlin, "2026-11-10 08:00")
	inq := koban.Inquiry{ID: 7, State: koban.StateEscalated, Rotation: "platform", CreatedAt: asked}
	st.setInquiries(inq)
	steps := []struct {
		after time.Duration
		want  []int // reminder percents so far
	}{
		{4 * time.Hour, nil},
		{5 * time.Hour, []int{50}},
		{6 * time.Hour, []int{50}},
		{9 * time.Hour, []int{50, 90}},
		{9*time.Hour + 30*time.Minute, []int{50, 90}},
		{10 * time.Hour, []int{50, 90, 100}},
		{20 * time.Hour, []int{50, 90, 100}},
	}
	for _, step := range steps {
		if err := s.Tick(ctx, asked.Add(step.after)); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, r := range rec.reminders {
			got = append(got, r.Percent)
		}
		if !slicesEqual(got, step.want) {
			t.Errorf("after %s: reminders %v, want %v", step.after, got, step.want)
		}
	}
	last := rec.reminders[2]
	if !last.Breach() || last.Channel != "C0PLATFORM" || last.Person != "UB" || !last.Due.Equal(asked.Add(10*time.Hour)) {
		t.Errorf("breach = %+v", last)
	}

	// A human reply stops reminders; a late start sends only the highest level.
	rec.reminders = nil
	replied := koban.Inquiry{ID: 8, State: koban.StateEscalated, Rotation: "platform", CreatedAt: asked, FirstHumanResponseAt: asked.Add(time.Hour)}
	acked := koban.Inquiry{ID: 9, State: koban.StateAcknowledged, Rotation: "platform", CreatedAt: asked}
	late := koban.Inquiry{ID: 10, State: koban.StateEscalated, Rotation: "platform", CreatedAt: asked}
	st.setInquiries(replied, acked, late)
	if err := s.Tick(ctx, asked.Add(9*time.Hour+time.Minute)); err != nil {
		t.Fatal(err)
	}
	if len(rec.reminders) != 1 || rec.reminders[0].Inquiry.ID != 10 || rec.reminders[0].Percent != 90 {
		t.Errorf("reminders = %+v, want only inquiry 10 at 90%%", rec.reminders)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBusinessHours(t *testing.T) {
	rc := weekly("platform")
	rc.ReplyTarget = "8h"
	rc.BusinessHours = &BusinessHoursConfig{Start: "09:00", End: "18:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	rots, err := Config{Rotations: []RotationConfig{rc}}.Parse(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rots[0]
	tests := []struct {
		from, to string
		working  time.Duration
	}{
		{"2026-11-10 10:00", "2026-11-10 12:00", 2 * time.Hour},
		{"2026-11-10 07:00", "2026-11-10 20:00", 9 * time.Hour},
		{"2026-11-13 17:00", "2026-11-16 10:00", 2 * time.Hour}, // over a weekend
		{"2026-11-14 10:00", "2026-11-15 22:00", 0},
		{"2026-11-09 09:00", "2026-11-16 09:00", 45 * time.Hour},
	}
	for _, tt := range tests {
		if got := r.WorkingTime(local(t, berlin, tt.from), local(t, berlin, tt.to)); got != tt.working {
			t.Errorf("WorkingTime(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.working)
		}
	}
	dues := []struct{ from, due string }{
		{"2026-11-10 09:00", "2026-11-10 17:00"},
		{"2026-11-10 16:00", "2026-11-11 15:00"},
		{"2026-11-13 17:00", "2026-11-16 16:00"}, // Friday evening: due Monday afternoon
		{"2026-11-14 11:00", "2026-11-16 17:00"}, // asked on Saturday
		{"2026-11-10 20:00", "2026-11-11 17:00"},
	}
	for _, tt := range dues {
		if got := r.Due(local(t, berlin, tt.from)); !got.Equal(local(t, berlin, tt.due)) {
			t.Errorf("Due(%s) = %s, want %s", tt.from, got, tt.due)
		}
	}
	// Without business hours the clock runs around the clock.
	rc.BusinessHours = nil
	rots, _ = Config{Rotations: []RotationConfig{rc}}.Parse(context.Background(), nil)
	if got := rots[0].Due(local(t, berlin, "2026-11-13 17:00")); !got.Equal(local(t, berlin, "2026-11-14 01:00")) {
		t.Errorf("Due without business hours = %s, want Saturday 01:00", got)
	}
}

func TestRunTicks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The synctest clock starts at 2000-01-01 00:00 UTC.
		s, _, rec := mustService(t, RotationConfig{
			Name: "r", Members: []string{"UA", "UB"}, Shift: "1d", Handoff: "00:30",
			Start: "1999-12-01", UserGroup: "S0ONCALL",
		})
		// Tick every minute, as the periodic job does, for 89 minutes.
		start := time.Now()
		for now := start; now.Before(start.Add(89 * time.Minute)); now = now.Add(time.Minute) {
			if err := s.Tick(t.Context(), now); err != nil {
				t.Fatalf("Tick(%s): %v", now, err)
			}
		}
		// Handoffs: not the shift running at start (it began before koban
		// first ran), then 00:30. Group syncs: 00:00, the 00:30 shift
		// change, and the 01:00 reconcile.
		if len(rec.handoffs) != 1 || len(rec.groups) != 3 {
			t.Errorf("after 89 minutes: %d handoffs, %d group syncs; want 1, 3", len(rec.handoffs), len(rec.groups))
		}
		if len(rec.handoffs) == 1 && rec.handoffs[0].Incoming != "UB" {
			t.Errorf("handoff to %s; want UB (shift 31)", rec.handoffs[0].Incoming)
		}
	})
}

func TestConfigYAML(t *testing.T) {
	const doc = `
rotations:
  - name: platform
    members: [U012AB3CD, U045EF6GH]
    shift: 1w
    handoff: monday 09:00
    time_zone: Europe/Berlin
    start: 2026-01-05
    channel: C0PLATFORM
    user_group: S0ONCALL
    reply_target: 8h
    business_hours: {start: "09:00", end: "18:00", days: [mon, tue, wed, thu, fri]}
  - name: db
    members: [U0DB00001]
    shift: 24h
    handoff: "10:00"
    time_zone: Asia/Tokyo
    start: 2026-01-05
    domains: [database]
`
	var cfg Config
	if err := yaml.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	rots, err := cfg.Parse(context.Background(), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	p, db := rots[0], rots[1]
	if p.ShiftDays != 7 || !p.HasWeekday || p.Weekday != time.Monday || p.HandoffMin != 9*60 || p.Location.String() != berlin ||
		p.ReplyTarget != 8*time.Hour || p.Hours == nil || p.Hours.Days[time.Saturday] || !p.Hours.Days[time.Friday] || p.UserGroup != "S0ONCALL" {
		t.Errorf("platform = %+v", p)
	}
	if db.ShiftDays != 1 || db.HasWeekday || db.ReplyTarget != DefaultReplyTarget || len(db.Domains) != 1 || db.Domains[0] != "database" {
		t.Errorf("db = %+v", db)
	}
}
