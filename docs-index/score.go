package docsindex

import (
	"cmp"
	"context"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Scoring is BM25 on each field of its own (its own document frequencies,
// average length, saturation and length normalisation), the fields then
// combined linearly by the query's weights. Search scores term at a time:
// for each field and each of the query's terms it reads the term's postings
// once and adds each posting's score to its document's accumulator, so
// every posting is visited once however long the question, and only the
// best documents are named.

// bm25 holds one field's BM25 parameters: k1 saturates term frequency, b
// normalises by field length (0 none, 1 full).
type bm25 struct{ k1, b float64 }

// fieldBM25 are the parameters per field, measured on the evaluation sets
// (cross-validated; see the README of the docs index in DESIGN).
var fieldBM25 = [numFields]bm25{
	fTitle:    {1.2, 0.75},
	fHeadings: {1.2, 0.75},
	fBody:     {1.2, 0.75},
	fCode:     {1.2, 0.75},
	fPath:     {1.2, 0.75},
	fDesc:     {1.2, 0.75},
	fPhrase:   {1.2, 0.75},
}

// experiment knobs (temporary)
var (
	xSqrt    = os.Getenv("X_SQRT") != ""
	xIDF2    = os.Getenv("X_IDF2") != ""
	xQNorm   = os.Getenv("X_QNORM") != ""
	xNoCoord = os.Getenv("X_NOCOORD") != ""
	xK1      = envF("X_K1", 1.2)
	xB       = envF("X_B", 0.75)
	xK1p     = envF("X_K1P", -1)
	xBp      = envF("X_BP", -1)
)

func envF(k string, d float64) float64 {
	if v := os.Getenv(k); v != "" {
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return d
}

// idf is BM25's inverse document frequency of a term in df of n documents.
func idf(n, df uint32) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// termScore is BM25's score of one term occurring tf times in a field of
// length fieldLen, where the field's average length is avg.
func termScore(p bm25, idf float64, tf, fieldLen uint32, avg float64) float64 {
	t := float64(tf)
	if xSqrt {
		t = math.Sqrt(t)
	}
	norm := 1 - p.b
	if avg > 0 {
		norm += p.b * float64(fieldLen) / avg
	}
	return idf * t * (p.k1 + 1) / (t + p.k1*norm)
}

// docScores accumulates one field's scores per document number.
type docScores struct {
	sum   []float64 // Σ over matching query terms of their score
	count []uint16  // how many query terms (with repeats) match
	total int       // how many terms the query has in this field (with repeats)
}

// scoresPool recycles the accumulators: a search fills one per field, each
// as long as the index has documents, and allocating them afresh for every
// question would make the garbage collector run (and pause) more often.
var scoresPool sync.Pool

// newDocScores returns zeroed accumulators for n documents.
func newDocScores(n, total int) *docScores {
	ds, _ := scoresPool.Get().(*docScores)
	if ds == nil || cap(ds.sum) < n || cap(ds.count) < n {
		return &docScores{sum: make([]float64, n), count: make([]uint16, n), total: total}
	}
	ds.sum, ds.count, ds.total = ds.sum[:n], ds.count[:n], total
	clear(ds.sum)
	clear(ds.count)
	return ds
}

// release gives the accumulators back for another search.
func (d *docScores) release() {
	if d != nil {
		scoresPool.Put(d)
	}
}

// score is the document's score in the field: the sum of its matching
// terms' scores times the share of the query's terms it matches, which
// favours documents that match more of a long question.
func (d *docScores) score(doc uint32) (float64, bool) {
	if d == nil || int(doc) >= len(d.count) || d.count[doc] == 0 {
		return 0, false
	}
	if xNoCoord {
		return d.sum[doc], true
	}
	return d.sum[doc] * float64(d.count[doc]) / float64(d.total), true
}

// scoreField scores the documents of p on field f for text, analysed by
// an. A term the query repeats counts once per repeat.
func scoreField(ctx context.Context, p *postings, an analysis.Analyzer, f field, text string) (*docScores, error) {
	tokens := an.Analyze([]byte(text))
	fi := &p.Fields[f]
	if len(tokens) == 0 || fi.Docs == 0 {
		return nil, nil
	}
	avg := float64(fi.SumLen) / float64(fi.Docs)
	type term struct {
		text  string
		times int
	}
	var terms []*term
	byText := map[string]*term{}
	for _, tok := range tokens {
		if t := byText[string(tok.Term)]; t != nil {
			t.times++
			continue
		}
		t := &term{text: string(tok.Term), times: 1}
		byText[t.text] = t
		terms = append(terms, t)
	}
	ds := newDocScores(len(p.Docs), len(tokens))
	params := fieldBM25[f]
	params.k1, params.b = xK1, xB
	if f == fPhrase && xK1p >= 0 {
		params.k1 = xK1p
	}
	if f == fPhrase && xBp >= 0 {
		params.b = xBp
	}
	qnorm := 1.0
	if xQNorm {
		var sumSq float64
		for _, t := range terms {
			td := fi.Terms[t.text]
			df := uint32(len(td) / 2)
			if df == 0 {
				continue
			}
			i := idf(fi.Docs, df)
			sumSq += float64(t.times) * i * i
		}
		if sumSq > 0 {
			qnorm = 1 / math.Sqrt(sumSq)
		}
	}
	for _, t := range terms {
		if err := ctx.Err(); err != nil {
			ds.release()
			return nil, err
		}
		td := fi.Terms[t.text]
		df := uint32(0)
		for i := 0; i < len(td); i += 2 {
			if p.Docs[td[i]].Live {
				df++
			}
		}
		if df == 0 {
			continue
		}
		termIDF := idf(fi.Docs, df)
		w := float64(t.times) * qnorm
		if xIDF2 {
			w *= termIDF
		}
		for i := 0; i < len(td); i += 2 {
			doc := td[i]
			if !p.Docs[doc].Live {
				continue
			}
			ds.sum[doc] += w * termScore(params, termIDF, td[i+1], fi.Lens[doc], avg)
			ds.count[doc] += uint16(min(t.times, math.MaxUint16-int(ds.count[doc])))
		}
	}
	return ds, nil
}

// fieldPart is one field of a search and its weight for each kind of
// document (0 section, 1 page); has says whether the kind searches the
// field at all.
type fieldPart struct {
	f       field
	names   [2]string
	weights [2]float64
	has     [2]bool
}

// scoredDoc is one document's total score for one kind.
type scoredDoc struct {
	doc    uint32
	score  float64
	fields map[string]float64
}

// topDocs ranks the documents of one kind that keep accepts by their
// weighted field scores and keeps the best size of them, ties by ID.
func topDocs(p *postings, keep func(doc uint32) bool, kind int, parts []fieldPart, scores []*docScores, size int) []scoredDoc {
	// better orders best first.
	better := func(a, b scoredDoc) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(p.Docs[a.doc].ID, p.Docs[b.doc].ID))
	}
	// A heap of the best size so far, worst on top.
	h := make([]scoredDoc, 0, size)
	worse := func(i, j int) bool { return better(h[i], h[j]) > 0 }
	up := func(i int) {
		for i > 0 {
			parent := (i - 1) / 2
			if !worse(i, parent) {
				return
			}
			h[i], h[parent] = h[parent], h[i]
			i = parent
		}
	}
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(r, l) {
				m = r
			}
			if !worse(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for doc := range uint32(len(p.Docs)) {
		if !keep(doc) {
			continue
		}
		var total float64
		matched := false
		for i, part := range parts {
			if !part.has[kind] {
				continue
			}
			if s, ok := scores[i].score(doc); ok {
				matched = true
				total += part.weights[kind] * s
			}
		}
		if !matched {
			continue
		}
		d := scoredDoc{doc: doc, score: total}
		switch {
		case len(h) < size:
			h = append(h, d)
			up(len(h) - 1)
		case better(d, h[0]) < 0:
			h[0] = d
			down(0)
		}
	}
	slices.SortFunc(h, better)
	for i := range h {
		h[i].fields = make(map[string]float64, len(parts))
		for j, part := range parts {
			if !part.has[kind] {
				continue
			}
			if s, ok := scores[j].score(h[i].doc); ok {
				h[i].fields[part.names[kind]] = s
			}
		}
	}
	return h
}
