package oncall

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// Calendar renders shifts as iCalendar with people by name and times in
// their rotation's zone.
type Calendar struct {
	// Zones are the rotations' time zones by rotation name; a shift of a
	// rotation not here, or in UTC, is written in UTC.
	Zones map[string]*time.Location
	// Name returns a person's display name, or "" to show the Slack ID.
	Name func(id string) string
	// Lang is the language of the events' words ("en", "ja"); "" is English.
	Lang string
}

// person is how a shift's person is written.
func (c Calendar) person(id string) string {
	if c.Name != nil {
		if n := c.Name(id); n != "" {
			return n
		}
	}
	return id
}

// zone is the time zone a shift's times are written in; nil for UTC.
func (c Calendar) zone(rotation string) *time.Location {
	loc := c.Zones[rotation]
	if loc == nil || loc == time.UTC || loc.String() == "UTC" || loc.String() == "Local" {
		return nil
	}
	return loc
}

// timeProp is DTSTART or DTEND for t: with TZID in the rotation's zone, or
// in UTC.
func (c Calendar) timeProp(prop string, t time.Time, rotation string) string {
	loc := c.zone(rotation)
	if loc == nil {
		return prop + ":" + icsTime(t)
	}
	return prop + ";TZID=" + loc.String() + ":" + t.In(loc).Format("20060102T150405")
}

// writeZones writes a VTIMEZONE for every zone the shifts use (RFC 5545
// section 3.6.5): one observance per UTC offset period from the first shift
// to the last, so clients without the IANA database get the offsets right
// across daylight-saving changes.
func (c Calendar) writeZones(b *bytes.Buffer, shifts []koban.Shift) {
	spans := map[*time.Location][2]time.Time{}
	var order []*time.Location
	for _, sh := range shifts {
		loc := c.zone(sh.Rotation)
		if loc == nil {
			continue
		}
		sp, ok := spans[loc]
		if !ok {
			order = append(order, loc)
			sp = [2]time.Time{sh.Start, sh.End}
		}
		if sh.Start.Before(sp[0]) {
			sp[0] = sh.Start
		}
		if sh.End.After(sp[1]) {
			sp[1] = sh.End
		}
		spans[loc] = sp
	}
	slices.SortFunc(order, func(a, b *time.Location) int { return compareStrings(a.String(), b.String()) })
	for _, loc := range order {
		sp := spans[loc]
		foldLine(b, "BEGIN:VTIMEZONE")
		foldLine(b, "TZID:"+loc.String())
		t := sp[0].In(loc)
		for range 400 { // a bound: the horizon has a few changes a year
			start, end := t.ZoneBounds()
			_, off := t.Zone()
			from := off
			onset := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
			if !start.IsZero() {
				_, from = start.Add(-time.Second).In(loc).Zone()
				// DTSTART is the onset in the local time before it.
				onset = start.UTC().Add(time.Duration(from) * time.Second)
			}
			kind := "STANDARD"
			if t.IsDST() {
				kind = "DAYLIGHT"
			}
			name, _ := t.Zone()
			foldLine(b, "BEGIN:"+kind)
			foldLine(b, "DTSTART:"+onset.Format("20060102T150405"))
			foldLine(b, "TZOFFSETFROM:"+utcOffset(from))
			foldLine(b, "TZOFFSETTO:"+utcOffset(off))
			foldLine(b, "TZNAME:"+escapeText(name))
			foldLine(b, "END:"+kind)
			if end.IsZero() || !end.Before(sp[1]) {
				break
			}
			t = end.In(loc)
		}
		foldLine(b, "END:VTIMEZONE")
	}
}

// utcOffset writes seconds east of UTC as +HHMM (RFC 5545 section 3.3.14).
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PersonNamer is optionally implemented by a Notifier that knows people's
// display names (users.info); the calendar feed shows them instead of IDs.
type PersonNamer interface {
	// PersonName returns the display name of a Slack user ID, or "".
	PersonName(ctx context.Context, id string) string
}

// calendarFor is the calendar of sch: its rotations' zones, and names from
// the notifier when it knows them.
func (s *Service) calendarFor(ctx context.Context, sch *Schedule) Calendar {
	c := Calendar{Zones: map[string]*time.Location{}, Lang: s.language}
	for _, r := range sch.Rotations() {
		c.Zones[r.Name] = r.Location
	}
	if pn, ok := s.notifier.(PersonNamer); ok {
		c.Name = func(id string) string { return pn.PersonName(ctx, id) }
	}
	return c
}
