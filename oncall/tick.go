package oncall

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kobanhq/koban"
)

// Handoff is the digest posted at a shift change.
type Handoff struct {
	Rotation string
	Channel  string
	Outgoing string // Slack user ID; empty for the rotation's first shift
	Incoming string
	Shift    koban.Shift // the incoming shift
	Previous koban.Shift // the outgoing shift; zero for the first
	Open     []OpenInquiry
	Resolved []koban.Inquiry     // resolved during the outgoing shift
	Notes    []koban.HandoffNote // written since the previous handoff
}

// OpenInquiry is an open inquiry in a handoff digest.
type OpenInquiry struct {
	Inquiry      koban.Inquiry
	Age          time.Duration
	Waiting      bool          // still waiting for a first human reply
	Due          time.Time     // when the reply-time target is reached (if Waiting)
	Left         time.Duration // working time left to Due; negative once breached
	LastActivity time.Time
}

// Reminder nudges about an inquiry waiting for a human reply.
type Reminder struct {
	Rotation string
	Channel  string // the rotation's channel
	Person   string // the current on-call; empty when nobody is
	Inquiry  koban.Inquiry
	// Percent of the reply-time target used up: 50, 90, or 100 for a
	// breach, which goes to the rotation channel.
	Percent int
	Due     time.Time
	Left    time.Duration // working time left; negative once breached
}

// Breach reports whether the reminder is about a missed target.
func (r Reminder) Breach() bool { return r.Percent >= 100 }

// reminderLevels are the reminder thresholds, highest first.
var reminderLevels = []int{100, 90, 50}

