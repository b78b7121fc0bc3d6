package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/llm"
)

// SectionLister lists every section of the docs index. Hybrid embeds them.
type SectionLister interface {
	Sections() ([]docsindex.Section, error)
}

// FieldVector is the key of Hit.Fields that holds a section's cosine
// similarity to the question, in hits that went through Hybrid.
const FieldVector = "vector"

// rrfK is the constant of reciprocal rank fusion: 60, as in Cormack et al.
// (SIGIR 2009), where it was robust across collections.
const rrfK = 60

// Hybrid is a Searcher that fuses the BM25 ranking of another Searcher with
// a ranking by embedding similarity (brute-force cosine over every section,
// which takes a few milliseconds for thousands of sections), by reciprocal
// rank fusion. Without an embeddings model it passes searches through. It is
// safe for concurrent use.
type Hybrid struct {
	bm25   Searcher
	lister SectionLister
	emb    Embedder
	cache  *llm.EmbedCache
	log    *slog.Logger

	syncMu sync.Mutex // one Sync at a time
	mu     sync.RWMutex
	vecs   []vecSection
	recent map[string][]float32 // embeddings of recent questions, by text
}

// maxRecent bounds the question embeddings kept: the answer service may
// search twice for one question (in its language, then in all), and the
// evaluation asks the same questions again.
const maxRecent = 256

// queryTimeout bounds embedding a question: past it, BM25 alone answers.
const queryTimeout = 5 * time.Second

// vecSection is a section with its normalized embedding.
type vecSection struct {
	sec       docsindex.Section
	vec       []float32
	pageChars int
}

// NewHybrid returns a hybrid searcher over bm25. Section embeddings are
// cached in cacheDir (in memory when it is ""), keyed by the text embedded,
// in one file per embeddings model. Call Sync after each index update.
func NewHybrid(bm25 Searcher, lister SectionLister, emb Embedder, cacheDir string, log *slog.Logger) (*Hybrid, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hybrid{bm25: bm25, lister: lister, emb: emb, log: log}
	if emb == nil || emb.EmbeddingModel() == "" {
		return h, nil
	}
	c, err := llm.OpenEmbedCache(cacheDir, emb.EmbeddingModel(), log)
	if err != nil {
		return nil, err
	}
	h.cache = c
	return h, nil
}

// Close closes the embedding cache.
func (h *Hybrid) Close() error {
	if h.cache == nil {
		return nil
	}
	return h.cache.Close()
}

// embedText is what is embedded for a section: where it sits, then its text.
func embedText(s docsindex.Section) string {
	return s.Breadcrumb + "\n\n" + s.Text
}

// syncBatch is how many sections are embedded between two writes of the
// cache, so that an interrupted Sync keeps most of its work.
const syncBatch = llm.EmbedBatch

// Sync embeds the sections that have no cached embedding and makes the
// current sections searchable by similarity. It returns how many texts it
// embedded. When embedding fails part way, what was embedded is kept, the
// sections embedded so far are searchable, and the error is returned.
func (h *Hybrid) Sync(ctx context.Context) (int, error) {
	if h.cache == nil {
		return 0, nil
	}
	h.syncMu.Lock()
	defer h.syncMu.Unlock()
	start := time.Now()
	secs, err := h.lister.Sections()
	if err != nil {
		return 0, fmt.Errorf("sync embeddings: %w", err)
	}
	keys := make([]llm.EmbedKey, len(secs))
	live := make(map[llm.EmbedKey]bool, len(secs))
	var todo []int // indexes into secs of texts to embed, one per key
	for i, s := range secs {
		keys[i] = llm.KeyOf(embedText(s))
		if live[keys[i]] {
			continue
		}
		live[keys[i]] = true
		if _, ok := h.cache.Get(keys[i]); !ok {
			todo = append(todo, i)
		}
	}
	embedded, tokens := 0, 0
	var syncErr error
	for b := 0; b < len(todo); b += syncBatch {
		part := todo[b:min(b+syncBatch, len(todo))]
		texts := make([]string, len(part))
		ks := make([]llm.EmbedKey, len(part))
		for j, i := range part {
			texts[j], ks[j] = embedText(secs[i]), keys[i]
		}
		vecs, n, err := h.emb.Embed(ctx, texts)
		tokens += n
		for _, v := range vecs {
			normalize(v)
		}
		if perr := h.cache.Put(ks[:len(vecs)], vecs); perr != nil {
			syncErr = perr
			break
		}
		embedded += len(vecs)
		if err != nil {
			syncErr = fmt.Errorf("sync embeddings: %w", err)
			break
		}
	}

	pageChars := map[string]int{}
	for _, s := range secs {
		pageChars[s.Source+"\x00"+s.Path] += len(s.Text)
	}
	vs := make([]vecSection, 0, len(secs))
	for i, s := range secs {
		if v, ok := h.cache.Get(keys[i]); ok {
			vs = append(vs, vecSection{sec: s, vec: v, pageChars: pageChars[s.Source+"\x00"+s.Path]})
		}
	}
	h.mu.Lock()
	h.vecs = vs
	h.mu.Unlock()
	if syncErr == nil {
		syncErr = h.cache.Compact(live)
	}
	h.log.Info("section embeddings synced", "sections", len(secs), "searchable", len(vs), "embedded", embedded,
		"tokens", tokens, "model", h.emb.EmbeddingModel(), "took", time.Since(start).Round(time.Millisecond))
	return embedded, syncErr
}

// WordIDF passes through to the BM25 Searcher when it weighs words
// (wordIDFer), and otherwise weighs none (nil).
func (h *Hybrid) WordIDF(lang string, words []string) []float64 {
	if w, ok := h.bm25.(wordIDFer); ok {
		return w.WordIDF(lang, words)
	}
	return nil
}

