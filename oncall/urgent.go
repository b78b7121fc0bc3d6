package oncall

import (
	"time"

	"github.com/kobanhq/koban"
)

// replyClock returns how much of r's reply-time target inq has used at now
// and when it is due. An urgent inquiry (an outage, production down, a
// security issue) skips the business-hours path: its clock runs in wall
// time, nights and weekends included.
func (r *Rotation) replyClock(inq koban.Inquiry, now time.Time) (used time.Duration, due time.Time) {
	if inq.Urgent {
		return max(now.Sub(inq.CreatedAt), 0), inq.CreatedAt.Add(r.ReplyTarget)
	}
	return r.WorkingTime(inq.CreatedAt, now), r.Due(inq.CreatedAt)
}
