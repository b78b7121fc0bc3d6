-- +goose Up
-- Private questions (DMs, private channels): text shown only to their asker
-- and responders, never used in reports.
ALTER TABLE inquiries ADD COLUMN private BOOLEAN NOT NULL DEFAULT FALSE;
-- The Slack message a question was ("channel/ts"): the same message under
-- another event id is the same inquiry. NULL for the web and purged rows.
ALTER TABLE inquiries ADD COLUMN message_key TEXT;
CREATE UNIQUE INDEX inquiries_message_key ON inquiries (message_key);
-- When koban purge removed the inquiry's text and Slack references.
ALTER TABLE inquiries ADD COLUMN purged_at TIMESTAMPTZ;
