package oncall

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// MaxCover is the longest a single cover may last. Longer absences belong
// in the member list of the configuration.
const MaxCover = 31 * 24 * time.Hour

// Listing is what /koban oncall list shows.
type Listing struct {
	Rotation  string
	Shifts    []koban.Shift    // upcoming, the current one first
	Overrides []koban.Override // current and future
}

// Do runs a parsed command for user (a Slack user ID) and returns the reply
// in Slack mrkdwn. Errors are *koban.Error where the user can act on them.
//
// Showing and listing are open to everyone; changing a rotation (cover,
// swap, remove) to its members and admins, and a swap asked by a member
// waits for the other member's confirmation; handoff notes to responders.
// A refusal is an EForbidden error.
func (s *Service) Do(ctx context.Context, user string, cmd Command, now time.Time) (string, error) {
	if err := s.authorize(ctx, user, cmd, now); err != nil {
		return "", err
	}
	lang := i18n.FromContext(ctx)
	switch c := cmd.(type) {
	case *ShowCommand:
		shifts, err := s.Show(ctx, c.Rotation, now)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, sh := range shifts {
			b.WriteString(i18n.Say(lang, "oncall.show_line", "Rotation", sh.Rotation, "Person", sh.Person, "Until", s.slackTime(sh.Rotation, sh.End)) + "\n")
		}
		if b.Len() == 0 {
			return i18n.Say(lang, "oncall.nobody"), nil
		}
		return b.String(), nil
	case *CoverCommand:
		o, err := s.Cover(ctx, user, c, now)
		if err != nil {
			return "", err
		}
		return i18n.Say(lang, "oncall.covered", "ID", o.ID, "Person", o.Person, "Rotation", o.Rotation,
			"From", s.fmtTime(o.Rotation, o.From), "To", s.fmtTime(o.Rotation, o.To)), nil
	case *SwapCommand:
		if !s.isAdmin(ctx, user) {
			return s.requestSwap(ctx, user, c, now)
		}
		pair, err := s.Swap(ctx, user, c, now)
		if err != nil {
			return "", err
		}
		return s.swapReply(lang, pair), nil
	case *ListCommand:
		l, err := s.List(ctx, user, c.Rotation, now)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		b.WriteString(i18n.Say(lang, "oncall.list_head", "Rotation", l.Rotation) + "\n")
		for _, sh := range l.Shifts {
			mark := ""
			if sh.Override {
				mark = i18n.Say(lang, "oncall.list_override")
			}
			fmt.Fprintf(&b, "• %s – %s <@%s>%s\n", s.fmtTime(l.Rotation, sh.Start), s.fmtTime(l.Rotation, sh.End), sh.Person, mark)
		}
		if len(l.Overrides) > 0 {
			b.WriteString(i18n.Say(lang, "oncall.list_overrides") + "\n")
			for _, o := range l.Overrides {
				fmt.Fprintf(&b, "• #%d %s <@%s> %s – %s\n", o.ID, kindText(lang, o.Kind), o.Person, s.fmtTime(l.Rotation, o.From), s.fmtTime(l.Rotation, o.To))
			}
		}
		return b.String(), nil
	case *RemoveCommand:
		removed, err := s.Remove(ctx, user, c.ID, now)
		if err != nil {
			return "", err
		}
		ids := make([]string, len(removed))
		for i, o := range removed {
			ids[i] = fmt.Sprintf("#%d", o.ID)
		}
		return i18n.Say(lang, "oncall.removed", "IDs", strings.Join(ids, i18n.Say(lang, "oncall.and"))), nil
	case *NoteCommand:
		n, err := s.Note(ctx, user, c, now)
		if err != nil {
			return "", err
		}
		return i18n.Say(lang, "oncall.noted", "Rotation", n.Rotation), nil
	}
	return "", fmt.Errorf("oncall: unknown command %T", cmd)
}

// kindText names an override's kind (cover, swap) in lang.
func kindText(lang string, k koban.OverrideKind) string {
	return i18n.Reword(lang, "oncall.kind.", string(k))
}

