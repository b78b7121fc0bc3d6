package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kobanhq/koban"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestScoreRanking(t *testing.T) {
	tests := []struct {
		name        string
		relevant    []string
		ranked      []string
		recall, hit [3]float64
		rr, ndcg    float64
	}{
		{
			// Collapsed: x a y b c …; a at rank 2, b at rank 4, z missing.
			// DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161
			// IDCG over 3 relevant = 1 + 0.63093 + 0.5 = 2.13093
			name:     "two of three found",
			relevant: []string{"a.md", "b.md", "z.md"},
			ranked:   []string{"x.md", "a.md", "./a.md", "y.md", "b.md", "c.md"},
			recall:   [3]float64{0, 2.0 / 3, 2.0 / 3},
			hit:      [3]float64{0, 1, 1},
			rr:       0.5,
			ndcg:     1.06161 / 2.13093,
		},
		{
			name:     "top hit",
			relevant: []string{"how-to/c.md"},
			ranked:   []string{"how-to/c.md", "x.md"},
			recall:   [3]float64{1, 1, 1},
			hit:      [3]float64{1, 1, 1},
			rr:       1,
			ndcg:     1,
		},
		{
			// Rank 11 is past the cutoff of every metric.
			name:     "found at 11",
			relevant: []string{"d.md"},
			ranked:   []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "d.md"},
		},
		{
			// Collapsing "p" makes d rank 6: out of @5, in @10;
			// nDCG = 1/log2(7) = 0.35621.
			name:     "duplicates collapse",
			relevant: []string{"d.md"},
			ranked:   []string{"p", "p", "p", "1", "2", "3", "4", "d.md"},
			recall:   [3]float64{0, 0, 1},
			hit:      [3]float64{0, 0, 1},
			rr:       1.0 / 6,
			ndcg:     0.35621,
		},
		{
			name:   "no relevant pages",
			ranked: []string{"a.md"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ScoreRanking(tt.relevant, tt.ranked)
			for k, c := range Cutoffs {
				if !near(s.Recall[k], tt.recall[k]) || !near(s.Hit[k], tt.hit[k]) {
					t.Errorf("recall@%d, hit@%d = %.4f, %.4f, want %.4f, %.4f", c, c, s.Recall[k], s.Hit[k], tt.recall[k], tt.hit[k])
				}
			}
			if !near(s.RR, tt.rr) || !near(s.NDCG, tt.ndcg) {
				t.Errorf("RR, nDCG = %.4f, %.4f, want %.4f, %.4f", s.RR, s.NDCG, tt.rr, tt.ndcg)
			}
		})
	}
}

func TestScoreRetrieval(t *testing.T) {
	outs := []Outcome{
		{Case: Case{RelevantDocs: []string{"a.md", "b.md", "z.md"}}, Pages: []string{"x.md", "a.md", "y.md", "b.md"}},
		{Case: Case{RelevantDocs: []string{"c.md"}}, Pages: []string{"c.md"}},
		{Case: Case{RelevantDocs: []string{"d.md"}}, Pages: []string{"x.md"}},
		{Case: Case{}, Pages: []string{"x.md"}}, // not evaluated
	}
	// Per case (recall@1, recall@5, hit@5, RR, nDCG):
	//   (0, 2/3, 1, 1/2, 0.49819), (1, 1, 1, 1, 1), (0, 0, 0, 0, 0)
	want := Retrieval{
		Evaluated:  3,
		RecallAt1:  1.0 / 3,
		RecallAt5:  (2.0/3 + 1) / 3, // 5/9
		RecallAt10: (2.0/3 + 1) / 3,
		HitAt1:     1.0 / 3,
		HitAt5:     2.0 / 3,
		HitAt10:    2.0 / 3,
		MRRAt10:    (0.5 + 1) / 3,
		NDCGAt10:   (0.49819 + 1) / 3,
	}
	got := scoreRetrieval(outs)
	if diff := cmp.Diff(want, got, cmp.Comparer(near)); diff != "" {
		t.Errorf("scoreRetrieval mismatch (-want +got):\n%s", diff)
	}
}

