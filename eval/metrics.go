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

// RankScores are one case's retrieval scores, with binary relevance.
type RankScores struct {
	Recall [3]float64 // share of the relevant pages in the top k, k in Cutoffs
	Hit    [3]float64 // 1 when a relevant page is in the top k, k in Cutoffs
	RR     float64    // reciprocal rank of the first relevant page in the top 10
	NDCG   float64    // DCG@10 over the ideal DCG of min(|relevant|, 10) hits
}

// Cutoffs are the k of RankScores.Recall and Hit.
var Cutoffs = [3]int{1, 5, 10}

// ScoreRanking scores a ranked list of page paths against the relevant
// ones. Duplicates in ranked are collapsed first, the first occurrence
// winning, so a page split into sections counts once. The evaluation
// harnesses of the packages score with it, as koban eval does.
func ScoreRanking(relevant, ranked []string) RankScores {
	var s RankScores
	rel := map[string]bool{}
	for _, p := range relevant {
		rel[cleanPath(p)] = true
	}
	if len(rel) == 0 {
		return s
	}
	pages := collapse(ranked)
	for i, p := range pages {
		if i >= 10 {
			break
		}
		if !rel[p] {
			continue
		}
		if s.RR == 0 {
			s.RR = 1 / float64(i+1)
		}
		s.NDCG += 1 / math.Log2(float64(i+2))
		for k, c := range Cutoffs {
			if i < c {
				s.Recall[k] += 1 / float64(len(rel))
				s.Hit[k] = 1
			}
		}
	}
	ideal := 0.0
	for i := range min(len(rel), 10) {
		ideal += 1 / math.Log2(float64(i+2))
	}
	s.NDCG /= ideal
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
	var sum RankScores
	for _, o := range outs {
		if len(o.Case.RelevantDocs) == 0 {
			continue
		}
		r.Evaluated++
		s := ScoreRanking(o.Case.RelevantDocs, o.Pages)
		for k := range Cutoffs {
			sum.Recall[k] += s.Recall[k]
			sum.Hit[k] += s.Hit[k]
		}
		sum.RR += s.RR
		sum.NDCG += s.NDCG
	}
	if r.Evaluated == 0 {
		return r
	}
	n := float64(r.Evaluated)
	r.RecallAt1, r.RecallAt5, r.RecallAt10 = sum.Recall[0]/n, sum.Recall[1]/n, sum.Recall[2]/n
	r.HitAt1, r.HitAt5, r.HitAt10 = sum.Hit[0]/n, sum.Hit[1]/n, sum.Hit[2]/n
	r.MRRAt10 = sum.RR / n
	r.NDCGAt10 = sum.NDCG / n
	return r
}

// scoreTriage compares predictions with the cases' labels. Outcomes
// without a prediction are ignored; it returns nil when none has one.
func scoreTriage(outs []Outcome, pred func(Outcome) *koban.Triage) *Triage {
	conf := Confusion{}
	domains, domainRight, answered, answeredRight := 0, 0, 0, 0
	for _, o := range outs {
		p := pred(o)
		if p == nil || !o.Case.Labelled() {
			// Messages that ask for nothing and inquiries of unknown
			// category count for detection only.
			continue
		}
		truth, got := o.Case.Category, p.Label.Category
		conf.Add(truth, got)
		if o.Case.Domain != "" {
			domains++
			if p.Domain == o.Case.Domain {
				domainRight++
			}
		}
		if p.Decision == koban.DecideAnswer {
			answered++
			if truth == koban.SelfSolvable {
				answeredRight++
			}
		}
	}
	if len(conf) == 0 {
		return nil
	}
	t := &Triage{
		Cases:             conf.Cases(),
		Accuracy:          conf.Accuracy(),
		MacroF1:           conf.MacroF1(),
		PerCategory:       map[koban.Category]Class{},
		Confusion:         conf,
		DomainAccuracy:    ratio(domainRight, domains),
		Answered:          answered,
		AnsweredPrecision: ratio(answeredRight, answered),
	}
	for truth := range conf { // a label outside koban's three: its support only
		t.PerCategory[truth] = Class{Support: conf.Class(truth).Support}
	}
	for _, cat := range koban.Categories {
		t.PerCategory[cat] = conf.Class(cat)
	}
	return t
}

// Confusion counts cases by true category, then predicted category. The
// harnesses of triage and koban eval score with it.
type Confusion map[koban.Category]Counts

// Add counts one case of category truth predicted as got.
func (c Confusion) Add(truth, got koban.Category) {
	if c[truth] == nil {
		c[truth] = Counts{}
	}
	c[truth][got]++
}

// Merge adds the counts of o.
func (c Confusion) Merge(o Confusion) {
	for truth, row := range o {
		for got, n := range row {
			if c[truth] == nil {
				c[truth] = Counts{}
			}
			c[truth][got] += n
		}
	}
}

// Cases is how many cases are counted.
func (c Confusion) Cases() int {
	n := 0
	for _, row := range c {
		for _, k := range row {
			n += k
		}
	}
	return n
}

// Accuracy is the share of cases predicted right (0 with none).
func (c Confusion) Accuracy() float64 {
	right := 0
	for truth, row := range c {
		right += row[truth]
	}
	return ratio(right, c.Cases())
}

// Class returns the precision, recall, F1 and support of category cat.
func (c Confusion) Class(cat koban.Category) Class {
	tp, predicted, support := c[cat][cat], 0, 0
	for truth, row := range c {
		predicted += row[cat]
		if truth == cat {
			for _, n := range row {
				support += n
			}
		}
	}
	out := Class{Precision: ratio(tp, predicted), Recall: ratio(tp, support), Support: support}
	if out.Precision+out.Recall > 0 {
		out.F1 = 2 * out.Precision * out.Recall / (out.Precision + out.Recall)
	}
	return out
}

// MacroF1 is the mean F1 over koban's three categories; a category with no
// support and no predictions counts as F1 0.
func (c Confusion) MacroF1() float64 {
	sum := 0.0
	for _, cat := range koban.Categories {
		sum += c.Class(cat).F1
	}
	return sum / float64(len(koban.Categories))
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
