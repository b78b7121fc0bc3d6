package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kobanhq/koban"
)

// LabelEvent is a label a human gave an inquiry (a resolution or a relabel),
// with the question it labels: what triage learns from.
type LabelEvent struct {
	EventID   int64
	InquiryID int64
	At        time.Time
	Actor     string
	Text      string // the inquiry's redacted question
	Lang      string
	Label     koban.Label
	Domain    koban.Domain
}

// LabelEvents returns the labels humans gave at or after since, oldest
// first, up to limit (default 1000). Each replica reads them to learn the
// labels given on the others; a caller that overlaps its windows sees an
// event again and tells it by EventID.
func (s *Store) LabelEvents(ctx context.Context, since time.Time, limit int) ([]LabelEvent, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.read().query(ctx, `
		SELECT e.id, e.inquiry_id, e.at, e.actor, e.data, i.text, i.lang
		FROM events e JOIN inquiries i ON i.id = e.inquiry_id
		WHERE e.kind IN ($1, $2) AND e.at >= $3
		ORDER BY e.at, e.id LIMIT $4`,
		koban.EventResolved, koban.EventRelabelled, s.tsb(since), limit)
	if err != nil {
		return nil, fmt.Errorf("label events: %w", s.dbErr(err))
	}
	defer rows.Close()
	var out []LabelEvent
	for rows.Next() {
		var le LabelEvent
		var data string
		if err := rows.Scan(&le.EventID, &le.InquiryID, dbTime{&le.At}, &le.Actor, &data, &le.Text, &le.Lang); err != nil {
			return nil, fmt.Errorf("label events: %w", err)
		}
		var d map[string]string
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			s.log.Warn("label event with unreadable data", "event_id", le.EventID, "err", err)
			continue
		}
		if d["category"] == "" || le.Actor == koban.ActorKoban {
			continue // resolved without a label (auto-close, feedback only)
		}
		l, err := koban.ParseLabel(d["category"])
		if err != nil {
			s.log.Warn("label event with a bad label", "event_id", le.EventID, "err", err)
			continue
		}
		le.Label, le.Domain = l, koban.Domain(d["domain"])
		out = append(out, le)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("label events: %w", s.dbErr(err))
	}
	return out, nil
}
