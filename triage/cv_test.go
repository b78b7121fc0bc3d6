package triage

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/eval"
	"github.com/kobanhq/koban/internal/textproc"
)

// TestEvalCV reports 5-fold cross-validated triage figures on the shared
// evaluation sets, with the answers TestEvalWithRetrieval saved, beside a
// plain multinomial naive Bayes over the question's words under the same
// folds:
//
//	KOBAN_EVAL=1 KOBAN_EVAL_ANSWERS=/tmp/answers go test ./triage/ -run TestEvalCV -v
func TestEvalCV(t *testing.T) {
	dir, saved := savedAnswers(t)
	cfg := DefaultConfig()
	if v := os.Getenv("KOBAN_EVAL_PRIOR"); v != "" {
		fmt.Sscan(v, &cfg.PriorStrength)
	}
	if v := os.Getenv("KOBAN_EVAL_EXAMPLES"); v != "" {
		fmt.Sscan(v, &cfg.ExampleWeight)
	}
	if v := os.Getenv("KOBAN_EVAL_THRESHOLD"); v != "" {
		fmt.Sscan(v, &cfg.AnswerThreshold)
	}
	folds := 5
	var k8s, internal, internalNB []eval.Outcome
	var internalP, internalNBP, internalPrior []*koban.Triage
	for _, name := range evalSets {
		outs := savedOutcomes(t, dir, saved, name)
		vocab := corpusVocabulary(t, dir, name)
		newTriager := func() (*Service, error) {
			s, err := newAblated(cfg)
			if err == nil && os.Getenv("KOBAN_EVAL_NO_VOCAB") == "" {
				s.SetVocabulary(vocab)
			}
			return s, err
		}
		preds, err := eval.CrossValidate(context.Background(), outs, folds, func() (eval.FreshTriager, error) { return newTriager() })
		if err != nil {
			t.Fatal(err)
		}
		nb, err := eval.CrossValidate(context.Background(), outs, folds, func() (eval.FreshTriager, error) { return &naiveBayes{}, nil })
		if err != nil {
			t.Fatal(err)
		}
		prior := make([]*koban.Triage, len(outs))
		fresh, _ := newTriager()
		for i, o := range outs {
			tr, _ := fresh.Triage(context.Background(), question(o.Case), o.Answer)
			prior[i] = &tr
		}
		t.Logf("%s koban priors only (no labels): %s", name, cvLine(outs, prior))
		t.Logf("%s koban %d-fold CV: %s", name, folds, cvLine(outs, preds))
		t.Logf("%s naive Bayes %d-fold CV: %s", name, folds, cvLine(outs, nb))
		if os.Getenv("KOBAN_EVAL_VERBOSE") != "" {
			for i, o := range outs {
				if preds[i] != nil && preds[i].Label.Category != o.Case.Category {
					t.Logf("  %-28s want %-13s got %-13s %.2f %s | %s", o.Case.ID, o.Case.Category, preds[i].Label.Category, preds[i].Confidence, preds[i].Decision, strings.Join(koban.ReasonTexts(preds[i].Reasons), "; "))
				}
			}
		}
		if name == "dev.jsonl" {
			k8s = outs
		}
		if name != "dev.jsonl" {
			internalPrior = append(internalPrior, prior...)
			internal = append(internal, outs...)
			internalP = append(internalP, preds...)
			internalNB = append(internalNB, outs...)
			internalNBP = append(internalNBP, nb...)
		}
	}
	// The internal platforms pooled: each fold learns from both platforms'
	// labels (each case keeps its own corpus' retrieval).
	pooled, err := eval.CrossValidate(context.Background(), internal, folds, func() (eval.FreshTriager, error) { return newAblated(cfg) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("internal platforms pooled, koban %d-fold CV (no vocabulary): %s", folds, cvLine(internal, pooled))
	t.Logf("internal platforms together, koban priors only: %s", cvLine(internal, internalPrior))
	t.Logf("internal platforms together, koban: %s", cvLine(internal, internalP))
	t.Logf("internal platforms together, naive Bayes: %s", cvLine(internalNB, internalNBP))

	// Leave one kind of platform out: the labels of one are all a team
	// has, the other is triaged (each case with its own corpus' retrieval).
	for _, lo := range []struct {
		name        string
		train, test []eval.Outcome
	}{{"internal platforms, learned the Kubernetes labels", k8s, internal}, {"Kubernetes, learned the internal platforms' labels", internal, k8s}} {
		s, err := newAblated(cfg)
		if err != nil {
			t.Fatal(err)
		}
		preds := make([]*koban.Triage, len(lo.test))
		for _, o := range lo.train {
			if err := s.LearnAnswer(context.Background(), question(o.Case), o.Answer, koban.Label{Category: o.Case.Category}, o.Case.Domain); err != nil {
				t.Fatal(err)
			}
		}
		for i, o := range lo.test {
			tr, err := s.Triage(context.Background(), question(o.Case), o.Answer)
			if err != nil {
				t.Fatal(err)
			}
			preds[i] = &tr
		}
		t.Logf("%s (no vocabulary): %s", lo.name, cvLine(lo.test, preds))
	}
}

// cvLine scores cross-validated predictions in one line.
func cvLine(outs []eval.Outcome, preds []*koban.Triage) string {
	for i := range outs {
		outs[i].CV = preds[i]
	}
	r := eval.Score(outs)
	tr := r.TriageCV
	pc := tr.PerCategory
	return fmt.Sprintf("n=%d macro-F1=%.3f acc=%.3f SS-recall=%.2f DM-recall=%.2f PO-recall=%.2f answered=%d (precision %.2f) domain=%.2f",
		tr.Cases, tr.MacroF1, tr.Accuracy, pc[koban.SelfSolvable].Recall, pc[koban.DocsMissing].Recall, pc[koban.PlatformOnly].Recall,
		tr.Answered, tr.AnsweredPrecision, tr.DomainAccuracy)
}

// naiveBayes is the baseline: a multinomial naive Bayes over the question's
// lower-cased words with add-one smoothing and no tuning; it never answers.
type naiveBayes struct {
	docs   [3]int
	counts [3]map[string]int
	total  [3]int
	vocab  map[string]bool
}

func (nb *naiveBayes) LearnAnswer(_ context.Context, q koban.Question, _ koban.Answer, l koban.Label, _ koban.Domain) error {
	k := classIndex(l.Category)
	if nb.vocab == nil {
		nb.vocab = map[string]bool{}
		for i := range nb.counts {
			nb.counts[i] = map[string]int{}
		}
	}
	nb.docs[k]++
	for _, w := range textproc.Words(strings.ToLower(q.Text)) {
		nb.counts[k][w]++
		nb.total[k]++
		nb.vocab[w] = true
	}
	return nil
}

func (nb *naiveBayes) Triage(_ context.Context, q koban.Question, _ koban.Answer) (koban.Triage, error) {
	n := nb.docs[0] + nb.docs[1] + nb.docs[2]
	best, bestScore := 2, math.Inf(-1)
	for k := range 3 {
		if nb.docs[k] == 0 {
			continue
		}
		s := math.Log(float64(nb.docs[k]) / float64(n))
		for _, w := range textproc.Words(strings.ToLower(q.Text)) {
			s += math.Log(float64(nb.counts[k][w]+1) / float64(nb.total[k]+len(nb.vocab)))
		}
		if s > bestScore {
			best, bestScore = k, s
		}
	}
	return koban.Triage{Label: koban.Label{Category: koban.Categories[best]}, Decision: koban.DecideEscalate}, nil
}

// ablations are groups of features KOBAN_EVAL_ABLATE may leave out; it
// also takes single feature names (featureNames).
var ablations = map[string][]int{
	"speech-act": {fAskHow, fAskLookup, fAskWhy, fAskProcedure, fSelfRoute, fAct, fRequest, fProvision, fBreakage, fBug, fFeature,
		fDocsIssue, fDocsRef, fFollowed, fErrorPaste, fOwnSteps, fOwnFault, fStatement, fPageReport, fQuestionMark, fUrgent},
	"retrieval": {fHasRetrieval, fConf, fConfHigh, fConfLow, fKnown, fMargin, fQuadHowTo, fQuadRef, fQuadExpl, fQuadFits, fSelfServe,
		fCoverage, fAskConf, fAskMiss, fDemandConf, fDocsConf, fTroubleConf},
	"similar": {fNearSS, fNearDM, fNearPO},
	"words":   {fWordsSS, fWordsDM, fWordsPO},
}

// newAblated is New with the feature groups named in KOBAN_EVAL_ABLATE
// (comma-separated) left out.
func newAblated(cfg Config) (*Service, error) {
	s, err := New(cfg, nil, nil)
	if err != nil {
		return nil, err
	}
	for _, g := range strings.Split(os.Getenv("KOBAN_EVAL_ABLATE"), ",") {
		s.off = append(s.off, ablations[g]...)
		if i := slices.Index(featureNames[:], g); i >= 0 {
			s.off = append(s.off, i)
		}
	}
	for i := range s.generic {
		s.mask(&s.generic[i].v)
	}
	return s, nil
}

// corpusVocabulary reads the words of the corpus an evaluation set is judged
// on (its Markdown files, as text).
func corpusVocabulary(t *testing.T, dir, set string) *Vocabulary {
	t.Helper()
	corpus := map[string]string{"dev.jsonl": "k8s-docs", "moj-cloud-platform-dev.jsonl": "moj-cloud-platform-docs", "bcgov-private-cloud-dev.jsonl": "bcgov-private-cloud-docs"}[set]
	var texts []string
	filepath.WalkDir(filepath.Join(dir, "..", "corpora", corpus), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			if b, err := os.ReadFile(path); err == nil {
				texts = append(texts, string(b))
			}
		}
		return nil
	})
	v := NewVocabulary(texts)
	t.Logf("%s: vocabulary of %d words from %d pages", corpus, v.Len(), len(texts))
	return v
}

