package docsindex

import "github.com/kobanhq/koban"

// Quadrant returns the Diátaxis quadrant the index gave the page at path
// when it loaded it (from its front matter, its path or its content), or,
// for a page the index does not hold (one removed since it was cited), the
// quadrant its path alone says. The monthly report sorts docs gaps and
// cited pages by it, so that the report and the answers agree. It is safe
// for concurrent use.
func (ix *Index) Quadrant(path string) koban.Quadrant {
	secs, err := ix.Page(path)
	if err != nil || len(secs) == 0 {
		return QuadrantOfPath(path)
	}
	return secs[0].Quadrant
}

// QuadrantOfPath is the quadrant a page's path says, by the folder names
// the index reads ("how-to", "tasks", "concepts", …): what the index gives
// a page whose front matter and content say nothing.
func QuadrantOfPath(path string) koban.Quadrant { return quadrantOf(nil, path, "", "") }
