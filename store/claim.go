package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kobanhq/koban"
)

// Claim reserves a side effect, named by key (such as "answer:42"), for the
// caller: it returns true for the first claimer only, so a retried or rescued
// job does not post twice. Mark the claim Done once the side effect happened,
// or Release it when it failed so that a retry can claim it again. A claim
// neither done nor released for longer than staleAfter (its holder died)
// may be claimed again.
func (s *Store) Claim(ctx context.Context, key string, staleAfter time.Duration) (bool, error) {
	if key == "" {
		return false, koban.Errorf(koban.EInvalid, "claim: empty key")
	}
	now := s.now()
	// One statement: the insert wins, or the conflicting row is taken over
	// only when it is stale; concurrent claimers serialise on the key.
	rows, err := s.write().query(ctx, `
		INSERT INTO claims (key, owner, claimed_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at
		WHERE claims.done_at IS NULL AND claims.claimed_at <= $4
		RETURNING key`, key, s.owner, s.ts(now), s.tsb(now.Add(-staleAfter)))
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, s.dbErr(err))
	}
	defer rows.Close()
	won := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("claim %s: %w", key, s.dbErr(err))
	}
	return won, nil
}

// Done marks a claimed side effect as done: it will never be claimed again.
func (s *Store) Done(ctx context.Context, key string) error {
	return s.changeClaim(ctx, key, "claim "+key+" done", `UPDATE claims SET done_at = $2 WHERE key = $1 AND done_at IS NULL`, key, s.ts(s.now()))
}

// Release gives up a claim whose side effect did not happen, so that a retry
// can claim it. A claim already done gives EConflict.
func (s *Store) Release(ctx context.Context, key string) error {
	return s.changeClaim(ctx, key, "release claim "+key, `DELETE FROM claims WHERE key = $1 AND done_at IS NULL`, key)
}

// changeClaim runs stmt on the claim of key, not yet done; when it changes
// nothing, claimMissing says why. what names the change in errors.
func (s *Store) changeClaim(ctx context.Context, key, what, stmt string, args ...any) error {
	n, err := s.write().exec(ctx, stmt, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, s.dbErr(err))
	}
	if n == 0 {
		return s.claimMissing(ctx, key)
	}
	return nil
}

// claimMissing explains why a claim could not be changed.
func (s *Store) claimMissing(ctx context.Context, key string) error {
	var done dbTime
	var at time.Time
	done.t = &at
	err := s.write().queryRow(ctx, `SELECT done_at FROM claims WHERE key = $1`, key).Scan(done)
	switch {
	case isNoRows(err):
		return koban.Errorf(koban.ENotFound, "no claim %q", key)
	case err != nil:
		return fmt.Errorf("claim %s: %w", key, s.dbErr(err))
	}
	return koban.Errorf(koban.EConflict, "claim %q was already done at %s", key, at.Format(time.RFC3339))
}

// Report is a saved monthly report.
type Report struct {
	Team      string
	Month     string // "2006-01"
	Format    string // "json" or "text", from the body
	Body      []byte
	CreatedAt time.Time
}

// SaveReport stores the report of a team and month. A report already saved
// for them (another replica or a retry got there first) is kept and false is
// returned.
func (s *Store) SaveReport(ctx context.Context, team, month string, body []byte) (created bool, err error) {
	if _, err := time.Parse("2006-01", month); err != nil {
		return false, koban.Errorf(koban.EInvalid, "report month %q: want YYYY-MM", month)
	}
	format := "text"
	if json.Valid(body) {
		format = "json"
	}
	if body == nil {
		body = []byte{}
	}
	n, err := s.write().exec(ctx, `
		INSERT INTO reports (team, month, format, body, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (team, month) DO NOTHING`, team, month, format, body, s.ts(s.now()))
	if err != nil {
		return false, fmt.Errorf("save report %s %s: %w", team, month, s.dbErr(err))
	}
	return n == 1, nil
}

// Report returns the saved report of a team and month, or ENotFound.
func (s *Store) Report(ctx context.Context, team, month string) (*Report, error) {
	r := Report{}
	err := s.read().queryRow(ctx, `SELECT team, month, format, body, created_at FROM reports WHERE team = $1 AND month = $2`, team, month).
		Scan(&r.Team, &r.Month, &r.Format, &r.Body, dbTime{&r.CreatedAt})
	if isNoRows(err) {
		return nil, koban.Errorf(koban.ENotFound, "no report for team %s and month %s", team, month)
	}
	if err != nil {
		return nil, fmt.Errorf("report %s %s: %w", team, month, s.dbErr(err))
	}
	return &r, nil
}
