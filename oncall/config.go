package oncall

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
)

// Config is the on-call part of koban.yaml: any number of rotations.
//
//	oncall:
//	  rotations:
//	    - name: platform
//	      members: [U012AB3CD, alice@example.com]
//	      shift: 1w
//	      handoff: monday 09:00
//	      time_zone: Europe/Berlin
//	      start: 2026-01-05
//	      channel: C0PLATFORM
//	      user_group: S0ONCALL
//	      reply_target: 8h
//	      business_hours: {start: "09:00", end: "18:00", days: [mon, tue, wed, thu, fri]}
//	      domains: [database]
type Config struct {
	Rotations []RotationConfig `yaml:"rotations"`
}

// RotationConfig is one rotation as written in the configuration.
type RotationConfig struct {
	// Name identifies the rotation in commands, claim keys and the calendar.
	Name string `yaml:"name"`
	// Members take turns in this order: Slack user IDs (U…, W…) or emails,
	// which are looked up in Slack once at start.
	Members []string `yaml:"members"`
	// Shift is the length of one turn in whole days: "1d", "1w", "2w", "24h", "168h".
	Shift string `yaml:"shift"`
	// Handoff is when a shift changes, in TimeZone: "monday 09:00" for weekly
	// shifts, "09:00" for daily ones.
	Handoff string `yaml:"handoff"`
	// TimeZone is an IANA zone such as "Asia/Tokyo". Default UTC.
	TimeZone string `yaml:"time_zone"`
	// Start is the date (YYYY-MM-DD, in TimeZone) the rotation begins: the
	// first handoff is on or after it, with the first member.
	Start string `yaml:"start"`
	// Channel is the Slack channel (C…) handoffs, reminders and breaches go to.
	Channel string `yaml:"channel"`
	// UserGroup is an optional Slack user group (S…) kept equal to the
	// current on-call.
	UserGroup string `yaml:"user_group"`
	// ReplyTarget is how long an escalated inquiry may wait for a human
	// reply: "24h" by default. With BusinessHours, only working time counts.
	ReplyTarget string `yaml:"reply_target"`
	// BusinessHours optionally restricts the reply-time clock to working time.
	BusinessHours *BusinessHoursConfig `yaml:"business_hours"`
	// Domains are the problem domains this rotation covers. Inquiries in no
	// listed domain go to the default rotation: the first without domains,
	// or the first rotation.
	Domains []koban.Domain `yaml:"domains"`
}

// BusinessHoursConfig is the working time of a rotation, in its time zone.
type BusinessHoursConfig struct {
	Start string   `yaml:"start"` // "09:00"
	End   string   `yaml:"end"`   // "18:00"
	Days  []string `yaml:"days"`  // "mon".."sun"; default Monday to Friday
}

// Rotation is a validated rotation, its members resolved to Slack user IDs.
type Rotation struct {
	Name        string
	Members     []string // Slack user IDs, in turn order
	ShiftDays   int
	HasWeekday  bool // whether Handoff named a weekday
	Weekday     time.Weekday
	HandoffMin  int // minutes after local midnight
	Location    *time.Location
	StartDate   time.Time // midnight of the start date, in Location
	Channel     string
	UserGroup   string
	ReplyTarget time.Duration
	Hours       *BusinessHours // nil: the clock runs around the clock
	Domains     []koban.Domain

	first time.Time // the first handoff
}

// BusinessHours is validated working time.
type BusinessHours struct {
	StartMin, EndMin int // minutes after local midnight, StartMin < EndMin
	Days             [7]bool
}

// DefaultReplyTarget is the reply-time target of rotations that set none.
const DefaultReplyTarget = 24 * time.Hour

// EmailLookup finds the Slack user ID of an email address; Notifier has it.
type EmailLookup interface {
	LookupEmail(ctx context.Context, email string) (string, error)
}

