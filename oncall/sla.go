package oncall

import "time"

// maxSLADays bounds the day-by-day walks below, so that a misconfiguration
// cannot make them spin: no reply-time target spans ten years.
const maxSLADays = 3660

// WorkingTime returns how much of [from, to) counts toward r's reply-time
// target: all of it, or only the business hours when r has them.
func (r *Rotation) WorkingTime(from, to time.Time) time.Duration {
	if !from.Before(to) {
		return 0
	}
	if r.Hours == nil {
		return to.Sub(from)
	}
	var total time.Duration
	d := from.In(r.Location)
	for i := 0; i < maxSLADays; i++ {
		ws, we, ok := r.workWindow(d.Year(), d.Month(), d.Day()+i)
		if ws.After(to) || ws.Equal(to) {
			break
		}
		if !ok {
			continue
		}
		s, e := maxTime(ws, from), minTime(we, to)
		if s.Before(e) {
			total += e.Sub(s)
		}
	}
	return total
}

// Due returns when an inquiry whose clock started at from reaches r's
// reply-time target, counting only working time when r has business hours.
func (r *Rotation) Due(from time.Time) time.Time {
	if r.Hours == nil {
		return from.Add(r.ReplyTarget)
	}
	left := r.ReplyTarget
	d := from.In(r.Location)
	for i := 0; i < maxSLADays; i++ {
		ws, we, ok := r.workWindow(d.Year(), d.Month(), d.Day()+i)
		if !ok || !we.After(from) {
			continue
		}
		ws = maxTime(ws, from)
		if span := we.Sub(ws); span >= left {
			return ws.Add(left)
		} else {
			left -= span
		}
	}
	return from.Add(maxSLADays * 24 * time.Hour)
}

// workWindow returns the business hours of the given day (normalised by
// time.Date) and whether it is a working day.
func (r *Rotation) workWindow(y int, m time.Month, d int) (start, end time.Time, ok bool) {
	start = wallClock(y, m, d, r.Hours.StartMin, r.Location)
	end = wallClock(y, m, d, r.Hours.EndMin, r.Location)
	return start, end, r.Hours.Days[start.Weekday()]
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
