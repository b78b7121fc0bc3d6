package desk

import (
	"strconv"
	"time"
)

// record writes into an escalated event's data when the asker may expect a
// human reply: the rotation's reply target and the time it runs out (in
// business hours when the rotation has them; in wall time when urgent).
func (e *Escalation) record(data map[string]string, now time.Time, urgent bool) {
	if e.ReplyTarget <= 0 {
		return
	}
	if urgent || e.ReplyBy.IsZero() {
		e.ReplyBy, e.BusinessHours = now.Add(e.ReplyTarget), false
	}
	data["reply_target"] = e.ReplyTarget.String()
	data["reply_by"] = e.ReplyBy.UTC().Format(time.RFC3339)
	if e.BusinessHours {
		data["business_hours"] = "true"
	}
}

// read fills the expectation recorded by record; events recorded before
// koban kept it leave it empty.
func (e *Escalation) read(data map[string]string) {
	target, err := time.ParseDuration(data["reply_target"])
	if err != nil || target <= 0 {
		return
	}
	by, err := time.Parse(time.RFC3339, data["reply_by"])
	if err != nil {
		return
	}
	e.ReplyTarget, e.ReplyBy = target, by
	e.BusinessHours, _ = strconv.ParseBool(data["business_hours"])
}
