package docsindex

import (
	"cmp"
	"context"
	"math"
	"slices"
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

// fieldBM25 are the parameters per field. Measured with koban eval on the
// three development sets (Kubernetes, MoJ, BC Gov; Recall@5 / nDCG@10):
// k1 1.2, b 0.75 gave 0.81 / 0.70, 0.83 / 0.83, 0.67 / 0.63; b 1 with k1 2,
// 3 or 5 gave 0.81 / 0.72, 0.79 / 0.72 and 0.79 / 0.71 on Kubernetes and
// 0.67, 0.78 and 0.89 Recall@5 on BC Gov. Full length normalisation suits
// these docs: long reference pages match many words of a question and
// answer few. Per-field values (k1 1.2, b 0.75 for the short fields, for
// word pairs or for code; k1 10 for prose and word pairs) moved no figure
// by more than one case, and none was better on all three sets.
//
// The short fields that name a page or section (title, headings, path)
// are normalised by length at half strength: a name's length says little
// about how much of it is about the question, and full normalisation
// favours one-word names over longer ones that the question spells out.
// b 0.5 (or 0.3, and k1 1.2 or 5 alike) gave Kubernetes Recall@1 0.51
// against 0.49 and nDCG@10 0.72 against 0.71, BC Gov and MoJ unchanged;
// b 0.75 changed nothing. The description is a sentence of prose and keeps
// full normalisation: at b 0.5 it gave the same figures but put a tutorial
// above the page that answers a question on the sample docs.
//
// BM25F (a term's length-normalised frequencies in a document's fields,
// weighted by DefaultWeights, summed before one saturation) ranked worse
// with the weights tuned for the linear combination: k1 5 gave Kubernetes
// Recall@5 / nDCG@10 0.79 / 0.71 and BC Gov 0.78 / 0.75 against 0.81 /
// 0.72 and 0.89 / 0.75; k1 0.5 to 20 were no better on Kubernetes. Body
// b 0.75 or 0.9 gave Kubernetes nDCG@10 0.71 to 0.72 and lowered BC Gov's
// Recall@5 unless the length prior was lowered as well.
//
// Measured against page ranking with knowledge's nameScale and without the
// identifier field (Kubernetes, MoJ, BC Gov Recall@5 / nDCG@10 0.847 /
// 0.779, 0.833 / 0.833, 0.889 / 0.792), these were not adopted: the
// share of the query's terms a document matches (see docScores.score) to
// the power 0.5, 0.764 /
// 0.739, 0.833 / 0.772, 0.889 / 0.785, or left out, 0.750 / 0.722, 0.833 /
// 0.750, 0.889 / 0.792 (the ranking retuned with the power 0.5: 5-fold
// cross-validated Kubernetes 0.694 / 0.724); that share weighted by the
// terms' idf, 0.806 / 0.742 Kubernetes, 0.889 / 0.716 BC Gov; k1 1.2, 2.5
// or 10 for prose and word pairs, Kubernetes 0.778 / 0.745, 0.792 / 0.750
// and 0.819 / 0.743, BC Gov 0.667 / 0.700, 0.778 / 0.713 and 0.889 / 0.770;
// each kind of document's own average length, Kubernetes 0.806 / 0.734,
// BC Gov 0.556 / 0.662.
//
// The identifier field takes the same parameters, unmeasured apart. The
// anchor field is a list of names, as a title is, and takes the names'
// parameters. Against b 0.5 (knowledge's TestTuneAnchorCV, pooled 5-fold
// Kubernetes Recall@5 / nDCG@10 0.875 / 0.789): b 1 gave 0.847 / 0.795;
// b 0 gave 0.875 / 0.795, the same at every weight from 1 to 6, but koban
// eval's 5-fold cross-validated triage macro-F1 on Kubernetes fell from
// 0.757 to 0.735 (at weight 3; the one ranking it moved, 3rd → 2nd).
var fieldBM25 = [numFields]bm25{
	fTitle:    {5, 0.5},
	fHeadings: {5, 0.5},
	fBody:     {5, 1},
	fCode:     {5, 1},
	fPath:     {5, 0.5},
	fDesc:     {5, 1},
	fPhrase:   {5, 1},
	fIdent:    {5, 1},
	fAnchor:   {5, 0.5},
}

// idf is BM25's inverse document frequency of a term in df of n documents.
func idf(n, df uint32) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// termScore is BM25's score of one term occurring tf times in a field of
// length fieldLen, where the field's average length is avg.
func termScore(p bm25, idf float64, tf, fieldLen uint32, avg float64) float64 {
	t := float64(tf)
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
	return d.sum[doc] * float64(d.count[doc]) / float64(d.total), true
}

// queryTerm is a distinct term of a query in one field: how many times the
// query has it, its postings and how many live documents they hold.
type queryTerm struct {
	times int
	docs  termDocs
	df    uint32
}

// queryTerms analyses text into its distinct terms in field fi, in order of
// first occurrence, and the number of tokens.
func queryTerms(p *postings, fi *fieldIndex, an analysis.Analyzer, text string) ([]*queryTerm, int) {
	tokens := an.Analyze([]byte(text))
	var terms []*queryTerm
	byText := map[string]*queryTerm{}
	for _, tok := range tokens {
		if t := byText[string(tok.Term)]; t != nil {
			t.times++
			continue
		}
		t := &queryTerm{times: 1, docs: fi.Terms[string(tok.Term)]}
		if p.dead == 0 {
			t.df = uint32(len(t.docs) / 2)
		} else {
			// Some postings are of removed documents: count the others.
			for i := 0; i < len(t.docs); i += 2 {
				if p.Docs[t.docs[i]].Live {
					t.df++
				}
			}
		}
		byText[string(tok.Term)] = t
		terms = append(terms, t)
	}
	return terms, len(tokens)
}

// scoreField scores the documents of p on field f for text, analysed by
// an: each matching term adds its weight in the query (its idf, times its
// repeats, over the length of the query's idf vector) times its BM25 weight
// in the document.
func scoreField(ctx context.Context, p *postings, an analysis.Analyzer, f field, text string, weigh func(times int, idf float64) float64) (*docScores, error) {
	if weigh == nil {
		weigh = queryWeight
	}
	fi := &p.Fields[f]
	if fi.docs == 0 {
		return nil, nil
	}
	// Every document of the index counts for a term's idf, whether it has
	// the field or not: a page-only field (title, path, description) then
	// weighs its rare words as the shared fields do. Counting only the
	// documents with the field ranked worse (Kubernetes dev Recall@5 0.79
	// against 0.81, other figures within 0.005).
	n := uint32(len(p.byID))
	terms, total := queryTerms(p, fi, an, text)
	var sumSq float64
	for _, t := range terms {
		if t.df > 0 {
			i := idf(n, t.df)
			sumSq += float64(t.times) * i * i
		}
	}
	if sumSq == 0 {
		return nil, nil
	}
	queryNorm := 1 / math.Sqrt(sumSq)
	avg := float64(fi.sumLen) / float64(fi.docs)
	params := fieldBM25[f]
	ds := newDocScores(len(p.Docs), total)
	for _, t := range terms {
		if err := ctx.Err(); err != nil {
			ds.release()
			return nil, err
		}
		if t.df == 0 {
			continue
		}
		termIDF := idf(n, t.df)
		w := weigh(t.times, termIDF) * queryNorm
		for i := 0; i < len(t.docs); i += 2 {
			doc := t.docs[i]
			if !p.Docs[doc].Live {
				continue
			}
			ds.sum[doc] += w * termScore(params, termIDF, t.docs[i+1], fi.Lens[doc], avg)
			ds.count[doc] += uint16(min(t.times, math.MaxUint16-int(ds.count[doc])))
		}
	}
	return ds, nil
}

// queryWeight is a query term's weight in a field by default: its idf
// times its repeats. Measured with knowledge's TestTuneRepeatsCV and
// TestTuneIDFPowerCV against Kubernetes, BC Gov, MoJ Recall@5 / nDCG@10
// 0.875 / 0.781, 0.889 / 0.792, 0.833 / 0.833, and not adopted: repeats
// saturated as BM25's k3 does (n(k3+1)/(n+k3)) gave Kubernetes 0.806 /
// 0.736 (k3 near 0, each term once), 0.806 / 0.752 (k3 1), 0.847 / 0.763
// (k3 5), 0.847 / 0.769 (k3 10), BC Gov nDCG@10 0.778 for k3 2 or less,
// MoJ unchanged: a word a question repeats is what it is about. The idf
// to the power 0 (BM25's own query weight), 0.5, 1.5 or 2 gave Kubernetes
// 0.819 / 0.764, 0.847 / 0.779, 0.847 / 0.770, 0.847 / 0.761 and BC Gov
// nDCG@10 0.770, 0.770, 0.751, 0.751, MoJ unchanged. Pooled 5-fold and
// leave-one-set-out cross-validation chose the present weight for every
// fold of both.
func queryWeight(times int, idf float64) float64 {
	return float64(times) * idf
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
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(p.Docs[a.doc].ID, p.Docs[b.doc].ID)
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
