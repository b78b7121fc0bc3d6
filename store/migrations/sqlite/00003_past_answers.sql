-- +goose Up
-- Urgent inquiries (an outage, production down, security) run the reply-time
-- clock in wall time, business hours or not.
ALTER TABLE inquiries ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;

-- Past answers: what a person answered when resolving an inquiry, shown to
-- the next person who asks something similar. Removed entries keep their row
-- (removed_at set) so that nothing shows them again.
CREATE TABLE past_answers (
    id          INTEGER PRIMARY KEY,
    inquiry_id  INTEGER NOT NULL UNIQUE REFERENCES inquiries (id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    answered_by TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    domain      TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    answered_at INTEGER NOT NULL,
    removed_at  INTEGER,
    removed_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX past_answers_live ON past_answers (answered_at) WHERE removed_at IS NULL;
