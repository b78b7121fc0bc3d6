package docsindex

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"weak"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// Search scores documents term at a time: for each field and each of the
// query's terms it reads the term's postings once and adds each posting's
// score to its document's accumulator. The scores are bleve's own for a
// match query (an OR of the analysed terms) on each field, computed the way
// bleve's term and disjunction searchers compute them (TestSearchFieldScores
// holds the two together), but without bleve's document-at-a-time merge: that
// merge keeps a heap over every term's postings, and with the 50 to 80 terms
// of a pasted question it cost two thirds of a search. Here every posting is
// visited once, and only the best documents are named.

// fieldPart is one field of a search: the field, the analyzer its text goes
// through, and its weight for each kind of document (section, page).
type fieldPart struct {
	field    string
	analyzer string
	// names and weights per kind (0 section, 1 page); has says whether the
	// kind searches the field at all.
	names   [2]string
	weights [2]float64
	has     [2]bool
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

// score is bleve's match-query score of the document: the sum of its
// matching terms' scores times the share of the query's terms it matches.
func (d *docScores) score(doc uint64) (float64, bool) {
	if d == nil || doc >= uint64(len(d.count)) || d.count[doc] == 0 {
		return 0, false
	}
	return d.sum[doc] * float64(d.count[doc]) / float64(d.total), true
}

// scoredDoc is one document's total score for one kind.
type scoredDoc struct {
	doc    uint64
	score  float64
	fields map[string]float64
}

// bm25Stats returns the collection statistics bleve's BM25 uses for field:
// the document count and the average field length, pinned (see
// dueMerge) or read from r.
func (ix *Index) bm25Stats(r index.IndexReader, field string) (n uint64, avg float64, err error) {
	if n, err = r.DocCount(); err != nil {
		return 0, 0, err
	}
	card, ok := ix.manifest.Cardinality[field]
	if !ok {
		if br, ok := r.(index.BM25Reader); ok {
			if card, err = br.FieldCardinality(field); err != nil {
				return 0, 0, err
			}
		}
	}
	if n == 0 {
		return 0, 0, nil
	}
	// As bleve's bm25ScoreMetrics: the term dictionary's size over the
	// document count, rounded up.
	return n, math.Ceil(float64(card) / float64(n)), nil
}

// scoreField reads the postings of text's terms in part.field and returns
// each document's match-query score parts, for the documents numbered up to
// maxDoc.
func (ix *Index) scoreField(ctx context.Context, r index.IndexReader, an analysis.Analyzer, part fieldPart, text string, maxDoc uint64) (*docScores, error) {
	tokens := an.Analyze([]byte(text))
	if len(tokens) == 0 {
		return nil, nil
	}
	n, avg, err := ix.bm25Stats(r, part.field)
	if err != nil {
		return nil, fmt.Errorf("field %s statistics: %w", part.field, err)
	}
	// Repeated terms count once per repeat, as bleve's match query makes
	// one term searcher for each token.
	type term struct {
		text  []byte
		times int
		tfr   index.TermFieldReader
		idf   float64
	}
	var terms []*term
	byText := map[string]*term{}
	for _, tok := range tokens {
		if t := byText[string(tok.Term)]; t != nil {
			t.times++
			continue
		}
		t := &term{text: tok.Term, times: 1}
		byText[string(tok.Term)] = t
		terms = append(terms, t)
	}
	defer func() {
		for _, t := range terms {
			if t.tfr != nil {
				t.tfr.Close()
			}
		}
	}()
	var sumSq float64
	for _, t := range terms {
		tfr, err := r.TermFieldReader(ctx, t.text, part.field, true, true, false)
		if err != nil {
			return nil, fmt.Errorf("field %s term %q: %w", part.field, t.text, err)
		}
		t.tfr = tfr
		t.idf = idf(avg, n, tfr.Count())
		sumSq += float64(t.times) * t.idf * t.idf
	}
	queryNorm := 1 / math.Sqrt(sumSq)
	ds := newDocScores(int(maxDoc)+1, len(tokens))
	var tfd index.TermFieldDoc
	for _, t := range terms {
		if t.tfr.Count() == 0 {
			continue
		}
		// bleve's term score: queryWeight (boost × idf × queryNorm) times
		// the BM25 document score (idf × saturated, length-normalised tf).
		weight := t.idf * queryNorm * float64(t.times)
		for seen := 0; ; seen++ {
			if seen%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			d, err := t.tfr.Next(&tfd)
			if err != nil {
				return nil, fmt.Errorf("field %s term %q: %w", part.field, t.text, err)
			}
			if d == nil {
				break
			}
			doc, ok := docNum(d.ID)
			if !ok || doc >= uint64(len(ds.count)) {
				// Not a document of any kind (see Search): never ranked.
				continue
			}
			ds.sum[doc] += weight * docScore(t.idf, avg, d.Freq, d.Norm)
			ds.count[doc] += uint16(min(t.times, math.MaxUint16-int(ds.count[doc])))
		}
	}
	return ds, nil
}

// idf is bleve's inverse document frequency: BM25's when the field has an
// average length, TF-IDF's otherwise.
func idf(avg float64, n, df uint64) float64 {
	if avg > 0 {
		return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
	}
	return 1 + math.Log(float64(n)/float64(df+1))
}

// docScore is bleve's per-document term score before the query weight.
func docScore(idf, avg float64, freq uint64, norm float64) float64 {
	tf := math.Sqrt(float64(freq))
	if avg > 0 {
		fieldLength := 1 / (norm * norm)
		return idf * (tf * search.BM25_k1) / (tf + search.BM25_k1*(1-search.BM25_b+search.BM25_b*fieldLength/avg))
	}
	return tf * norm * idf
}

// docNum is the document number in a scorch internal ID (8 bytes, big
// endian). Anything else is not a document this search can score.
func docNum(id index.IndexInternalID) (uint64, bool) {
	if len(id) != 8 {
		return 0, false
	}
	n := binary.BigEndian.Uint64(id)
	// Filters are indexed by it: a number past any index this size could
	// hold is corrupt, not a document.
	return n, n < 1<<26
}

// termDocs marks the document numbers whose field holds term.
func termDocs(ctx context.Context, r index.IndexReader, field, term string) ([]bool, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return nil, fmt.Errorf("filter %s:%s: %w", field, term, err)
	}
	defer tfr.Close()
	var out []bool
	var tfd index.TermFieldDoc
	for {
		d, err := tfr.Next(&tfd)
		if err != nil {
			return nil, fmt.Errorf("filter %s:%s: %w", field, term, err)
		}
		if d == nil {
			return out, nil
		}
		doc, ok := docNum(d.ID)
		if !ok {
			continue
		}
		if doc >= uint64(len(out)) {
			out = append(out, make([]bool, int(doc)+1-len(out))...)
		}
		out[doc] = true
	}
}

