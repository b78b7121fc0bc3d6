package docsindex

import (
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kobanhq/koban"
)

// SchemaVersion names the index layout and analysis. An index built with
// another version is rebuilt from its sources on the next Update.
const SchemaVersion = "docsindex/18"

// Index is the docs index: a manifest of the pages it was built from, with
// every section's text, and the search index (postings.go) built from them.
// It is safe for concurrent use.
type Index struct {
	log *slog.Logger
	dir string // "" in memory
	ja  string // analyzer for Japanese
	an  *analyzers

	updateMu sync.Mutex // one Update at a time
	mu       sync.RWMutex
	closed   bool
	manifest manifest
	post     *postings
	sections map[string]*Section // by docID
	idf      idfCache            // WordIDF's weights
	lock     *os.File            // held while the index is open; nil in memory
}

// manifest records what the index was built from.
type manifest struct {
	Schema string
	Pages  map[string]*pageEntry // by pageKey(source, path)
	// Generation counts the manifest's saves: the saved search index
	// names the generation it was built for.
	Generation uint64
}

// pageEntry is one indexed page.
type pageEntry struct {
	Source      string
	Path        string
	Hash        string
	Title       string
	Description string
	Quadrant    koban.Quadrant
	Lang        string
	Chars       int      // length of the page text
	Links       []string // link keys of the pages it links to
	Inlinks     int      // how many other pages of its source link to it
	Anchors     []Anchor // its links with their texts
	// AnchorText is the texts of the links to it from the other pages of
	// its source (see anchorTexts), as its page document was indexed.
	AnchorText string
	Sections   []Section
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

// openLocked is Open once the folder's lock is held. The search index is
// read from its file when it matches the manifest, and otherwise built
// again from the sections the manifest holds.
func openLocked(dir string, log *slog.Logger, opts []Option) (*Index, error) {
	ix, err := newIndex(dir, log, opts)
	if err != nil {
		return nil, err
	}
	// An index of an earlier layout kept a bleve index here.
	if err := os.RemoveAll(filepath.Join(dir, "bleve")); err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	m, err := readManifest(filepath.Join(dir, "manifest.gob"))
	switch {
	case err == nil && m.Schema == ix.schema():
		ix.setManifest(m)
		post, perr := readPostings(dir, m.Generation)
		if perr == nil {
			ix.post = post
			return ix, nil
		}
		start := time.Now()
		ix.post = ix.buildPostings()
		if err := savePostings(dir, m.Generation, ix.post); err != nil {
			return nil, err
		}
		log.Info("docs search index rebuilt from the manifest", "dir", dir, "reason", perr, "took", time.Since(start))
		return ix, nil
	case err == nil:
		log.Info("docs index schema changed, rebuilding", "dir", dir, "had", m.Schema, "want", ix.schema())
	case !errors.Is(err, os.ErrNotExist):
		log.Warn("docs index manifest unreadable, rebuilding", "dir", dir, "err", err)
	}
	for _, f := range []string{"manifest.gob", postingsFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open index %s: %w", dir, err)
		}
	}
	ix.setManifest(manifest{Schema: ix.schema(), Pages: map[string]*pageEntry{}})
	return ix, nil
}

// newIndex returns an empty index with its options applied.
func newIndex(dir string, log *slog.Logger, opts []Option) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix := &Index{log: log, dir: dir, ja: jaAnalyzer, post: newPostings()}
	for _, o := range opts {
		o(ix)
	}
	an, err := newAnalyzers(ix.ja)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	ix.an = an
	return ix, nil
}

// buildPostings analyses every section and page of the manifest into a new
// search index.
func (ix *Index) buildPostings() *postings {
	keys := make([]string, 0, len(ix.manifest.Pages))
	for k := range ix.manifest.Pages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]*pageEntry, len(keys))
	for i, k := range keys {
		entries[i] = ix.manifest.Pages[k]
	}
	p := newPostings()
	for _, docs := range ix.analysePages(entries) {
		for _, d := range docs {
			p.add(d)
		}
	}
	return p
}

// analysePages analyses pages on every processor: analysis is most of the
// time indexing takes. The result is in the order of entries.
func (ix *Index) analysePages(entries []*pageEntry) [][]*analysedDoc {
	out := make([][]*analysedDoc, len(entries))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(entries)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(entries) {
					return
				}
				out[i] = ix.analysePage(entries[i])
			}
		})
	}
	wg.Wait()
	return out
}

// analysePage analyses a page's sections and the page as a whole.
func (ix *Index) analysePage(e *pageEntry) []*analysedDoc {
	docs := make([]*analysedDoc, 0, len(e.Sections)+1)
	for i := range e.Sections {
		s := &e.Sections[i]
		docs = append(docs, ix.an.analyse(docInfo{ID: docID(e.Source, s.ID), Lang: e.Lang}, sectionTexts(s)))
	}
	return append(docs, ix.analysePageDoc(e))
}

// analysePageDoc analyses the page as a whole, the one document of it that
// its anchor text is in.
func (ix *Index) analysePageDoc(e *pageEntry) *analysedDoc {
	page := docInfo{ID: pageKey(e.Source, e.Path), Page: true, Lang: e.Lang}
	return ix.an.analyse(page, pageTexts(e.Title, e.Path, e.Description, e.AnchorText, e.Sections))
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
	ix, err := newIndex("", log, opts)
	if err != nil {
		return nil, err
	}
	ix.setManifest(manifest{Schema: ix.schema(), Pages: map[string]*pageEntry{}})
	return ix, nil
}

func (ix *Index) schema() string { return SchemaVersion + "+" + ix.ja }

// Close closes the index.
func (ix *Index) Close() error {
	// Wait for an update to finish.
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	ix.post = newPostings()
	if ix.lock != nil {
		// Closing the file lets go of the lock.
		ix.lock.Close()
		ix.lock = nil
	}
	return nil
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

// writeManifest saves the manifest as a new generation.
func (ix *Index) writeManifest() error {
	if ix.dir == "" {
		return nil
	}
	ix.manifest.Generation++
	return writeManifestTo(ix.dir, &ix.manifest)
}

// writeManifestTo saves m in dir, replacing the manifest there at once.
func writeManifestTo(dir string, m *manifest) error {
	if err := writeGob(filepath.Join(dir, "manifest.gob"), m); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// writeGob saves v as gob in the file at path, replacing it at once: a
// reader sees the old file or the new one, never a part.
func writeGob(path string, v any) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
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
	if ix.closed {
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
