package docsindex

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"time"

	"github.com/kobanhq/koban"
)

// Update brings the index in line with sources: pages whose content hash
// changed are re-indexed, new pages added, pages no longer in any source
// dropped, and the page document of an unchanged page whose anchor text
// changed with them indexed again (Stats.Relinked). Files that cannot be
// read are skipped and counted. Searches go on
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
		e.Source, e.Path, e.Title, e.Description, e.Quadrant, e.Lang, e.Links = fresh.Source, fresh.Path, fresh.Title, fresh.Description, fresh.Quadrant, fresh.Lang, fresh.Links
		e.Anchors = fresh.Anchors
		for _, sec := range fresh.Sections {
			sec.Source = fresh.Source
			e.Sections = append(e.Sections, sec)
			ids[sec.ID] = true
		}
	}
	if old != nil {
		if fresh == nil {
			e.Source, e.Path, e.Title, e.Description, e.Quadrant, e.Lang, e.Links = old.Source, old.Path, old.Title, old.Description, old.Quadrant, old.Lang, old.Links
			e.Anchors = old.Anchors
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
	ix.mu.RLock()
	closed := ix.closed
	ix.mu.RUnlock()
	if closed {
		return st, nil, nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	fresh, seen, warns, err := ix.loadSources(ctx, sources)
	st.Skipped = len(warns)
	if err != nil {
		return st, warns, nil, err
	}
	an, err := ix.analyseChanged(ctx, fresh)
	if err != nil {
		return st, warns, nil, err
	}
	n, dirty, err := ix.apply(ctx, fresh, an, seen, &st)
	if err != nil {
		return st, warns, dirty, err
	}
	if n > 0 && ix.dir != "" {
		// Saving reads the search index only: searches go on meanwhile.
		ix.mu.RLock()
		err = savePostings(ix.dir, ix.manifest.Generation, ix.post)
		ix.mu.RUnlock()
		if err != nil {
			// The manifest is saved: the next Open rebuilds the search
			// index from it.
			return st, warns, nil, err
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
		"added", st.Added, "changed", st.Changed, "relinked", st.Relinked, "removed", st.Removed, "skipped", st.Skipped, "took", st.Took)
	return st, warns, nil, nil
}

// loadSources reads the pages of every source, parsing only those whose
// hash differs from the manifest's. seen holds the page key of every page
// found.
func (ix *Index) loadSources(ctx context.Context, sources []Source) (fresh []Page, seen map[string]bool, warns []Warning, err error) {
	seen = map[string]bool{}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return nil, nil, warns, err
		}
		if fi, err := os.Stat(src.Path); err != nil || !fi.IsDir() {
			return nil, nil, warns, koban.Errorf(koban.EInvalid, "docs source %s is not a readable folder", src.Path)
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
			return nil, nil, warns, fmt.Errorf("%w (%s); try again", ErrSourceMoved, src.Path)
		}
		warns = append(warns, w...)
		for _, p := range pages {
			seen[pageKey(src.Path, p.Path)] = true
			fresh = append(fresh, p)
		}
	}
	return fresh, seen, warns, nil
}

// analysed is what an update indexes, analysed before the index is locked
// for writing.
type analysed struct {
	// changed holds the documents of the pages whose file changed (or is
	// new), by page key.
	changed map[string][]*analysedDoc
	// anchor is the anchor text of every page found, by page key.
	anchor map[string]string
	// relinked holds the page document of each unchanged page whose
	// anchor text changed (a page linking to it changed or went), by page
	// key: only that document is indexed again.
	relinked map[string]*analysedDoc
}

// analyseChanged analyses the pages of fresh whose hash differs from the
// manifest's, by page key, as they will be indexed, and the page documents
// of the others whose anchor text changes. It needs no write lock:
// searches go on while it runs.
func (ix *Index) analyseChanged(ctx context.Context, fresh []Page) (analysed, error) {
	type known struct {
		hash, anchor string
		anchors      []Anchor
		entry        pageEntry
	}
	ix.mu.RLock()
	old := make(map[string]*known, len(ix.manifest.Pages))
	for k, e := range ix.manifest.Pages {
		old[k] = &known{hash: e.Hash, anchor: e.AnchorText, anchors: e.Anchors, entry: *e}
	}
	ix.mu.RUnlock()
	var keys []string
	var entries []*pageEntry
	links := map[string]map[string][]Anchor{} // source → page path → links
	for i := range fresh {
		if err := ctx.Err(); err != nil {
			return analysed{}, err
		}
		p := &fresh[i]
		k := pageKey(p.Source, p.Path)
		anchors := p.Anchors
		if o, ok := old[k]; ok && o.hash == p.Hash {
			anchors = o.anchors
		} else {
			keys = append(keys, k)
			entries = append(entries, entryOf(p))
		}
		if links[p.Source] == nil {
			links[p.Source] = map[string][]Anchor{}
		}
		links[p.Source][p.Path] = anchors
	}
	texts := map[string]map[string]string{}
	for src, pages := range links {
		texts[src] = anchorTexts(pages)
	}
	out := analysed{changed: make(map[string][]*analysedDoc, len(keys)), anchor: map[string]string{}, relinked: map[string]*analysedDoc{}}
	for i := range fresh {
		p := &fresh[i]
		out.anchor[pageKey(p.Source, p.Path)] = texts[p.Source][pageKeyOf(p.Path)]
	}
	for _, e := range entries {
		e.AnchorText = out.anchor[pageKey(e.Source, e.Path)]
	}
	for i, docs := range ix.analysePages(entries) {
		out.changed[keys[i]] = docs
	}
	for i := range fresh {
		p := &fresh[i]
		k := pageKey(p.Source, p.Path)
		o, ok := old[k]
		if _, done := out.changed[k]; done || !ok || o.anchor == out.anchor[k] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return analysed{}, err
		}
		e := o.entry
		e.AnchorText = out.anchor[k]
		out.relinked[k] = ix.analysePageDoc(&e)
	}
	return out, nil
}