// TestEvalLearningCurve reports how triage changes as a team labels its
// first inquiries: 5-fold cross-validation as in TestEvalCV, each fold
// learning only the first m labels of the other folds (in the sets' order,
// the order a team would label them), for several m:
//
//	KOBAN_EVAL=1 KOBAN_EVAL_ANSWERS=/tmp/answers go test ./triage/ -run TestEvalLearningCurve -v
//
// The internal platforms are each their own team (each learns its own
// labels only) and are scored together.
func TestEvalLearningCurve(t *testing.T) {
	dir, saved := savedAnswers(t)
	const folds = 5
	groups := map[string][][]eval.Outcome{}
	vocabs := map[string][]*Vocabulary{}
	for _, name := range evalSets {
		outs := savedOutcomes(t, dir, saved, name)
		g := "internal platforms"
		if name == "dev.jsonl" {
			g = "Kubernetes"
		}
		groups[g] = append(groups[g], outs)
		vocabs[g] = append(vocabs[g], corpusVocabulary(t, dir, name))
	}
	for _, g := range []string{"Kubernetes", "internal platforms"} {
		for _, m := range []int{0, 3, 5, 10, 20, -1} {
			var all []eval.Outcome
			var preds []*koban.Triage
			for i, outs := range groups[g] {
				p, err := firstLabelsCV(outs, vocabs[g][i], folds, m)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, outs...)
				preds = append(preds, p...)
			}
			n := "all the"
			if m >= 0 {
				n = fmt.Sprint("the first ", m)
			}
			t.Logf("%s, learned %s labels of the other folds: %s", g, n, cvLine(all, preds))
		}
	}
}

