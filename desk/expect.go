package desk

import (
	"time"

	"github.com/kobanhq/koban"
)

// expectReply sets when the asker may expect a human reply to e: by the
// rotation's reply target, counted in business hours when the rotation has
// them (the router's ReplyBy), in wall time when urgent. Without a target it
// leaves e as it is.
func expectReply(e *koban.Escalation, now time.Time, urgent bool) {
	if e.ReplyTarget <= 0 {
		return
	}
	if urgent || e.ReplyBy.IsZero() {
		e.ReplyBy, e.BusinessHours = now.Add(e.ReplyTarget), false
	}
}
