package oncall

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// Access says who administers koban and who responds (*authz.Policy).
// Without it (nil) nobody is an admin and only rotation members change
// their own rotations.
type Access interface {
	// IsAdmin reports whether user may change every rotation.
	IsAdmin(ctx context.Context, user string) bool
	// IsResponder reports whether user is a responder (a member of any
	// rotation or of the responders group) or an admin.
	IsResponder(ctx context.Context, user string) bool
}

// SwapAsker is implemented by a Notifier that can ask the other person to
// confirm a swap (a DM with Accept and Decline buttons that carry Token).
type SwapAsker interface {
	AskSwap(ctx context.Context, r SwapRequest) error
}

// SwapRequest is a swap waiting for the other member's confirmation.
type SwapRequest struct {
	Rotation  string
	From      string // who asked: their next shift goes to To
	To        string // who must confirm
	FromShift koban.Shift
	ToShift   koban.Shift
	// Token carries the request in the confirmation buttons:
	// "rotation|from|to|from-shift-start|to-shift-start" (Unix seconds).
	Token string
}

func (s *Service) isAdmin(ctx context.Context, user string) bool {
	return s.access != nil && s.access.IsAdmin(ctx, user)
}

// forbidden is an EForbidden error saying message id of the catalogue,
// filled from key/value pairs.
func forbidden(id string, kv ...any) error {
	return koban.Say(koban.EForbidden, id, i18n.Pairs(kv...))
}

// authorize checks that user may run cmd; a refusal is logged and is an
// EForbidden error that says who may. Showing and listing are open to all.
func (s *Service) authorize(ctx context.Context, user string, cmd Command, now time.Time) error {
	err := s.allowed(ctx, user, cmd, now)
	if err != nil {
		s.log.Warn("oncall command refused", "user", user, "command", fmt.Sprintf("%T", cmd), "err", koban.ErrorMessage(err))
	}
	return err
}

func (s *Service) allowed(ctx context.Context, user string, cmd Command, now time.Time) error {
	if user == "" {
		return forbidden("oncall.error.who_are_you")
	}
	admin := s.isAdmin(ctx, user)
	switch c := cmd.(type) {
	case *CoverCommand:
		// Who is put on call is checked once resolved (coverable).
		return s.memberOrAdmin(c.Rotation, user, admin, "oncall.error.members_change")
	case *SwapCommand:
		return s.memberOrAdmin(c.Rotation, user, admin, "oncall.error.members_swap")
	case *RemoveCommand:
		if admin {
			return nil
		}
		o, err := s.override(ctx, c.ID, now)
		if err != nil {
			return err
		}
		r, err := s.schedule.Rotation(o.Rotation)
		if err != nil {
			return err
		}
		if !slices.Contains(r.Members, user) {
			return forbidden("oncall.error.members_remove", "Rotation", r.Name)
		}
	case *NoteCommand:
		if admin || (s.access != nil && s.access.IsResponder(ctx, user)) {
			return nil
		}
		for _, r := range s.schedule.rotations {
			if slices.Contains(r.Members, user) {
				return nil
			}
		}
		return forbidden("oncall.error.notes")
	}
	return nil
}

// memberOrAdmin checks that user is a member of the rotation (picked for
// user when rotation is empty) or an admin; refused is the message of the
// catalogue, filled with the rotation's name, that says who may.
func (s *Service) memberOrAdmin(rotation, user string, admin bool, refused string) error {
	r, err := s.pick(rotation, user)
	if err != nil || admin {
		return err
	}
	if !slices.Contains(r.Members, user) {
		return forbidden(refused, "Rotation", r.Name)
	}
	return nil
}

// override finds override id among those of the year around now.
func (s *Service) override(ctx context.Context, id int64, now time.Time) (koban.Override, error) {
	year := 366 * 24 * time.Hour
	ovs, err := s.overrides(ctx, now.Add(-year), now.Add(year))
	if err != nil {
		return koban.Override{}, err
	}
	for _, o := range ovs {
		if o.ID == id {
			return o, nil
		}
	}
	return koban.Override{}, koban.Say(koban.ENotFound, "oncall.error.no_override", i18n.Pairs("ID", id))
}