// firstLabelsCV is eval.CrossValidate (the same folds), with the docs'
// vocabulary, each fold learning at most m labels of the others, the first ones; m < 0 means all.
func firstLabelsCV(outs []eval.Outcome, vocab *Vocabulary, k, m int) ([]*koban.Triage, error) {
	ctx := context.Background()
	fold := make([]int, len(outs))
	dealt := make(map[koban.Category]int)
	for i, o := range outs {
		fold[i] = dealt[o.Case.Category] % k
		dealt[o.Case.Category]++
	}
	preds := make([]*koban.Triage, len(outs))
	for f := range k {
		s, err := newAblated(DefaultConfig())
		if err != nil {
			return nil, err
		}
		s.SetVocabulary(vocab)
		learnt := 0
		for i, o := range outs {
			if fold[i] == f || (m >= 0 && learnt == m) {
				continue
			}
			if err := s.LearnAnswer(ctx, question(o.Case), o.Answer, koban.Label{Category: o.Case.Category}, o.Case.Domain); err != nil {
				return nil, err
			}
			learnt++
		}
		for i, o := range outs {
			if fold[i] != f {
				continue
			}
			tr, err := s.Triage(ctx, question(o.Case), o.Answer)
			if err != nil {
				return nil, err
			}
			preds[i] = &tr
		}
	}
	return preds, nil
}

// savedOutcomes pairs each case of the evaluation set name with the answer
// saved for it in saved (see savedAnswers).
func savedOutcomes(t *testing.T, dir, saved, name string) []eval.Outcome {
	t.Helper()
	cases := loadEvalCases(t, filepath.Join(dir, name))
	answers := loadAnswers(t, filepath.Join(saved, name))
	outs := make([]eval.Outcome, len(cases))
	for i, c := range cases {
		outs[i] = eval.Outcome{Case: c, Answer: answers[c.ID]}
	}
	return outs
}
