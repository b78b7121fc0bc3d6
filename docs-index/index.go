package docsindex

import (
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/kobanhq/koban"
)

// SchemaVersion names the index layout and analysis. An index built with
// another version is rebuilt from its sources on the next Update.
const SchemaVersion = "docsindex/10"

// Index is the docs index: a bleve (scorch, BM25) index of sections plus a
// manifest of the pages it was built from. It is safe for concurrent use.
type Index struct {
	log *slog.Logger
	dir string // "" in memory
	ja  string // analyzer for Japanese

	mu       sync.RWMutex
	bl       bleve.Index
	manifest manifest
	sections map[string]*Section // by bleve document ID
}

// manifest records what the index was built from.
type manifest struct {
	Schema string
	Pages  map[string]*pageEntry // by pageKey(source, path)
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
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bl == nil {
		return nil
	}
	err := ix.bl.Close()
	ix.bl = nil
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
	path := filepath.Join(ix.dir, "manifest.gob")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := gob.NewEncoder(f).Encode(&ix.manifest); err != nil {
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
	abs, err := filepath.Abs(source)
	if err != nil {
		abs = source
	}
	h := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(h[:])[:8]
}

func pageKey(source, path string) string { return sourceKey(source) + ":" + path }

func docID(source, sectionID string) string { return sourceKey(source) + ":" + sectionID }

// Field names in the bleve documents. Section documents and page documents
// have no text field in common: a search of one field reads only the
// postings of the documents it ranks (no filter on the kind of document),
// and BM25's average field length is that of one kind of document.
const (
	// Section documents.
	fieldHeadings = "headings"
	fieldCode     = "code"
	fieldPhrase   = "phrase" // word pairs of the prose, for proximity
	// Page documents.
	fieldTitle       = "title"
	fieldPath        = "path"
	fieldDesc        = "desc"
	fieldOutline     = "outline"
	fieldPageBody    = "page_body"
	fieldPagePhrase  = "page_phrase"
	fieldQuadrant    = "quadrant"
	fieldLang        = "lang"
	fieldPage        = "page"
	fieldKind        = "kind" // "page" or "section"
	fieldSectionBody = "body" // not indexed: see FieldBody
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
		for _, f := range []string{fieldTitle, fieldHeadings, fieldOutline, fieldPageBody, fieldDesc} {
			dm.AddFieldMappingsAt(f, text(an))
		}
		// Code and paths are mostly ASCII identifiers in either language.
		dm.AddFieldMappingsAt(fieldCode, text(en.AnalyzerName))
		dm.AddFieldMappingsAt(fieldPath, text(en.AnalyzerName))
		dm.AddFieldMappingsAt(fieldPhrase, text(phraseAnalyzer(lang, ix.ja)))
		dm.AddFieldMappingsAt(fieldPagePhrase, text(phraseAnalyzer(lang, ix.ja)))
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
// dropped. Files that cannot be read are skipped and counted.
func (ix *Index) Update(ctx context.Context, sources []Source) (Stats, []Warning, error) {
	start := time.Now()
	var st Stats
	var warns []Warning
	seen := map[string]bool{}
	var fresh []Page
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return st, warns, err
		}
		if fi, err := os.Stat(src.Path); err != nil || !fi.IsDir() {
			return st, warns, koban.Errorf(koban.EInvalid, "docs source %s is not a readable folder", src.Path)
		}
		ix.mu.RLock()
		known := map[string]string{}
		for _, p := range ix.manifest.Pages {
			if p.Source == src.Path {
				known[p.Path] = p.Hash
			}
		}
		ix.mu.RUnlock()
		pages, w := load(src, ix.log, func(rel, hash string) bool { return known[rel] == hash })
		warns = append(warns, w...)
		st.Skipped += len(w)
		for _, p := range pages {
			k := pageKey(src.Path, p.Path)
			seen[k] = true
			fresh = append(fresh, p)
		}
	}

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bl == nil {
		return st, warns, koban.Errorf(koban.EUnavailable, "docs index is closed")
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
			return st, warns, err
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
				return st, warns, fmt.Errorf("index %s: %w", s.ID, err)
			}
			ix.sections[id] = s
		}
		if err := batch.Index(k, pageDoc(p)); err != nil {
			return st, warns, fmt.Errorf("index %s: %w", p.Path, err)
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
				return st, warns, err
			}
		}
	}
	if err := flush(); err != nil {
		return st, warns, err
	}
	if st.Added+st.Changed+st.Removed > 0 {
		ix.countInlinks()
		if err := ix.writeManifest(); err != nil {
			return st, warns, err
		}
	}
	st.Documents = len(ix.manifest.Pages)
	st.Sections = len(ix.sections)
	st.Took = time.Since(start)
	ix.log.Info("docs index updated", "pages", st.Documents, "sections", st.Sections,
		"added", st.Added, "changed", st.Changed, "removed", st.Removed, "skipped", st.Skipped, "took", st.Took)
	return st, warns, nil
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
		fieldDesc:       p.Description,
		fieldOutline:    strings.Join(heads, "\n"),
		fieldPageBody:   body.String(),
		fieldPagePhrase: p.Title + "\n" + body.String(),
		fieldQuadrant:   string(p.Quadrant),
		fieldLang:       p.Lang,
		fieldPage:       p.Path,
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
			if strings.HasPrefix(trim, fence) && strings.Trim(trim, fence[:1]) == "" {
				fence = ""
				continue
			}
			c.WriteString(line)
			continue
		}
		if f := fenceOpen(trim); f != "" {
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
	FieldPageTitle   = "page." + fieldTitle
	FieldPagePath    = "page." + fieldPath
	FieldPageDesc    = "page." + fieldDesc
	FieldPageOutline = "page." + fieldHeadings
	FieldPageBody    = "page." + fieldBody
	FieldPhrase      = fieldPhrase
	FieldPagePhrase  = "page." + fieldPhrase
)

