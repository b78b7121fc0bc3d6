package main

import (
	"context"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/oncall"
)

// oncallRouter is desk.Router over the on-call service.
type oncallRouter struct {
	svc   *oncall.Service
	rots  []*oncall.Rotation
	group string // the fallback group when nobody is on call
}

func (r oncallRouter) Route(ctx context.Context, d koban.Domain, now time.Time) (koban.Escalation, error) {
	rotation, shift, err := r.svc.Route(ctx, d, now)
	if koban.ErrorCode(err) == koban.ENotFound {
		return koban.Escalation{Rotation: rotation, Group: r.group}, nil
	}
	if err != nil {
		return koban.Escalation{}, err
	}
	esc := koban.Escalation{Rotation: rotation, OnCall: shift.Person}
	for _, rot := range r.rots {
		if rot.Name == rotation && rot.UserGroup != "" && esc.OnCall == "" {
			esc.Group = rot.UserGroup
		}
		if rot.Name == rotation {
			esc.Channel = rot.Channel
			esc.ReplyTarget, esc.ReplyBy, esc.BusinessHours = rot.ReplyTarget, rot.Due(now), rot.Hours != nil
		}
	}
	return esc, nil
}

// botOnCall is bot.OnCall over the on-call service.
type botOnCall struct{ svc *oncall.Service }

func (o botOnCall) Now(ctx context.Context, t time.Time) ([]koban.Shift, error) {
	return o.svc.Show(ctx, "", t)
}

func (o botOnCall) Next(ctx context.Context, t time.Time) ([]koban.Shift, error) {
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

func (o botOnCall) ConfirmSwap(ctx context.Context, user, token string, accept bool) (string, error) {
	return o.svc.ConfirmSwap(ctx, user, token, accept, time.Now())
}

func (o botOnCall) Command(ctx context.Context, user, text string) (string, error) {
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