// requestSwap asks the other member to confirm a swap. It returns the reply
// for the person who asked.
func (s *Service) requestSwap(ctx context.Context, user string, c *SwapCommand, now time.Time) (string, error) {
	r, other, mine, theirs, err := s.planSwap(ctx, user, c, now)
	if err != nil {
		return "", err
	}
	asker, ok := s.notifier.(SwapAsker)
	if !ok {
		return "", forbidden("oncall.error.swap_confirm")
	}
	req := SwapRequest{Rotation: r.Name, From: user, To: other, FromShift: mine, ToShift: theirs,
		Token: strings.Join([]string{r.Name, user, other, strconv.FormatInt(mine.Start.Unix(), 10), strconv.FormatInt(theirs.Start.Unix(), 10)}, "|")}
	if err := asker.AskSwap(ctx, req); err != nil {
		return "", fmt.Errorf("ask <@%s> to confirm the swap: %w", other, err)
	}
	s.log.Info("oncall swap requested", "rotation", r.Name, "by", user, "with", other)
	return i18n.Say(i18n.FromContext(ctx), "oncall.swap_asked", "Other", other,
		"Mine", s.fmtTime(r.Name, mine.Start), "Theirs", s.fmtTime(r.Name, theirs.Start), "Rotation", r.Name), nil
}

// ConfirmSwap applies (accept) or declines the swap a confirmation button
// carries, for user: the member asked, or a koban admin. The shifts are
// looked up again, so a schedule that changed meanwhile is caught.
func (s *Service) ConfirmSwap(ctx context.Context, user, token string, accept bool, now time.Time) (string, error) {
	parts := strings.Split(token, "|")
	if len(parts) != 5 {
		return "", koban.Say(koban.EInvalid, "oncall.error.swap_unreadable", nil)
	}
	rotation, from, to := parts[0], parts[1], parts[2]
	fromStart, err1 := strconv.ParseInt(parts[3], 10, 64)
	toStart, err2 := strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil {
		return "", koban.Say(koban.EInvalid, "oncall.error.swap_unreadable", nil)
	}
	if user != to && !s.isAdmin(ctx, user) {
		s.log.Warn("oncall swap confirmation refused", "user", user, "rotation", rotation, "for", to)
		return "", forbidden("oncall.error.swap_not_yours", "To", to)
	}
	if !accept {
		s.log.Info("oncall swap declined", "rotation", rotation, "by", user, "asked_by", from)
		return i18n.Say(i18n.FromContext(ctx), "oncall.swap_declined", "User", user, "From", from, "Rotation", rotation), nil
	}
	r, err := s.schedule.Rotation(rotation)
	if err != nil {
		return "", err
	}
	shifts, err := s.upcoming(ctx, r, now)
	if err != nil {
		return "", err
	}
	find := func(person string, start int64) (koban.Shift, bool) {
		for _, sh := range shifts {
			if sh.Person == person && sh.Start.Unix() == start && !sh.Override {
				return sh, true
			}
		}
		return koban.Shift{}, false
	}
	mine, ok1 := find(from, fromStart)
	theirs, ok2 := find(to, toStart)
	if !ok1 || !ok2 {
		return "", koban.Say(koban.EConflict, "oncall.error.swap_stale", i18n.Pairs("From", from))
	}
	pair, err := s.applySwap(ctx, r, from, to, mine, theirs, user, now)
	if err != nil {
		return "", err
	}
	return s.swapReply(i18n.FromContext(ctx), pair), nil
}

// upcoming returns the shifts of r within the horizon, overrides applied.
func (s *Service) upcoming(ctx context.Context, r *Rotation, now time.Time) ([]koban.Shift, error) {
	sch, err := s.Schedule(ctx, now, now.Add(s.Horizon))
	if err != nil {
		return nil, err
	}
	return sch.Shifts(r.Name, now, now.Add(s.Horizon))
}

func (s *Service) swapReply(lang string, pair [2]koban.Override) string {
	a, b := pair[0], pair[1]
	return i18n.Say(lang, "oncall.swapped", "Rotation", a.Rotation,
		"A", a.Person, "AFrom", s.fmtTime(a.Rotation, a.From), "ATo", s.fmtTime(a.Rotation, a.To), "AID", a.ID,
		"B", b.Person, "BFrom", s.fmtTime(b.Rotation, b.From), "BTo", s.fmtTime(b.Rotation, b.To), "BID", b.ID)
}

// coverable returns an EForbidden error when person, who is not a member of
// r, would be put on call by someone who is not an admin.
func (s *Service) coverable(ctx context.Context, user, person string, r *Rotation) error {
	if slices.Contains(r.Members, person) || s.isAdmin(ctx, user) {
		return nil
	}
	s.log.Warn("oncall command refused", "user", user, "command", "cover", "person", person, "rotation", r.Name)
	return forbidden("oncall.error.members_cover", "Rotation", r.Name)
}
