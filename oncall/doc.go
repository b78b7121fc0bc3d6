// Package oncall knows who is on call: rotations from the configuration,
// covers and swaps on top of them, the shifts that follow, an iCalendar
// feed, the /koban oncall commands, and the shift-change side effects
// (handoff digests, the Slack user group, reply-time reminders).
//
// It leaves storage to a Store the caller provides (package store, wired in
// cmd) and Slack to a Notifier (package bot). Side effects are claimed in the
// store before they happen, so several koban replicas calling Tick together
// post each handoff and reminder once.
package oncall
