package docsindex

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// copyDocs copies testdata/docs into a temporary folder the test may change.
func copyDocs(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir("testdata/docs", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/docs", p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func mustOpen(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestUpdateIncremental(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	srcs := []Source{{Path: docs}}

	st, _, err := ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 5 || st.Changed != 0 || st.Removed != 0 || st.Documents != 5 {
		t.Fatalf("first Update = %+v, want 5 added, 5 documents", st)
	}

	// Nothing changed: nothing re-indexed, also after reopening.
	ix.Close()
	ix = mustOpen(t, dir)
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added+st.Changed+st.Removed != 0 || st.Documents != 5 {
		t.Fatalf("Update after reopen = %+v, want nothing re-indexed", st)
	}

	// Change one page: only it is re-indexed, and the new text is found.
	p := filepath.Join(docs, "reference", "quotas.md")
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, []byte("\n## Ephemeral storage\n\nZanzibar volumes are capped at 10Gi.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Changed != 1 || st.Added != 0 || st.Removed != 0 {
		t.Fatalf("Update after one change = %+v, want 1 changed", st)
	}
	hits, err := ix.Search(ctx, Query{Text: "zanzibar volumes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Anchor != "ephemeral-storage" {
		t.Errorf("Search(zanzibar) = %v, want the new section first", hits)
	}

	// Delete one page: it is dropped from the index.
	if err := os.Remove(filepath.Join(docs, "concepts", "networking.md")); err != nil {
		t.Fatal(err)
	}
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Removed != 1 || st.Documents != 4 {
		t.Fatalf("Update after delete = %+v, want 1 removed, 4 documents", st)
	}
	hits, err = ix.Search(ctx, Query{Text: "default deny network policy ingress controller"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Path == "concepts/networking.md" {
			t.Errorf("Search found deleted page %s", h.ID)
		}
	}
	if _, err := ix.Page("concepts/networking.md"); koban.ErrorCode(err) != koban.ENotFound {
		t.Errorf("Page(deleted) error = %v, want not_found", err)
	}
}

func TestSchemaChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	if _, _, err := ix.Update(ctx, []Source{{Path: "testdata/docs"}}); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	// Another analyzer is another schema: the index starts over.
	ix2, err := Open(dir, nil, WithJapaneseAnalyzer("cjk"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	if st := ix2.Stats(); st.Documents != 0 {
		t.Errorf("Stats after schema change = %+v, want an empty index", st)
	}
	st, _, err := ix2.Update(ctx, []Source{{Path: "testdata/docs"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 5 {
		t.Errorf("Update after schema change = %+v, want all 5 pages added", st)
	}
}

func TestSearchLanguages(t *testing.T) {
	ctx := context.Background()
	for _, ja := range []string{"kagome", "cjk"} {
		ix, err := OpenMem(nil, WithJapaneseAnalyzer(ja))
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if _, _, err := ix.Update(ctx, []Source{{Path: "testdata/docs"}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			q, lang, want string
		}{
			{"how do I request a postgres database", "en", "how-to/request-a-database.md"},
			{"pods rejected exceeded quota", "en", "reference/quotas.md"},
			{"イングレスを作成", "ja", "ja/ingress.md"},
			{"証明書の発行", "", "ja/ingress.md"},
		}
		for _, tt := range tests {
			hits, err := ix.Search(ctx, Query{Text: tt.q, Lang: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Path != tt.want {
				t.Errorf("%s: Search(%q) first = %v, want %s", ja, tt.q, hits, tt.want)
			}
			for _, h := range hits {
				if tt.lang != "" && h.Lang != tt.lang {
					t.Errorf("%s: Search(%q, lang %s) returned %s in %s", ja, tt.q, tt.lang, h.ID, h.Lang)
				}
			}
		}
	}
}

func TestUpdateBadSource(t *testing.T) {
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	_, _, err = ix.Update(context.Background(), []Source{{Path: "testdata/no-such-folder"}})
	if koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("Update(missing folder) error = %v, want invalid", err)
	}
}

// TestRankingDeterministic checks that scores depend on the indexed pages
// only: an index built in several updates (documents removed and
// compacted away), the same index reopened, the same index with its search
// index rebuilt from the manifest, and a fresh index of the final pages
// score every query identically.
func TestRankingDeterministic(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	srcs := []Source{{Path: docs}}
	// Build incrementally: a part of the pages, then the rest, then a change.
	parked := t.TempDir()
	for _, f := range []string{"reference/quotas.md", "concepts/networking.md"} {
		if err := os.Rename(filepath.Join(docs, f), filepath.Join(parked, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	page := filepath.Join(docs, "how-to", "request-a-database.md")
	orig, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, append(append([]byte(nil), orig...), "\n## Quotas and volumes\n\nA draft paragraph about quotas, volumes and network policies.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	incDir := t.TempDir()
	inc := mustOpen(t, incDir)
	if _, _, err := inc.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"reference/quotas.md", "concepts/networking.md"} {
		if err := os.Rename(filepath.Join(parked, filepath.Base(f)), filepath.Join(docs, f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := inc.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, _, err := inc.Update(ctx, srcs); err != nil || st.Changed != 1 {
		t.Fatalf("Update after restoring a page = %+v, %v; want 1 changed", st, err)
	}

	fresh := mustOpen(t, t.TempDir())
	if _, _, err := fresh.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	queries := []Query{
		{Text: "request a database quota"},
		{Text: "default deny network policy ingress controller"},
		{Text: "volumes storage limits", Lang: "en"},
		{Text: "イングレス 設定"},
	}
	type scored struct {
		id           string
		score, pages float64
	}
	run := func(ix *Index) [][]scored {
		var out [][]scored
		for _, q := range queries {
			q.Weights = map[string]float64{}
			for _, f := range AllFields {
				q.Weights[f] = 1
			}
			hits, err := ix.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var r []scored
			for _, h := range hits {
				r = append(r, scored{h.ID, h.Score, h.PageScore})
			}
			out = append(out, r)
		}
		return out
	}
	want := run(fresh)
	if len(want[0]) == 0 || len(want[1]) == 0 {
		t.Fatalf("fresh index found nothing: %v", want)
	}
	check := func(name string, got [][]scored) {
		t.Helper()
		for i := range queries {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: Search(%q) =\n%v\nwant (fresh index)\n%v", name, queries[i].Text, got[i], want[i])
			}
		}
	}
	check("incremental index", run(inc))
	if err := inc.Close(); err != nil {
		t.Fatal(err)
	}
	reopened := mustOpen(t, incDir)
	check("reopened index", run(reopened))
	if err := reopened.Close(); err != nil {
		t.Fatal(err)
	}
	// Without its saved search index, or with a damaged one, the index
	// builds it again from the manifest's sections.
	saved := filepath.Join(incDir, postingsFile)
	b, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []struct {
		name string
		data []byte // nil: no file
	}{
		{"no search index file", nil},
		{"a truncated search index file", b[:len(b)/2]},
		{"a search index file with a changed byte", append(append(append([]byte(nil), b[:len(b)/3]...), b[len(b)/3]^0xff), b[len(b)/3+1:]...)},
		{"a search index file of another manifest generation", []byte{}},
	} {
		switch {
		case len(damage.data) == 0 && damage.data != nil:
			ix := mustOpen(t, incDir)
			ix.mu.RLock()
			err = savePostings(incDir, ix.manifest.Generation+1, ix.post)
			ix.mu.RUnlock()
			if cerr := ix.Close(); err == nil {
				err = cerr
			}
		case damage.data == nil:
			err = os.Remove(saved)
		default:
			err = os.WriteFile(saved, damage.data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		var logged strings.Builder
		ix, err := Open(incDir, slog.New(slog.NewTextHandler(&logged, nil)))
		if err != nil {
			t.Fatal(err)
		}
		check("index with "+damage.name, run(ix))
		if !strings.Contains(logged.String(), "rebuilt from the manifest") {
			t.Errorf("index with %s: opened without rebuilding its search index; log:\n%s", damage.name, logged.String())
		}
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSearchFieldScores checks the scores of one field against BM25
// computed by hand on a corpus small enough to count: two pages of one
// section each, whose prose is in the body field of both the section and
// the page document. It checks them again after a page is removed: the
// statistics (document count, average length, document frequencies) must
// forget it.
func TestSearchFieldScores(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) { writeFile(t, filepath.Join(docs, name), text) }
	write("a.md", "---\ntitle: Zulu\n---\n\nzeta zeta omega\n")
	write("b.md", "---\ntitle: Yankee\n---\n\nzeta kappa kappa kappa sigma\n")
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	srcs := []Source{{Path: docs, Lang: "en"}}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	p := fieldBM25[fBody]
	// bm25 is a term's weight in a document: tf occurrences in a body of
	// length n tokens, where the average body has avg tokens.
	bm25 := func(idf, tf, n, avg float64) float64 {
		return idf * tf * (p.k1 + 1) / (tf + p.k1*(1-p.b+p.b*n/avg))
	}
	// Body lengths: a 3 tokens, b 5, in a section and a page each, so 4
	// documents averaging 4 tokens. zeta is in all 4, kappa in 2.
	idfZeta := math.Log(1 + (4-4+0.5)/(4+0.5))
	idfKappa := math.Log(1 + (4-2+0.5)/(2+0.5))
	norm1 := 1 / math.Sqrt(idfZeta*idfZeta+idfKappa*idfKappa)
	// "zeta zeta kappa": zeta counts twice in the query's idf vector, and
	// each document's score is scaled by the share of the 3 tokens it has.
	norm2 := 1 / math.Sqrt(2*idfZeta*idfZeta+idfKappa*idfKappa)
	// After b.md is removed: 2 documents of 3 tokens, zeta in both.
	idfAlone := math.Log(1 + (2-2+0.5)/(2+0.5))
	tests := []struct {
		when, text string
		weigh      func(times int, idf float64) float64 // Query.TermWeight
		want       map[string]float64                   // section ID → body score
	}{
		{"both pages", "zeta kappa", nil, map[string]float64{
			"a.md#": idfZeta * norm1 * bm25(idfZeta, 2, 3, 4) * 1 / 2,
			"b.md#": idfZeta*norm1*bm25(idfZeta, 1, 5, 4) + idfKappa*norm1*bm25(idfKappa, 3, 5, 4),
		}},
		{"both pages", "zeta zeta kappa", nil, map[string]float64{
			"a.md#": 2 * idfZeta * norm2 * bm25(idfZeta, 2, 3, 4) * 2 / 3,
			"b.md#": 2*idfZeta*norm2*bm25(idfZeta, 1, 5, 4) + idfKappa*norm2*bm25(idfKappa, 3, 5, 4),
		}},
		// A TermWeight of the idf alone weighs zeta's repeat no more; the
		// query's idf vector, and the share of its tokens a document
		// has, still count it.
		{"both pages", "zeta zeta kappa", func(_ int, idf float64) float64 { return idf }, map[string]float64{
			"a.md#": idfZeta * norm2 * bm25(idfZeta, 2, 3, 4) * 2 / 3,
			"b.md#": idfZeta*norm2*bm25(idfZeta, 1, 5, 4) + idfKappa*norm2*bm25(idfKappa, 3, 5, 4),
		}},
		{"both pages", "quarvex", nil, map[string]float64{}},
		{"a.md alone", "zeta kappa", nil, map[string]float64{
			"a.md#": idfAlone * (1 / idfAlone) * bm25(idfAlone, 2, 3, 3) * 1 / 2,
		}},
	}
	for _, tt := range tests {
		if tt.when == "a.md alone" && ix.Stats().Documents == 2 {
			if err := os.Remove(filepath.Join(docs, "b.md")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ix.Update(ctx, srcs); err != nil {
				t.Fatal(err)
			}
		}
		hits, err := ix.Search(ctx, Query{Text: tt.text, Lang: "en", Weights: map[string]float64{FieldBody: 1}, TermWeight: tt.weigh})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, h := range hits {
			got[h.ID] = h.Fields[FieldBody]
			if h.Score != h.Fields[FieldBody] {
				t.Errorf("%s: Search(%q): %s Score %v, want its body score %v (weight 1)", tt.when, tt.text, h.ID, h.Score, h.Fields[FieldBody])
			}
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: Search(%q) = %v, want %v", tt.when, tt.text, got, tt.want)
		}
		for id, w := range tt.want {
			if g, ok := got[id]; !ok || math.Abs(g-w) > 1e-12 {
				t.Errorf("%s: Search(%q) body score of %s = %v (found %v), want %v", tt.when, tt.text, id, g, ok, w)
			}
		}
	}
}

// TestRankingAfterCompact checks that removed documents awaiting
// compaction change no score: compacting the search index, or reopening
// it, leaves every score as it was.
func TestRankingAfterCompact(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	words := []string{"volume", "secret", "ingress", "quota", "database", "rollout", "probe", "taint", "node", "backup"}
	for i := 0; i < 30; i++ {
		body := fmt.Sprintf("---\ntitle: Page %d\n---\n\n# Page %d\n\n", i, i)
		for j := 0; j < 4; j++ {
			body += fmt.Sprintf("## Part %d\n\nHow to use a %s with a %s on page %d.%s\n\n", j, words[(i+j)%10], words[(i*3+j)%10], i, uniq(i, j))
		}
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("page-%02d.md", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srcs := []Source{{Path: docs, Lang: "en"}}
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	page7 := "---\ntitle: Page 7\n---\n\n# Page 7\n\nA new zanzibar volume backup procedure."
	for i := 0; i < 12; i++ {
		for j := 0; j < 4; j++ {
			page7 += uniq(i, j)
		}
	}
	if err := os.WriteFile(filepath.Join(docs, "page-07.md"), []byte(page7+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old, err := ix.PageSections(docs, "page-07.md")
	if err != nil {
		t.Fatal(err)
	}
	if st, _, err := ix.Update(ctx, srcs); err != nil || st.Changed != 1 {
		t.Fatalf("Update = %+v, %v; want 1 changed", st, err)
	}
	// The page's old sections and the page document itself.
	if want := len(old) + 1; ix.post.dead != want {
		t.Fatalf("after one page changed, %d removed documents await compaction, want %d", ix.post.dead, want)
	}
	run := func() []Hit {
		hits, err := ix.Search(ctx, Query{Text: "volume backup probe quota", Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Fatal("Search found nothing")
		}
		return hits
	}
	before := run()
	ix.mu.Lock()
	ix.post.compact(true)
	ix.mu.Unlock()
	if ix.post.dead != 0 {
		t.Fatalf("after compact: %d removed documents left, want 0", ix.post.dead)
	}
	if got := run(); !reflect.DeepEqual(got, before) {
		t.Errorf("scores changed with compaction:\n%v\nwant\n%v", got, before)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	if got := run(); !reflect.DeepEqual(got, before) {
		t.Errorf("scores changed after reopening:\n%v\nwant\n%v", got, before)
	}
}

// uniq returns words found only in part j of page i.
func uniq(i, j int) string {
	var b strings.Builder
	for k := 0; k < 12; k++ {
		fmt.Fprintf(&b, " w%dx%dx%d", i, j, k)
	}
	return b.String()
}

// TestSearchAfterUpdate checks that a search after an update sees the
// pages it added.
func TestSearchAfterUpdate(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	ix := mustOpen(t, t.TempDir())
	srcs := []Source{{Path: docs}}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		word := fmt.Sprintf("quuxolith%d", i)
		if hits, err := ix.Search(ctx, Query{Text: word, Lang: "en"}); err != nil || len(hits) != 0 {
			t.Fatalf("Search(%s) before it is written = %d hits, %v; want none", word, len(hits), err)
		}
		page := fmt.Sprintf("---\ntitle: New page %d\n---\n\n# New page %d\n\nThe %s runbook.\n", i, i, word)
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("new-%d.md", i)), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ix.Update(ctx, srcs); err != nil {
			t.Fatal(err)
		}
		hits, err := ix.Search(ctx, Query{Text: word, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Path != fmt.Sprintf("new-%d.md", i) {
			t.Errorf("Search(%s) after the update = %v, want new-%d.md first", word, hits, i)
		}
	}
}

// TestOpenInUse opens an index another handle has open, as a second koban
// process would, both before its first update (when it has no manifest yet,
// and an unlocked Open would take it for a broken index and remove it) and
// after: it is refused with EUnavailable, the open index is left intact,
// and once closed it opens again.
func TestOpenInUse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	inUse := func(when string) {
		t.Helper()
		if _, err := Open(dir, nil); koban.ErrorCode(err) != koban.EUnavailable || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("Open of an index in use %s = %v, want an EUnavailable error saying it is in use", when, err)
		}
	}
	inUse("before its first update")
	if _, _, err := ix.Update(ctx, []Source{{Path: copyDocs(t)}}); err != nil {
		t.Fatal(err)
	}
	inUse("after an update")
	hits, err := ix.Search(ctx, Query{Text: "network policy"})
	if err != nil || len(hits) == 0 {
		t.Errorf("Search after the refused Opens = %d hits, %v; want the index intact", len(hits), err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, dir)
	if got := again.Stats().Documents; got == 0 {
		t.Error("the index reopened after Close is empty")
	}
}

// errAfter is a context whose Err starts failing after a number of calls,
// to stop an update at a chosen point.
type errAfter struct {
	context.Context
	left int
}

func (c *errAfter) Err() error {
	if c.left--; c.left < 0 {
		return context.Canceled
	}
	return nil
}

// TestUpdateFailedIsRetried stops an update half way through new pages:
// the next update indexes every one of them, not only those the failed one
// had not reached.
func TestUpdateFailedIsRetried(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	ix := mustOpen(t, t.TempDir())
	srcs := []Source{{Path: docs}}
	st, _, err := ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"plinthoid", "quarvex", "zembrotic"}
	for i, w := range words {
		page := fmt.Sprintf("# New %d\n\nThe %s procedure.\n", i, w)
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("zz-%d.md", i)), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Update checks its context once for the source, then once per page
	// in path order; the new pages come last. Stop at the last one.
	stop := &errAfter{Context: ctx, left: 1 + st.Documents + len(words) - 1}
	if _, _, err := ix.Update(stop, srcs); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Update = %v, want context.Canceled", err)
	}
	st, _, err = ix.Update(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added+st.Changed != len(words) {
		t.Errorf("Update after the interrupted one indexed %d pages (%+v), want %d", st.Added+st.Changed, st, len(words))
	}
	for _, w := range words {
		if hits, err := ix.Search(ctx, Query{Text: w}); err != nil || len(hits) == 0 {
			t.Errorf("Search(%s) after the retried update = %d hits, %v; want its page", w, len(hits), err)
		}
	}
}

// TestUpdateFailedAfterWrite fails an update after it wrote its pages (in
// the save that follows): one page changed, one added. Before the next
// update the changed page is put back as it was and the added one deleted:
// the next update must still index the first as it now is and drop the
// second, although the files match what the last good update saw.
func TestUpdateFailedAfterWrite(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(docs, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "# A\n\nThe plinthoid runbook.\n")
	write("b.md", "# B\n\nThe other runbook.\n")
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	srcs := []Source{{Path: docs}}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	write("a.md", "# A\n\nThe quarvex runbook.\n")
	write("c.md", "# C\n\nThe zembrotic runbook.\n")
	// One check for the source, one per page (3), then the save's: fail
	// there, after the pages were written.
	if _, _, err := ix.Update(&errAfter{Context: ctx, left: 4}, srcs); !errors.Is(err, context.Canceled) {
		t.Fatalf("Update failing in its save = %v, want context.Canceled", err)
	}
	write("a.md", "# A\n\nThe plinthoid runbook.\n")
	if err := os.Remove(filepath.Join(docs, "c.md")); err != nil {
		t.Fatal(err)
	}
	check := func(when string, ix *Index) {
		t.Helper()
		for word, want := range map[string]int{"plinthoid": 1, "quarvex": 0, "zembrotic": 0} {
			hits, err := ix.Search(ctx, Query{Text: word})
			if err != nil || len(hits) != want {
				t.Errorf("%s: Search(%s) = %d hits, %v; want %d", when, word, len(hits), err, want)
			}
		}
		ix.mu.RLock()
		n := len(ix.post.byID)
		ix.mu.RUnlock()
		// a and b: one section and one page document each.
		if n != 4 {
			t.Errorf("%s: the index holds %d documents, want 4", when, n)
		}
	}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	check("after the next update", ix)

	// The same after a restart: the manifest on disk knows too.
	write("a.md", "# A\n\nThe quarvex runbook.\n")
	write("c.md", "# C\n\nThe zembrotic runbook.\n")
	if _, _, err := ix.Update(&errAfter{Context: ctx, left: 4}, srcs); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Update failing in its save = %v, want context.Canceled", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	write("a.md", "# A\n\nThe plinthoid runbook.\n")
	if err := os.Remove(filepath.Join(docs, "c.md")); err != nil {
		t.Fatal(err)
	}
	reopened := mustOpen(t, dir)
	if _, _, err := reopened.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	check("after a restart", reopened)
}

func TestWordIDF(t *testing.T) {
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ix.Update(context.Background(), []Source{{Path: "testdata/docs"}}); err != nil {
		t.Fatal(err)
	}
	words := []string{"database", "Databases", "quota", "the", "zyxwvut"}
	got := ix.WordIDF("en", words)
	if len(got) != len(words) {
		t.Fatalf("WordIDF(%q) = %v, want %d weights", words, got, len(words))
	}
	n := uint32(len(ix.post.byID))
	tests := []struct {
		word string
		got  float64
		want float64
	}{
		{"Databases (the same term as database)", got[1], got[0]},
		{"the (a stop word)", got[3], 0},
		{"zyxwvut (in no document)", got[4], idf(n, 0)},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12 {
			t.Errorf("WordIDF %s = %v, want %v", tt.word, tt.got, tt.want)
		}
	}
	for _, i := range []int{0, 2} {
		if !(got[i] > 0 && got[i] < got[4]) {
			t.Errorf("WordIDF %s = %v, want between 0 and %v (a word in no document)", words[i], got[i], got[4])
		}
	}
	ix.Close()
	for i, x := range ix.WordIDF("en", words) {
		if x != 0 {
			t.Errorf("WordIDF(%q) of a closed index = %v, want 0", words[i], x)
		}
	}
}

func TestWordIDFFollowsUpdates(t *testing.T) {
	ctx := context.Background()
	docs := copyDocs(t)
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	srcs := []Source{{Path: docs}}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	before := ix.WordIDF("en", []string{"quota"})[0]
	page := "# Raise a quota\n\nAsk for a larger quota when a namespace needs more.\n"
	if err := os.WriteFile(filepath.Join(docs, "raise-quota.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ix.Update(ctx, srcs); err != nil {
		t.Fatal(err)
	}
	if after := ix.WordIDF("en", []string{"quota"})[0]; !(after < before) {
		t.Errorf("WordIDF(quota) after a page on quotas was added = %v, want below %v", after, before)
	}
}