// entryOf is the manifest entry of a freshly loaded page.
func entryOf(p *Page) *pageEntry {
	e := &pageEntry{Source: p.Source, Path: p.Path, Hash: p.Hash, Title: p.Title, Description: p.Description,
		Quadrant: p.Quadrant, Lang: p.Lang, Links: p.Links, Anchors: p.Anchors, Sections: p.Sections}
	for i := range e.Sections {
		e.Sections[i].Source = p.Source
		e.Chars += len(e.Sections[i].Text)
	}
	return e
}

// apply writes the changed pages of fresh and the relinked page documents
// (both analysed in an) to the search index and the manifest, drops the
// pages not seen, counts them in st and saves the manifest. It returns how many pages changed and the
// touched pages as a failed update must leave them (see dirtyEntry). Before
// it changes the index it saves a manifest listing them so, for a process
// that dies part way.
func (ix *Index) apply(ctx context.Context, fresh []Page, an analysed, seen map[string]bool, st *Stats) (n int, dirty map[string]*pageEntry, err error) {
	changed := an.changed
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return 0, nil, koban.Errorf(koban.EUnavailable, "docs index is closed")
	}
	dirty = map[string]*pageEntry{}
	for k, old := range ix.manifest.Pages {
		if !seen[k] {
			dirty[k] = dirtyEntry(old, nil)
		}
	}
	for i := range fresh {
		k := pageKey(fresh[i].Source, fresh[i].Path)
		if _, ok := changed[k]; ok {
			dirty[k] = dirtyEntry(ix.manifest.Pages[k], &fresh[i])
		}
	}
	for k := range an.relinked {
		if old := ix.manifest.Pages[k]; old != nil {
			dirty[k] = dirtyEntry(old, nil)
		}
	}
	st.Documents, st.Sections = len(ix.manifest.Pages), len(ix.sections)
	if len(dirty) == 0 {
		return 0, nil, nil
	}
	if ix.dir != "" {
		m := ix.manifest
		m.Pages = maps.Clone(ix.manifest.Pages)
		maps.Copy(m.Pages, dirty)
		m.Generation++
		if err := writeManifestTo(ix.dir, &m); err != nil {
			return 0, nil, err
		}
		ix.manifest.Generation = m.Generation
	}
	for k, old := range ix.manifest.Pages {
		if !seen[k] {
			ix.removePage(old)
			delete(ix.manifest.Pages, k)
			st.Removed++
		}
	}
	for i := range fresh {
		k := pageKey(fresh[i].Source, fresh[i].Path)
		docs, ok := changed[k]
		if !ok {
			continue
		}
		if old := ix.manifest.Pages[k]; old != nil {
			ix.removePage(old)
			st.Changed++
		} else {
			st.Added++
		}
		e := entryOf(&fresh[i])
		e.AnchorText = an.anchor[k]
		ix.manifest.Pages[k] = e
		for j := range e.Sections {
			ix.sections[docID(e.Source, e.Sections[j].ID)] = &e.Sections[j]
		}
		for _, d := range docs {
			ix.post.add(d)
		}
	}
	// In order of key, so that the search index's document order depends
	// only on the docs.
	for _, k := range slices.Sorted(maps.Keys(an.relinked)) {
		if e := ix.manifest.Pages[k]; e != nil {
			e.AnchorText = an.anchor[k]
			ix.post.add(an.relinked[k])
			st.Relinked++
		}
	}
	st.Documents, st.Sections = len(ix.manifest.Pages), len(ix.sections)
	n = st.Added + st.Changed + st.Removed + st.Relinked
	ix.countInlinks()
	ix.post.compact(false)
	if err := ctx.Err(); err != nil {
		return n, dirty, err
	}
	return n, dirty, ix.writeManifest()
}

// removePage removes a page's documents from the search index and the
// section map.
func (ix *Index) removePage(old *pageEntry) {
	for _, s := range old.Sections {
		id := docID(old.Source, s.ID)
		ix.post.remove(id)
		delete(ix.sections, id)
	}
	ix.post.remove(pageKey(old.Source, old.Path))
}

// countInlinks recomputes each page's in-link count within its source.
func (ix *Index) countInlinks() {
	bySource := map[string]map[string][]string{}
	for _, p := range ix.manifest.Pages {
		if bySource[p.Source] == nil {
			bySource[p.Source] = map[string][]string{}
		}
		bySource[p.Source][p.Path] = p.Links
	}
	counts := map[string]map[string]int{}
	for src, pages := range bySource {
		counts[src] = countInlinks(pages)
	}
	for _, p := range ix.manifest.Pages {
		p.Inlinks = counts[p.Source][pageKeyOf(p.Path)]
	}
}
