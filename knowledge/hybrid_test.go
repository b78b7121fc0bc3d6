package knowledge

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/llmtest"
	"github.com/kobanhq/koban/llm"
	"github.com/kobanhq/koban/llm/openai"
)

// indexLister lists the sections of an index: through the index itself
// when it can list them, else by loading the same sources with the same
// loader the index uses.
type indexLister struct {
	ix      *docsindex.Index
	sources []docsindex.Source
}

func (l indexLister) Sections() ([]docsindex.Section, error) {
	if sl, ok := any(l.ix).(SectionLister); ok {
		return sl.Sections()
	}
	var out []docsindex.Section
	for _, src := range l.sources {
		pages, _ := docsindex.Load(src, nil)
		for _, p := range pages {
			for _, s := range p.Sections {
				s.Source = src.Path
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// hybridFixture is a hybrid searcher over a docs folder, its index and a
// fake embeddings endpoint.
type hybridFixture struct {
	dir    string
	ix     *docsindex.Index
	lister indexLister
	f      *llmtest.Server
	llm    *openai.Client
	cache  string
}

func newHybridFixture(t *testing.T) *hybridFixture {
	t.Helper()
	fx := &hybridFixture{dir: llmCorpus(t, nil), f: llmtest.New(t), cache: t.TempDir()}
	fx.ix = llmIndex(t, fx.dir)
	fx.lister = indexLister{fx.ix, []docsindex.Source{{Path: fx.dir, Lang: "en"}}}
	fx.llm, _ = newTestLLM(t, fx.f)
	return fx
}

func (fx *hybridFixture) open(t *testing.T) *Hybrid {
	t.Helper()
	h, err := NewHybrid(fx.ix, fx.lister, fx.llm, fx.cache, nil)
	if err != nil {
		t.Fatalf("NewHybrid() error: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func (fx *hybridFixture) reindex(t *testing.T) {
	t.Helper()
	if _, _, err := fx.ix.Update(context.Background(), fx.lister.sources); err != nil {
		t.Fatalf("Update() error: %v", err)
	}
}

func mustSyncHybrid(t *testing.T, h *Hybrid) int {
	t.Helper()
	n, err := h.Sync(context.Background())
	if err != nil {
		t.Fatalf("Sync() error: %v", err)
	}
	return n
}

func embedTextCount(t *testing.T, l SectionLister) int {
	t.Helper()
	secs, err := l.Sections()
	if err != nil {
		t.Fatal(err)
	}
	uniq := map[llm.EmbedKey]bool{}
	for _, s := range secs {
		uniq[llm.KeyOf(embedText(s))] = true
	}
	return len(uniq)
}

func TestHybridSyncEmbedsOnlyChanges(t *testing.T) {
	fx := newHybridFixture(t)
	h := fx.open(t)
	total := embedTextCount(t, fx.lister)

	if n := mustSyncHybrid(t, h); n != total {
		t.Errorf("first Sync() = %d, want %d (every section)", n, total)
	}
	if texts, _ := fx.f.EmbedInputs(); texts != total {
		t.Errorf("first Sync() sent %d texts, want %d", texts, total)
	}

	if n := mustSyncHybrid(t, h); n != 0 {
		t.Errorf("Sync() without changes = %d, want 0", n)
	}

	// Change one section of one page, and add a page of two sections.
	p := filepath.Join(fx.dir, "how-to", "request-a-database.md")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), "five to ten minutes", "fifteen to twenty minutes", 1)
	if changed == string(b) {
		t.Fatal("the sample page changed; pick another sentence to edit")
	}
	llmWritePage(t, fx.dir, "how-to/request-a-database.md", changed)
	llmWritePage(t, fx.dir, "how-to/request-a-cache.md", "---\ntitle: Request a cache\ndiataxis: how-to\n---\n\n# Request a cache\n\nAdd a `CacheClaim` for a managed Redis.\n\n## Sizes\n\nSmall caches have 1 GiB of memory.\n")
	fx.reindex(t)
	before, reqs := fx.f.EmbedInputs()
	n := mustSyncHybrid(t, h)
	after, reqs2 := fx.f.EmbedInputs()
	if n != 3 || after-before != 3 {
		t.Errorf("Sync() after changing 1 section and adding 2 = %d (sent %d texts), want 3", n, after-before)
	}
	if reqs2-reqs != 1 {
		t.Errorf("Sync() sent %d embeddings requests, want 1 batch", reqs2-reqs)
	}

	// A restart reads the cache from disk and embeds nothing.
	if err := h.Close(); err != nil {
		t.Fatalf("Close() error: %v", err)
	}
	h2 := fx.open(t)
	if n := mustSyncHybrid(t, h2); n != 0 {
		t.Errorf("Sync() after a restart = %d, want 0", n)
	}
	hits, err := h2.Search(context.Background(), docsindex.Query{Text: "request a cache", Lang: "en", Size: 10})
	if err != nil || len(hits) == 0 || hits[0].Path != "how-to/request-a-cache.md" {
		t.Errorf("Search(request a cache) after a restart = %v, %v; want the new page first", hitPaths(hits), err)
	}
}

func hitPaths(hits []docsindex.Hit) []string {
	var out []string
	for i, h := range hits {
		if i == 5 {
			break
		}
		out = append(out, h.Path+"#"+h.Anchor)
	}
	return out
}

func TestHybridFindsWhatBM25Misses(t *testing.T) {
	fx := newHybridFixture(t)
	h := fx.open(t)
	mustSyncHybrid(t, h)
	// "provision" and "datastore" occur in no page; the fake embedding
	// knows them as "request" and "database".
	q := docsindex.Query{Text: "provision datastore", Lang: "en", Size: 20}
	bm25, err := fx.ix.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, hit := range bm25 {
		if hit.Path == "how-to/request-a-database.md" {
			t.Fatalf("BM25 finds the page for %q; the test needs words it cannot match", q.Text)
		}
	}
	hits, err := h.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search() error: %v", err)
	}
	if len(hits) == 0 || hits[0].Path != "how-to/request-a-database.md" {
		t.Fatalf("hybrid Search(%q) = %v, want how-to/request-a-database.md first", q.Text, hitPaths(hits))
	}
	if hits[0].Fields[FieldVector] <= 0 {
		t.Errorf("hits[0].Fields[%q] = %v, want the similarity", FieldVector, hits[0].Fields[FieldVector])
	}

	// Through the answer service (which re-ranks pages with its own
	// priors), the page is among the first two with hybrid retrieval, and
	// nowhere without it.
	aq := koban.Question{Text: "how do I provision a datastore", Lang: "en"}
	rank := func(s Searcher) int {
		ans, err := New(s, Config{}, nil).Answer(context.Background(), aq)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ans.Pages {
			if p.Path == "how-to/request-a-database.md" {
				return i + 1
			}
		}
		return 0
	}
	if r := rank(h); r < 1 || r > 2 {
		t.Errorf("hybrid Answer(%q) ranks request-a-database.md %d, want 1 or 2", aq.Text, r)
	}
	if r := rank(fx.ix); r != 0 {
		t.Errorf("BM25 Answer(%q) ranks request-a-database.md %d, want it absent", aq.Text, r)
	}
}

func TestHybridFallsBackToBM25(t *testing.T) {
	fx := newHybridFixture(t)
	h := fx.open(t)
	mustSyncHybrid(t, h)
	q := docsindex.Query{Text: "roll back a deployment", Lang: "en", Size: 20}
	want, err := fx.ix.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	fx.f.FailEmbeddings(100)
	got, err := h.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search() with the embeddings endpoint down: error %v, want the BM25 hits", err)
	}
	if fmt.Sprint(hitPaths(got)) != fmt.Sprint(hitPaths(want)) {
		t.Errorf("Search() with the endpoint down = %v, want BM25's %v", hitPaths(got), hitPaths(want))
	}
}

func TestHybridWithoutEmbeddingsPassesThrough(t *testing.T) {
	fx := newHybridFixture(t)
	h, err := NewHybrid(fx.ix, fx.lister, nil, fx.cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.Sync(context.Background()); n != 0 || err != nil {
		t.Errorf("Sync() without a model = %d, %v; want 0, nil", n, err)
	}
	q := docsindex.Query{Text: "set up alerts", Lang: "en"}
	want, _ := fx.ix.Search(context.Background(), q)
	got, err := h.Search(context.Background(), q)
	if err != nil || fmt.Sprint(hitPaths(got)) != fmt.Sprint(hitPaths(want)) {
		t.Errorf("Search() without a model = %v, %v; want BM25's %v", hitPaths(got), err, hitPaths(want))
	}
}

func TestFuse(t *testing.T) {
	sec := func(id string) docsindex.Section { return docsindex.Section{ID: id, Source: "s", Path: id + ".md"} }
	hit := func(id string, score, page float64) docsindex.Hit {
		return docsindex.Hit{Section: sec(id), Score: score, PageScore: page, Fields: map[string]float64{docsindex.FieldBody: score}}
	}
	vs := func(id string) *vecSection { return &vecSection{sec: sec(id), pageChars: 1234} }
	hits := []docsindex.Hit{hit("a", 8, 2), hit("b", 6, 0), hit("c", 3, 1)}
	near := []scored{{vs("c"), 0.9}, {vs("d"), 0.8}, {vs("b"), 0.7}}
	got := fuse(hits, near)

	var ids []string
	for _, h := range got {
		ids = append(ids, h.ID)
	}
	// c: 1/63+1/61, b: 1/62+1/63, a: 1/61, d: 1/62.
	if want := "[c b a d]"; fmt.Sprint(ids) != want {
		t.Fatalf("fuse() order = %v, want %s", ids, want)
	}
	// The fused ranks keep BM25's score scale: 10, 6, 4, then 4×0.9.
	wantTotal := []float64{10, 6, 4, 3.6}
	for i, h := range got {
		if total := h.Score + h.PageScore; math.Abs(total-wantTotal[i]) > 1e-9 {
			t.Errorf("fuse()[%d] (%s) Score+PageScore = %v, want %v", i, h.ID, total, wantTotal[i])
		}
	}
	// c keeps its split between section and page score (3:1).
	if math.Abs(got[0].Score-7.5) > 1e-9 || math.Abs(got[0].PageScore-2.5) > 1e-9 {
		t.Errorf("fuse()[0] = Score %v PageScore %v, want 7.5 and 2.5", got[0].Score, got[0].PageScore)
	}
	if got[0].Fields[FieldVector] != 0.9 || got[0].Fields[docsindex.FieldBody] != 3 {
		t.Errorf("fuse()[0].Fields = %v, want the BM25 fields and the similarity", got[0].Fields)
	}
	if got[3].PageChars != 1234 || got[3].Fields[FieldVector] != 0.8 {
		t.Errorf("fuse()[3] = %+v, want the page length and similarity of the section found by embedding", got[3])
	}
	if hits[2].Fields[FieldVector] != 0 {
		t.Errorf("fuse() changed its input's Fields")
	}

	// Without BM25 hits, the similarity is the score.
	only := fuse(nil, near)
	if len(only) != 3 || only[0].ID != "c" || only[0].Score != 0.9 {
		t.Errorf("fuse(nil, near) = %+v, want c first scored 0.9", only)
	}
}

func TestNearest(t *testing.T) {
	mk := func(id, lang string, v ...float32) vecSection {
		normalize(v)
		return vecSection{sec: docsindex.Section{ID: id, Lang: lang}, vec: v}
	}
	vecs := []vecSection{mk("a", "en", 1, 0), mk("b", "en", 1, 1), mk("c", "ja", 1, 0.1), mk("d", "en", -1, 0), mk("e", "en", 0, 1)}
	q := []float32{1, 0}
	tests := []struct {
		lang string
		size int
		want string
	}{
		{"en", 10, "[a b]"}, // d is opposite, e orthogonal: not similar
		{"", 2, "[a c]"},
		{"ja", 10, "[c]"},
		{"en", 1, "[a]"},
	}
	for _, tt := range tests {
		var ids []string
		for _, s := range nearest(vecs, q, tt.lang, tt.size) {
			ids = append(ids, s.vs.sec.ID)
		}
		if fmt.Sprint(ids) != tt.want {
			t.Errorf("nearest(lang %q, size %d) = %v, want %s", tt.lang, tt.size, ids, tt.want)
		}
	}
}

func TestHybridConcurrentSearchAndSync(t *testing.T) {
	fx := newHybridFixture(t)
	h := fx.open(t)
	mustSyncHybrid(t, h)
	ctx := context.Background()
	done := make(chan error, 4)
	for i := range 4 {
		go func() {
			for j := range 20 {
				if _, err := h.Search(ctx, docsindex.Query{Text: fmt.Sprintf("request database %d", (i+j)%3), Lang: "en"}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	llmWritePage(t, fx.dir, "how-to/request-a-queue.md", "---\ntitle: Request a queue\n---\n\n# Request a queue\n\nAdd a `QueueClaim`.\n")
	fx.reindex(t)
	if n, err := h.Sync(ctx); n != 1 || err != nil {
		t.Errorf("Sync() during searches = %d, %v; want 1, nil", n, err)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Errorf("Search() during Sync: %v", err)
		}
	}
}

// BenchmarkNearest measures brute-force cosine over 2,000 sections of
// 1,536 dimensions (text-embedding-3-small).
func BenchmarkNearest(b *testing.B) {
	const n, dim = 2000, 1536
	vecs := make([]vecSection, n)
	seed := uint32(1)
	next := func() float32 {
		seed = seed*1664525 + 1013904223
		return float32(seed>>8)/float32(1<<24) - 0.5
	}
	for i := range vecs {
		v := make([]float32, dim)
		for j := range v {
			v[j] = next()
		}
		normalize(v)
		vecs[i] = vecSection{sec: docsindex.Section{ID: fmt.Sprint(i), Lang: "en"}, vec: v}
	}
	q := vecs[42].vec
	b.ResetTimer()
	for b.Loop() {
		if got := nearest(vecs, q, "en", 80); got[0].vs.sec.ID != "42" {
			b.Fatalf("nearest()[0] = %s, want 42", got[0].vs.sec.ID)
		}
	}
}
