package oncall

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// Store is what the on-call service keeps in the database. Package store
// implements it.
type Store interface {
	// AddOverride stores o and returns its ID; EConflict when it overlaps
	// another override of the same rotation.
	AddOverride(ctx context.Context, o koban.Override) (int64, error)
	// Overrides returns the overrides of rotation that overlap [from, to).
	Overrides(ctx context.Context, rotation string, from, to time.Time) ([]koban.Override, error)
	// DeleteOverride deletes an override; ENotFound when there is none.
	DeleteOverride(ctx context.Context, id int64) error

	// AddHandoffNote stores a note for the next handoff of its rotation.
	AddHandoffNote(ctx context.Context, n koban.HandoffNote) (int64, error)
	// HandoffNotes returns the notes of rotation written at or after since, oldest first.
	HandoffNotes(ctx context.Context, rotation string, since time.Time) ([]koban.HandoffNote, error)

	// OpenInquiries returns every inquiry that is not resolved.
	OpenInquiries(ctx context.Context) ([]koban.Inquiry, error)
	// ResolvedInquiries returns the inquiries routed to rotation that were
	// resolved in [from, to).
	ResolvedInquiries(ctx context.Context, rotation string, from, to time.Time) ([]koban.Inquiry, error)

	// Claimer makes each handoff, reminder and group sync happen once
	// across replicas.
	koban.Claimer
}

// Notifier reaches people in Slack. Package bot implements it. Methods
// return EUnavailable when Slack cannot be reached.
type Notifier interface {
	// PostHandoff posts the digest to the rotation's channel and to the
	// incoming on-call.
	PostHandoff(ctx context.Context, h Handoff) error
	// Remind nudges the on-call (or, for a breach, the rotation channel)
	// about an inquiry waiting for a human.
	Remind(ctx context.Context, r Reminder) error
	// SyncUserGroup makes the user group's members exactly users.
	SyncUserGroup(ctx context.Context, group string, users []string) error
	// LookupEmail returns the Slack user ID of an email; ENotFound when
	// there is no such user.
	LookupEmail(ctx context.Context, email string) (string, error)
}

// NameLookup is optionally implemented by a Notifier that can resolve a
// Slack display name ("alice" from a plain "@alice") to a user ID.
type NameLookup interface {
	LookupName(ctx context.Context, name string) (string, error)
}

// Deps are what the service works with. Access, Redactor and Log may be nil.
type Deps struct {
	Store    Store
	Notifier Notifier
	// Access tells admins and responders apart; nil: no admins.
	Access Access
	// Redactor, if set, masks secrets in handoff notes before they are
	// stored and posted, and in command text before it is logged.
	Redactor koban.Redactor
	Log      *slog.Logger
	// Language is the team's language ("en", "ja"): the calendar feed's
	// events are written in it. "" is English.
	Language string
}

// Service runs the on-call rotations: commands, routing, and the shift-change
// and reminder side effects in Tick.
type Service struct {
	schedule *Schedule
	store    Store
	notifier Notifier
	access   Access
	redactor koban.Redactor
	log      *slog.Logger
	language string

	// Horizon is how far ahead commands look for shifts (swap, list) and
	// the calendar publishes. Default 12 weeks.
	Horizon time.Duration
	// ClaimTimeout is how long a claim on a side effect holds before another
	// replica may retry it (the holder died). Default 5 minutes.
	ClaimTimeout time.Duration
}

// NewService returns a service over the validated rotations.
func NewService(rotations []*Rotation, d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		schedule:     NewSchedule(rotations),
		store:        d.Store,
		notifier:     d.Notifier,
		access:       d.Access,
		redactor:     d.Redactor,
		log:          d.Log,
		language:     i18n.Normalize(d.Language),
		Horizon:      12 * 7 * 24 * time.Hour,
		ClaimTimeout: 5 * time.Minute,
	}
}

// Schedule returns the schedule with the overrides that touch [from, to)
// applied.
func (s *Service) Schedule(ctx context.Context, from, to time.Time) (*Schedule, error) {
	ovs, err := s.overrides(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return s.schedule.WithOverrides(ovs), nil
}

// overrides returns the overrides of every rotation that overlap [from, to).
func (s *Service) overrides(ctx context.Context, from, to time.Time) ([]koban.Override, error) {
	var all []koban.Override
	for _, r := range s.schedule.rotations {
		ovs, err := s.store.Overrides(ctx, r.Name, from, to)
		if err != nil {
			return nil, fmt.Errorf("load overrides of %s: %w", r.Name, err)
		}
		all = append(all, ovs...)
	}
	return all, nil
}

// Now returns who is on call in rotation at t, overrides applied.
func (s *Service) Now(ctx context.Context, rotation string, t time.Time) (koban.Shift, error) {
	sch, err := s.around(ctx, t)
	if err != nil {
		return koban.Shift{}, err
	}
	return sch.At(rotation, t)
}

// around returns the schedule with the overrides near t: enough to compute
// the current, previous and next shift of every rotation.
func (s *Service) around(ctx context.Context, t time.Time) (*Schedule, error) {
	span := 0
	for _, r := range s.schedule.rotations {
		span = max(span, r.ShiftDays)
	}
	d := time.Duration(span+2) * 24 * time.Hour
	return s.Schedule(ctx, t.Add(-d), t.Add(d))
}

// Route returns the rotation that covers domain d and its current shift,
// for escalation. Before the rotation starts it returns ENotFound, and the
// caller falls back to the channel.
func (s *Service) Route(ctx context.Context, d koban.Domain, now time.Time) (string, koban.Shift, error) {
	r, err := s.schedule.Route(d)
	if err != nil {
		return "", koban.Shift{}, err
	}
	sh, err := s.Now(ctx, r.Name, now)
	if err != nil {
		return r.Name, koban.Shift{}, fmt.Errorf("route %s: %w", d, err)
	}
	return r.Name, sh, nil
}
