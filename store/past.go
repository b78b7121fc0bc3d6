package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kobanhq/koban"
)

const pastColumns = `id, inquiry_id, question, answer, answered_by, category, detail, domain, lang, link, answered_at, removed_at, removed_by`

func scanPast(r row, p *koban.PastAnswer) error {
	return r.Scan(&p.ID, &p.InquiryID, &p.Question, &p.Answer, &p.AnsweredBy, &p.Label.Category, &p.Label.Detail,
		&p.Domain, &p.Lang, &p.Link, dbTime{&p.AnsweredAt}, dbTime{&p.RemovedAt}, &p.RemovedBy)
}

// SavePastAnswer keeps what a person answered when resolving an inquiry
// (ID, and AnsweredAt unless set, are filled in). An inquiry has one entry:
// resolving it again replaces its answer, unless a responder removed the
// entry, which stays removed. An unknown inquiry is ENotFound; an empty
// answer is EInvalid.
func (s *Store) SavePastAnswer(ctx context.Context, p *koban.PastAnswer) error {
	if p.Answer == "" {
		return koban.Errorf(koban.EInvalid, "past answer of inquiry %d is empty", p.InquiryID)
	}
	if !p.Label.IsZero() {
		if err := p.Label.Validate(); err != nil {
			return err
		}
	}
	if p.AnsweredAt.IsZero() {
		p.AnsweredAt = s.now()
	}
	p.AnsweredAt = utc(p.AnsweredAt)
	err := s.inTx(ctx, func(q querier) error {
		if err := inquiryExists(ctx, q, p.InquiryID); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `
			INSERT INTO past_answers (inquiry_id, question, answer, answered_by, category, detail, domain, lang, link, answered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (inquiry_id) DO UPDATE SET question = excluded.question, answer = excluded.answer,
				answered_by = excluded.answered_by, category = excluded.category, detail = excluded.detail,
				domain = excluded.domain, lang = excluded.lang, link = excluded.link, answered_at = excluded.answered_at
			WHERE past_answers.removed_at IS NULL`,
			p.InquiryID, p.Question, p.Answer, p.AnsweredBy, p.Label.Category, p.Label.Detail, p.Domain, p.Lang, p.Link, s.ts(p.AnsweredAt)); err != nil {
			return err
		}
		return q.queryRow(ctx, `SELECT id FROM past_answers WHERE inquiry_id = $1`, p.InquiryID).Scan(&p.ID)
	})
	if err != nil {
		return fmt.Errorf("save past answer of inquiry %d: %w", p.InquiryID, s.dbErr(err))
	}
	return nil
}

// PastAnswer returns one entry, removed or not, or ENotFound.
func (s *Store) PastAnswer(ctx context.Context, id int64) (*koban.PastAnswer, error) {
	p, err := scanOne(s.read().queryRow(ctx, `SELECT `+pastColumns+` FROM past_answers WHERE id = $1`, id), scanPast)
	if isNoRows(err) {
		return nil, koban.Errorf(koban.ENotFound, "no past answer %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("past answer %d: %w", id, s.dbErr(err))
	}
	return p, nil
}

// PastAnswers returns up to limit entries (default 500), newest first: only
// those not removed, unless withRemoved is set.
func (s *Store) PastAnswers(ctx context.Context, limit int, withRemoved bool) ([]koban.PastAnswer, error) {
	if limit <= 0 {
		limit = 500
	}
	query := `SELECT ` + pastColumns + ` FROM past_answers`
	if !withRemoved {
		query += ` WHERE removed_at IS NULL`
	}
	query += ` ORDER BY answered_at DESC, id DESC LIMIT $1`
	return queryAll(ctx, s, s.read(), "past answers", scanPast, query, limit)
}

// RemovePastAnswer marks an entry removed by who: it is never shown again.
// Removing it twice keeps the first removal; an unknown id is ENotFound.
func (s *Store) RemovePastAnswer(ctx context.Context, id int64, by string) (*koban.PastAnswer, error) {
	n, err := s.write().exec(ctx, `UPDATE past_answers SET removed_at = $2, removed_by = $3 WHERE id = $1 AND removed_at IS NULL`,
		id, s.ts(utc(s.now())), by)
	if err != nil {
		return nil, fmt.Errorf("remove past answer %d: %w", id, s.dbErr(err))
	}
	p, err := s.PastAnswer(ctx, id)
	if err != nil {
		return nil, err
	}
	if n == 0 && !p.Removed() {
		return nil, fmt.Errorf("remove past answer %d: nothing changed", id)
	}
	return p, nil
}

// PastShownIn returns the inquiries whose recorded replies showed past
// answer id, newest first, up to limit (default 50): where a removal must
// take it off what was posted.
func (s *Store) PastShownIn(ctx context.Context, id int64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 50
	}
	has := `json_extract(data, '$.past') IS NOT NULL`
	if s.dialect == postgresDialect {
		has = `data ? 'past'`
	}
	rows, err := s.read().query(ctx, `
		SELECT inquiry_id, data FROM events
		WHERE kind IN ($1, $2) AND `+has+`
		ORDER BY id DESC LIMIT 5000`, koban.EventAnswered, koban.EventEscalated)
	if err != nil {
		return nil, fmt.Errorf("replies showing past answer %d: %w", id, s.dbErr(err))
	}
	defer rows.Close()
	var out []int64
	seen := map[int64]bool{}
	for rows.Next() && len(out) < limit {
		var inq int64
		var data string
		if err := rows.Scan(&inq, &data); err != nil {
			return nil, fmt.Errorf("replies showing past answer %d: %w", id, err)
		}
		ev := koban.Event{InquiryID: inq}
		if json.Unmarshal([]byte(data), &ev.Data) != nil {
			continue
		}
		past, err := ev.PastShown()
		if err != nil {
			continue
		}
		for _, p := range past {
			if p.ID == id && !seen[inq] {
				seen[inq] = true
				out = append(out, inq)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("replies showing past answer %d: %w", id, s.dbErr(err))
	}
	return out, nil
}
