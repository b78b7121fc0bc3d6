package docsindex

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Link styles: how a docs site serves the page of a file such as
// "guides/db.md" (Source.LinkStyle, or what the site generator's own
// configuration says).
const (
	LinkDirectory = "directory" // /guides/db/ (Hugo, MkDocs with use_directory_urls)
	LinkHTML      = "html"      // /guides/db.html (MkDocs without use_directory_urls, Middleman, Jekyll)
	LinkSource    = "source"    // /guides/db.md (a repository browser)
	LinkPlain     = "plain"     // /guides/db (Docusaurus)
)

// LinkStyles lists the valid Source.LinkStyle values; "" means directory,
// unless the site generator's configuration says otherwise.
var LinkStyles = []string{LinkDirectory, LinkHTML, LinkSource, LinkPlain}

// site is what a source's site generator (MkDocs, Docusaurus) says about
// its pages: the titles and sections of its navigation and the URL it
// serves each page at. Front matter that Docusaurus and Hugo read (slug,
// id, sidebar_label, linkTitle, url) is honoured in every source. A nil
// *site is a plain folder of Markdown.
type site struct {
	kind    string // "mkdocs", "docusaurus" or "" (front matter only)
	prefix  string // the docs folder within the source ("docs/"), when the source is the site's root
	baseURL string // Source.BaseURL, else the site's own (MkDocs site_url)
	style   string // one of LinkStyles
	nav     map[string]navEntry
	// categories are Docusaurus folders' labels (_category_.json), by
	// folder: the breadcrumb of pages no sidebar names.
	categories map[string]string
	// key is a hash of the settings above: part of every page's hash, so
	// that a changed navigation re-indexes the source's pages.
	key string
}

// navEntry is a page's place in its site's navigation.
type navEntry struct {
	title    string   // the navigation's title for the page; "" to keep the page's own
	sections []string // the sections above it, outermost first
}

// readSite reads the site generator configuration of src, whose folder on
// disk is root. Problems with the configuration are warnings naming its
// file: the pages are still read, by their front matter.
func readSite(src Source, root string) (*site, []Warning) {
	var s *site
	var warns []Warning
	if cfg, dir := findFile(root, "mkdocs.yml", "mkdocs.yaml"); cfg != "" {
		s, warns = readMkDocs(cfg, dir, root)
	} else if cfg, dir := findFile(root, "sidebars.json", "sidebars.js", "docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs"); cfg != "" {
		s, warns = readDocusaurus(dir, root)
	}
	warns = joinWarnings(warns)
	if s == nil {
		s = &site{}
	}
	if s.baseURL == "" || src.BaseURL != "" {
		s.baseURL = src.BaseURL
	}
	if s.style == "" {
		s.style = src.LinkStyle
	}
	if s.style == "" && s.kind == "docusaurus" {
		s.style = LinkPlain // Docusaurus without trailingSlash links /path
	}
	if s.kind == "" && src.LinkStyle == "" {
		// A plain folder: pages link as they always have.
		return s, warns
	}
	if s.style == "" {
		s.style = LinkDirectory
	}
	h := sha256.New()
	cats := map[string]navEntry{}
	for dir, label := range s.categories {
		cats[dir] = navEntry{title: label}
	}
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s", s.kind, s.prefix, s.baseURL, s.style, navDigest(s.nav), navDigest(cats))
	s.key = hex.EncodeToString(h.Sum(nil))[:16]
	return s, warns
}

// navDigest is a digest of a navigation that does not depend on the
// order of the map.
func navDigest(nav map[string]navEntry) string {
	var sum [sha256.Size]byte
	for k, e := range nav {
		one := sha256.Sum256([]byte(k + "\x00" + e.title + "\x00" + strings.Join(e.sections, "\x01")))
		for i := range sum {
			sum[i] ^= one[i]
		}
	}
	return hex.EncodeToString(sum[:8])
}

