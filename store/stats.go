package store

import (
	"context"
	"fmt"
	"time"

	"github.com/kobanhq/koban"
)

// MonthCount is how many inquiries of one month had one label and domain.
type MonthCount struct {
	Month  string      // "2006-01" in the location asked for
	Label  koban.Label // the human's label where there is one, else koban's
	Domain koban.Domain
	Count  int
}

// MonthlyCounts counts the inquiries created in [from, to) by calendar month
// in loc (nil is UTC), label and domain, ordered by month.
func (s *Store) MonthlyCounts(ctx context.Context, from, to time.Time, loc *time.Location) ([]MonthCount, error) {
	if loc == nil {
		loc = time.UTC
	}
	if from.IsZero() || !to.After(from) {
		return nil, koban.Errorf(koban.EInvalid, "monthly counts: want a period with a start before its end, got %v .. %v", from, to)
	}
	var out []MonthCount
	// One grouped query per month: month boundaries in loc (with its
	// daylight saving) are computed here, the counting in SQL on the
	// created_at index.
	for start := monthStart(from.In(loc)); start.Before(to); start = start.AddDate(0, 1, 0) {
		lo, hi := start, start.AddDate(0, 1, 0)
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		rows, err := s.read().query(ctx, `
			SELECT CASE WHEN final_category <> '' THEN final_category ELSE predicted_category END,
				CASE WHEN final_category <> '' THEN final_detail ELSE predicted_detail END,
				domain, COUNT(*)
			FROM inquiries WHERE created_at >= $1 AND created_at < $2
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, s.tsb(lo), s.tsb(hi))
		if err != nil {
			return nil, fmt.Errorf("monthly counts: %w", s.dbErr(err))
		}
		month := start.Format("2006-01")
		for rows.Next() {
			c := MonthCount{Month: month}
			if err := rows.Scan(&c.Label.Category, &c.Label.Detail, &c.Domain, &c.Count); err != nil {
				rows.Close()
				return nil, fmt.Errorf("monthly counts: %w", err)
			}
			out = append(out, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("monthly counts: %w", s.dbErr(err))
		}
	}
	return out, nil
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// Durations are the timings and labels of one inquiry, for reply-time and
// accuracy statistics. A duration is zero when the thing has not happened.
type Durations struct {
	InquiryID int64
	CreatedAt time.Time
	State     koban.State
	Domain    koban.Domain
	// FirstResponse is the time to koban's first reply, FirstHumanResponse
	// to the first human reply or ack, Resolution to the last resolution.
	FirstResponse      time.Duration
	FirstHumanResponse time.Duration
	Resolution         time.Duration
	Escalated          bool // it was escalated to a human at some point
	Predicted          koban.Label
	Final              koban.Label // zero unless a human labelled it
}

// HumanLabelled reports whether a human confirmed or corrected the label.
func (d Durations) HumanLabelled() bool { return !d.Final.IsZero() }

// Durations returns the timings of the inquiries created in [from, to),
// oldest first.
func (s *Store) Durations(ctx context.Context, from, to time.Time) ([]Durations, error) {
	rows, err := s.read().query(ctx, `
		SELECT i.id, i.created_at, i.state, i.domain, i.first_response_at, i.first_human_response_at, i.resolved_at,
			i.predicted_category, i.predicted_detail, i.final_category, i.final_detail,
			EXISTS (SELECT 1 FROM events e WHERE e.inquiry_id = i.id AND e.kind = $3)
		FROM inquiries i WHERE i.created_at >= $1 AND i.created_at < $2
		ORDER BY i.created_at, i.id`, s.tsb(from), s.tsb(to), koban.EventEscalated)
	if err != nil {
		return nil, fmt.Errorf("durations: %w", s.dbErr(err))
	}
	defer rows.Close()
	var out []Durations
	for rows.Next() {
		var d Durations
		var first, human, resolved time.Time
		var escalated any
		if err := rows.Scan(&d.InquiryID, dbTime{&d.CreatedAt}, &d.State, &d.Domain, dbTime{&first}, dbTime{&human}, dbTime{&resolved},
			&d.Predicted.Category, &d.Predicted.Detail, &d.Final.Category, &d.Final.Detail, &escalated); err != nil {
			return nil, fmt.Errorf("durations: %w", err)
		}
		d.FirstResponse, d.FirstHumanResponse, d.Resolution = since(d.CreatedAt, first), since(d.CreatedAt, human), since(d.CreatedAt, resolved)
		d.Escalated = truthy(escalated)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("durations: %w", s.dbErr(err))
	}
	return out, nil
}

func since(start, t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return t.Sub(start)
}

// truthy reads a boolean expression: PostgreSQL gives a bool, SQLite an integer.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case int64:
		return v != 0
	}
	return false
}
