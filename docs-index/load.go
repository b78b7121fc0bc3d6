package docsindex

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/kobanhq/koban"
)

// MaxFileSize is the largest docs file Load reads; bigger files are skipped
// with a warning (they are generated dumps, not pages people read).
const MaxFileSize = 2 << 20

// maxSectionChars is the length above which a section is split at paragraph
// boundaries, so that one huge section does not swamp BM25 length
// normalisation or the answer.
const maxSectionChars = 4000

// maxHeadingsPerPage bounds the sections a page is cut into at its headings;
// headings past it stay in the text of the last section (which is then split
// by length). The largest pages of the Kubernetes docs have about 200
// headings; a generated page with 100,000 would otherwise become 100,000
// index documents and take about 1 GB to index.
const maxHeadingsPerPage = 1000

// maxPageChars bounds the text of a page that is indexed: indexing holds a
// page's analysed terms in memory (a section is indexed whole and in
// phrases, a page again as a whole), about 300 bytes of memory for each byte
// of text with many distinct words. The largest page of the Kubernetes docs
// (the metrics reference) has about 400 kB.
const maxPageChars = 512 << 10

// Page is one docs page, split into sections.
type Page struct {
	Source      string // the Source.Path it came from
	Path        string // relative to the source, with '/' separators
	Title       string
	Description string // front matter description and keywords, if any
	Quadrant    koban.Quadrant
	Lang        string
	URL         string   // BaseURL-based link to the page, or ""
	Hash        string   // content hash (file bytes plus source settings)
	Links       []string // the pages it links to, as link keys (see linkTargets)
	Anchors     []Anchor // its links with their texts (see pageAnchors)
	Sections    []Section
	// Truncated is set when the page's text went past maxPageChars and its
	// end was left out of Sections.
	Truncated bool
}

// Warning is a docs file that was skipped, and why.
type Warning struct {
	Path   string // the file, as found on disk
	Reason string
}

func (w Warning) String() string { return w.Path + ": " + w.Reason }

// markdownExt lists the file extensions Load treats as Markdown pages.
var markdownExt = map[string]bool{".md": true, ".markdown": true, ".mdx": true}

// Load walks src.Path and parses every Markdown file in it. Files it cannot
// use (unreadable, binary, not UTF-8, empty, too big, broken front matter,
// not a regular file, a link that leaves src.Path) are skipped with a
// Warning; drafts are skipped silently. Other files are ignored. See
// readDocsFile for what Load reads.
func Load(src Source, log *slog.Logger) ([]Page, []Warning) {
	return load(src, log, nil)
}

// load is Load that skips parsing files for which unchanged(rel, hash)
// reports true: it returns them as pages with only Source, Path and Hash set
// and Sections nil, so that an incremental update reads but does not parse
// the pages it already has.
func load(src Source, log *slog.Logger, unchanged func(rel, hash string) bool) ([]Page, []Warning) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var pages []Page
	var warns []Warning
	// A source may be a symbolic link (git-sync publishes each checkout
	// through one); WalkDir does not follow a link at its root. Warnings
	// name files under the source as configured.
	root := src.Path
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	shown := func(p string) string {
		if rel, err := filepath.Rel(root, p); err == nil {
			return filepath.Join(src.Path, rel)
		}
		return p
	}
	site, siteWarns := readSite(src, root)
	warns = append(warns, siteWarns...)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			warns = append(warns, Warning{Path: shown(p), Reason: "unreadable: " + err.Error()})
			if d != nil && d.IsDir() && p != root {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		if !markdownExt[strings.ToLower(filepath.Ext(name))] {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = name
		}
		rel = filepath.ToSlash(rel)
		data, err := readDocsFile(root, p, d)
		if err != nil {
			reason, ok := isSkip(err)
			if !ok {
				reason = "unreadable: " + err.Error()
			}
			warns = append(warns, Warning{Path: shown(p), Reason: reason})
			return nil
		}
		if unchanged != nil {
			if h := site.hash(hashPage(src, data)); unchanged(rel, h) {
				pages = append(pages, Page{Source: src.Path, Path: rel, Hash: h})
				return nil
			}
		}
		page, err := parsePage(src, rel, data, site.baseURL)
		switch {
		case err == errDraft:
			log.Debug("skipped draft", "path", p)
			return nil
		case err != nil:
			warns = append(warns, Warning{Path: shown(p), Reason: err.Error()})
			return nil
		}
		if !site.apply(&page, data) {
			return nil // outside the site's docs folder: not served
		}
		if page.Truncated {
			warns = append(warns, Warning{Path: shown(p), Reason: fmt.Sprintf("partly indexed: only its first %d kB of text, and the first %d kB of a block with no blank line", maxPageChars>>10, 4*maxSectionChars>>10)})
		}
		pages = append(pages, page)
		return nil
	})
	if err != nil {
		warns = append(warns, Warning{Path: src.Path, Reason: "unreadable: " + err.Error()})
	}
	for _, w := range warns {
		log.Warn("skipped docs file", "path", w.Path, "reason", w.Reason)
	}
	return pages, warns
}

// errDraft marks a page whose front matter says draft: true.
var errDraft = fmt.Errorf("draft")

// hashPage is the content hash that decides whether a page is re-indexed:
// the file and the source settings that change what is indexed.
func hashPage(src Source, data []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", src.Lang, src.BaseURL)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))[:32]
}