// Search ranks sections for q by BM25 and by similarity to q.Text, and
// fuses the two rankings. The fused hits keep the score scale of the BM25
// hits (the k-th fused hit gets the k-th best BM25 score), so that
// confidence, computed from scores downstream, means the same with and
// without embeddings. Sections found by similarity alone are added; each
// hit's similarity is in Fields[FieldVector]. If the question cannot be
// embedded, Search logs it and returns the BM25 hits.
func (h *Hybrid) Search(ctx context.Context, q docsindex.Query) ([]docsindex.Hit, error) {
	hits, err := h.bm25.Search(ctx, q)
	if err != nil || h.cache == nil {
		return hits, err
	}
	h.mu.RLock()
	vecs := h.vecs
	h.mu.RUnlock()
	if len(vecs) == 0 {
		return hits, nil
	}
	qv, err := h.embedQuery(ctx, q.Text)
	if err == nil && len(qv) != len(vecs[0].vec) {
		err = errors.New("the question's embedding does not match the sections'")
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		h.log.Warn("question embedding unavailable, searching by BM25 only", "err", err)
		return hits, nil
	}
	size := q.Size
	if size <= 0 {
		size = 10
	}
	return fuse(hits, nearest(vecs, qv, q.Lang, size)), nil
}

// embedQuery returns the normalized embedding of a question.
func (h *Hybrid) embedQuery(ctx context.Context, text string) ([]float32, error) {
	h.mu.RLock()
	v, ok := h.recent[text]
	h.mu.RUnlock()
	if ok {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	vs, _, err := h.emb.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 {
		return nil, errors.New("no embedding for the question")
	}
	v = vs[0]
	normalize(v)
	h.mu.Lock()
	if len(h.recent) >= maxRecent {
		clear(h.recent)
	}
	if h.recent == nil {
		h.recent = map[string][]float32{}
	}
	h.recent[text] = v
	h.mu.Unlock()
	return v, nil
}

// scored is a section with its cosine similarity to the question.
type scored struct {
	vs  *vecSection
	cos float64
}

// nearest returns the size sections most similar to qv (in lang, unless
// it is ""), best first. Vectors are normalized, so cosine is a dot product.
func nearest(vecs []vecSection, qv []float32, lang string, size int) []scored {
	out := make([]scored, 0, size+1)
	for i := range vecs {
		v := &vecs[i]
		if lang != "" && v.sec.Lang != lang {
			continue
		}
		cos := dot(v.vec, qv)
		if cos <= 0 || len(out) == size && cos <= out[len(out)-1].cos {
			continue
		}
		// Insert in order; size is small (tens), so this beats a heap.
		j := sort.Search(len(out), func(j int) bool { return out[j].cos < cos })
		out = append(out, scored{})
		copy(out[j+1:], out[j:])
		out[j] = scored{v, cos}
		if len(out) > size {
			out = out[:size]
		}
	}
	return out
}

// fuse merges the BM25 hits (best first) and the nearest sections by
// reciprocal rank fusion: score 1/(rrfK+rank) in each ranking, summed.
func fuse(hits []docsindex.Hit, near []scored) []docsindex.Hit {
	type cand struct {
		hit   docsindex.Hit
		rrf   float64
		order int // BM25 rank, or len(hits)+similarity rank
	}
	byID := map[string]*cand{}
	cands := make([]*cand, 0, len(hits)+len(near))
	for r, h := range hits {
		c := &cand{hit: h, rrf: 1.0 / float64(rrfK+r+1), order: r}
		byID[h.Source+"\x00"+h.ID] = c
		cands = append(cands, c)
	}
	for r, n := range near {
		k := n.vs.sec.Source + "\x00" + n.vs.sec.ID
		c := byID[k]
		if c == nil {
			c = &cand{hit: docsindex.Hit{Section: n.vs.sec, PageChars: n.vs.pageChars}, order: len(hits) + r}
			byID[k] = c
			cands = append(cands, c)
		}
		c.rrf += 1.0 / float64(rrfK+r+1)
		fields := make(map[string]float64, len(c.hit.Fields)+1)
		for f, v := range c.hit.Fields {
			fields[f] = v
		}
		fields[FieldVector] = n.cos
		c.hit.Fields = fields
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].rrf != cands[j].rrf {
			return cands[i].rrf > cands[j].rrf
		}
		return cands[i].order < cands[j].order
	})
	// The scale of the BM25 scores, best first, for the fused ranks.
	scale := make([]float64, len(hits))
	for i, h := range hits {
		scale[i] = h.Score + h.PageScore
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(scale)))
	out := make([]docsindex.Hit, len(cands))
	for i, c := range cands {
		h := c.hit
		var target float64
		switch {
		case i < len(scale):
			target = scale[i]
		case len(scale) > 0:
			target = scale[len(scale)-1] * math.Pow(0.9, float64(i-len(scale)+1))
		default:
			target = h.Fields[FieldVector]
		}
		if total := h.Score + h.PageScore; total > 0 {
			f := target / total
			h.Score *= f
			h.PageScore *= f
		} else {
			h.Score, h.PageScore = target, 0
		}
		out[i] = h
	}
	return out
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	n := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= n
	}
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// PageSections reads a page's sections through the BM25 searcher, when it
// is a SectionReader; otherwise it returns a koban.ENotFound error.
func (h *Hybrid) PageSections(source, path string) ([]docsindex.Section, error) {
	if r, ok := h.bm25.(SectionReader); ok {
		return r.PageSections(source, path)
	}
	return nil, koban.Errorf(koban.ENotFound, "no page reader for %s", path)
}
