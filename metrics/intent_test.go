package metrics

import (
	"testing"
	"time"

	"github.com/kobanhq/koban"
)

func TestIntentQuadrant(t *testing.T) {
	tests := []struct {
		text string
		want koban.Quadrant
	}{
		{"How do I rotate the signing key for the build runner?", koban.HowTo},
		{"Is there a way to pause the nightly job?", koban.HowTo},
		{"What is the memory limit for a batch worker?", koban.Reference},
		{"Which ports does the ingress expose?", koban.Reference},
		{"Why does the scheduler evict my pods at night?", koban.Explanation},
		{"What's the difference between a namespace and a tenant here?", koban.Explanation},
		{"I'm new to the platform, where do I get started?", koban.Tutorial},
		{"キャッシュを削除する方法を教えてください", koban.HowTo},
		{"ストレージの上限はいくつですか", koban.Reference},
		{"なぜビルドが遅いのですか", koban.Explanation},
		{"はじめてサービスを作ります", koban.Tutorial},
		{"the dashboard is red", koban.Unknown},
		{"", koban.Unknown},
	}
	for _, tt := range tests {
		if got := intentQuadrant(tt.text); got != tt.want {
			t.Errorf("intentQuadrant(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

// TestGapQuadrantFromIntent: a docs-missing inquiry cites no page, so its
// quadrant comes from what the question asks for, not "unknown"; a cited
// page's quadrant still wins.
func TestGapQuadrantFromIntent(t *testing.T) {
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	at := month.Add(48 * time.Hour)
	missing := koban.Label{Category: koban.DocsMissing}
	inqs := []koban.Inquiry{
		{ID: 1, Text: "How can I export traces to our own collector?", Final: missing, State: koban.StateResolved, CreatedAt: at},
		{ID: 2, Text: "What is the maximum size of a config map?", Final: missing, State: koban.StateResolved, CreatedAt: at},
		{ID: 3, Text: "the thing broke", Final: missing, State: koban.StateResolved, CreatedAt: at},
		{ID: 4, Text: "Why is the queue slow?", Final: missing, State: koban.StateResolved, CreatedAt: at, Citations: []string{"how-to/queues.md"}},
	}
	quadrant := func(p string) koban.Quadrant {
		if p == "how-to/queues.md" {
			return koban.HowTo
		}
		return koban.Unknown
	}
	r := Compute(month, Data{Inquiries: inqs}, Data{}, nil, at, Options{Quadrant: quadrant})
	got := map[koban.Quadrant]int{}
	for _, qc := range r.DocsGaps.ByQuadrant {
		got[qc.Quadrant] = qc.Missing
	}
	want := map[koban.Quadrant]int{koban.HowTo: 2, koban.Reference: 1, koban.Unknown: 1}
	if len(got) != len(want) {
		t.Fatalf("by quadrant = %v, want %v", got, want)
	}
	for q, n := range want {
		if got[q] != n {
			t.Errorf("by quadrant = %v, want %v", got, want)
		}
	}
}

// TestAutomationCandidatesListEveryLabelled: an inquiry labelled
// automation-candidate is listed even when nothing like it recurred, after
// the recurring groups; platform-only inquiries without the label that do
// not recur are not.
func TestAutomationCandidatesListEveryLabelled(t *testing.T) {
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	at := month.Add(48 * time.Hour)
	auto := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	req := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}
	q := func(id int64, text string, l koban.Label, d koban.Domain) koban.Inquiry {
		return koban.Inquiry{ID: id, Text: text, Final: l, Domain: d, State: koban.StateResolved, CreatedAt: at}
	}
	inqs := []koban.Inquiry{
		q(1, "please create a kafka topic orders-v2", req, "messaging"),
		q(2, "please create a kafka topic payments-v3", req, "messaging"),
		q(3, "please create a kafka topic refunds", auto, "messaging"),
		q(4, "bump the dns ttl for the status page", auto, "network"),
		q(5, "renew the wildcard certificate for staging", auto, "security"),
		q(6, "delete the old bucket from the archive project", req, "storage"),
	}
	r := Compute(month, Data{Inquiries: inqs}, Data{}, nil, at, Options{})
	listed := map[int64]bool{}
	for i, c := range r.Automation {
		for _, id := range c.Inquiries {
			listed[id] = true
		}
		if i > 0 && c.Count > r.Automation[i-1].Count {
			t.Errorf("automation candidates not recurring first: %+v", r.Automation)
		}
	}
	for _, id := range []int64{3, 4, 5} {
		if !listed[id] {
			t.Errorf("labelled inquiry %d not listed: %+v", id, r.Automation)
		}
	}
	if listed[6] {
		t.Errorf("a one-off platform-only inquiry without the label is listed: %+v", r.Automation)
	}
	if len(r.Automation) == 0 || r.Automation[0].Count != 3 || r.Automation[0].Automation != 1 || r.Automation[0].Inquiries[0] != 3 {
		t.Errorf("first group = %+v, want the recurring kafka topics (3, 1 labelled, the labelled one first)", r.Automation)
	}
}
