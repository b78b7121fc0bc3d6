package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

// TestCoverageReadsQuotedPassagesOnly: a listed page's glimpse is picked
// for the question's words, so coverage must not count the words it holds;
// a quoted passage, the page's path, title and breadcrumb do count.
func TestCoverageReadsQuotedPassagesOnly(t *testing.T) {
	const q = "how do I rotate the ingress certificate for my namespace?"
	page := koban.Citation{Path: "how-to/networking.md", Title: "Networking", Section: "Networking > Overview",
		Snippet: "Rotate the ingress certificate of a namespace with the portal."}
	tests := []struct {
		name   string
		quoted bool
		want   func(float64) bool
	}{
		{"glimpse of a listed page", false, func(c float64) bool { return c < 0.5 }},
		{"quoted passage", true, func(c float64) bool { return c >= 0.75 }},
	}
	for _, tt := range tests {
		p := page
		p.Quoted = tt.quoted
		if got := coverage(q, []koban.Citation{p}); !tt.want(got) {
			t.Errorf("%s: coverage = %.2f", tt.name, got)
		}
	}
}