// findFile looks for one of names in root, then in its parent, and returns
// the file and the folder it is in. Links are not followed: a site's
// configuration is a file of the site.
func findFile(root string, names ...string) (file, dir string) {
	for _, d := range []string{root, filepath.Dir(root)} {
		for _, n := range names {
			p := filepath.Join(d, n)
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
				return p, d
			}
		}
	}
	return "", ""
}

// maxConfigSize bounds a site configuration file koban reads.
const maxConfigSize = 1 << 20

// readConfigFile reads a site configuration file: a regular file (not a
// link) of at most maxConfigSize bytes.
func readConfigFile(p string) ([]byte, error) {
	fi, err := os.Lstat(p)
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", filepath.Base(p))
	case fi.Size() > maxConfigSize:
		return nil, fmt.Errorf("%s is too big (%d bytes, limit %d)", filepath.Base(p), fi.Size(), maxConfigSize)
	}
	return os.ReadFile(p)
}

// hash is the page hash of a file of the site: the file's own hash with
// the site's settings in it. The "site/1" salt re-indexes, once, pages
// indexed before front matter such as linkTitle and slug was read.
func (s *site) hash(fileHash string) string {
	h := sha256.Sum256([]byte(fileHash + "\x00site/1\x00" + s.key))
	return hex.EncodeToString(h[:])[:32]
}

// apply gives a parsed page what its site says about it: the navigation's
// title and sections, the labels that name it, and the URL the site
// serves. It reports false for a file the site does not serve (outside
// its docs folder). data is the file, for its front matter.
func (s *site) apply(p *Page, data []byte) bool {
	if !strings.HasPrefix(p.Path, s.prefix) {
		return false
	}
	siteRel := strings.TrimPrefix(p.Path, s.prefix)
	fm := pageFrontMatter(data)
	entry, named := s.nav[s.navKey(siteRel, fm)]
	if !named && s.kind == "docusaurus" {
		entry.sections = s.categoryPath(siteRel)
	}
	var labels []string
	for _, l := range []string{entry.title, str(fm["sidebar_label"]), str(fm["linkTitle"])} {
		if l = cleanInline(l); l != "" {
			labels = append(labels, l)
		}
	}
	oldTitle := p.Title
	_, hasTitle := fm["title"]
	switch {
	case s.kind == "mkdocs" && entry.title != "":
		// MkDocs titles a page by its nav entry above all else.
		p.Title = cleanInline(entry.title)
	case !hasTitle && len(labels) > 0:
		p.Title = labels[0]
	}
	// Navigation labels and sections name the page too: searchable.
	var extra []string
	for _, l := range append(labels, entry.sections...) {
		if l != p.Title && !strings.Contains(p.Description, l) && !slices.Contains(extra, l) {
			extra = append(extra, l)
		}
	}
	if len(extra) > 0 {
		p.Description = strings.TrimSpace(p.Description + " " + strings.Join(extra, " "))
	}
	if u, ok := s.pageURL(siteRel, fm); ok {
		p.URL = u
	}
	crumb := strings.Join(append(slices.Clone(entry.sections), p.Title), " > ")
	for i := range p.Sections {
		sec := &p.Sections[i]
		sec.Title = p.Title
		sec.Breadcrumb = crumb + strings.TrimPrefix(sec.Breadcrumb, oldTitle)
		sec.URL = p.URL
		if p.URL != "" && sec.Anchor != "" {
			sec.URL = p.URL + "#" + sec.Anchor
		}
	}
	p.Hash = s.hash(p.Hash)
	return true
}

// pageFrontMatter is a page's front matter; ParsePage has already
// reported a broken one, so errors are an empty map here.
func pageFrontMatter(data []byte) map[string]any {
	text := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\uFEFF")
	fm, _, err := splitFrontMatter(text)
	if err != nil || fm == nil {
		return map[string]any{}
	}
	return fm
}

