// Package docsindex loads platform docs (Markdown with front matter, as MkDocs,
// Docusaurus and Hugo write it), splits them into sections at headings, and
// ranks them for a question with BM25, in English and Japanese. The folder is
// docs-index/, but a hyphen cannot be part of a Go package name, so the
// package is docsindex.
//
// The index is derived data: Update rebuilds it from the sources, re-indexing
// only pages whose content hash changed (and, of the others, the page
// document of each whose anchor text, the texts of the links to it, changed),
// and a manifest records what it was built from (source, page, hash, schema
// version) with every section's text and every page's links.
// The search index is koban's own: an inverted index in memory, built from
// the manifest's sections with bleve's analyzers (English stemming, kagome
// for Japanese, word pairs) and saved beside the manifest so that an index
// reopens without analysing its pages again. Its statistics (document
// counts, average field lengths, document frequencies) depend only on the
// pages indexed. Ranking questions into answers is left to package
// knowledge.
//
// Files by concern: walk.go and load.go walk a source; frontmatter.go,
// markdown.go, parse.go, slug.go, links.go and anchors.go read a page
// (anchors.go also gathers each page's anchor text from the others); site.go,
// mkdocs.go and docusaurus.go apply a site generator's configuration;
// git.go clones and pulls git sources; index.go opens and closes an index;
// update.go brings it in line with its sources (refresh.go on a timer);
// fields.go analyses pages into fields (ident.go keeps identifiers such as
// API versions and flags whole in a field of their own); postings.go holds
// the inverted index and postings_file.go saves it; score.go and search.go
// rank, and search.go also gives a word's inverse document frequency
// (WordIDF) for weighing page names.
//
// Pages are read with a plain front-matter split (YAML "---" or TOML "+++")
// and a line scanner for headings and fenced code rather than a full Markdown
// AST: site syntax (Hugo shortcodes, MDX, admonitions) has to be stripped
// from the raw text anyway, a page with broken front matter must be skipped
// by name, and the index needs text, not HTML.
package docsindex

import (
	"time"

	"github.com/kobanhq/koban"
)

// Source is one folder of docs.
type Source struct {
	Path    string // folder on disk
	Lang    string // "en", "ja", or "" to detect per page
	BaseURL string // links are BaseURL + page URL path + "#" + anchor; may be empty
	// LinkStyle is how the docs site serves a page's file (one of
	// LinkStyles) where no site generator configuration says; "" is
	// directory.
	LinkStyle string
}

// Section is one chunk of a page: the text under one heading (or a part of a
// very long one), with where it sits in the page.
type Section struct {
	ID         string // stable: source-relative path + "#" + anchor (+ "~n" for split parts)
	Source     string // the Source.Path the page came from
	Path       string // page path relative to its source, with '/' separators
	Title      string // page title
	Heading    string // the section's own heading; "" for the text before the first heading
	Breadcrumb string // "Page title > Section > Subsection"
	Anchor     string // deep-link anchor, as the docs site slugs the heading
	URL        string // BaseURL-based link with anchor, or ""
	Quadrant   koban.Quadrant
	Lang       string
	Text       string // plain text: site syntax stripped
}

// Hit is a Section with its score for a query.
type Hit struct {
	Section
	Score     float64 // the section's own score; 0 when only its page matched
	PageScore float64 // the score of its page as a whole (title, path, outline)
	PageChars int     // length of its page's text, in bytes
	// PageInlinks is how many other pages of its source link to its page:
	// canonical pages are linked from many others.
	PageInlinks int
	// Fields holds the per-field BM25 scores Score and PageScore combine,
	// keyed by the Field* names.
	Fields map[string]float64
}

// Query is a search over the index.
type Query struct {
	Text string
	Lang string // restrict to one language; "" for all
	// Size is how many sections, and how many pages, are ranked before
	// they are joined; 0 means 10.
	Size int
	// Weights combine per-field scores (keys: the Field* names); nil means
	// DefaultWeights. Fields missing from Weights are not searched; those
	// with weight 0 are (their scores are in Hit.Fields) but do not count
	// in Score.
	Weights map[string]float64
	// TermWeight weighs a term of the query in a field from how many
	// times the query has it and its idf in the index; nil means
	// times × idf (see scoreField).
	TermWeight func(times int, idf float64) float64
}

// Stats says what an Update did.
type Stats struct {
	Documents int // pages in the index after the update
	Sections  int // sections in the index after the update
	Added     int // pages indexed for the first time
	Changed   int // pages re-indexed because their content changed
	Removed   int // pages dropped because their file is gone
	// Relinked counts the unchanged pages indexed again because the links
	// to them from other pages changed (and with them their anchor text).
	Relinked int
	Skipped  int // files skipped with a warning
	Took     time.Duration
}
