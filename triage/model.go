package triage

import (
	"math"

	"github.com/kobanhq/koban"
)

// The category model is a multinomial logistic regression over the features
// in features.go. Its weights are the maximum a posteriori fit of the
// labelled examples under a Gaussian prior centred on priorWeights: with no
// labels at all it is the prior, fitted to the taxonomy's generic examples;
// as a team's human labels accumulate they pull the weights their way, the
// more the more labels there are.

// model holds one weight vector per category, in koban.Categories order.
type model [3]vector

// classIndex is the index of a category in koban.Categories.
func classIndex(c koban.Category) int {
	switch c {
	case koban.SelfSolvable:
		return 0
	case koban.DocsMissing:
		return 1
	}
	return 2
}

// priorWeights is what a platform team would tell a newcomer, as weights:
// questions about how, what and why are usually answered by the docs,
// particularly when retrieval matches a page of the right kind and covers
// the question's terms; a question the docs do not cover is a docs gap, as
// is a report about a page; asks to act, breakages, bug reports and feature
// requests need the team; an asker who followed the docs and is still stuck
// found them wanting. Similar past inquiries vote for their human label.
// Weights are in logits; unlisted features weigh 0.
var priorWeights = func() model {
	var m model
	set := func(f int, ss, dm, po float64) {
		m[0][f], m[1][f], m[2][f] = ss, dm, po
	}
	set(fBias, 0, -0.6, 0.3)
	set(fAskHow, 1.2, 0.3, -0.3)
	set(fAskLookup, 0.7, 0.1, -0.2)
	set(fAskWhy, 0.5, 0.5, -0.2)
	set(fAskProcedure, 0.8, 0.2, 0)
	set(fSelfRoute, 0.6, 0, 0)
	set(fAct, -0.5, -0.5, 1.6)
	set(fRequest, -0.3, -0.3, 1.2)
	set(fProvision, 0, -0.2, 0.3)
	set(fBreakage, -0.3, -0.3, 1)
	set(fBug, -0.3, 0, 1.2)
	set(fFeature, -0.3, 0.2, 1)
	set(fDocsIssue, -0.8, 2.2, -0.5)
	set(fDocsRef, 0, 0.6, -0.2)
	set(fFollowed, -0.3, 0.6, 0.3)
	set(fErrorPaste, 0.5, -0.2, 0.2)
	set(fOwnSteps, 0.4, 0, 0)
	set(fOwnFault, 1.2, 0, -0.3)
	set(fStatement, -0.3, 0, 0.8)
	set(fPageReport, -0.5, 1.2, 0)
	set(fQuestionMark, 0.3, 0.1, -0.1)
	set(fUrgent, -0.5, -0.5, 1.5)
	set(fHasRetrieval, -0.4, 0, 0)
	set(fConf, 0.4, -0.3, 0)
	set(fConfHigh, 0.4, 0, 0)
	set(fConfLow, -0.8, 0.3, 0.2)
	set(fKnown, 0.3, 0, 0)
	set(fMargin, 0.2, 0, 0)
	set(fQuadFits, 0.4, 0, 0)
	set(fSelfServe, 3, 0, -1.5)
	set(fCoverage, 0.4, -0.3, 0)
	set(fAskConf, 1.5, -0.5, 0)
	set(fAskMiss, -0.3, 1, 0)
	set(fDemandConf, -0.3, 0, 0.3)
	set(fDocsConf, -0.5, 0.5, 0)
	set(fTroubleConf, 1.5, -0.3, -0.3)
	set(fAbsent, -0.5, 0.5, 0)
	set(fAskAbsent, -1, 1.5, 0)
	set(fNearSS, 2.5, 0, 0)
	set(fNearDM, 0, 2.5, 0)
	set(fNearPO, 0, 0, 2.5)
	set(fWordsSS, 1.5, 0, 0)
	set(fWordsDM, 0, 1.5, 0)
	set(fWordsPO, 0, 0, 1.5)
	return m
}()

// probs gives the category probabilities of v, in koban.Categories order.
func (m *model) probs(v *vector) [3]float64 {
	var z [3]float64
	for k := range m {
		for f := range v {
			z[k] += m[k][f] * v[f]
		}
	}
	mx := math.Max(z[0], math.Max(z[1], z[2]))
	var sum float64
	for k := range z {
		z[k] = math.Exp(z[k] - mx)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
	return z
}

// example is one labelled feature vector.
type example struct {
	v      vector
	class  int
	weight float64
}

// fit returns the MAP weights for the examples under a Gaussian prior of
// precision lambda centred on prior: full-batch gradient descent on the
// weighted mean log-loss plus (lambda/n)·½‖W − prior‖². A few hundred
// steps on a few hundred examples take milliseconds.
func fit(prior model, exs []example, lambda float64) model {
	m := prior
	if len(exs) == 0 {
		return m
	}
	var n float64
	for _, e := range exs {
		n += e.weight
	}
	const steps, rate = 300, 0.8
	var grad model
	for range steps {
		grad = model{}
		for i := range exs {
			e := &exs[i]
			p := m.probs(&e.v)
			for k := range p {
				d := p[k]
				if k == e.class {
					d--
				}
				d *= e.weight
				if d == 0 {
					continue
				}
				for f, x := range e.v {
					if x != 0 {
						grad[k][f] += d * x
					}
				}
			}
		}
		for k := range m {
			for f := range m[k] {
				g := (grad[k][f] + lambda*(m[k][f]-prior[k][f])) / (n + lambda)
				m[k][f] -= rate * g
			}
		}
	}
	return m
}
