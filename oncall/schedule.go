package oncall

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// Schedule answers who is on call when. It is computed, not stored: the
// rotation order from the configuration, with overrides applied on top.
//
// Shift boundaries are at the handoff wall-clock time in the rotation's
// zone, so across a DST change a daily shift lasts 23 or 25 hours. A handoff
// time that does not exist on a spring-forward day moves forward by the gap
// (02:30 becomes 03:30), as time.Date normalises it.
//
// Before the rotation starts nobody is on call (unless an override says
// so): At returns an ENotFound error, so that routing falls back to the
// channel rather than to a person who has not agreed to be paged yet.
//
// The shifts are dealt from the start date in the order of the configured
// members. Changing the member list re-deals every shift deterministically
// from the start date: the same configuration always gives the same
// schedule, and a removed member's shifts go to those who remain. Keep the
// order and append newcomers, or move the start date, to keep the
// upcoming weeks familiar.
type Schedule struct {
	rotations []*Rotation
	byName    map[string]*Rotation
	overrides map[string][]koban.Override // by rotation, sorted by From
}

// NewSchedule returns the schedule of the given validated rotations, without
// overrides.
func NewSchedule(rotations []*Rotation) *Schedule {
	s := &Schedule{rotations: rotations, byName: map[string]*Rotation{}, overrides: map[string][]koban.Override{}}
	for _, r := range rotations {
		s.byName[r.Name] = r
	}
	return s
}

// Rotations returns the rotations in configuration order.
func (s *Schedule) Rotations() []*Rotation { return s.rotations }

// Rotation returns the named rotation, or an ENotFound error naming the
// rotations there are.
func (s *Schedule) Rotation(name string) (*Rotation, error) {
	if r, ok := s.byName[name]; ok {
		return r, nil
	}
	names := make([]string, len(s.rotations))
	for i, r := range s.rotations {
		names[i] = r.Name
	}
	return nil, koban.Say(koban.ENotFound, "oncall.error.no_such_rotation", i18n.Pairs("Name", strconv.Quote(name), "Names", fmt.Sprint(names)))
}

// WithOverrides returns a copy of s in which the given overrides apply, in
// place of any s had. When overrides overlap (the store prevents it), the
// most recently created wins.
func (s *Schedule) WithOverrides(ovs []koban.Override) *Schedule {
	c := &Schedule{rotations: s.rotations, byName: s.byName, overrides: map[string][]koban.Override{}}
	for _, o := range ovs {
		if !o.From.Before(o.To) {
			continue
		}
		c.overrides[o.Rotation] = append(c.overrides[o.Rotation], o)
	}
	for _, list := range c.overrides {
		slices.SortFunc(list, func(a, b koban.Override) int {
			return cmp.Or(a.From.Compare(b.From), cmp.Compare(a.ID, b.ID))
		})
	}
	return c
}

// boundary returns the k-th handoff of r (k = 0 is the first).
func (r *Rotation) boundary(k int) time.Time {
	f := r.first
	return wallClock(f.Year(), f.Month(), f.Day()+k*r.ShiftDays, r.HandoffMin, r.Location)
}

// wallClock returns the instant the clocks in loc show minutes after
// midnight on the given day. A time that does not exist (a spring-forward
// gap) moves forward by the gap: 02:30 becomes 03:30.
func wallClock(y int, m time.Month, d, minutes int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, minutes/60, minutes%60, 0, 0, loc)
	// time.Date may resolve a gap either way; keep the later reading.
	if got := t.Hour()*60 + t.Minute(); got < minutes && t.Day() == time.Date(y, m, d, 12, 0, 0, 0, loc).Day() {
		t = t.Add(time.Duration(minutes-got) * time.Minute)
	}
	return t
}

// index returns the k for which boundary(k) <= t < boundary(k+1), or -1
// before the first handoff.
func (r *Rotation) index(t time.Time) int {
	if t.Before(r.first) {
		return -1
	}
	k := int(t.Sub(r.first) / (time.Duration(r.ShiftDays) * 24 * time.Hour))
	for k > 0 && r.boundary(k).After(t) {
		k--
	}
	for !r.boundary(k + 1).After(t) {
		k++
	}
	return k
}

