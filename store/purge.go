package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// Purged counts what Purge removed.
type Purged struct {
	Inquiries int // resolved inquiries whose text and Slack references were removed
	Events    int // events whose free text and people were removed
	Notes     int // handoff notes deleted
	Overrides int // on-call overrides that ended before the date, deleted
	Claims    int // claims (Slack event ids, message ts, replays) made before the date, deleted
	KeptOpen  int // inquiries older than the date kept because they are still open
}

// keptEventData are the event data keys a purge keeps: the anonymous facts
// reports count (category, domain, feedback...). Everything else (question
// and follow-up text, answers, notes, pages, people, Slack ids) goes.
var keptEventData = []string{"category", "domain", "confidence", "feedback", "rotation", "reason", "via", "silent_for", "source", "reply_event", "redactions"}

// PurgedActor replaces the Slack user ID of the people in purged events, so
// that reports still tell koban's actions from people's.
const PurgedActor = "purged"

// Purge removes the text and Slack references (team, channel, thread and
// message ts, event id, asker, assignee, failure) of the resolved inquiries
// created before before, and the free text and people of their events,
// keeping what reports count: states, timestamps, labels, domains,
// rotations, citations and tokens. It also deletes the handoff notes written
// before it, the on-call overrides that ended before it and the claims made
// before it. Open inquiries are kept whole (KeptOpen counts them):
// someone is still working on them. Purging twice is harmless.
func (s *Store) Purge(ctx context.Context, before time.Time) (Purged, error) {
	var p Purged
	before = utc(before)
	err := s.inTx(ctx, func(q querier) error {
		now := utc(s.now())
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM inquiries WHERE created_at < $1 AND state <> $2`,
			s.ts(before), koban.StateResolved).Scan(&p.KeptOpen); err != nil {
			return err
		}
		ids, err := s.purgeable(ctx, q, before)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := q.exec(ctx, `
				UPDATE inquiries SET text = '', event_id = NULL, message_key = NULL, team = '', channel = '',
					thread_ts = '', message_ts = '', asked_by = '', assignee = '', failure = '', purged_at = $2
				WHERE id = $1`, id, s.ts(now)); err != nil {
				return err
			}
			n, err := s.purgeEvents(ctx, q, id)
			if err != nil {
				return err
			}
			p.Events += n
		}
		p.Inquiries = len(ids)
		for _, d := range []struct {
			n     *int
			query string
		}{
			{&p.Notes, `DELETE FROM handoff_notes WHERE created_at < $1`},
			{&p.Overrides, `DELETE FROM oncall_overrides WHERE ends_at < $1`},
			{&p.Claims, `DELETE FROM claims WHERE claimed_at < $1`},
		} {
			n, err := q.exec(ctx, d.query, s.ts(before))
			if err != nil {
				return err
			}
			*d.n = int(n)
		}
		return nil
	})
	if err != nil {
		return Purged{}, fmt.Errorf("purge before %s: %w", before.Format(time.DateOnly), s.dbErr(err))
	}
	return p, nil
}

// purgeable returns the ids of the resolved, not yet purged inquiries
// created before before.
func (s *Store) purgeable(ctx context.Context, q querier, before time.Time) ([]int64, error) {
	return queryAll(ctx, s, q, "purgeable inquiries", func(r row, id *int64) error { return r.Scan(id) },
		`SELECT id FROM inquiries WHERE created_at < $1 AND state = $2 AND purged_at IS NULL ORDER BY id`, s.ts(before), koban.StateResolved)
}

// purgeEvents keeps only the anonymous data of an inquiry's events and
// replaces the people who acted with PurgedActor.
func (s *Store) purgeEvents(ctx context.Context, q querier, id int64) (int, error) {
	type row struct {
		id    int64
		actor string
		data  string
	}
	rows, err := q.query(ctx, `SELECT id, actor, data FROM events WHERE inquiry_id = $1`, id)
	if err != nil {
		return 0, err
	}
	var evs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.actor, &r.data); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, ev := range evs {
		var data map[string]string
		if err := json.Unmarshal([]byte(ev.data), &data); err != nil {
			data = nil // unreadable data is dropped whole
		}
		for k := range data {
			if !slices.Contains(keptEventData, k) {
				delete(data, k)
			}
		}
		b, err := json.Marshal(data)
		if err != nil || len(data) == 0 {
			b = []byte("{}")
		}
		actor := ev.actor
		if actor != koban.ActorKoban && actor != "" {
			actor = PurgedActor
		}
		if _, err := q.exec(ctx, `UPDATE events SET actor = $2, data = $3 WHERE id = $1`, ev.id, actor, string(b)); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}
