// Package koban holds the domain of koban, a self-hosted Slack bot for
// platform-engineering teams: inquiries and their events, triage categories,
// problem domains, Diátaxis quadrants, answers with citations, escalations
// and the Outcome an answered or escalated event records (typed, encoded
// into the event's data here only), on-call shifts, overrides and handoff
// notes, the asker's feedback and the errors a user can act on. Each noun
// that several packages speak of is defined here once.
//
// Claimer, with Once and Hold, is how once-only work (a reply decided and
// delivered, a handoff, the monthly report, a /koban ask) runs once across
// replicas, retries and restarts; package store implements it.
//
// It imports the standard library only. Slack, SQL, HTTP and LLM types live in
// the packages that adapt to them (bot, store, web, knowledge); everything else
// speaks in these nouns.
package koban

// Version is the koban release, set at build time with
// -ldflags "-X github.com/kobanhq/koban.Version=v1.2.3".
var Version = "dev"
