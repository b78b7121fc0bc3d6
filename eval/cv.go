package eval

import (
	"context"
	"fmt"

	"github.com/kobanhq/koban"
)

// FreshTriager is a triager that knows no labels yet and learns a labelled
// case together with the answer retrieval gave it.
type FreshTriager interface {
	koban.Triager
	LearnAnswer(ctx context.Context, q koban.Question, a koban.Answer, l koban.Label, d koban.Domain) error
}

// CrossValidate triages the labelled inquiries among outs by K-fold
// cross-validation: for each fold, a fresh triager from newTriager learns
// the labels of the other folds only, then triages the fold's cases with
// their answers. Folds are stratified by category: the labelled cases of
// each category, in order, are dealt to the folds in turn. It returns the
// triage of each outcome, in order; nil for the cases that are not
// labelled inquiries. k must be at least 2.
func CrossValidate(ctx context.Context, outs []Outcome, k int, newTriager func() (FreshTriager, error)) ([]*koban.Triage, error) {
	if k < 2 {
		return nil, koban.Errorf(koban.EInvalid, "cross-validation needs at least 2 folds, got %d", k)
	}
	fold := make([]int, len(outs))
	dealt := make(map[koban.Category]int)
	labelled := 0
	for i, o := range outs {
		if !o.Case.Labelled() {
			fold[i] = -1
			continue
		}
		fold[i] = dealt[o.Case.Category] % k
		dealt[o.Case.Category]++
		labelled++
	}
	if labelled < k {
		return nil, koban.Errorf(koban.EInvalid, "cross-validation over %d folds needs at least %d labelled cases, got %d", k, k, labelled)
	}
	preds := make([]*koban.Triage, len(outs))
	for f := range k {
		tr, err := newTriager()
		if err != nil {
			return nil, err
		}
		for i, o := range outs {
			if fold[i] < 0 || fold[i] == f {
				continue
			}
			l := koban.Label{Category: o.Case.Category}
			if err := tr.LearnAnswer(ctx, question(o.Case), o.Answer, l, o.Case.Domain); err != nil {
				return nil, fmt.Errorf("fold %d: learn %s: %w", f+1, o.Case.ID, err)
			}
		}
		for i, o := range outs {
			if fold[i] != f {
				continue
			}
			t, err := tr.Triage(ctx, question(o.Case), o.Answer)
			if err != nil {
				return nil, fmt.Errorf("fold %d: triage %s: %w", f+1, o.Case.ID, err)
			}
			preds[i] = &t
		}
	}
	return preds, nil
}
