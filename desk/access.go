package desk

import (
	"context"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/authz"
)

// Access decides who may act on an inquiry (*authz.Policy).
type Access interface {
	// Check returns an EForbidden error when user may not take act on inq.
	Check(ctx context.Context, user string, act authz.Action, inq *koban.Inquiry) error
	// Refused logs a refusal.
	Refused(user string, act authz.Action, inq *koban.Inquiry)
}

// authorized loads inquiry id and checks that user may take act on it; a
// refusal is logged and returned as an EForbidden error.
func (d *Desk) authorized(ctx context.Context, id int64, user string, act authz.Action) (*koban.Inquiry, error) {
	inq, err := d.Store.Inquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Access == nil {
		return inq, nil
	}
	if err := d.Access.Check(ctx, user, act, inq); err != nil {
		d.Access.Refused(user, act, inq)
		return nil, err
	}
	return inq, nil
}
