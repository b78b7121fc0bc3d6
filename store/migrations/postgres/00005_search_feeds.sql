-- +goose Up
-- Searching inquiries by their words: a full-text index over the question
-- ('simple': no stemming, so it works the same for every language).
CREATE INDEX inquiries_text_search ON inquiries USING GIN (to_tsvector('simple', text));

-- The secret token of each calendar subscription link ("all", or
-- "rotation:NAME"). Replacing a feed's token revokes its old link.
CREATE TABLE calendar_feeds (
    feed       TEXT PRIMARY KEY,
    token      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
