package main

import (
	"context"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// oncallStore is oncall.Store over package store, whose on-call rows have
// their own types (feature packages never import store).
type oncallStore struct{ s *store.Store }

func (a oncallStore) AddOverride(ctx context.Context, o oncall.Override) (int64, error) {
	return a.s.AddOverride(ctx, store.Override{
		Rotation: o.Rotation, Person: o.Person, Replaces: o.Replaces, StartsAt: o.From, EndsAt: o.To,
		CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt, Kind: store.OverrideKind(o.Kind),
	})
}

func (a oncallStore) Overrides(ctx context.Context, rotation string, from, to time.Time) ([]oncall.Override, error) {
	list, err := a.s.Overrides(ctx, rotation, from, to)
	out := make([]oncall.Override, len(list))
	for i, o := range list {
		out[i] = oncall.Override{ID: o.ID, Rotation: o.Rotation, Kind: oncall.OverrideKind(o.Kind), Person: o.Person, Replaces: o.Replaces,
			From: o.StartsAt, To: o.EndsAt, CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt}
	}
	return out, err
}

func (a oncallStore) DeleteOverride(ctx context.Context, id int64) error {
	return a.s.DeleteOverride(ctx, id)
}

func (a oncallStore) AddHandoffNote(ctx context.Context, n oncall.HandoffNote) (int64, error) {
	return a.s.AddHandoffNote(ctx, store.HandoffNote{Rotation: n.Rotation, Author: n.Author, Text: n.Text, CreatedAt: n.At})
}

func (a oncallStore) HandoffNotes(ctx context.Context, rotation string, since time.Time) ([]oncall.HandoffNote, error) {
	list, err := a.s.HandoffNotes(ctx, rotation, since)
	out := make([]oncall.HandoffNote, len(list))
	for i, n := range list {
		out[i] = oncall.HandoffNote{ID: n.ID, Rotation: n.Rotation, Author: n.Author, Text: n.Text, At: n.CreatedAt}
	}
	return out, err
}

func (a oncallStore) OpenInquiries(ctx context.Context) ([]koban.Inquiry, error) {
	return a.s.OpenInquiries(ctx)
}

func (a oncallStore) ResolvedInquiries(ctx context.Context, rotation string, from, to time.Time) ([]koban.Inquiry, error) {
	return a.s.Inquiries(ctx, store.Filter{States: []koban.State{koban.StateResolved}, Rotation: rotation, ResolvedFrom: from, ResolvedTo: to})
}

func (a oncallStore) Claim(ctx context.Context, key string, staleAfter time.Duration) (bool, error) {
	return a.s.Claim(ctx, key, staleAfter)
}

func (a oncallStore) Done(ctx context.Context, key string) error { return a.s.Done(ctx, key) }

func (a oncallStore) Release(ctx context.Context, key string) error { return a.s.Release(ctx, key) }

// oncallRouter is desk.Router over the on-call service.
type oncallRouter struct {
	svc   *oncall.Service
	rots  []*oncall.Rotation
	group string // the fallback group when nobody is on call
}

func (r oncallRouter) Route(ctx context.Context, d koban.Domain, now time.Time) (desk.Escalation, error) {
	rotation, shift, err := r.svc.Route(ctx, d, now)
	if koban.ErrorCode(err) == koban.ENotFound {
		return desk.Escalation{Rotation: rotation, Group: r.group}, nil
	}
	if err != nil {
		return desk.Escalation{}, err
	}
	esc := desk.Escalation{Rotation: rotation, OnCall: shift.Person}
	for _, rot := range r.rots {
		if rot.Name == rotation && rot.UserGroup != "" && esc.OnCall == "" {
			esc.Group = rot.UserGroup
		}
		if rot.Name == rotation {
			esc.Channel = rot.Channel
		}
	}
	return esc, nil
}

// botOnCall is bot.OnCall over the on-call service.
type botOnCall struct{ svc *oncall.Service }

func (o *botOnCall) Now(ctx context.Context, t time.Time) ([]koban.Shift, error) {
	return o.svc.Show(ctx, "", t)
}

func (o *botOnCall) Next(ctx context.Context, t time.Time) ([]koban.Shift, error) {
	now, err := o.svc.Show(ctx, "", t)
	if err != nil {
		return nil, err
	}
	var next []koban.Shift
	for _, s := range now {
		n, err := o.svc.Now(ctx, s.Rotation, s.End)
		if err != nil {
			continue // the rotation has no later shift
		}
		next = append(next, n)
	}
	return next, nil
}

func (o *botOnCall) ConfirmSwap(ctx context.Context, user, token string, accept bool) (string, error) {
	return o.svc.ConfirmSwap(ctx, user, token, accept, time.Now())
}

func (o *botOnCall) Command(ctx context.Context, user, text string) (string, error) {
	cmd, err := oncall.ParseCommand(text)
	if err != nil {
		return "", err
	}
	return o.svc.Do(ctx, user, cmd, time.Now())
}

// noNotifier stands in for Slack when it is not configured: on-call
// schedules still work, and nothing is posted.
type noNotifier struct{}

var errNoSlack = koban.Errorf(koban.EUnavailable, "Slack is not configured")

func (noNotifier) PostHandoff(context.Context, oncall.Handoff) error     { return nil }
func (noNotifier) Remind(context.Context, oncall.Reminder) error         { return nil }
func (noNotifier) SyncUserGroup(context.Context, string, []string) error { return nil }
func (noNotifier) LookupEmail(context.Context, string) (string, error)   { return "", errNoSlack }