// fmtTime formats t in the rotation's zone for replies.
func (s *Service) fmtTime(rotation string, t time.Time) string {
	if r, err := s.schedule.Rotation(rotation); err == nil {
		t = t.In(r.Location)
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// slackTime renders t as a Slack date token, which each reader sees in
// their own time zone; the fallback is in the rotation's zone.
func (s *Service) slackTime(rotation string, t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), s.fmtTime(rotation, t))
}

// pick chooses the rotation a command applies to: the named one, else the
// only one, else the one user is a member of, else the default.
func (s *Service) pick(name, user string) (*Rotation, error) {
	if name != "" {
		return s.schedule.Rotation(name)
	}
	rots := s.schedule.rotations
	if len(rots) == 0 {
		return nil, koban.Say(koban.ENotFound, "oncall.error.no_rotation", nil)
	}
	var mine []*Rotation
	for _, r := range rots {
		for _, m := range r.Members {
			if m == user {
				mine = append(mine, r)
				break
			}
		}
	}
	if len(mine) == 1 {
		return mine[0], nil
	}
	return s.schedule.Default(), nil
}

// resolve turns a mentioned person into a Slack user ID.
func (s *Service) resolve(ctx context.Context, p Person) (string, error) {
	if p.ID != "" {
		return p.ID, nil
	}
	if nl, ok := s.notifier.(NameLookup); ok {
		id, err := nl.LookupName(ctx, p.Name)
		if err == nil {
			return id, nil
		}
		if koban.ErrorCode(err) != koban.ENotFound {
			return "", fmt.Errorf("look up @%s: %w", p.Name, err)
		}
	}
	return "", invalid("oncall.error.who_is", "Name", p.Name)
}

