package triage

import (
	"math"
	"strings"
)

// wordModel is a multinomial naive Bayes over the words of the inquiries
// humans labelled (lower-cased words, CJK character pairs). Its tempered
// posterior is one more signal of the category model: what the team's own
// vocabulary says, where the similar-inquiry votes need a close match. It
// is not safe for concurrent use; Service guards it.
type wordModel struct {
	docs   [3]int
	counts [3]map[string]float64
	total  [3]float64
	vocab  map[string]int // term → labelled inquiries holding it
}

func newWordModel() *wordModel {
	w := &wordModel{vocab: make(map[string]int)}
	for k := range w.counts {
		w.counts[k] = make(map[string]float64)
	}
	return w
}

// wordTerms are the terms of a text the word model counts: the word and
// CJK features of features(), without character trigrams.
func wordTerms(f map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(f))
	for t, n := range f {
		if strings.HasPrefix(t, "w:") || strings.HasPrefix(t, "c:") {
			out[t] = n
		}
	}
	return out
}

// add counts a labelled inquiry's terms for class k; sign −1 takes them out.
func (w *wordModel) add(terms map[string]float64, k int, sign float64) {
	w.docs[k] += int(sign)
	for t, n := range terms {
		w.counts[k][t] += sign * n
		w.total[k] += sign * n
		w.vocab[t] += int(sign)
		if w.vocab[t] <= 0 {
			delete(w.vocab, t)
		}
	}
}

// wordMass is how many labels it takes for the word model to be half
// trusted: with a handful of labels its posterior is mostly noise.
const wordMass = 15

// posterior gives the tempered class probabilities of terms, times the
// trust the model has earned (n/(n+wordMass) for n labels); zeros without
// labels. Tempering divides the log-likelihood by the square root of the
// number of tokens, so a long message is not certain of anything.
func (w *wordModel) posterior(terms map[string]float64) [3]float64 {
	n := w.docs[0] + w.docs[1] + w.docs[2]
	var out [3]float64
	if n == 0 || len(terms) == 0 {
		return out
	}
	var tokens float64
	for _, c := range terms {
		tokens += c
	}
	v := float64(len(w.vocab) + 1)
	ordered := byTerm(terms) // summed in one order, so the same on every run
	var z [3]float64
	for k := range z {
		z[k] = math.Log(float64(w.docs[k]+1) / float64(n+3))
		var ll float64
		for _, tc := range ordered {
			ll += tc.tf * math.Log((w.counts[k][tc.term]+0.5)/(w.total[k]+0.5*v))
		}
		z[k] += ll / math.Sqrt(tokens)
	}
	mx := math.Max(z[0], math.Max(z[1], z[2]))
	var sum float64
	for k := range z {
		z[k] = math.Exp(z[k] - mx)
		sum += z[k]
	}
	trust := float64(n) / float64(n+wordMass)
	for k := range z {
		out[k] = trust * z[k] / sum
	}
	return out
}
