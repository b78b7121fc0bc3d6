// Package oncall knows who is on call: rotations from the configuration,
// covers and swaps on top of them, the shifts that follow, an iCalendar
// feed, the /koban oncall commands, and the shift-change side effects
// (handoff digests, the Slack user group, reply-time reminders).
//
// It leaves storage to a Store the caller provides (package store, which
// keeps koban.Override and koban.HandoffNote as they are) and Slack to a
// Notifier (package bot). Side effects run through koban.Once over the
// store's claims, so several koban replicas calling Tick together post each
// handoff and reminder once.
package oncall