// baseShift returns the shift the rotation order gives at t, and false
// before the rotation starts.
func (r *Rotation) baseShift(t time.Time) (koban.Shift, bool) {
	k := r.index(t)
	if k < 0 {
		return koban.Shift{}, false
	}
	return koban.Shift{
		Rotation: r.Name,
		Person:   r.Members[k%len(r.Members)],
		Start:    r.boundary(k),
		End:      r.boundary(k + 1),
	}, true
}

// At returns the shift of the named rotation that contains t, overrides
// applied. Before the rotation starts, with no override covering t, it
// returns an ENotFound error.
func (s *Schedule) At(rotation string, t time.Time) (koban.Shift, error) {
	r, err := s.Rotation(rotation)
	if err != nil {
		return koban.Shift{}, err
	}
	ovs := s.overrides[rotation]
	// The most recently created override covering t wins.
	var cover *koban.Override
	for i := range ovs {
		o := &ovs[i]
		if !o.From.After(t) && t.Before(o.To) && (cover == nil || o.ID > cover.ID) {
			cover = o
		}
	}
	if cover != nil {
		return koban.Shift{Rotation: rotation, Person: cover.Person, Start: cover.From, End: cover.To, Override: true}, nil
	}
	sh, ok := r.baseShift(t)
	if !ok {
		return koban.Shift{}, koban.Say(koban.ENotFound, "oncall.error.not_started", i18n.Pairs("Rotation", rotation, "Start", r.first.Format("Mon 2006-01-02 15:04 MST")))
	}
	// Overrides cut the base shift short at either end.
	for _, o := range ovs {
		if !o.To.After(t) && o.To.After(sh.Start) {
			sh.Start = o.To
		}
		if o.From.After(t) && o.From.Before(sh.End) {
			sh.End = o.From
		}
	}
	return sh, nil
}

// Next returns the shift that follows the one containing t; before the
// rotation starts, the first shift.
func (s *Schedule) Next(rotation string, t time.Time) (koban.Shift, error) {
	cur, err := s.At(rotation, t)
	switch {
	case err == nil:
		return s.At(rotation, cur.End)
	case koban.ErrorCode(err) == koban.ENotFound:
		if _, rerr := s.Rotation(rotation); rerr != nil {
			return koban.Shift{}, rerr
		}
		return s.At(rotation, s.nextStart(rotation, t))
	}
	return koban.Shift{}, err
}

// nextStart returns the first instant after t (before the rotation starts)
// at which someone is on call: the first handoff or an earlier override.
func (s *Schedule) nextStart(rotation string, t time.Time) time.Time {
	next := s.byName[rotation].first
	for _, o := range s.overrides[rotation] {
		if o.From.After(t) && o.From.Before(next) {
			next = o.From
		}
	}
	return next
}

// Shifts returns the shifts of the named rotation that overlap [from, to),
// in order, overrides applied. The first may start before from and the last
// end after to.
func (s *Schedule) Shifts(rotation string, from, to time.Time) ([]koban.Shift, error) {
	if _, err := s.Rotation(rotation); err != nil {
		return nil, err
	}
	var out []koban.Shift
	t := from
	for t.Before(to) {
		sh, err := s.At(rotation, t)
		if koban.ErrorCode(err) == koban.ENotFound {
			t = s.nextStart(rotation, t)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
		t = sh.End
	}
	return out, nil
}

// AllShifts returns the shifts of every rotation overlapping [from, to),
// ordered by start then rotation order.
func (s *Schedule) AllShifts(from, to time.Time) ([]koban.Shift, error) {
	var out []koban.Shift
	for _, r := range s.rotations {
		sh, err := s.Shifts(r.Name, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, sh...)
	}
	slices.SortStableFunc(out, func(a, b koban.Shift) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Route returns the rotation that covers domain d: the one listing it, else
// the default rotation (the first without domains, or the first).
func (s *Schedule) Route(d koban.Domain) (*Rotation, error) {
	if len(s.rotations) == 0 {
		return nil, koban.Say(koban.ENotFound, "oncall.error.no_rotation", nil)
	}
	for _, r := range s.rotations {
		if slices.Contains(r.Domains, d) {
			return r, nil
		}
	}
	return s.Default(), nil
}

// Default returns the default rotation: the first without domains, or the
// first; nil when there is none.
func (s *Schedule) Default() *Rotation {
	for _, r := range s.rotations {
		if len(r.Domains) == 0 {
			return r
		}
	}
	if len(s.rotations) > 0 {
		return s.rotations[0]
	}
	return nil
}
