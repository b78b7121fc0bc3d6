package oncall

import (
	"context"
	"time"

	"github.com/kobanhq/koban"
)

// firstRun reports whether this is the first Tick koban does with rotation
// r: the first time, a claim for the rotation is marked done for good.
func (s *Service) firstRun(ctx context.Context, r *Rotation, now time.Time) (bool, error) {
	ran, err := koban.Once(ctx, s.store, "oncall-seen:"+r.Name, s.ClaimTimeout, func(context.Context) error { return nil })
	if err != nil {
		return false, err
	}
	return ran, nil
}

// quietHandoff says why the handoff into cur is not posted, or "" when it
// is: a shift that began before koban first ran with the rotation had no
// handoff koban could have seen (its "previous person" would be invented),
// and a missed shift change is caught up only while it is recent, within
// the first half of the rotation's shift length.
func quietHandoff(r *Rotation, first bool, cur koban.Shift, now time.Time) string {
	switch {
	case first && cur.Start.Before(now):
		return "the shift began before koban first ran with this rotation"
	case now.Sub(cur.Start) > time.Duration(r.ShiftDays)*24*time.Hour/2:
		return "the shift change was missed and is no longer recent"
	}
	return ""
}
