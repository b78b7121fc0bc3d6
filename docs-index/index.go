package docsindex

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/textproc"
)

// SchemaVersion names the index layout and analysis. An index built with
// another version is rebuilt from its sources on the next Update.
const SchemaVersion = "docsindex/12"

// Index is the docs index: a bleve (scorch, BM25) index of sections plus a
// manifest of the pages it was built from. It is safe for concurrent use.
type Index struct {
	log *slog.Logger
	dir string // "" in memory
	ja  string // analyzer for Japanese

	updateMu sync.Mutex // one Update at a time
	mu       sync.RWMutex
	bl       bleve.Index
	manifest manifest
	sections map[string]*Section // by bleve document ID
	filters  filterCache
	lock     *os.File // held while the index is open; nil in memory
}

// manifest records what the index was built from.
type manifest struct {
	Schema string
	Pages  map[string]*pageEntry // by pageKey(source, path)
	// Cardinality holds, per field, the size of its term dictionary when
	// the index was last merged into one segment: the BM25 statistic
	// searches use (see dueMerge).
	Cardinality map[string]int
	// SinceCompact counts the pages added, changed or removed since then.
	SinceCompact int
}

// pageEntry is one indexed page.
type pageEntry struct {
	Source   string
	Path     string
	Hash     string
	Title    string
	Quadrant koban.Quadrant
	Lang     string
	Chars    int      // length of the page text
	Links    []string // link keys of the pages it links to
	Inlinks  int      // how many other pages of its source link to it
	Sections []Section
}

// Open opens the index in dir, creating it if needed. An index with another
// schema version, or one that cannot be read, is discarded: it is derived
// data, and the next Update rebuilds it.
func Open(dir string, log *slog.Logger, opts ...Option) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	// Nothing below may read, let alone remove, an index another process
	// is using: take the folder's lock first.
	lock, err := lockDir(dir, lockWait)
	if errors.Is(err, errLocked) {
		return nil, koban.Errorf(koban.EUnavailable, "docs index %s is in use by another koban process (koban serve keeps its docs index up to date itself): stop it, or give this command another data folder", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("lock index %s: %w", dir, err)
	}
	ix, err := openLocked(dir, log, opts)
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, err
	}
	ix.lock = lock
	return ix, nil
}

// ErrSourceMoved is the error of an update during which a linked docs
// folder moved on to another target (git-sync published a new checkout).
var ErrSourceMoved = errors.New("docs source changed while it was read")

// errLocked says another process holds an index's lock.
var errLocked = errors.New("index locked by another process")

// openLocked is Open once the folder's lock is held.
func openLocked(dir string, log *slog.Logger, opts []Option) (*Index, error) {
	ix := &Index{log: log, dir: dir, ja: jaAnalyzer}
	for _, o := range opts {
		o(ix)
	}
	blPath := filepath.Join(dir, "bleve")
	m, err := readManifest(filepath.Join(dir, "manifest.gob"))
	if err == nil && m.Schema == ix.schema() {
		bl, err := bleve.Open(blPath)
		if err == nil {
			ix.bl = bl
			ix.setManifest(m)
			return ix, nil
		}
		log.Warn("docs index unreadable, rebuilding", "dir", dir, "err", err)
	} else if err == nil {
		log.Info("docs index schema changed, rebuilding", "dir", dir, "had", m.Schema, "want", ix.schema())
	} else if !errors.Is(err, os.ErrNotExist) {
		log.Warn("docs index manifest unreadable, rebuilding", "dir", dir, "err", err)
	}
	if err := os.RemoveAll(blPath); err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	os.Remove(filepath.Join(dir, "manifest.gob"))
	bl, err := bleve.NewUsing(blPath, ix.mapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", blPath, err)
	}
	ix.bl = bl
	ix.setManifest(manifest{Schema: ix.schema(), Pages: map[string]*pageEntry{}})
	return ix, nil
}

// lockWait is how long Open waits for another process to let go of the
// index folder before it gives up.
const lockWait = 3 * time.Second

// Option changes how an index is built.
type Option func(*Index)

// WithJapaneseAnalyzer selects the analyzer for Japanese pages: "kagome"
// (morphological, the default) or "cjk" (bigrams).
func WithJapaneseAnalyzer(name string) Option {
	return func(ix *Index) {
		switch name {
		case "cjk":
			ix.ja = analyzerCJK
		case "kagome":
			ix.ja = analyzerKagome
		}
	}
}