// Tick does one pass of the on-call side effects at now: for each rotation,
// the handoff digest of the current shift and the user-group sync if not
// done yet, then the reply-time reminders. Only the current shift counts, so
// shift changes missed while koban was down are caught up once, not one by
// one. Every side effect is claimed in the store first, so concurrent Ticks
// (replicas) do each once; a failed one is released and retried next Tick.
func (s *Service) Tick(ctx context.Context, now time.Time) error {
	sch, err := s.around(ctx, now)
	if err != nil {
		return err
	}
	open, err := s.store.OpenInquiries(ctx)
	if err != nil {
		return fmt.Errorf("load open inquiries: %w", err)
	}
	var errs []error
	current := map[string]koban.Shift{}
	for _, r := range sch.rotations {
		cur, err := sch.At(r.Name, now)
		if koban.ErrorCode(err) == koban.ENotFound {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		current[r.Name] = cur
		if err := s.syncGroup(ctx, r, cur, now); err != nil {
			errs = append(errs, err)
		}
		if err := s.handoff(ctx, sch, r, cur, open, now); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.remind(ctx, current, open, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// once runs fn under the claim key: skipped when another caller has it or
// it is done; released for a retry when fn fails.
func (s *Service) once(ctx context.Context, key string, fn func() error) error {
	if _, err := koban.Once(ctx, s.store, key, s.ClaimTimeout, func(context.Context) error { return fn() }); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// syncGroup keeps the rotation's user group equal to the current on-call:
// at each shift start, then once an hour to undo manual edits.
func (s *Service) syncGroup(ctx context.Context, r *Rotation, cur koban.Shift, now time.Time) error {
	if r.UserGroup == "" {
		return nil
	}
	at := maxTime(cur.Start, now.Truncate(time.Hour))
	key := "usergroup:" + r.Name + ":" + strconv.FormatInt(at.Unix(), 10)
	return s.once(ctx, key, func() error {
		if err := s.notifier.SyncUserGroup(ctx, r.UserGroup, []string{cur.Person}); err != nil {
			return fmt.Errorf("sync user group %s: %w", r.UserGroup, err)
		}
		s.log.Info("oncall user group synced", "rotation", r.Name, "user_group", r.UserGroup, "person", cur.Person)
		return nil
	})
}

// handoff posts the digest of the shift change into cur, once.
func (s *Service) handoff(ctx context.Context, sch *Schedule, r *Rotation, cur koban.Shift, open []koban.Inquiry, now time.Time) error {
	key := "handoff:" + r.Name + ":" + strconv.FormatInt(cur.Start.Unix(), 10)
	first, err := s.firstRun(ctx, r, now)
	if err != nil {
		return err
	}
	return s.once(ctx, key, func() error {
		if why := quietHandoff(r, first, cur, now); why != "" {
			s.log.Debug("oncall handoff not posted", "rotation", r.Name, "shift_start", cur.Start, "why", why)
			return nil
		}
		h, err := s.buildHandoff(ctx, sch, r, cur, open, now)
		if err != nil {
			return err
		}
		if h.Outgoing == h.Incoming {
			// A swap or cover that leaves the same person on call: no
			// shift change to hand off.
			s.log.Debug("oncall handoff not posted", "rotation", r.Name, "shift_start", cur.Start, "why", "same person")
			return nil
		}
		if err := s.notifier.PostHandoff(ctx, h); err != nil {
			return fmt.Errorf("post handoff: %w", err)
		}
		s.log.Info("oncall handoff posted", "rotation", r.Name, "incoming", h.Incoming, "outgoing", h.Outgoing, "open", len(h.Open), "late", !now.Before(cur.End))
		return nil
	})
}

// BuildHandoff returns the digest for the shift of rotation at now, without
// posting it or claiming anything (for previews and tests).
func (s *Service) BuildHandoff(ctx context.Context, rotation string, now time.Time) (Handoff, error) {
	sch, err := s.around(ctx, now)
	if err != nil {
		return Handoff{}, err
	}
	r, err := sch.Rotation(rotation)
	if err != nil {
		return Handoff{}, err
	}
	cur, err := sch.At(rotation, now)
	if err != nil {
		return Handoff{}, err
	}
	open, err := s.store.OpenInquiries(ctx)
	if err != nil {
		return Handoff{}, fmt.Errorf("load open inquiries: %w", err)
	}
	return s.buildHandoff(ctx, sch, r, cur, open, now)
}

func (s *Service) buildHandoff(ctx context.Context, sch *Schedule, r *Rotation, cur koban.Shift, open []koban.Inquiry, now time.Time) (Handoff, error) {
	h := Handoff{Rotation: r.Name, Channel: r.Channel, Incoming: cur.Person, Shift: cur}
	since := cur.Start.Add(-time.Duration(r.ShiftDays) * 24 * time.Hour)
	if prev, err := sch.At(r.Name, cur.Start.Add(-time.Nanosecond)); err == nil {
		h.Previous, h.Outgoing = prev, prev.Person
		since = prev.Start
		resolved, err := s.store.ResolvedInquiries(ctx, r.Name, prev.Start, cur.Start)
		if err != nil {
			return Handoff{}, fmt.Errorf("load resolved inquiries: %w", err)
		}
		h.Resolved = resolved
	}
	notes, err := s.store.HandoffNotes(ctx, r.Name, since)
	if err != nil {
		return Handoff{}, fmt.Errorf("load handoff notes: %w", err)
	}
	h.Notes = notes
	for _, inq := range open {
		if s.rotationOf(inq) != r.Name || !inq.State.Open() {
			continue
		}
		o := OpenInquiry{Inquiry: inq, Age: now.Sub(inq.CreatedAt), LastActivity: inq.UpdatedAt, Waiting: waiting(inq)}
		if o.Waiting {
			used, due := r.replyClock(inq, now)
			o.Due, o.Left = due, r.ReplyTarget-used
		}
		h.Open = append(h.Open, o)
	}
	// Most urgent first: waiting ones by time left, then the rest oldest first.
	slices.SortStableFunc(h.Open, func(a, b OpenInquiry) int {
		switch {
		case a.Waiting != b.Waiting:
			if a.Waiting {
				return -1
			}
			return 1
		case a.Waiting:
			return cmp.Compare(a.Left, b.Left)
		}
		return a.Inquiry.CreatedAt.Compare(b.Inquiry.CreatedAt)
	})
	return h, nil
}

// rotationOf returns the rotation an inquiry belongs to: the one it was
// routed to, else the one covering its domain.
func (s *Service) rotationOf(inq koban.Inquiry) string {
	if inq.Rotation != "" {
		return inq.Rotation
	}
	if inq.State != koban.StateEscalated && inq.State != koban.StateAcknowledged {
		return ""
	}
	if r, err := s.schedule.Route(inq.Domain); err == nil {
		return r.Name
	}
	return ""
}

// waiting reports whether an inquiry waits for a first human reply: it was
// escalated and nobody has replied or acknowledged it.
func waiting(inq koban.Inquiry) bool {
	return (inq.State == koban.StateEscalated || inq.State == koban.StateReopened && inq.Rotation != "") &&
		inq.FirstHumanResponseAt.IsZero()
}

// remind sends, for each inquiry waiting for a human, the highest reminder
// level reached and not yet sent: 50% and 90% of the reply-time target to
// the on-call, 100% (a breach) to the rotation channel. The clock starts
// when the inquiry was asked and, with business hours, counts only working
// time. Reminders stop once a human replied or acknowledged.
func (s *Service) remind(ctx context.Context, current map[string]koban.Shift, open []koban.Inquiry, now time.Time) error {
	var errs []error
	for _, inq := range open {
		if !waiting(inq) {
			continue
		}
		r, err := s.schedule.Rotation(s.rotationOf(inq))
		if err != nil {
			continue
		}
		used, due := r.replyClock(inq, now)
		level := 0
		for _, l := range reminderLevels {
			if used*100 >= r.ReplyTarget*time.Duration(l) {
				level = l
				break
			}
		}
		if level == 0 {
			continue
		}
		rem := Reminder{
			Rotation: r.Name, Channel: r.Channel, Person: current[r.Name].Person, Inquiry: inq,
			Percent: level, Due: due, Left: r.ReplyTarget - used,
		}
		key := "remind:" + strconv.FormatInt(inq.ID, 10) + ":" + strconv.Itoa(level)
		err = s.once(ctx, key, func() error {
			if err := s.notifier.Remind(ctx, rem); err != nil {
				return fmt.Errorf("remind inquiry %d: %w", inq.ID, err)
			}
			s.log.Info("oncall reminder sent", "inquiry_id", inq.ID, "rotation", r.Name, "percent", level)
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
