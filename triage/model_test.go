package triage

import (
	"context"
	"math"
	"testing"

	"github.com/kobanhq/koban"
)

func TestFitPullsTowardsLabels(t *testing.T) {
	var v vector
	v[fBias], v[fStatement] = 1, 1
	if got := fit(priorWeights, nil, 16); got != priorWeights {
		t.Errorf("fit with no examples moved the weights away from the prior")
	}
	p0 := priorWeights.probs(&v)
	if s := p0[0] + p0[1] + p0[2]; math.Abs(s-1) > 1e-9 {
		t.Errorf("probs sum to %v, want 1", s)
	}
	var exs []example
	for range 40 {
		exs = append(exs, example{v: v, class: classIndex(koban.DocsMissing), weight: 1})
	}
	mWeak, mStrong, mFirm := fit(priorWeights, exs[:5], 16), fit(priorWeights, exs, 16), fit(priorWeights, exs, 400)
	weak, strong := mWeak.probs(&v), mStrong.probs(&v)
	if !(p0[1] < weak[1] && weak[1] < strong[1]) {
		t.Errorf("P(docs-missing) for statements = %.2f before, %.2f after 5 labels, %.2f after 40; want it to grow with the labels", p0[1], weak[1], strong[1])
	}
	if firm := mFirm.probs(&v); firm[1] >= strong[1] {
		t.Errorf("a firmer prior let the labels move P(docs-missing) as far (%.2f ≥ %.2f)", firm[1], strong[1])
	}
}

func TestUrgent(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	known := koban.Answer{Known: true, Confidence: 0.9, Text: "Restart it.",
		Pages: []koban.Citation{{Path: "how-to/restart.md", Title: "Restart a service", Quadrant: koban.HowTo}}}
	tests := []struct {
		in     string
		urgent bool
	}{
		{"Production is down for checkout, customers see errors", true},
		{"We think an API token leaked in a public repository", true},
		{"本番環境が落ちています。至急確認お願いします", true},
		{"Security vulnerability in the base image we all use?", true},
		{"How do I restart my service?", false},
		{"Please create a namespace for our team", false},
	}
	for _, tt := range tests {
		got, err := s.Triage(context.Background(), koban.Question{Text: tt.in}, known)
		if err != nil {
			t.Fatal(err)
		}
		if got.Urgent != tt.urgent {
			t.Errorf("Triage(%q).Urgent = %v, want %v (reasons %q)", tt.in, got.Urgent, tt.urgent, got.Reasons)
		}
		if tt.urgent && (got.Decision != koban.DecideEscalate || got.Label.Category != koban.PlatformOnly || len(got.Reasons) == 0 || got.Reasons[0].Text != "urgent: escalated at once") {
			t.Errorf("urgent Triage(%q) = %s, %s, reasons %q; want platform-only, escalated at once and said first", tt.in, got.Label, got.Decision, got.Reasons)
		}
	}
}

// TestLearnUsesTriagedAnswer checks that Learn finds the retrieval evidence
// of a question triaged before, so that the label teaches the retrieval
// weights too.
func TestLearnUsesTriagedAnswer(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	q := koban.Question{Text: "How do I rotate the password of my database user?"}
	a := koban.Answer{Known: true, Confidence: 0.8, Pages: []koban.Citation{{Path: "how-to/rotate.md", Title: "Rotate a password", Quadrant: koban.HowTo}}}
	mustTriage(t, s, q.Text, a)
	if err := s.Learn(context.Background(), q, koban.Label{Category: koban.SelfSolvable}, "database"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := s.labels[0].v[fConf]; got != 0.8 {
		t.Errorf("learned label's confidence feature = %v, want the triaged answer's 0.8", got)
	}
}