func tri(c koban.Category, d koban.Domain, dec koban.Decision) *koban.Triage {
	return &koban.Triage{Label: koban.Label{Category: c}, Domain: d, Decision: dec}
}

func TestScoreTriage(t *testing.T) {
	ss, dm, po := koban.SelfSolvable, koban.DocsMissing, koban.PlatformOnly
	outs := []Outcome{
		{Case: Case{Category: ss, Domain: "network"}, Triage: tri(ss, "network", koban.DecideAnswer)},
		{Case: Case{Category: ss, Domain: "database"}, Triage: tri(dm, "network", koban.DecideEscalate)},
		{Case: Case{Category: dm, Domain: "iam"}, Triage: tri(dm, "iam", koban.DecideEscalate)},
		{Case: Case{Category: po, Domain: "ci-cd"}, Triage: tri(ss, "ci-cd", koban.DecideAnswer)},
		{Case: Case{Category: po}, Triage: tri(po, "iam", koban.DecideEscalate)}, // no domain label
		{Case: Case{Category: po}}, // no prediction: ignored
	}
	// self-solvable: predicted twice (1, 4), right once: P 1/2, R 1/2, F1 1/2.
	// docs-missing:  predicted twice (2, 3), right once: P 1/2, R 1/1, F1 2/3.
	// platform-only: predicted once (5), right once:     P 1/1, R 1/2, F1 2/3.
	// macro-F1 = (1/2 + 2/3 + 2/3) / 3 = 0.61111.
	want := &Triage{
		Cases:    5,
		Accuracy: 3.0 / 5,
		MacroF1:  (0.5 + 2.0/3 + 2.0/3) / 3,
		PerCategory: map[koban.Category]Class{
			ss: {Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2},
			dm: {Precision: 0.5, Recall: 1, F1: 2.0 / 3, Support: 1},
			po: {Precision: 1, Recall: 0.5, F1: 2.0 / 3, Support: 2},
		},
		Confusion: map[koban.Category]Counts{
			ss: {ss: 1, dm: 1},
			dm: {dm: 1},
			po: {ss: 1, po: 1},
		},
		DomainAccuracy:    3.0 / 4,
		Answered:          2,
		AnsweredPrecision: 0.5,
	}
	got := scoreTriage(outs, func(o Outcome) *koban.Triage { return o.Triage })
	if diff := cmp.Diff(want, got, cmp.Comparer(near)); diff != "" {
		t.Errorf("scoreTriage mismatch (-want +got):\n%s", diff)
	}
	if got := scoreTriage(outs, func(Outcome) *koban.Triage { return nil }); got != nil {
		t.Errorf("scoreTriage(no predictions) = %+v, want nil", got)
	}
}

func TestLatency(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		in   []time.Duration
		want Latency
	}{
		// Nearest rank: p50 is the 50th of 100 values, p99 the 99th.
		{ds, Latency{P50: 50, P99: 99, Max: 100}},
		{[]time.Duration{5 * time.Millisecond}, Latency{P50: 5, P99: 5, Max: 5}},
		// 3 values: p50 is the ceil(1.5) = 2nd, p99 the 3rd.
		{[]time.Duration{3 * time.Millisecond, 1500 * time.Microsecond, 10 * time.Millisecond}, Latency{P50: 3, P99: 10, Max: 10}},
		{nil, Latency{}},
	}
	for _, tt := range tests {
		if got := latency(tt.in); got != tt.want {
			t.Errorf("latency(%d values) = %+v, want %+v", len(tt.in), got, tt.want)
		}
	}
}

// fakeAnswerer returns fixed pages per question and records the languages asked.
type fakeAnswerer struct{ pages map[string][]koban.Citation }

func (f fakeAnswerer) Answer(_ context.Context, q koban.Question) (koban.Answer, error) {
	if q.Text == "???" {
		return koban.Answer{}, koban.Errorf(koban.EInvalid, "no words to search for")
	}
	return koban.Answer{Pages: f.pages[q.Text]}, nil
}

// lastLabel is a triager that predicts the last label it learnt
// (self-solvable before it has learnt any) and always answers.
type lastLabel struct{ last koban.Category }