// navKey is the key of a page in s.nav: its path for MkDocs, its document
// ID for Docusaurus.
func (s *site) navKey(siteRel string, fm map[string]any) string {
	if s.kind == "docusaurus" {
		return docusaurusID(siteRel, fm)
	}
	return siteRel
}

// pageURL is the URL the site serves a page at, and false when the page
// gets none (no base URL) or the plain folder rule applies unchanged.
func (s *site) pageURL(siteRel string, fm map[string]any) (string, bool) {
	// Hugo's url, or an absolute URL, names the page outright.
	if u := str(fm["url"]); u != "" && s.kind != "mkdocs" {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			return u, true
		}
		if s.baseURL == "" {
			return "", true
		}
		return joinURL(s.baseURL, strings.TrimPrefix(u, "/")), true
	}
	style := s.style
	if style == "" {
		style = LinkDirectory
	}
	// Docusaurus and Hugo slugs: "/x" from the docs root, "x" in place of
	// the file's name.
	if slug := str(fm["slug"]); slug != "" && s.kind != "mkdocs" {
		if s.baseURL == "" {
			return "", true
		}
		p := strings.Trim(slug, "/")
		if !strings.HasPrefix(slug, "/") {
			p = path.Join(path.Dir(sitePath(siteRel, s.kind)), p)
		}
		return joinURL(s.baseURL, styled(strings.Trim(path.Clean("/"+p), "/"), "", style, s.kind)), true
	}
	if s.key == "" {
		return "", false // a plain folder: ParsePage's link stands
	}
	if s.baseURL == "" {
		return "", true
	}
	p := sitePath(siteRel, s.kind)
	if s.kind == "docusaurus" {
		if id := str(fm["id"]); id != "" && !isIndexName(path.Base(p), s.kind) {
			p = path.Join(path.Dir(p), id)
		}
	}
	return joinURL(s.baseURL, styled(p, siteRel, style, s.kind)), true
}

// numberPrefix is the ordering prefix Docusaurus strips from file and
// folder names ("01-intro.md" is served as "intro").
var numberPrefix = regexp.MustCompile(`^\d+[-_.]\s*`)

// sitePath is a file's path as its site serves it, without extension:
// for Docusaurus, with number prefixes stripped.
func sitePath(siteRel, kind string) string {
	p := strings.TrimSuffix(siteRel, path.Ext(siteRel))
	if kind != "docusaurus" {
		return p
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if stripped := numberPrefix.ReplaceAllString(part, ""); stripped != "" {
			parts[i] = stripped
		}
	}
	return strings.Join(parts, "/")
}

// isIndexName says whether a file name (without extension) names its
// folder's page: index and _index everywhere, README on MkDocs and
// Docusaurus.
func isIndexName(base, kind string) bool {
	switch base {
	case "index", "_index":
		return true
	case "README", "readme":
		return kind != ""
	}
	return false
}

// styled is the URL path of page path p (no extension) in a link style;
// file is the page's file path, for the source style.
func styled(p, file, style, kind string) string {
	dir, base := path.Dir(p), path.Base(p)
	index := isIndexName(base, kind)
	if index {
		p = dir
		if p == "." {
			p = ""
		}
	}
	switch style {
	case LinkHTML:
		if index {
			return strings.TrimPrefix(p+"/index.html", "/")
		}
		return p + ".html"
	case LinkSource:
		if file != "" {
			return file
		}
		return p + ".md"
	case LinkPlain:
		return p
	}
	if p == "" {
		return ""
	}
	return p + "/"
}

func joinURL(base, p string) string {
	return strings.TrimSuffix(base, "/") + "/" + p
}

// joinWarnings makes one warning of those about the same file, so that
// a file is reported once per change (the refresher remembers one reason
// per file).
func joinWarnings(warns []Warning) []Warning {
	var out []Warning
	at := map[string]int{}
	for _, w := range warns {
		if i, ok := at[w.Path]; ok {
			out[i].Reason += "; " + w.Reason
			continue
		}
		at[w.Path] = len(out)
		out = append(out, w)
	}
	return out
}
