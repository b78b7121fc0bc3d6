// Package koban holds the domain of koban, a self-hosted Slack bot for
// platform-engineering teams: inquiries and their events, triage categories,
// problem domains, Diátaxis quadrants, answers with citations, on-call shifts
// and the errors a user can act on.
//
// It imports the standard library only. Slack, SQL, HTTP and LLM types live in
// the packages that adapt to them (bot, store, web, knowledge); everything else
// speaks in these nouns.
package koban

// Version is the koban release, set at build time with
// -ldflags "-X github.com/kobanhq/koban.Version=v1.2.3".
var Version = "dev"