// OpenMem returns an empty index held in memory, for tests and one-shot use.
func OpenMem(log *slog.Logger, opts ...Option) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix := &Index{log: log, ja: jaAnalyzer}
	for _, o := range opts {
		o(ix)
	}
	bl, err := bleve.NewUsing("", ix.mapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create index in memory: %w", err)
	}
	ix.bl = bl
	ix.setManifest(manifest{Schema: ix.schema(), Pages: map[string]*pageEntry{}})
	return ix, nil
}

func (ix *Index) schema() string { return SchemaVersion + "+" + ix.ja }

// Close closes the index.
func (ix *Index) Close() error {
	// An update merging the index does so without ix.mu: wait for it.
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bl == nil {
		return nil
	}
	err := ix.bl.Close()
	ix.bl = nil
	if ix.lock != nil {
		// Closing the file lets go of the lock.
		ix.lock.Close()
		ix.lock = nil
	}
	return err
}

func (ix *Index) setManifest(m manifest) {
	ix.manifest = m
	ix.sections = map[string]*Section{}
	for _, p := range m.Pages {
		for i := range p.Sections {
			ix.sections[docID(p.Source, p.Sections[i].ID)] = &p.Sections[i]
		}
	}
}

func readManifest(path string) (manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return manifest{}, err
	}
	defer f.Close()
	var m manifest
	if err := gob.NewDecoder(f).Decode(&m); err != nil {
		return manifest{}, fmt.Errorf("read manifest %s: %w", path, err)
	}
	if m.Pages == nil {
		m.Pages = map[string]*pageEntry{}
	}
	return m, nil
}

func (ix *Index) writeManifest() error {
	if ix.dir == "" {
		return nil
	}
	return writeManifestTo(ix.dir, &ix.manifest)
}