// filterCache keeps the documents of each kind and language of one index
// snapshot: every search filters on them, and reading them costs as much
// as scoring a short question. Document numbers change when segments merge,
// so the cache holds for one snapshot only. It knows the snapshot by a weak
// pointer: a strong one would keep a replaced snapshot, and the segments
// it holds, in memory until the next search.
type filterCache struct {
	mu   sync.Mutex
	snap weak.Pointer[scorch.IndexSnapshot]
	docs map[[2]string][]bool // by field and term
}

// filterDocs returns the documents whose field holds term in snapshot r.
// The result is shared: callers must not change it.
func (c *filterCache) filterDocs(ctx context.Context, r index.IndexReader, field, term string) ([]bool, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return termDocs(ctx, r, field, term)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := weak.Make(snap); c.snap != w {
		c.snap, c.docs = w, map[[2]string][]bool{}
	}
	k := [2]string{field, term}
	if d, ok := c.docs[k]; ok {
		return d, nil
	}
	d, err := termDocs(ctx, r, field, term)
	if err != nil {
		return nil, err
	}
	c.docs[k] = d
	return d, nil
}

// topDocs ranks the documents of one kind (those marked in docs) by their
// weighted field scores and keeps the best size of them, ties by document
// number (the order bleve's collector keeps).
func topDocs(docs []bool, kind int, parts []fieldPart, scores []*docScores, size int) []scoredDoc {
	// better orders best first.
	better := func(a, b scoredDoc) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	}
	// A heap of the best size so far, worst on top.
	h := make([]scoredDoc, 0, size)
	worse := func(i, j int) bool { return better(h[i], h[j]) > 0 }
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
	for doc, ok := range docs {
		if !ok {
			continue
		}
		var total float64
		matched := false
		for i, p := range parts {
			if !p.has[kind] {
				continue
			}
			if s, ok := scores[i].score(uint64(doc)); ok {
				matched = true
				total += p.weights[kind] * s
			}
		}
		if !matched {
			continue
		}
		d := scoredDoc{doc: uint64(doc), score: total}
		switch {
		case len(h) < size:
			h = append(h, d)
			for i := len(h) - 1; i > 0; {
				parent := (i - 1) / 2
				if !worse(i, parent) {
					break
				}
				h[i], h[parent] = h[parent], h[i]
				i = parent
			}
		case better(d, h[0]) < 0:
			h[0] = d
			down(0)
		}
	}
	slices.SortFunc(h, better)
	for i := range h {
		h[i].fields = make(map[string]float64, len(parts))
		for j, p := range parts {
			if !p.has[kind] {
				continue
			}
			if s, ok := scores[j].score(h[i].doc); ok {
				h[i].fields[p.names[kind]] = s
			}
		}
	}
	return h
}
