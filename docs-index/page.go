package docsindex

import "github.com/kobanhq/koban"

// PageSections returns the sections of the page at path in the source at
// source (a Source.Path, as Hit.Source gives it), in page order, so that an
// answer can quote the section that answers rather than the one that
// matched best. It returns a koban.ENotFound error when the index has no
// such page; the sections are copies.
func (ix *Index) PageSections(source, path string) ([]Section, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	p := ix.manifest.Pages[pageKey(source, path)]
	if p == nil {
		return nil, koban.Errorf(koban.ENotFound, "no docs page %s in %s", path, source)
	}
	return append([]Section(nil), p.Sections...), nil
}
