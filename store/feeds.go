package store

import (
	"context"
	"fmt"

	"github.com/kobanhq/koban"
)

// FeedToken returns the secret token of a calendar feed ("all" or
// "rotation:NAME"), or an ENotFound error when it has none yet.
func (s *Store) FeedToken(ctx context.Context, feed string) (string, error) {
	var token string
	err := s.read().queryRow(ctx, `SELECT token FROM calendar_feeds WHERE feed = $1`, feed).Scan(&token)
	if isNoRows(err) {
		return "", koban.Errorf(koban.ENotFound, "calendar feed %q has no link yet", feed)
	}
	if err != nil {
		return "", fmt.Errorf("calendar feed %s: %w", feed, s.dbErr(err))
	}
	return token, nil
}

// EnsureFeedToken gives a feed the token candidate unless it has one, and
// returns the feed's token: of replicas racing to create it, all return the
// one that was stored first.
func (s *Store) EnsureFeedToken(ctx context.Context, feed, candidate string) (string, error) {
	_, err := s.write().exec(ctx, `
		INSERT INTO calendar_feeds (feed, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (feed) DO NOTHING`, feed, candidate, s.ts(s.now()))
	if err != nil {
		return "", fmt.Errorf("create calendar feed %s: %w", feed, s.dbErr(err))
	}
	return s.FeedToken(ctx, feed)
}

// ReplaceFeedToken sets a feed's token, revoking the link with the old one.
func (s *Store) ReplaceFeedToken(ctx context.Context, feed, token string) error {
	_, err := s.write().exec(ctx, `
		INSERT INTO calendar_feeds (feed, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (feed) DO UPDATE SET token = excluded.token, created_at = excluded.created_at`,
		feed, token, s.ts(s.now()))
	if err != nil {
		return fmt.Errorf("replace calendar feed %s: %w", feed, s.dbErr(err))
	}
	return nil
}