// Show returns the current shift of the named rotation, or of every rotation.
func (s *Service) Show(ctx context.Context, rotation string, now time.Time) ([]koban.Shift, error) {
	sch, err := s.around(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []koban.Shift
	for _, r := range sch.rotations {
		if rotation != "" && r.Name != rotation {
			continue
		}
		sh, err := sch.At(r.Name, now)
		if koban.ErrorCode(err) == koban.ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	if rotation != "" {
		if _, err := sch.Rotation(rotation); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// conflicts returns an EConflict error when [from, to) overlaps an existing
// override of rotation.
func (s *Service) conflicts(ctx context.Context, rotation string, from, to time.Time) error {
	ovs, err := s.store.Overrides(ctx, rotation, from, to)
	if err != nil {
		return fmt.Errorf("load overrides: %w", err)
	}
	for _, o := range ovs {
		if o.Rotation == rotation && o.Overlaps(from, to) {
			return koban.Say(koban.EConflict, "oncall.error.overlap", i18n.Pairs("ID", o.ID, "Kind", i18n.Message{ID: "oncall.kind." + string(o.Kind)},
				"Person", o.Person, "From", s.fmtTime(rotation, o.From), "To", s.fmtTime(rotation, o.To)))
		}
	}
	return nil
}

// Cover stores a cover override. The start is clipped to now; a cover
// that is over, inverted, longer than MaxCover, or overlapping another
// override is refused, and so is putting someone outside the rotation on
// call unless user is an admin.
func (s *Service) Cover(ctx context.Context, user string, c *CoverCommand, now time.Time) (koban.Override, error) {
	r, err := s.pick(c.Rotation, user)
	if err != nil {
		return koban.Override{}, err
	}
	person, err := s.resolve(ctx, c.Person)
	if err != nil {
		return koban.Override{}, err
	}
	if err := s.coverable(ctx, user, person, r); err != nil {
		return koban.Override{}, err
	}
	from := c.From.Resolve(now, r.Location, r.HandoffMin)
	to := c.To.Resolve(now, r.Location, r.HandoffMin)
	switch {
	case !from.Before(to):
		return koban.Override{}, invalid("oncall.error.ends_before", "To", s.fmtTime(r.Name, to), "From", s.fmtTime(r.Name, from))
	case !to.After(now):
		return koban.Override{}, invalid("oncall.error.over", "To", s.fmtTime(r.Name, to))
	case to.Sub(from) > MaxCover:
		return koban.Override{}, invalid("oncall.error.too_long", "Days", int(MaxCover.Hours()/24))
	}
	if from.Before(now) {
		from = now.Truncate(time.Minute)
	}
	if err := s.conflicts(ctx, r.Name, from, to); err != nil {
		return koban.Override{}, err
	}
	o := koban.Override{Rotation: r.Name, Kind: koban.OverrideCover, Person: person, From: from, To: to, CreatedBy: user, CreatedAt: now}
	if sch, err := s.Schedule(ctx, from, to); err == nil {
		if sh, err := sch.At(r.Name, from); err == nil {
			o.Replaces = sh.Person
		}
	}
	if o.ID, err = s.store.AddOverride(ctx, o); err != nil {
		return koban.Override{}, fmt.Errorf("add cover: %w", err)
	}
	s.log.Info("oncall cover added", "rotation", r.Name, "override_id", o.ID, "person", person, "by", user)
	return o, nil
}

// Swap exchanges user's next shift with the next shift of the person named,
// as two swap overrides, at once: for admins, and for callers that checked
// the other member's consent. /koban oncall swap by a member asks the other
// member to confirm instead (ConfirmSwap applies it).
func (s *Service) Swap(ctx context.Context, user string, c *SwapCommand, now time.Time) ([2]koban.Override, error) {
	r, other, mine, theirs, err := s.planSwap(ctx, user, c, now)
	if err != nil {
		return [2]koban.Override{}, err
	}
	return s.applySwap(ctx, r, user, other, mine, theirs, user, now)
}

// planSwap finds the rotation, the other person and the two shifts to swap.
func (s *Service) planSwap(ctx context.Context, user string, c *SwapCommand, now time.Time) (r *Rotation, other string, mine, theirs koban.Shift, err error) {
	r, err = s.pick(c.Rotation, user)
	if err != nil {
		return
	}
	if other, err = s.resolve(ctx, c.Person); err != nil {
		return
	}
	if other == user {
		err = invalid("oncall.error.swap_self")
		return
	}
	shifts, err := s.upcoming(ctx, r, now)
	if err != nil {
		return
	}
	next := func(person string) (koban.Shift, bool) {
		for _, sh := range shifts {
			if sh.Person == person && sh.Start.After(now) && !sh.Override {
				return sh, true
			}
		}
		return koban.Shift{}, false
	}
	var ok bool
	if mine, ok = next(user); !ok {
		err = invalid("oncall.error.no_shift", "Rotation", r.Name, "Weeks", int(s.Horizon.Hours()/24/7))
		return
	}
	if theirs, ok = next(other); !ok {
		err = invalid("oncall.error.no_shift_other", "Other", other, "Rotation", r.Name, "Weeks", int(s.Horizon.Hours()/24/7))
		return
	}
	for _, sh := range []koban.Shift{mine, theirs} {
		if err = s.conflicts(ctx, r.Name, sh.Start, sh.End); err != nil {
			return
		}
	}
	return r, other, mine, theirs, nil
}

// applySwap stores the two halves of a swap of a's shift mine with b's
// shift theirs, recorded as done by actor.
func (s *Service) applySwap(ctx context.Context, r *Rotation, a, b string, mine, theirs koban.Shift, actor string, now time.Time) ([2]koban.Override, error) {
	for _, sh := range []koban.Shift{mine, theirs} {
		if err := s.conflicts(ctx, r.Name, sh.Start, sh.End); err != nil {
			return [2]koban.Override{}, err
		}
	}
	pair := [2]koban.Override{
		{Rotation: r.Name, Kind: koban.OverrideSwap, Person: b, Replaces: a, From: mine.Start, To: mine.End, CreatedBy: actor, CreatedAt: now},
		{Rotation: r.Name, Kind: koban.OverrideSwap, Person: a, Replaces: b, From: theirs.Start, To: theirs.End, CreatedBy: actor, CreatedAt: now},
	}
	var err error
	if pair[0].ID, err = s.store.AddOverride(ctx, pair[0]); err != nil {
		return [2]koban.Override{}, fmt.Errorf("add swap: %w", err)
	}
	if pair[1].ID, err = s.store.AddOverride(ctx, pair[1]); err != nil {
		// Undo the first half, so that nobody is left with two shifts.
		if derr := s.store.DeleteOverride(ctx, pair[0].ID); derr != nil {
			s.log.Error("undo half a swap", "override_id", pair[0].ID, "err", derr)
		}
		return [2]koban.Override{}, fmt.Errorf("add swap: %w", err)
	}
	s.log.Info("oncall swap added", "rotation", r.Name, "override_id", pair[0].ID, "between", a, "and", b, "by", actor)
	return pair, nil
}

// List returns the upcoming shifts (four weeks, at most 20) and the current
// and future overrides of a rotation.
func (s *Service) List(ctx context.Context, user, rotation string, now time.Time) (Listing, error) {
	r, err := s.pick(rotation, user)
	if err != nil {
		return Listing{}, err
	}
	ovs, err := s.store.Overrides(ctx, r.Name, now, now.Add(s.Horizon))
	if err != nil {
		return Listing{}, fmt.Errorf("load overrides: %w", err)
	}
	l := Listing{Rotation: r.Name}
	for _, o := range ovs {
		if o.Rotation == r.Name && o.To.After(now) {
			l.Overrides = append(l.Overrides, o)
		}
	}
	sch := s.schedule.WithOverrides(ovs)
	shifts, err := sch.Shifts(r.Name, now, now.Add(28*24*time.Hour))
	if err != nil {
		return Listing{}, err
	}
	l.Shifts = shifts[:min(len(shifts), 20)]
	return l, nil
}

// Remove deletes override id; for a swap, both halves.
func (s *Service) Remove(ctx context.Context, user string, id int64, now time.Time) ([]koban.Override, error) {
	year := 366 * 24 * time.Hour
	ovs, err := s.overrides(ctx, now.Add(-year), now.Add(year))
	if err != nil {
		return nil, err
	}
	var target *koban.Override
	for i := range ovs {
		if ovs[i].ID == id {
			target = &ovs[i]
		}
	}
	if target == nil {
		return nil, koban.Say(koban.ENotFound, "oncall.error.no_override", i18n.Pairs("ID", id))
	}
	removed := []koban.Override{*target}
	if target.Kind == koban.OverrideSwap {
		for _, o := range ovs {
			if o.ID != id && o.Kind == koban.OverrideSwap && o.Rotation == target.Rotation && o.Person == target.Replaces &&
				o.Replaces == target.Person && o.CreatedAt.Equal(target.CreatedAt) {
				removed = append(removed, o)
				break
			}
		}
	}
	for _, o := range removed {
		if err := s.store.DeleteOverride(ctx, o.ID); err != nil {
			return nil, fmt.Errorf("remove override %d: %w", o.ID, err)
		}
	}
	s.log.Info("oncall override removed", "override_id", id, "count", len(removed), "by", user)
	return removed, nil
}

// Note stores a note for the next handoff of the named rotation, or of the
// rotation user is on call for now, or the default.
func (s *Service) Note(ctx context.Context, user string, c *NoteCommand, now time.Time) (koban.HandoffNote, error) {
	name := c.Rotation
	if name == "" {
		if shifts, err := s.Show(ctx, "", now); err == nil {
			for _, sh := range shifts {
				if sh.Person == user {
					name = sh.Rotation
					break
				}
			}
		}
	}
	r, err := s.pick(name, user)
	if err != nil {
		return koban.HandoffNote{}, err
	}
	text := c.Text
	if s.redactor != nil {
		text, _ = s.redactor.Redact(text)
	}
	n := koban.HandoffNote{Rotation: r.Name, Author: user, Text: text, CreatedAt: now}
	if n.ID, err = s.store.AddHandoffNote(ctx, n); err != nil {
		return koban.HandoffNote{}, fmt.Errorf("add handoff note: %w", err)
	}
	return n, nil
}
