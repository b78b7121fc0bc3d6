-- +goose Up
-- The permalink of an inquiry's Slack thread, fetched once when koban first
-- replies; NULL until then, and for inquiries that have no thread (the web).
ALTER TABLE inquiries ADD COLUMN permalink TEXT;
