package store

import (
	"context"
	"fmt"

	"github.com/kobanhq/koban"
)

// FollowUp records a message in the thread of an inquiry: it appends ev (a
// follow-up or reopened event), moves the inquiry to state to when to is not
// empty, and enqueues the inquiry's processing job when process is set, all
// in one transaction. A message delivered again (the same ev.Data["event_id"])
// creates nothing and returns created=false.
func (s *Store) FollowUp(ctx context.Context, id int64, ev koban.Event, to koban.State, process bool) (created bool, err error) {
	if ev.Kind == "" {
		return false, koban.Errorf(koban.EInvalid, "follow-up on inquiry %d: event kind is required", id)
	}
	err = s.inTx(ctx, func(q querier) error {
		// The claims table keeps the event ids and message ts of follow-ups,
		// done at once: the same message under another event id is the
		// same follow-up.
		var keys []string
		if key := ev.Data["event_id"]; key != "" {
			keys = append(keys, "followup:"+key)
		}
		if ts := ev.Data["message_ts"]; ts != "" {
			keys = append(keys, fmt.Sprintf("followup-message:%d:%s", id, ts))
		}
		for _, key := range keys {
			fresh, err := s.claimOnce(ctx, q, key)
			if err != nil || !fresh {
				return err
			}
		}
		inq, err := s.getInquiry(ctx, q, id, true)
		if err != nil {
			return err
		}
		if to != "" && to != inq.State {
			if err := koban.CheckTransition(id, inq.State, to); err != nil {
				return err
			}
			if _, err := q.exec(ctx, `UPDATE inquiries SET state = $2, updated_at = $3 WHERE id = $1`, id, to, s.ts(utc(s.now()))); err != nil {
				return err
			}
		} else if _, err := q.exec(ctx, `UPDATE inquiries SET updated_at = $2 WHERE id = $1`, id, s.ts(utc(s.now()))); err != nil {
			return err
		}
		ev.InquiryID = id
		if ev.Actor == "" {
			ev.Actor = inq.AskedBy
		}
		if err := s.appendEvent(ctx, q, &ev); err != nil {
			return err
		}
		created = true
		if process {
			return s.jobs.insertInquiryJob(ctx, q, id)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("follow-up on inquiry %d: %w", id, s.dbErr(err))
	}
	return created, nil
}

// Enqueue enqueues the processing job of an existing inquiry: the job
// decides what is pending and delivers what is undelivered, with retries,
// for a caller whose own attempt failed. ENotFound for an unknown id.
func (s *Store) Enqueue(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(q querier) error {
		if _, err := s.getInquiry(ctx, q, id, false); err != nil {
			return err
		}
		return s.jobs.insertInquiryJob(ctx, q, id)
	})
	if err != nil {
		return fmt.Errorf("enqueue inquiry %d: %w", id, s.dbErr(err))
	}
	return nil
}

// claimOnce records key as done in the claims table: true the first time.
func (s *Store) claimOnce(ctx context.Context, q querier, key string) (bool, error) {
	rows, err := q.query(ctx, `
		INSERT INTO claims (key, owner, claimed_at, done_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (key) DO NOTHING
		RETURNING key`, key, s.owner, s.ts(s.now()))
	if err != nil {
		return false, err
	}
	fresh := rows.Next()
	rows.Close()
	return fresh, rows.Err()
}
