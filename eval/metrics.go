package eval

import (
	"math"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// Retrieval holds page-level retrieval metrics, averaged over the cases
// with at least one relevant page. Relevance is binary.
type Retrieval struct {
	Evaluated int `json:"evaluated"` // cases with non-empty relevant_docs

	// RecallAtK is the share of a case's relevant pages found in the
	// top K, averaged over cases.
	RecallAt1  float64 `json:"recall_at_1"`
	RecallAt5  float64 `json:"recall_at_5"`
	RecallAt10 float64 `json:"recall_at_10"`
	// HitAtK is the share of cases with at least one relevant page in the
	// top K (equal to RecallAtK when every case has one relevant page).
	HitAt1  float64 `json:"hit_at_1"`
	HitAt5  float64 `json:"hit_at_5"`
	HitAt10 float64 `json:"hit_at_10"`
	// MRRAt10 is the mean reciprocal rank of the first relevant page, 0
	// when none is in the top 10.
	MRRAt10 float64 `json:"mrr_at_10"`
	// NDCGAt10 is DCG@10 over the ideal DCG of min(|relevant|, 10) hits.
	NDCGAt10 float64 `json:"ndcg_at_10"`
}

// Class holds the scores of one category.
type Class struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // cases whose true category it is
}

// Triage holds triage metrics over the labelled inquiries.
type Triage struct {
	Cases    int     `json:"cases"`
	Accuracy float64 `json:"accuracy"`
	// MacroF1 is the mean F1 over the three categories; a category with no
	// support and no predictions counts as F1 0.
	MacroF1     float64                   `json:"macro_f1"`
	PerCategory map[koban.Category]Class  `json:"per_category"`
	Confusion   map[koban.Category]Counts `json:"confusion"` // true → predicted → cases
	// DomainAccuracy is over the cases that have a domain label.
	DomainAccuracy float64 `json:"domain_accuracy"`
	// Answered counts the cases the decision would answer from the docs;
	// AnsweredPrecision is the share of those that are truly self-solvable
	// (0 when none is answered).
	Answered          int     `json:"answered"`
	AnsweredPrecision float64 `json:"answered_precision"`
}

// Counts maps a predicted category to a number of cases.
type Counts map[koban.Category]int

// Latency holds per-question latency percentiles in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// rankScores are one case's retrieval scores.
type rankScores struct {
	recall [3]float64 // at 1, 5, 10
	hit    [3]float64
	rr     float64
	ndcg   float64
}

var cutoffs = [3]int{1, 5, 10}

// scoreRanking scores a ranked list of page paths against the relevant
// ones. Duplicates in ranked are collapsed first, the first occurrence
// winning, so a page split into sections counts once.
func scoreRanking(relevant, ranked []string) rankScores {
	var s rankScores
	rel := map[string]bool{}
	for _, p := range relevant {
		rel[cleanPath(p)] = true
	}
	if len(rel) == 0 {
		return s
	}
	pages := collapse(ranked)
	found := 0
	for i, p := range pages {
		if i >= 10 {
			break
		}
		if !rel[p] {
			continue
		}
		found++
		if s.rr == 0 {
			s.rr = 1 / float64(i+1)
		}
		s.ndcg += 1 / math.Log2(float64(i+2))
		for k, c := range cutoffs {
			if i < c {
				s.recall[k] += 1 / float64(len(rel))
				s.hit[k] = 1
			}
		}
	}
	ideal := 0.0
	for i := range min(len(rel), 10) {
		ideal += 1 / math.Log2(float64(i+2))
	}
	s.ndcg /= ideal
	return s
}

// collapse returns the paths in order with later duplicates removed.
func collapse(ranked []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ranked))
	for _, p := range ranked {
		p = cleanPath(p)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// scoreRetrieval averages scoreRanking over the outcomes whose case has
// relevant pages.
func scoreRetrieval(outs []Outcome) Retrieval {
	var r Retrieval
	var sum rankScores
	for _, o := range outs {
		if len(o.Case.RelevantDocs) == 0 {
			continue
		}
		r.Evaluated++
		s := scoreRanking(o.Case.RelevantDocs, o.Pages)
		for k := range cutoffs {
			sum.recall[k] += s.recall[k]
			sum.hit[k] += s.hit[k]
		}
		sum.rr += s.rr
		sum.ndcg += s.ndcg
	}
	if r.Evaluated == 0 {
		return r
	}
	n := float64(r.Evaluated)
	r.RecallAt1, r.RecallAt5, r.RecallAt10 = sum.recall[0]/n, sum.recall[1]/n, sum.recall[2]/n
	r.HitAt1, r.HitAt5, r.HitAt10 = sum.hit[0]/n, sum.hit[1]/n, sum.hit[2]/n
	r.MRRAt10 = sum.rr / n
	r.NDCGAt10 = sum.ndcg / n
	return r
}

// scoreTriage compares predictions with the cases' labels. Outcomes
// without a prediction are ignored; it returns nil when none has one.
func scoreTriage(outs []Outcome, pred func(Outcome) *koban.Triage) *Triage {
	t := &Triage{
		PerCategory: map[koban.Category]Class{},
		Confusion:   map[koban.Category]Counts{},
	}
	predicted := map[koban.Category]int{}
	correct := map[koban.Category]int{}
	right, domains, domainRight, answeredRight := 0, 0, 0, 0
	for _, o := range outs {
		p := pred(o)
		if p == nil || !o.Case.Labelled() {
			// Messages that ask for nothing and inquiries of unknown
			// category count for detection only.
			continue
		}
		t.Cases++
		truth, got := o.Case.Category, p.Label.Category
		if t.Confusion[truth] == nil {
			t.Confusion[truth] = Counts{}
		}
		t.Confusion[truth][got]++
		predicted[got]++
		c := t.PerCategory[truth]
		c.Support++
		t.PerCategory[truth] = c
		if truth == got {
			right++
			correct[truth]++
		}
		if o.Case.Domain != "" {
			domains++
			if p.Domain == o.Case.Domain {
				domainRight++
			}
		}
		if p.Decision == koban.DecideAnswer {
			t.Answered++
			if truth == koban.SelfSolvable {
				answeredRight++
			}
		}
	}
	if t.Cases == 0 {
		return nil
	}
	t.Accuracy = ratio(right, t.Cases)
	t.DomainAccuracy = ratio(domainRight, domains)
	t.AnsweredPrecision = ratio(answeredRight, t.Answered)
	for _, cat := range koban.Categories {
		c := t.PerCategory[cat]
		c.Precision = ratio(correct[cat], predicted[cat])
		c.Recall = ratio(correct[cat], c.Support)
		if c.Precision+c.Recall > 0 {
			c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
		}
		t.PerCategory[cat] = c
		t.MacroF1 += c.F1 / float64(len(koban.Categories))
	}
	return t
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// latency computes nearest-rank percentiles of the durations.
func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Latency{P50: ms(percentile(s, 50)), P99: ms(percentile(s, 99)), Max: ms(s[len(s)-1])}
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