// writeManifestTo saves m in dir, replacing the manifest there at once.
func writeManifestTo(dir string, m *manifest) error {
	path := filepath.Join(dir, "manifest.gob")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := gob.NewEncoder(f).Encode(m); err != nil {
		f.Close()
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// sourceKey is a short stable name for a source folder, so that two sources
// with the same page paths (en/ and ja/) do not collide.
func sourceKey(source string) string {
	if k, ok := sourceKeys.Load(source); ok {
		return k.(string)
	}
	abs, err := filepath.Abs(source)
	if err != nil {
		abs = source
	}
	h := sha256.Sum256([]byte(abs))
	k := hex.EncodeToString(h[:])[:8]
	sourceKeys.Store(source, k)
	return k
}

// sourceKeys caches sourceKey by source path as given: searches name a
// page's key for every hit, and making a path absolute asks the operating
// system for the working directory.
var sourceKeys sync.Map

func pageKey(source, path string) string { return sourceKey(source) + ":" + path }

func docID(source, sectionID string) string { return sourceKey(source) + ":" + sectionID }

// Field names in the bleve documents. Section and page documents share
// the text fields they both have (headings, body, phrase), so that a
// term's document frequency, and so its BM25 weight, counts both, and a
// search filters on the kind. Separate page fields make page searches
// cheaper (they no longer read section postings) but change every page
// score; with the ranking parameters measured on shared fields they gave
// Kubernetes dev Recall@5 0.78 against 0.81, and were not retuned.
const (
	fieldTitle    = "title"
	fieldHeadings = "headings"
	fieldBody     = "body"
	fieldCode     = "code"
	fieldPath     = "path"
	fieldDesc     = "desc"
	fieldQuadrant = "quadrant"
	fieldLang     = "lang"
	fieldPage     = "page"
	fieldKind     = "kind"   // "page" or "section"
	fieldPhrase   = "phrase" // word pairs of the prose, for proximity
)

// mapping has one document type per language: English text is stemmed,
// Japanese text goes through ix.ja. Keyword fields filter.
func (ix *Index) mapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	m.TypeField = "_type"
	m.DefaultAnalyzer = en.AnalyzerName
	if err := registerJA(m, ix.ja); err != nil {
		// The analyzers are compiled in; failing here is a programming error.
		panic(err)
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	text := func(an string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = an
		f.Store = false
		// Match queries score with term frequencies and field lengths;
		// term vectors (positions) would only serve phrase queries and
		// highlighting, which the index does not use.
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	for _, lang := range []string{"en", "ja"} {
		an := analyzerFor(lang, ix.ja)
		dm := bleve.NewDocumentStaticMapping()
		dm.DefaultAnalyzer = an
		for _, f := range []string{fieldTitle, fieldHeadings, fieldBody, fieldDesc} {
			dm.AddFieldMappingsAt(f, text(an))
		}
		// Code and paths are mostly ASCII identifiers in either language.
		dm.AddFieldMappingsAt(fieldCode, text(en.AnalyzerName))
		dm.AddFieldMappingsAt(fieldPath, text(en.AnalyzerName))
		dm.AddFieldMappingsAt(fieldPhrase, text(phraseAnalyzer(lang, ix.ja)))
		for _, f := range []string{fieldQuadrant, fieldLang, fieldPage, fieldKind} {
			dm.AddFieldMappingsAt(f, kw())
		}
		m.AddDocumentMapping(lang, dm)
	}
	m.DefaultMapping = bleve.NewDocumentDisabledMapping()
	return m
}

func analyzerFor(lang, ja string) string {
	if lang == "ja" {
		return ja
	}
	return en.AnalyzerName
}

// Update brings the index in line with sources: pages whose content hash
// changed are re-indexed, new pages added, pages no longer in any source
// dropped. Files that cannot be read are skipped and counted. Searches go on
// while it runs; they wait only while changed pages are written. An update
// that fails part way (or a process that dies in one) leaves every page it
// touched to be indexed again by the next update.
func (ix *Index) Update(ctx context.Context, sources []Source) (Stats, []Warning, error) {
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	st, warns, dirty, err := ix.update(ctx, sources)
	if err != nil && len(dirty) > 0 {
		ix.markDirty(dirty)
	}
	return st, warns, err
}

// markDirty records the pages of a failed update as dirty (see dirtyEntry),
// whatever the update had written of them.
func (ix *Index) markDirty(dirty map[string]*pageEntry) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for k, e := range dirty {
		ix.manifest.Pages[k] = e
	}
	ix.setManifest(ix.manifest)
}

// dirtyEntry is how the manifest lists a page while an update changes it:
// without a hash, so that the next update indexes it again whatever its
// file holds, and with the sections of both its old and new versions, so
// that the next update removes whichever of them reached the index. old or
// fresh is nil for a page added or removed.
func dirtyEntry(old *pageEntry, fresh *Page) *pageEntry {
	e := &pageEntry{}
	ids := map[string]bool{}
	if fresh != nil {
		e.Source, e.Path, e.Title, e.Quadrant, e.Lang, e.Links = fresh.Source, fresh.Path, fresh.Title, fresh.Quadrant, fresh.Lang, fresh.Links
		for _, sec := range fresh.Sections {
			sec.Source = fresh.Source
			e.Sections = append(e.Sections, sec)
			ids[sec.ID] = true
		}
	}
	if old != nil {
		if fresh == nil {
			e.Source, e.Path, e.Title, e.Quadrant, e.Lang, e.Links = old.Source, old.Path, old.Title, old.Quadrant, old.Lang, old.Links
		}
		for _, sec := range old.Sections {
			if !ids[sec.ID] {
				e.Sections = append(e.Sections, sec)
			}
		}
	}
	for _, sec := range e.Sections {
		e.Chars += len(sec.Text)
	}
	return e
}

func (ix *Index) update(ctx context.Context, sources []Source) (Stats, []Warning, map[string]*pageEntry, error) {
	start := time.Now()
	var st Stats
	var warns []Warning
	ix.mu.RLock()
	closed := ix.bl == nil
	ix.mu.RUnlock()
	if closed {
		return st, warns, nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	seen := map[string]bool{}
	var fresh []Page
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return st, warns, nil, err
		}
		if fi, err := os.Stat(src.Path); err != nil || !fi.IsDir() {
			return st, warns, nil, koban.Errorf(koban.EInvalid, "docs source %s is not a readable folder", src.Path)
		}
		ix.mu.RLock()
		known := map[string]string{}
		for _, p := range ix.manifest.Pages {
			if p.Source == src.Path {
				known[p.Path] = p.Hash
			}
		}
		ix.mu.RUnlock()
		before, _ := filepath.EvalSymlinks(src.Path)
		pages, w := load(src, ix.log, func(rel, hash string) bool { return known[rel] == hash })
		if after, err := filepath.EvalSymlinks(src.Path); err != nil || after != before {
			// A linked folder moved on (git-sync published a new checkout)
			// while it was read: some files may have been missed, and
			// taking them for deleted would drop their pages.
			return st, warns, nil, fmt.Errorf("%w (%s); try again", ErrSourceMoved, src.Path)
		}
		warns = append(warns, w...)
		st.Skipped += len(w)
		for _, p := range pages {
			k := pageKey(src.Path, p.Path)
			seen[k] = true
			fresh = append(fresh, p)
		}
	}

	n, compact, dirty, err := ix.apply(ctx, fresh, seen, &st)
	if err != nil {
		return st, warns, dirty, err
	}
	if compact {
		// Merging rewrites the whole index, seconds for a large one:
		// searches go on meanwhile, with the statistics of the last merge.
		card, err := ix.compactStats(ctx)
		if err != nil {
			return st, warns, dirty, err
		}
		ix.mu.Lock()
		ix.manifest.Cardinality, ix.manifest.SinceCompact = card, 0
		err = ix.writeManifest()
		ix.mu.Unlock()
		if err != nil {
			return st, warns, dirty, err
		}
	}
	if n >= 100 {
		// Indexing many pages leaves hundreds of MB of garbage: give it
		// back now rather than let the first searches pay for collecting
		// it, and leave a serving process its small heap.
		debug.FreeOSMemory()
	}
	st.Took = time.Since(start)
	ix.log.Info("docs index updated", "pages", st.Documents, "sections", st.Sections,
		"added", st.Added, "changed", st.Changed, "removed", st.Removed, "skipped", st.Skipped, "took", st.Took)
	return st, warns, nil, nil
}

// apply writes the changed pages of fresh to the index and the manifest,
// drops the pages not seen, and counts both in st. It returns how many
// pages changed, whether the index is due a merge (see compactStats;
// without one, the manifest is saved), and the touched pages as a failed
// update must leave them (see dirtyEntry). Before it changes the index it
// saves a manifest listing them so, for a process that dies part way.
func (ix *Index) apply(ctx context.Context, fresh []Page, seen map[string]bool, st *Stats) (n int, compact bool, dirty map[string]*pageEntry, err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bl == nil {
		return 0, false, nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	dirty = map[string]*pageEntry{}
	for k, old := range ix.manifest.Pages {
		if !seen[k] {
			dirty[k] = dirtyEntry(old, nil)
		}
	}
	for i := range fresh {
		k := pageKey(fresh[i].Source, fresh[i].Path)
		if old := ix.manifest.Pages[k]; old == nil || old.Hash != fresh[i].Hash {
			dirty[k] = dirtyEntry(old, &fresh[i])
		}
	}
	st.Documents, st.Sections = len(ix.manifest.Pages), len(ix.sections)
	if len(dirty) == 0 {
		return 0, false, nil, nil
	}
	if ix.dir != "" {
		m := ix.manifest
		m.Pages = maps.Clone(ix.manifest.Pages)
		maps.Copy(m.Pages, dirty)
		if err := writeManifestTo(ix.dir, &m); err != nil {
			return 0, false, nil, err
		}
	}
	batch := ix.bl.NewBatch()
	pending, pendingBytes := 0, 0
	flush := func() error {
		if batch.Size() == 0 {
			return nil
		}
		if err := ix.bl.Batch(batch); err != nil {
			return fmt.Errorf("index batch: %w", err)
		}
		batch.Reset()
		return nil
	}
	for k, old := range ix.manifest.Pages {
		if seen[k] {
			continue
		}
		ix.deletePage(batch, old)
		delete(ix.manifest.Pages, k)
		st.Removed++
	}
	for _, p := range fresh {
		if err := ctx.Err(); err != nil {
			return 0, false, dirty, err
		}
		k := pageKey(p.Source, p.Path)
		old := ix.manifest.Pages[k]
		if old != nil && old.Hash == p.Hash {
			continue
		}
		if old != nil {
			ix.deletePage(batch, old)
			st.Changed++
		} else {
			st.Added++
		}
		e := &pageEntry{Source: p.Source, Path: p.Path, Hash: p.Hash, Title: p.Title, Quadrant: p.Quadrant, Lang: p.Lang, Links: p.Links, Sections: p.Sections}
		for _, s := range p.Sections {
			e.Chars += len(s.Text)
		}
		ix.manifest.Pages[k] = e
		for i := range e.Sections {
			s := &e.Sections[i]
			s.Source = p.Source
			id := docID(p.Source, s.ID)
			if err := batch.Index(id, sectionDoc(s)); err != nil {
				return 0, false, dirty, fmt.Errorf("index %s: %w", s.ID, err)
			}
			ix.sections[id] = s
		}
		if err := batch.Index(k, pageDoc(p)); err != nil {
			return 0, false, dirty, fmt.Errorf("index %s: %w", p.Path, err)
		}
		pending += len(p.Sections)
		for _, sec := range p.Sections {
			pendingBytes += len(sec.Text)
		}
		// Flush by size: a batch holds its documents' analysed terms in
		// memory, and a few big pages weigh more than many small ones.
		if pending >= 300 || pendingBytes >= 1<<20 {
			pending, pendingBytes = 0, 0
			if err := flush(); err != nil {
				return 0, false, dirty, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, false, dirty, err
	}
	st.Documents = len(ix.manifest.Pages)
	st.Sections = len(ix.sections)
	n = st.Added + st.Changed + st.Removed
	ix.countInlinks()
	ix.manifest.SinceCompact += n
	if ix.dueMerge() {
		return n, true, dirty, nil
	}
	return n, false, dirty, ix.writeManifest()
}

// A merge keeps BM25 scores independent of how the index happens to
// be laid out. bleve takes a field's average length from the sizes of its
// term dictionaries summed over segments, so the same pages in another
// segment layout (other batches, a background merge, a reopened index)
// score differently. The index is merged into one segment when it was
// built or when more than 1 page in 20 changed since the last merge, and
// the dictionary sizes of that one segment are kept in the manifest and
// given to every search. In between, a changed page updates the index
// without rewriting it; its new terms count from the next merge on.
//
// dueMerge says whether the index needs that merge (callers hold ix.mu);
// compactStats merges it and returns the statistics to pin.
func (ix *Index) dueMerge() bool {
	if ix.dir == "" {
		return false
	}
	return ix.manifest.Cardinality == nil || ix.manifest.SinceCompact*20 > len(ix.manifest.Pages)
}

func (ix *Index) compactStats(ctx context.Context) (map[string]int, error) {
	if err := ix.compact(ctx); err != nil {
		return nil, err
	}
	r, err := ix.indexReader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	br, ok := r.(index.BM25Reader)
	if !ok {
		return nil, nil
	}
	card := map[string]int{}
	for _, f := range []string{fieldTitle, fieldHeadings, fieldBody, fieldCode, fieldPath, fieldDesc, fieldQuadrant, fieldLang, fieldPage, fieldKind, fieldPhrase} {
		n, err := br.FieldCardinality(f)
		if err != nil {
			return nil, fmt.Errorf("index statistics: %w", err)
		}
		card[f] = n
	}
	// bleve's unscored disjunctions (filters) search a synthetic field.
	card["*"] = 0
	return card, nil
}

func (ix *Index) indexReader() (index.IndexReader, error) {
	adv, err := ix.bl.Advanced()
	if err != nil {
		return nil, fmt.Errorf("index statistics: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("index statistics: %w", err)
	}
	return r, nil
}

// compact merges an on-disk index into one segment. BM25 takes its
// collection statistics (document count, average field length) from the
// segments' term dictionaries, so the same pages indexed in different
// batches, or a reopened index whose background merges went further, would
// score differently; one segment with no deleted documents scores the same
// however it was built. In memory, where scorch neither persists nor merges,
// it does nothing.
func (ix *Index) compact(ctx context.Context) error {
	if ix.dir == "" {
		return nil
	}
	adv, err := ix.bl.Advanced()
	if err != nil {
		return fmt.Errorf("compact index: %w", err)
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	start := time.Now()
	// Only persisted segments merge: wait for the persister, then merge
	// until the root holds one file segment.
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("compact index: still %v segments after %v", sc.StatsMap()["TotFileSegmentsAtRoot"], time.Since(start).Round(time.Second))
		}
		m := sc.StatsMap()
		mem, _ := m["TotMemorySegmentsAtRoot"].(uint64)
		files, _ := m["TotFileSegmentsAtRoot"].(uint64)
		if mem == 0 && files <= 1 {
			break
		}
		if mem > 0 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		opts := mergeplan.SingleSegmentMergePlanOptions
		if err := sc.ForceMerge(ctx, &opts); err != nil {
			return fmt.Errorf("compact index: %w", err)
		}
	}
	ix.log.Debug("docs index compacted", "took", time.Since(start))
	return nil
}

// countInlinks recomputes each page's in-link count within its source.
func (ix *Index) countInlinks() {
	bySource := map[string]map[string][]string{}
	for _, p := range ix.manifest.Pages {
		if bySource[p.Source] == nil {
			bySource[p.Source] = map[string][]string{}
		}
		bySource[p.Source][pageKeyOf(p.Path)] = p.Links
	}
	counts := map[string]map[string]int{}
	for src, pages := range bySource {
		counts[src] = countInlinks(pages)
	}
	for _, p := range ix.manifest.Pages {
		p.Inlinks = counts[p.Source][pageKeyOf(p.Path)]
	}
}

// deletePage removes a page's documents from the index and the section map.
func (ix *Index) deletePage(batch *bleve.Batch, old *pageEntry) {
	for _, s := range old.Sections {
		id := docID(old.Source, s.ID)
		batch.Delete(id)
		delete(ix.sections, id)
	}
	batch.Delete(pageKey(old.Source, old.Path))
}

func docType(lang string) string {
	if lang == "ja" {
		return "ja"
	}
	return "en"
}

// sectionDoc is the bleve document for one section: its headings below the
// page title, its prose and its code.
func sectionDoc(s *Section) map[string]any {
	prose, code := SplitCode(s.Text)
	heads := s.Breadcrumb
	if t := s.Title; strings.HasPrefix(heads, t) {
		heads = strings.TrimPrefix(strings.TrimPrefix(heads, t), " > ")
	}
	return map[string]any{
		"_type":       docType(s.Lang),
		fieldKind:     "section",
		fieldHeadings: heads,
		fieldBody:     prose,
		fieldPhrase:   heads + "\n" + prose,
		fieldCode:     code,
		fieldQuadrant: string(s.Quadrant),
		fieldLang:     s.Lang,
		fieldPage:     s.Path,
	}
}

// pageDoc is the bleve document for a page as a whole: what names it (title,
// path, description) and its outline. Kept apart from the sections so that
// a page with many sections does not count its title many times.
func pageDoc(p Page) map[string]any {
	var heads []string
	var body strings.Builder
	for _, s := range p.Sections {
		if s.Heading != "" && s.Heading != p.Title {
			heads = append(heads, s.Heading)
		}
		prose, _ := SplitCode(s.Text)
		body.WriteString(prose)
		body.WriteByte('\n')
	}
	return map[string]any{
		"_type":       docType(p.Lang),
		fieldKind:     "page",
		fieldTitle:    p.Title,
		fieldPath:     pathWords(p.Path),
		fieldDesc:     p.Description,
		fieldHeadings: strings.Join(heads, "\n"),
		fieldBody:     body.String(),
		fieldPhrase:   p.Title + "\n" + body.String(),
		fieldQuadrant: string(p.Quadrant),
		fieldLang:     p.Lang,
		fieldPage:     p.Path,
	}
}

// pathWords turns "tasks/configure-pod-container/pull-image.md" into words.
func pathWords(p string) string {
	p = strings.TrimSuffix(p, filepath.Ext(p))
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', '_', '.':
			return ' '
		}
		return r
	}, p)
}

// SplitCode separates a section's text into prose and fenced code.
func SplitCode(text string) (prose, code string) {
	var p, c strings.Builder
	var fence string
	for _, line := range strings.SplitAfter(text, "\n") {
		trim := strings.TrimSpace(line)
		if fence != "" {
			if textproc.FenceCloses(trim, fence) {
				fence = ""
				continue
			}
			c.WriteString(line)
			continue
		}
		if f := textproc.FenceOpen(trim); f != "" {
			fence = f
			continue
		}
		p.WriteString(line)
	}
	return p.String(), c.String()
}

// Evidence names, the keys of Hit.Fields: section fields, and page fields
// prefixed "page.".
const (
	FieldHeadings    = fieldHeadings
	FieldBody        = fieldBody
	FieldCode        = fieldCode
	FieldPhrase      = fieldPhrase
	FieldPageTitle   = "page." + fieldTitle
	FieldPagePath    = "page." + fieldPath
	FieldPageDesc    = "page." + fieldDesc
	FieldPageOutline = "page." + fieldHeadings
	FieldPageBody    = "page." + fieldBody
	FieldPagePhrase  = "page." + fieldPhrase
)

// searchFields maps the evidence names Search computes to the bleve field
// and the kind of document that holds it.
var searchFields = []struct {
	name, field string
	page        bool
}{
	{FieldHeadings, fieldHeadings, false},
	{FieldBody, fieldBody, false},
	{FieldCode, fieldCode, false},
	{FieldPhrase, fieldPhrase, false},
	{FieldPageTitle, fieldTitle, true},
	{FieldPagePath, fieldPath, true},
	{FieldPageDesc, fieldDesc, true},
	{FieldPageOutline, fieldHeadings, true},
	{FieldPageBody, fieldBody, true},
	{FieldPagePhrase, fieldPhrase, true},
}

// AllFields lists every evidence name Search can compute.
var AllFields = []string{
	FieldHeadings, FieldBody, FieldCode, FieldPhrase,
	FieldPageTitle, FieldPagePath, FieldPageDesc, FieldPageOutline, FieldPageBody, FieldPagePhrase,
}

// DefaultWeights combine the per-field BM25 scores into Hit.Score when the
// query gives none. They were measured on the evaluation sets.
var DefaultWeights = map[string]float64{
	FieldHeadings:   0.25,
	FieldBody:       1,
	FieldCode:       4,
	FieldPhrase:     1,
	FieldPagePath:   1.5,
	FieldPageDesc:   0.5,
	FieldPageBody:   12,
	FieldPagePhrase: 8,
}

// Search ranks sections for q.Text. It scores each field with BM25 on its
// own (a section's headings, word pairs and code; its page's title, path,
// description, outline, words and word pairs) and combines the field scores
// linearly with q.Weights (default DefaultWeights): the best q.Size
// sections by their own fields, and the best q.Size pages by theirs, each
// page adding its score to its sections. Hit.Fields keeps the parts so that
// callers can re-rank. A page that matches only as a whole is returned
// through its first section. Hits with equal scores are ordered by ID, so
// the result depends only on the index's content.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, error) {
	size := q.Size
	if size <= 0 {
		size = 10
	}
	weights := q.Weights
	if weights == nil {
		weights = DefaultWeights
	}
	lang := q.Lang
	if lang == "" {
		lang = DetectLang(q.Text)
	}
	an := analyzerFor(lang, ix.ja)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.bl == nil {
		return nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	// One part per field, shared by the kinds that search it: section and
	// page documents have the headings, body and phrase fields in common.
	var parts []fieldPart
	for _, sf := range searchFields {
		w, ok := weights[sf.name]
		if !ok {
			continue
		}
		fan := an
		switch sf.field {
		case fieldCode, fieldPath:
			fan = en.AnalyzerName
		case fieldPhrase:
			fan = phraseAnalyzer(lang, ix.ja)
		}
		i := slices.IndexFunc(parts, func(p fieldPart) bool { return p.field == sf.field })
		if i < 0 {
			parts = append(parts, fieldPart{field: sf.field, analyzer: fan})
			i = len(parts) - 1
		}
		kind := 0
		if sf.page {
			kind = 1
		}
		parts[i].names[kind], parts[i].weights[kind], parts[i].has[kind] = sf.name, w, true
	}
	r, err := ix.indexReader()
	if err != nil {
		return nil, fmt.Errorf("search docs: %w", err)
	}
	defer r.Close()
	// The documents of each kind, in the query's language if it names one.
	var kindDocs [2][]bool
	for k, kind := range []string{"section", "page"} {
		if kindDocs[k], err = ix.filters.filterDocs(ctx, r, fieldKind, kind); err != nil {
			return nil, fmt.Errorf("search docs: %w", err)
		}
	}
	if q.Lang != "" {
		langDocs, err := ix.filters.filterDocs(ctx, r, fieldLang, q.Lang)
		if err != nil {
			return nil, fmt.Errorf("search docs: %w", err)
		}
		for k := range kindDocs {
			both := make([]bool, len(kindDocs[k]))
			for doc, ok := range kindDocs[k] {
				both[doc] = ok && doc < len(langDocs) && langDocs[doc]
			}
			kindDocs[k] = both
		}
	}
	maxDoc := uint64(max(len(kindDocs[0]), len(kindDocs[1]), 1) - 1)
	scores := make([]*docScores, len(parts))
	defer func() {
		for _, ds := range scores {
			ds.release()
		}
	}()
	m := ix.bl.Mapping()
	for i, p := range parts {
		a := m.AnalyzerNamed(p.analyzer)
		if a == nil {
			return nil, fmt.Errorf("search docs: no analyzer %q", p.analyzer)
		}
		if scores[i], err = ix.scoreField(ctx, r, a, p, q.Text, maxDoc); err != nil {
			return nil, fmt.Errorf("search docs: %w", err)
		}
	}
	secScores := map[string]map[string]float64{}  // section doc ID → field → score
	pageScores := map[string]map[string]float64{} // page key → field → score
	var order []string                            // section IDs, best first
	for k := range kindDocs {
		for _, d := range topDocs(kindDocs[k], k, parts, scores, size) {
			id, err := r.ExternalID(binary.BigEndian.AppendUint64(nil, d.doc))
			if err != nil {
				return nil, fmt.Errorf("search docs: %w", err)
			}
			if k == 0 {
				secScores[id] = d.fields
				order = append(order, id)
			} else {
				pageScores[id] = d.fields
			}
		}
	}
	hits := make([]Hit, 0, len(order)+len(pageScores))
	found := map[string]bool{}
	add := func(s *Section, fields map[string]float64, pk string) {
		for k, v := range pageScores[pk] {
			fields[k] = v
		}
		h := Hit{Section: *s, Fields: fields}
		if p := ix.manifest.Pages[pk]; p != nil {
			h.PageChars = p.Chars
			h.PageInlinks = p.Inlinks
		}
		// Sum in a fixed order: floating-point addition in map order
		// would differ in the last bits from one call to the next.
		for _, sf := range searchFields {
			v, ok := fields[sf.name]
			if !ok {
				continue
			}
			if sf.page {
				h.PageScore += weights[sf.name] * v
			} else {
				h.Score += weights[sf.name] * v
			}
		}
		hits = append(hits, h)
	}
	for _, id := range order {
		s := ix.sections[id]
		if s == nil {
			continue
		}
		pk := pageKey(s.Source, s.Path)
		found[pk] = true
		add(s, secScores[id], pk)
	}
	for pk := range pageScores {
		p := ix.manifest.Pages[pk]
		if found[pk] || p == nil || len(p.Sections) == 0 {
			continue
		}
		add(&p.Sections[0], map[string]float64{}, pk)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i].Score+hits[i].PageScore, hits[j].Score+hits[j].PageScore
		if a != b {
			return a > b
		}
		if hits[i].ID != hits[j].ID {
			return hits[i].ID < hits[j].ID
		}
		return hits[i].Source < hits[j].Source
	})
	return hits, nil
}

// Page returns the sections of the page at path in any source, in order.
// It returns a koban.ENotFound error when no page has that path.
func (ix *Index) Page(path string) ([]Section, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var keys []string
	for k, p := range ix.manifest.Pages {
		if p.Path == path {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, koban.Errorf(koban.ENotFound, "no docs page %s", path)
	}
	sort.Strings(keys)
	return append([]Section(nil), ix.manifest.Pages[keys[0]].Sections...), nil
}

// SourcePages reports how many pages of the source at path the index holds.
func (ix *Index) SourcePages(path string) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := 0
	for _, p := range ix.manifest.Pages {
		if p.Source == path {
			n++
		}
	}
	return n
}

// Stats reports the size of the index.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return Stats{Documents: len(ix.manifest.Pages), Sections: len(ix.sections)}
}

// Sections returns every section in the index, ordered by source and
// section ID (for callers that embed or export them).
func (ix *Index) Sections() ([]Section, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.bl == nil {
		return nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	out := make([]Section, 0, len(ix.sections))
	for _, s := range ix.sections {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