// Parse validates the configuration and resolves member emails to Slack user
// IDs with lookup, which may be nil when every member is a user ID. Every
// problem is reported at once, as an EInvalid error.
func (c Config) Parse(ctx context.Context, lookup EmailLookup) ([]*Rotation, error) {
	var errs []error
	var rots []*Rotation
	seen := map[string]bool{}
	covered := map[koban.Domain]string{}
	for i, rc := range c.Rotations {
		r, err := rc.parse(ctx, lookup)
		if err != nil {
			if rc.Name == "" {
				errs = append(errs, fmt.Errorf("oncall rotation %d: %w", i+1, err))
			} else {
				errs = append(errs, fmt.Errorf("oncall rotation %q: %w", rc.Name, err))
			}
			continue
		}
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("oncall rotation %q is defined twice", r.Name))
		}
		seen[r.Name] = true
		for _, d := range r.Domains {
			if other, ok := covered[d]; ok {
				errs = append(errs, fmt.Errorf("oncall rotations %q and %q both cover domain %q", other, r.Name, d))
			}
			covered[d] = r.Name
		}
		rots = append(rots, r)
	}
	if err := errors.Join(errs...); err != nil {
		// A lookup failure (Slack down) is not the operator's typo.
		if koban.ErrorCode(err) == koban.EUnavailable {
			return nil, err
		}
		return nil, koban.Errorf(koban.EInvalid, "%v", err)
	}
	return rots, nil
}

