package triage

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/textproc"
)

// maxTextRunes bounds the text that features are computed from. Slack allows
// 40,000 characters per message; the first few thousand say what it is about.
const maxTextRunes = 4000

// features turns text into weighted terms for similarity: lower-cased words,
// character trigrams of Latin words (so "namespace" and "namespaces" meet)
// and character bigrams of CJK runs (so Japanese works without a
// morphological analyser). Counts are raw; tfidf weighs them.
func features(text string) map[string]float64 {
	text = truncateRunes(strings.ToLower(text), maxTextRunes)
	f := make(map[string]float64)
	for _, w := range textproc.Words(text) {
		if textproc.IsCJK(firstRune(w)) {
			r := []rune(w)
			if len(r) == 1 {
				f["c:"+w] += 0.5
				continue
			}
			for i := 0; i+1 < len(r); i++ {
				f["c:"+string(r[i:i+2])]++
			}
			continue
		}
		if textproc.IsStop(w) || utf8.RuneCountInString(w) < 2 {
			continue
		}
		f["w:"+w]++
		g := []rune("^" + w + "$")
		for i := 0; i+3 <= len(g); i++ {
			f["g:"+string(g[i:i+3])] += 0.25
		}
	}
	return f
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// similarIndex finds the labelled examples nearest to a text by TF-IDF
// cosine over features. It is not safe for concurrent use; Service guards it.
type similarIndex struct {
	docs [][]termCount // raw features per example, by term

	df       map[string]int
	postings map[string][]posting // term → examples holding it
	norms    []float64            // TF-IDF vector norms; recomputed when stale
	stale    bool
}

// termCount is a term of a text and its raw count (features).
type termCount struct {
	term string
	tf   float64
}

// byTerm lists f's terms in order: the sums over them (norms, dot products)
// come out the same on every run, which a map's order would not give.
func byTerm(f map[string]float64) []termCount {
	out := make([]termCount, 0, len(f))
	for t, tf := range f {
		out = append(out, termCount{t, tf})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].term < out[j].term })
	return out
}

// posting is one example's raw count of a term.
type posting struct {
	id int
	tf float64
}

func newSimilarIndex() *similarIndex {
	return &similarIndex{df: make(map[string]int), postings: make(map[string][]posting)}
}

// add indexes text and returns its example number.
func (x *similarIndex) add(text string) int {
	f := byTerm(features(text))
	id := len(x.docs)
	x.docs = append(x.docs, f)
	for _, tc := range f {
		x.df[tc.term]++
		x.postings[tc.term] = append(x.postings[tc.term], posting{id, tc.tf})
	}
	x.stale = true
	return id
}

func (x *similarIndex) idf(t string) float64 {
	return math.Log(float64(len(x.docs)+1)/float64(x.df[t]+1)) + 1
}

func (x *similarIndex) weight(t string, tf float64) float64 {
	return (1 + math.Log1p(tf)) * x.idf(t)
}

// refresh recomputes the example norms after additions changed the IDF.
func (x *similarIndex) refresh() {
	if !x.stale {
		return
	}
	x.norms = make([]float64, len(x.docs))
	for i, f := range x.docs {
		var s float64
		for _, tc := range f {
			w := x.weight(tc.term, tc.tf)
			s += w * w
		}
		x.norms[i] = math.Sqrt(s)
	}
	x.stale = false
}

// neighbour is one example similar to the query.
type neighbour struct {
	id  int
	sim float64 // cosine in [0,1]
}

// nearest returns up to k examples with cosine similarity at least min, most
// similar first. refresh must have been called since the last add.
func (x *similarIndex) nearest(text string, k int, min float64) []neighbour {
	return x.nearestTo(byTerm(features(text)), k, min, -1)
}

// nearestByID is nearest for the indexed example id, leaving it out.
func (x *similarIndex) nearestByID(id, k int, min float64) []neighbour {
	return x.nearestTo(x.docs[id], k, min, id)
}

func (x *similarIndex) nearestTo(q []termCount, k int, min float64, exclude int) []neighbour {
	if len(x.docs) == 0 {
		return nil
	}
	dot := make(map[int]float64)
	var qn float64
	for _, tc := range q {
		t, tf := tc.term, tc.tf
		ps := x.postings[t]
		if len(ps) == 0 {
			// Unseen terms still count in the query norm: a question that
			// is mostly new words is not very similar to anything.
			w := x.weight(t, tf)
			qn += w * w
			continue
		}
		idf := x.idf(t)
		w := (1 + math.Log1p(tf)) * idf
		qn += w * w
		for _, p := range ps {
			dot[p.id] += w * (1 + math.Log1p(p.tf)) * idf
		}
	}
	if qn == 0 {
		return nil
	}
	qn = math.Sqrt(qn)
	var out []neighbour
	for id, d := range dot {
		if x.norms[id] == 0 || id == exclude {
			continue
		}
		if s := d / (qn * x.norms[id]); s >= min {
			out = append(out, neighbour{id, s})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].sim != out[j].sim {
			return out[i].sim > out[j].sim
		}
		return out[i].id < out[j].id
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
