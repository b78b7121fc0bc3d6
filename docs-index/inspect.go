package docsindex

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kobanhq/koban"
)

// IndexedPage is one page as the index holds it: what koban made of a docs
// file.
type IndexedPage struct {
	Source   string // the Source.Path it came from
	Path     string // relative to the source, with '/' separators
	Title    string
	Quadrant koban.Quadrant
	Lang     string
	URL      string // the page's link on the docs site, or ""
	Sections int
}

// Pages lists the indexed pages, by source and path.
func (ix *Index) Pages() []IndexedPage {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return pagesOf(ix.manifest)
}

// ReadPages lists the pages of the index in dir as last saved, without
// opening it: it takes no lock, so it works beside a koban serve that keeps
// the index (the manifest is replaced at once when saved). An index of
// another schema version counts as none, since the next update rebuilds it.
func ReadPages(dir string) ([]IndexedPage, error) {
	m, err := readManifest(filepath.Join(dir, "manifest.gob"))
	if err != nil {
		return nil, fmt.Errorf("docs index %s: %w", dir, err)
	}
	if !strings.HasPrefix(m.Schema, SchemaVersion+"+") {
		return nil, koban.Errorf(koban.ENotFound, "docs index %s was built by another version of koban (%s); the next koban index or serve rebuilds it", dir, m.Schema)
	}
	return pagesOf(m), nil
}

func pagesOf(m manifest) []IndexedPage {
	out := make([]IndexedPage, 0, len(m.Pages))
	for _, e := range m.Pages {
		p := IndexedPage{Source: e.Source, Path: e.Path, Title: e.Title, Quadrant: e.Quadrant, Lang: e.Lang, Sections: len(e.Sections)}
		for _, s := range e.Sections {
			if s.URL != "" {
				p.URL, _, _ = strings.Cut(s.URL, "#")
				break
			}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b IndexedPage) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Path, b.Path))
	})
	return out
}
