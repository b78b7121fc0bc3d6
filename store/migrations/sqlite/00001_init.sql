-- +goose Up
-- Times are Unix microseconds (UTC); JSON is TEXT.

-- Inquiries: one row per question, the summary of its events.
CREATE TABLE inquiries (
    id                      INTEGER PRIMARY KEY,
    source                  TEXT NOT NULL DEFAULT '',
    event_id                TEXT UNIQUE, -- the Slack event id; NULL when there is none
    team                    TEXT NOT NULL DEFAULT '',
    channel                 TEXT NOT NULL DEFAULT '',
    thread_ts               TEXT NOT NULL DEFAULT '',
    message_ts              TEXT NOT NULL DEFAULT '',
    asked_by                TEXT NOT NULL DEFAULT '',
    text                    TEXT NOT NULL DEFAULT '',
    lang                    TEXT NOT NULL DEFAULT '',
    redactions              INTEGER NOT NULL DEFAULT 0,
    state                   TEXT NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    first_response_at       INTEGER,
    first_human_response_at INTEGER,
    resolved_at             INTEGER,
    predicted_category      TEXT NOT NULL DEFAULT '',
    predicted_detail        TEXT NOT NULL DEFAULT '',
    confidence              REAL NOT NULL DEFAULT 0,
    final_category          TEXT NOT NULL DEFAULT '',
    final_detail            TEXT NOT NULL DEFAULT '',
    domain                  TEXT NOT NULL DEFAULT '',
    assignee                TEXT NOT NULL DEFAULT '',
    rotation                TEXT NOT NULL DEFAULT '',
    citations               TEXT NOT NULL DEFAULT '[]', -- JSON array of paths
    tokens                  INTEGER NOT NULL DEFAULT 0,
    failure                 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inquiries_thread ON inquiries (channel, thread_ts, created_at);
CREATE INDEX inquiries_state ON inquiries (state);
CREATE INDEX inquiries_created_at ON inquiries (created_at);
CREATE INDEX inquiries_labelled ON inquiries (updated_at) WHERE final_category <> '';

-- Events: append-only history of every inquiry (labels and feedback included).
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    inquiry_id INTEGER NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_inquiry ON events (inquiry_id, at, id);
CREATE INDEX events_kind_at ON events (kind, at);

-- On-call overrides: a cover (person replaces whoever is on call) or a swap.
CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY,
    rotation   TEXT NOT NULL,
    person     TEXT NOT NULL,
    replaces   TEXT,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('cover', 'swap')),
    CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_overrides_rotation ON oncall_overrides (rotation, starts_at);

-- Handoff notes: what the outgoing on-call leaves for the next one.
CREATE TABLE handoff_notes (
    id          INTEGER PRIMARY KEY,
    rotation    TEXT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    consumed_at INTEGER
);
CREATE INDEX handoff_notes_rotation ON handoff_notes (rotation, created_at);

-- Claims: exactly-once side effects (a Slack post, a DM) keyed by the caller.
CREATE TABLE claims (
    key        TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    done_at    INTEGER
);

-- Reports: one monthly report per team and month.
CREATE TABLE reports (
    team       TEXT NOT NULL,
    month      TEXT NOT NULL,
    format     TEXT NOT NULL DEFAULT '',
    body       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (team, month)
);
