package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

// TestProcedurePage checks that triage names the page a documented request
// is answered from, by its path, and names none when no page describes
// doing what is asked.
func TestProcedurePage(t *testing.T) {
	page := func(path, title string, q koban.Quadrant) koban.Citation {
		return koban.Citation{Path: path, Title: title, Quadrant: q}
	}
	known := func(conf float64, ps ...koban.Citation) koban.Answer {
		return koban.Answer{Known: true, Confidence: conf, Text: "From the docs.", Pages: ps}
	}
	const cacheRequest = "Please set up a Memcached instance for the search team. Team: search; Env: staging"
	tests := []struct {
		name   string
		text   string
		answer koban.Answer
		want   string
	}{
		{"the page first", "We need a new storage bucket created for the reports",
			known(0.75, page("how-to/storage/create-bucket.md", "Create a storage bucket", koban.HowTo)), "how-to/storage/create-bucket.md"},
		{"the page fourth, after pages matching the form's words", cacheRequest,
			known(0.7, page("search/tuning.md", "Search relevance tuning", koban.Unknown), page("envs/staging.md", "Staging", koban.Reference),
				page("how-to/join-a-team.md", "Join a team", koban.HowTo), page("how-to/cache.md", "Create a Memcached instance", koban.HowTo)),
			"how-to/cache.md"},
		{"two pages about it: the better ranked one", cacheRequest,
			known(0.7, page("how-to/cache-v2.md", "Memcached instance setup", koban.HowTo), page("how-to/cache.md", "Create a Memcached instance", koban.HowTo)),
			"how-to/cache-v2.md"},
		{"a question, not a request", "How do I create a Memcached instance?",
			known(0.8, page("how-to/cache.md", "Create a Memcached instance", koban.HowTo)), ""},
		{"the page is how to ask the team", cacheRequest,
			known(0.7, page("how-to/ask-for-cache.md", "Request a Memcached instance", koban.HowTo)), ""},
		{"the page explains it", cacheRequest,
			known(0.7, page("concepts/cache.md", "Memcached instances", koban.Explanation)), ""},
		{"the page is about something else", cacheRequest,
			known(0.7, page("how-to/rotate.md", "Rotate a database password", koban.HowTo)), ""},
		{"retrieval too weak", cacheRequest,
			known(0.3, page("how-to/cache.md", "Create a Memcached instance", koban.HowTo)), ""},
		{"no retrieval", cacheRequest, koban.Answer{}, ""},
	}
	s := mustNew(t, DefaultConfig(), nil)
	for _, tt := range tests {
		got := mustTriage(t, s, tt.text, tt.answer)
		if got.Procedure != tt.want {
			t.Errorf("%s: Procedure = %q, want %q (reasons %q)", tt.name, got.Procedure, tt.want, got.Reasons)
		}
	}
}
