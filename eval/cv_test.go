package eval

import (
	"context"
	"fmt"
	"testing"

	"github.com/kobanhq/koban"
)

// memo predicts the label it learned for the same question, or
// platform-only; it records everything it learned.
type memo struct {
	learned map[string]koban.Category
	triaged int
}

func (m *memo) LearnAnswer(_ context.Context, q koban.Question, _ koban.Answer, l koban.Label, _ koban.Domain) error {
	m.learned[q.Text] = l.Category
	return nil
}

func (m *memo) Triage(_ context.Context, q koban.Question, _ koban.Answer) (koban.Triage, error) {
	m.triaged++
	c, ok := m.learned[q.Text]
	if !ok {
		c = koban.PlatformOnly
	}
	return koban.Triage{Label: koban.Label{Category: c}, Decision: koban.DecideEscalate}, nil
}

func TestCrossValidateNeverLearnsTheCaseItTriages(t *testing.T) {
	var outs []Outcome
	for i := range 12 {
		c := Case{ID: fmt.Sprint("c", i), Question: fmt.Sprint("question ", i), Lang: "en", Category: koban.Categories[i%3]}
		outs = append(outs, Outcome{Case: c})
	}
	outs = append(outs, Outcome{Case: Case{ID: "nq", Question: "thanks!", Lang: "en", Category: NotAnInquiry}},
		Outcome{Case: Case{ID: "unk", Question: "question 0", Lang: "en"}})
	var triagers []*memo
	preds, err := CrossValidate(context.Background(), outs, 3, func() (FreshTriager, error) {
		m := &memo{learned: map[string]koban.Category{}}
		triagers = append(triagers, m)
		return m, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(triagers) != 3 {
		t.Fatalf("%d triagers made, want one per fold", len(triagers))
	}
	for _, m := range triagers {
		if len(m.learned)+m.triaged != 12 || m.triaged == 0 {
			t.Errorf("a fold learned %d labels and triaged %d cases, want the 12 labelled cases split between them", len(m.learned), m.triaged)
		}
	}
	for i, o := range outs {
		switch {
		case !o.Case.Labelled() && preds[i] != nil:
			t.Errorf("%s: predicted, want nil for a case that is not a labelled inquiry", o.Case.ID)
		case o.Case.Labelled() && preds[i] == nil:
			t.Errorf("%s: no prediction", o.Case.ID)
		case o.Case.Labelled() && o.Case.Category != koban.PlatformOnly && preds[i].Label.Category == o.Case.Category:
			// memo can only be right about a case it learned.
			t.Errorf("%s: predicted its own label %s: the fold learned the case it triaged", o.Case.ID, o.Case.Category)
		}
	}
	if _, err := CrossValidate(context.Background(), outs, 1, nil); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("CrossValidate(k=1) error = %v, want EInvalid", err)
	}
}

func TestScoreDetection(t *testing.T) {
	det := func(b bool) *koban.Detection { return &koban.Detection{Inquiry: b} }
	outs := []Outcome{
		{Case: Case{Category: NotAnInquiry}, Detection: det(false)},
		{Case: Case{Category: NotAnInquiry}, Detection: det(true)},
		{Case: Case{Category: NotAnInquiry}, Detection: det(false)},
		{Case: Case{Category: NotAnInquiry}, Detection: det(false)},
		{Case: Case{Category: koban.SelfSolvable}, Detection: det(true)},
		{Case: Case{}, Detection: det(false)},
		{Case: Case{Category: koban.PlatformOnly}},
	}
	got := scoreDetection(outs)
	want := Detection{NonInquiries: 4, TreatedAsInquiry: 1, Inquiries: 2, Missed: 1, FalseInquiryRate: 0.25, KeptRate: 0.5}
	if got == nil || *got != want {
		t.Errorf("scoreDetection = %+v, want %+v", got, want)
	}
	if scoreDetection(outs[6:]) != nil {
		t.Errorf("scoreDetection without detections is not nil")
	}
}