// AllFields lists every evidence name Search can compute.
var AllFields = []string{
	FieldHeadings, FieldBody, FieldCode, FieldPhrase,
	FieldPageTitle, FieldPagePath, FieldPageDesc, FieldPageOutline, FieldPageBody, FieldPagePhrase,
}

// DefaultWeights combine the per-field BM25 scores into Hit.Score when the
// query gives none. They were measured on the evaluation sets.
var DefaultWeights = map[string]float64{
	FieldHeadings:   0.25,
	FieldCode:       4,
	FieldPhrase:     1,
	FieldPagePath:   1.5,
	FieldPageDesc:   0.5,
	FieldPageBody:   12,
	FieldPagePhrase: 8,
}

// Search ranks sections for q.Text. It scores each field with BM25 on its
// own (a section's headings, prose and code; its page's title, path,
// description and outline), keeps every section among the best q.Size of
// any field, and combines the field scores linearly with q.Weights (default
// DefaultWeights). Hit.Fields keeps the parts so that callers can re-rank. A
// page that matches only as a whole is returned through its first section.
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
	type part struct{ kind, field, name string }
	parts := []part{
		{"section", fieldHeadings, FieldHeadings},
		{"section", fieldBody, FieldBody},
		{"section", fieldCode, FieldCode},
		{"page", fieldTitle, FieldPageTitle},
		{"page", fieldPath, FieldPagePath},
		{"page", fieldDesc, FieldPageDesc},
		{"page", fieldHeadings, FieldPageOutline},
		{"page", fieldBody, FieldPageBody},
		{"section", fieldPhrase, FieldPhrase},
		{"page", fieldPhrase, FieldPagePhrase},
	}
	secScores := map[string]map[string]float64{}  // section doc ID → field → score
	pageScores := map[string]map[string]float64{} // page key → field → score
	var order []string                            // section IDs in first-seen order
	// The field searches are independent: run them side by side.
	results := make([]*bleve.SearchResult, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, pt := range parts {
		if _, ok := weights[pt.name]; !ok {
			continue
		}
		fan := an
		switch pt.field {
		case fieldCode, fieldPath:
			fan = en.AnalyzerName
		case fieldPhrase:
			fan = phraseAnalyzer(lang, ix.ja)
		}
		mq := bleve.NewMatchQuery(q.Text)
		mq.SetField(pt.field)
		mq.Analyzer = fan
		kq := bleve.NewTermQuery(pt.kind)
		kq.SetField(fieldKind)
		var filter query.Query = kq
		if q.Lang != "" {
			lq := bleve.NewTermQuery(q.Lang)
			lq.SetField(fieldLang)
			filter = bleve.NewConjunctionQuery(kq, lq)
		}
		bq := query.NewBooleanQuery([]query.Query{mq}, nil, nil)
		bq.AddFilter(filter)
		req := bleve.NewSearchRequestOptions(bq, size, 0, false)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i], errs[i] = ix.bl.SearchInContext(ctx, req)
		}()
	}
	wg.Wait()
	for i, pt := range parts {
		if errs[i] != nil {
			return nil, fmt.Errorf("search docs: %w", errs[i])
		}
		if results[i] == nil {
			continue
		}
		for _, h := range results[i].Hits {
			sc := h.Score
			if pt.kind == "section" {
				if secScores[h.ID] == nil {
					secScores[h.ID] = map[string]float64{}
					order = append(order, h.ID)
				}
				secScores[h.ID][pt.name] = sc
			} else {
				if pageScores[h.ID] == nil {
					pageScores[h.ID] = map[string]float64{}
				}
				pageScores[h.ID][pt.name] = sc
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
		for k, v := range fields {
			w := weights[k]
			if strings.HasPrefix(k, "page.") {
				h.PageScore += w * v
			} else {
				h.Score += w * v
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
		return hits[i].ID < hits[j].ID
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