func (l *lastLabel) Triage(context.Context, koban.Question, koban.Answer) (koban.Triage, error) {
	c := l.last
	if c == "" {
		c = koban.SelfSolvable
	}
	return koban.Triage{Label: koban.Label{Category: c}, Decision: koban.DecideAnswer}, nil
}

func (l *lastLabel) Learn(_ context.Context, _ koban.Question, lb koban.Label, _ koban.Domain) error {
	l.last = lb.Category
	return nil
}

func TestRunner(t *testing.T) {
	cases, err := ReadCases(strings.NewReader(`
{"id": "1", "question": "q1", "lang": "en", "category": "platform-only", "relevant_docs": ["a.md"]}
{"id": "2", "question": "q2", "lang": "ja", "category": "platform-only", "relevant_docs": ["a.md"]}
{"id": "3", "question": "q3", "lang": "en", "category": "platform-only", "relevant_docs": []}
{"id": "4", "question": "???", "lang": "en", "category": "platform-only", "relevant_docs": ["a.md"]}
`), "cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ans := fakeAnswerer{pages: map[string][]koban.Citation{
		"q1": {{Path: "a.md", Lang: "en"}},
		// The English a.md is not the Japanese a.md: it must not count.
		"q2": {{Path: "a.md", Lang: "en"}, {Path: "b.md", Lang: "ja"}, {Path: "a.md", Lang: "ja"}},
	}}
	tr := &lastLabel{}
	rep, err := (&Runner{Answerer: ans, Triager: tr, Learner: tr}).Run(context.Background(), cases)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 4 || rep.Retrieval.Evaluated != 3 {
		t.Errorf("cases, evaluated = %d, %d, want 4, 3", rep.Cases, rep.Retrieval.Evaluated)
	}
	// q1 at rank 1; q2's Japanese a.md at rank 2 once the English page is
	// dropped; "???" is refused, so it retrieves nothing but still counts.
	if !near(rep.Retrieval.RecallAt1, 1.0/3) || !near(rep.Retrieval.MRRAt10, 0.5) {
		t.Errorf("recall@1, MRR@10 = %.3f, %.3f, want 1/3, 1/2", rep.Retrieval.RecallAt1, rep.Retrieval.MRRAt10)
	}
	// Offline, nothing is learnt yet: all predicted self-solvable, all wrong.
	// Online: self-solvable (wrong), then platform-only three times (right).
	if rep.Triage == nil || rep.Triage.Accuracy != 0 {
		t.Errorf("offline triage = %+v, want accuracy 0", rep.Triage)
	}
	if rep.TriageOnline == nil || !near(rep.TriageOnline.Accuracy, 3.0/4) {
		t.Errorf("online triage = %+v, want accuracy 3/4", rep.TriageOnline)
	}
	if rep.Triage != nil && (rep.Triage.Answered != 4 || rep.Triage.AnsweredPrecision != 0) {
		t.Errorf("answered, precision = %d, %.3f, want 4, 0", rep.Triage.Answered, rep.Triage.AnsweredPrecision)
	}

	var buf bytes.Buffer
	if err := rep.WriteCases(&buf); err != nil {
		t.Fatal(err)
	}
	type line struct {
		ID        string   `json:"id"`
		Pages     []string `json:"pages"`
		Rank      int      `json:"rank"`
		Predicted string   `json:"predicted"`
		Online    string   `json:"online"`
	}
	var lines []line
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var l line
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 4 {
		t.Fatalf("WriteCases wrote %d lines, want 4", len(lines))
	}
	if l := lines[1]; l.ID != "2" || l.Rank != 2 || len(l.Pages) != 2 || l.Predicted != "self-solvable" || l.Online != "platform-only" {
		t.Errorf("WriteCases line 2 = %+v, want id 2, rank 2 of 2 pages, predicted self-solvable, online platform-only", l)
	}

	rep, err = (&Runner{Answerer: ans}).Run(context.Background(), cases)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triage != nil || rep.TriageOnline != nil {
		t.Errorf("without a triager: triage = %+v, online = %+v, want nil", rep.Triage, rep.TriageOnline)
	}
}