func (rc RotationConfig) parse(ctx context.Context, lookup EmailLookup) (*Rotation, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	r := &Rotation{
		Name:      strings.TrimSpace(rc.Name),
		Channel:   rc.Channel,
		UserGroup: rc.UserGroup,
		Domains:   rc.Domains,
	}
	if r.Name == "" {
		bad("name is empty")
	} else if strings.ContainsAny(r.Name, " \t:") {
		bad("name %q must not contain spaces or colons", r.Name)
	}
	if len(rc.Members) == 0 {
		bad("members is empty: list Slack user IDs (U…) or emails")
	}
	for _, m := range rc.Members {
		m = strings.TrimSpace(m)
		switch {
		case isUserID(m):
			r.Members = append(r.Members, m)
		case strings.Contains(m, "@") && !strings.HasPrefix(m, "@"):
			if lookup == nil {
				bad("member %q is an email, but Slack is not configured to look it up: use the Slack user ID (U…)", m)
				continue
			}
			id, err := lookup.LookupEmail(ctx, m)
			if err != nil {
				if koban.ErrorCode(err) == koban.EUnavailable {
					return nil, fmt.Errorf("look up member %s: %w", m, err)
				}
				bad("member %q: no Slack user with this email (%v)", m, err)
				continue
			}
			r.Members = append(r.Members, id)
		default:
			bad("member %q: want a Slack user ID (U…) or an email", m)
		}
	}

	days, err := parseShiftLength(rc.Shift)
	if err != nil {
		bad("%v", err)
	}
	r.ShiftDays = days

	r.Location = time.UTC
	if rc.TimeZone != "" {
		loc, err := time.LoadLocation(rc.TimeZone)
		if err != nil {
			bad("time_zone %q: want an IANA zone such as Europe/Berlin", rc.TimeZone)
		} else {
			r.Location = loc
		}
	}

	wd, hasWD, minutes, err := parseHandoff(rc.Handoff)
	if err != nil {
		bad("%v", err)
	}
	r.Weekday, r.HasWeekday, r.HandoffMin = wd, hasWD, minutes
	if hasWD && days%7 != 0 && err == nil && days > 0 {
		bad("handoff %q names a weekday, but shift %q is not a whole number of weeks: write only the time, e.g. \"09:00\"", rc.Handoff, rc.Shift)
	}

	if rc.Start == "" {
		bad("start is empty: want the first day of the rotation, e.g. 2026-01-05")
	} else if d, err := time.ParseInLocation(time.DateOnly, rc.Start, r.Location); err != nil {
		bad("start %q: want a date like 2026-01-05", rc.Start)
	} else {
		r.StartDate = d
	}

	if rc.Channel != "" && !strings.HasPrefix(rc.Channel, "C") && !strings.HasPrefix(rc.Channel, "G") {
		bad("channel %q: want a Slack channel ID (C…)", rc.Channel)
	}
	if rc.UserGroup != "" && !strings.HasPrefix(rc.UserGroup, "S") {
		bad("user_group %q: want a Slack user group ID (S…)", rc.UserGroup)
	}

	r.ReplyTarget = DefaultReplyTarget
	if rc.ReplyTarget != "" {
		d, err := parseLength(rc.ReplyTarget)
		if err != nil || d <= 0 {
			bad("reply_target %q: want a duration like 4h, 30m or 1d", rc.ReplyTarget)
		} else {
			r.ReplyTarget = d
		}
	}
	if rc.BusinessHours != nil {
		h, err := rc.BusinessHours.parse()
		if err != nil {
			bad("business_hours: %v", err)
		}
		r.Hours = h
	}
	for _, d := range rc.Domains {
		if d == "" {
			bad("domains has an empty entry")
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// The first handoff: on the start date, or the first following day on
	// the handoff weekday.
	first := r.StartDate
	if r.HasWeekday {
		for first.Weekday() != r.Weekday {
			first = first.AddDate(0, 0, 1)
		}
	}
	r.first = wallClock(first.Year(), first.Month(), first.Day(), r.HandoffMin, r.Location)
	return r, nil
}

func (b BusinessHoursConfig) parse() (*BusinessHours, error) {
	var h BusinessHours
	var err error
	if h.StartMin, err = parseClock(b.Start); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if h.EndMin, err = parseClock(b.End); err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	if h.EndMin <= h.StartMin {
		return nil, fmt.Errorf("end %s is not after start %s", b.End, b.Start)
	}
	if len(b.Days) == 0 {
		for d := time.Monday; d <= time.Friday; d++ {
			h.Days[d] = true
		}
		return &h, nil
	}
	for _, s := range b.Days {
		d, ok := parseWeekday(s)
		if !ok {
			return nil, fmt.Errorf("day %q: want mon, tue, wed, thu, fri, sat or sun", s)
		}
		h.Days[d] = true
	}
	return &h, nil
}

// isUserID reports whether s looks like a Slack user ID.
func isUserID(s string) bool {
	if len(s) < 2 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, c := range s[1:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parseShiftLength parses a whole number of days: "1d", "2w", "24h", "168h".
func parseShiftLength(s string) (int, error) {
	d, err := parseLength(s)
	if err != nil || d <= 0 || d%(24*time.Hour) != 0 {
		return 0, fmt.Errorf("shift %q: want whole days, such as 1d, 1w, 2w, 24h or 168h", s)
	}
	return int(d / (24 * time.Hour)), nil
}

// parseLength parses a Go duration, or a number of days ("3d") or weeks ("1w").
func parseLength(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		k, err := strconv.Atoi(n)
		return time.Duration(k) * 24 * time.Hour, err
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		k, err := strconv.Atoi(n)
		return time.Duration(k) * 7 * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// parseHandoff parses "monday 09:00", "mon 9:00" or "09:00".
func parseHandoff(s string) (wd time.Weekday, hasWD bool, minutes int, err error) {
	fields := strings.Fields(s)
	switch len(fields) {
	case 1:
		minutes, err = parseClock(fields[0])
	case 2:
		var ok bool
		if wd, ok = parseWeekday(fields[0]); !ok {
			return 0, false, 0, fmt.Errorf("handoff %q: unknown weekday %q", s, fields[0])
		}
		hasWD = true
		minutes, err = parseClock(fields[1])
	default:
		return 0, false, 0, fmt.Errorf("handoff %q: want a weekday and a time, e.g. \"monday 09:00\", or a time", s)
	}
	if err != nil {
		return 0, false, 0, fmt.Errorf("handoff %q: %w", s, err)
	}
	return wd, hasWD, minutes, nil
}

// parseClock parses "09:00" or "9:30" into minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("time %q: want HH:MM, e.g. 09:00", s)
	}
	return hh*60 + mm, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

func parseWeekday(s string) (time.Weekday, bool) {
	d, ok := weekdays[strings.ToLower(strings.TrimSpace(s))]
	return d, ok
}
