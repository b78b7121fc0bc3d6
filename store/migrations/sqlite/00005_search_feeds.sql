-- +goose Up
-- The secret token of each calendar subscription link ("all", or
-- "rotation:NAME"). Replacing a feed's token revokes its old link.
-- (Search needs no index here: SQLite scans the question text.)
CREATE TABLE calendar_feeds (
    feed       TEXT PRIMARY KEY,
    token      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
