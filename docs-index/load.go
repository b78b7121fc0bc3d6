package docsindex

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/textproc"
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
		page, err := ParsePage(src, rel, data)
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

// ParsePage parses one Markdown file at rel (relative to src.Path) into a
// Page. It returns an error saying why the file cannot be used.
func ParsePage(src Source, rel string, data []byte) (Page, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return Page{}, fmt.Errorf("binary file (contains NUL bytes)")
	}
	if !utf8.Valid(data) {
		return Page{}, fmt.Errorf("not UTF-8 text")
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\uFEFF")
	if strings.TrimSpace(text) == "" {
		return Page{}, fmt.Errorf("empty file")
	}
	fm, body, err := splitFrontMatter(text)
	if err != nil {
		return Page{}, err
	}
	if isTrue(fm["draft"]) {
		return Page{}, errDraft
	}
	p := Page{
		Source: src.Path,
		Path:   rel,
		Hash:   hashPage(src, data),
		Title:  cleanInline(str(fm["title"])),
	}
	var desc []string
	for _, k := range []string{"description", "summary", "keywords", "tags"} {
		if s := flatten(fm[k]); s != "" {
			desc = append(desc, cleanInline(s))
		}
	}
	p.Description = strings.Join(desc, " ")

	p.Links = linkTargets(rel, body)
	body = stripSiteSyntax(body)
	secs, h1 := splitSections(body)
	if p.Title == "" {
		p.Title = h1
	}
	if p.Title == "" {
		base := path.Base(rel)
		base = strings.TrimSuffix(base, path.Ext(base))
		if base == "_index" || base == "index" {
			if d := path.Base(path.Dir(rel)); d != "." && d != "/" {
				base = d
			}
		}
		p.Title = strings.ReplaceAll(base, "-", " ")
	}
	p.Lang = src.Lang
	if p.Lang == "" {
		p.Lang = str(fm["lang"])
	}
	if p.Lang == "" {
		p.Lang = DetectLang(body)
	}
	p.Quadrant = quadrantOf(fm, rel, p.Title, body)
	p.URL = pageURL(src.BaseURL, rel)

	// Empty pages (front matter only, e.g. section landing pages) still
	// get one section so that their title is searchable.
	if len(secs) == 0 {
		secs = []rawSection{{}}
	}
	slugs := newSlugger()
	var stack []string // headings above the current one, by level
	chars := 0         // text in the sections so far
	for _, s := range secs {
		anchor := ""
		if s.level > 0 {
			anchor = slugs.slug(s.heading, s.customID)
		}
		// Breadcrumb: title > h2 > h3 ...; an H1 is the page title itself.
		crumb := []string{p.Title}
		if s.level > 1 {
			for len(stack) < s.level-1 {
				stack = append(stack, "")
			}
			stack = append(stack[:s.level-1], s.heading)
			for _, h := range stack[1:] {
				if h != "" {
					crumb = append(crumb, h)
				}
			}
		} else if s.level == 1 {
			stack = stack[:0]
			stack = append(stack, s.heading)
			if s.heading != p.Title && s.heading != "" {
				crumb = append(crumb, s.heading)
			}
		}
		parts, cut := splitLong(s.text, maxSectionChars)
		p.Truncated = p.Truncated || cut
		for i, part := range parts {
			if chars += len(part); chars > maxPageChars {
				p.Truncated = true
				break
			}
			id := rel + "#" + anchor
			if i > 0 {
				id += fmt.Sprintf("~%d", i)
			}
			sec := Section{
				ID:         id,
				Path:       rel,
				Title:      p.Title,
				Heading:    s.heading,
				Breadcrumb: strings.Join(crumb, " > "),
				Anchor:     anchor,
				URL:        p.URL,
				Quadrant:   p.Quadrant,
				Lang:       p.Lang,
				Text:       strings.TrimSpace(part),
			}
			if p.URL != "" && anchor != "" {
				sec.URL = p.URL + "#" + anchor
			}
			p.Sections = append(p.Sections, sec)
		}
	}
	return p, nil
}

// pageURL is the page's link on the docs site: BaseURL joined with the path
// without its extension ("_index"/"index" name the folder).
func pageURL(base, rel string) string {
	if base == "" {
		return ""
	}
	p := strings.TrimSuffix(rel, path.Ext(rel))
	switch path.Base(p) {
	case "_index", "index":
		p = path.Dir(p)
		if p == "." {
			p = ""
		}
	}
	if p != "" {
		p += "/"
	}
	return strings.TrimSuffix(base, "/") + "/" + p
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case nil:
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func flatten(v any) string {
	switch v := v.(type) {
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, flatten(x))
		}
		return strings.Join(parts, " ")
	case map[string]any:
		return ""
	}
	return str(v)
}

func isTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// splitFrontMatter separates YAML (---) or TOML (+++) front matter from the
// body. It is a plain split rather than a Markdown extension so that a page
// with broken front matter can be reported by name and skipped while the
// body parser stays a simple line scanner.
func splitFrontMatter(text string) (map[string]any, string, error) {
	var delim string
	switch {
	case strings.HasPrefix(text, "---\n"), strings.HasPrefix(text, "--- \n"):
		delim = "---"
	case strings.HasPrefix(text, "+++\n"):
		delim = "+++"
	default:
		return map[string]any{}, text, nil
	}
	_, rest, _ := strings.Cut(text, "\n")
	var fmText, body string
	found := false
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		next := len(rest) + 1
		if end >= 0 {
			line = rest[off : off+end]
			next = off + end + 1
		}
		t := strings.TrimRight(line, " \t")
		if t == delim || (delim == "---" && t == "...") {
			fmText = rest[:off]
			if next <= len(rest) {
				body = rest[next:]
			}
			found = true
			break
		}
		off = next
	}
	if !found {
		return nil, "", fmt.Errorf("broken front matter: no closing %s", delim)
	}
	fm := map[string]any{}
	var err error
	if delim == "+++" {
		_, err = toml.Decode(fmText, &fm)
	} else {
		err = yaml.Unmarshal([]byte(fmText), &fm)
	}
	if err != nil {
		return nil, "", fmt.Errorf("broken front matter: %s", firstLine(err.Error()))
	}
	if fm == nil {
		fm = map[string]any{}
	}
	return fm, body, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

var (
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	// shortcode matches one Hugo shortcode tag, paired or not.
	shortcode = regexp.MustCompile(`\{\{[<%]-?\s*(/?)\s*([A-Za-z0-9_./-]*)((?:[^}]|\}[^}])*?)-?[>%]\}\}`)
	textAttr  = regexp.MustCompile(`\b(?:text|title|term)\s*=\s*"([^"]*)"`)
	firstArg  = regexp.MustCompile(`^\s*"([^"]*)"`)
	// jsxTag matches an MDX/JSX component tag (<Tabs>, </TabItem>, <Foo bar="1" />).
	jsxTag = regexp.MustCompile(`</?[A-Z][A-Za-z0-9.]*(?:\s[^<>]*)?/?>`)
	// htmlTag matches common HTML markup docs embed in Markdown.
	htmlTag     = regexp.MustCompile(`(?i)</?(?:div|span|p|br|hr|img|a|b|i|em|strong|code|pre|table|thead|tbody|tr|td|th|ul|ol|li|details|summary|sup|sub|center|font|iframe|section|figure|figcaption|h[1-6])(?:\s[^<>]*)?/?>`)
	mdxImport   = regexp.MustCompile(`^(?:import\s.+\sfrom\s+['"].+['"];?|import\s+['"].+['"];?|export\s+(?:default\s+|const\s+|function\s+|let\s+).*)$`)
	ghAlert     = regexp.MustCompile(`^(\s*>\s*)\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*(.*)$`)
	mkdocsAdm   = regexp.MustCompile(`^(?:!!!|\?\?\?\+?)\s*[A-Za-z-]+(?:\s+"([^"]*)")?\s*$`)
	docusaurAdm = regexp.MustCompile(`^\s*:::\s*([A-Za-z-]*)\s*(.*)$`)
)

// stripSiteSyntax removes what static site generators add to Markdown:
// HTML comments, Hugo shortcodes (keeping the prose between paired tags and
// the text="…" of inline ones), MDX import/export lines and JSX tags, and
// admonition markers. Fenced code is left alone.
func stripSiteSyntax(body string) string {
	body = htmlComment.ReplaceAllString(body, "")
	lines := strings.Split(body, "\n")
	out := lines[:0]
	var fence string
	for _, line := range lines {
		trim := strings.TrimSpace(line)
		if fence != "" {
			out = append(out, line)
			if textproc.FenceCloses(trim, fence) {
				fence = ""
			}
			continue
		}
		if f := textproc.FenceOpen(trim); f != "" {
			fence = f
			out = append(out, line)
			continue
		}
		line = replaceShortcodes(line)
		if mdxImport.MatchString(strings.TrimSpace(line)) {
			continue
		}
		line = jsxTag.ReplaceAllString(line, "")
		line = htmlTag.ReplaceAllString(line, " ")
		if m := ghAlert.FindStringSubmatch(line); m != nil {
			line = m[1] + m[2]
		}
		if m := mkdocsAdm.FindStringSubmatch(line); m != nil {
			line = m[1]
		} else if m := docusaurAdm.FindStringSubmatch(line); m != nil {
			line = m[2]
		}
		// MkDocs admonition bodies are indented four spaces; as plain text
		// they would read as code to a later Markdown pass.
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(strings.TrimSpace(line), "-") {
			line = strings.TrimLeft(line, " ")
		}
		if strings.TrimSpace(line) == "" && strings.TrimSpace(trim) != "" {
			line = ""
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func replaceShortcodes(line string) string {
	if !strings.Contains(line, "{{") {
		return line
	}
	return shortcode.ReplaceAllStringFunc(line, func(s string) string {
		m := shortcode.FindStringSubmatch(s)
		if m[1] == "/" {
			return ""
		}
		name, args := m[2], m[3]
		if a := textAttr.FindStringSubmatch(args); a != nil {
			return a[1]
		}
		if name == "heading" {
			if a := firstArg.FindStringSubmatch(args); a != nil {
				return headingNames[a[1]]
			}
		}
		return ""
	})
}

// headingNames are the texts Hugo's Kubernetes-style {{% heading "x" %}}
// shortcode renders.
var headingNames = map[string]string{
	"prerequisites":  "Before you begin",
	"whatsnext":      "What's next",
	"objectives":     "Objectives",
	"cleanup":        "Cleaning up",
	"synopsis":       "Synopsis",
	"options":        "Options",
	"seealso":        "See also",
	"options-parent": "Options inherited from parent commands",
}

// rawSection is a section before it gets its anchor and breadcrumb.
type rawSection struct {
	level    int // 0 for text before the first heading
	heading  string
	customID string
	text     string
}

var (
	atxHeading = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	customID   = regexp.MustCompile(`\s*\{#([^}\s]+)\}\s*$`)
)

// splitSections cuts the body at ATX headings outside fenced code. It also
// returns the first H1's text.
func splitSections(body string) ([]rawSection, string) {
	var secs []rawSection
	cur := rawSection{}
	var buf strings.Builder
	var fence, h1 string
	flush := func() {
		cur.text = buf.String()
		if cur.level > 0 || strings.TrimSpace(cur.text) != "" {
			secs = append(secs, cur)
		}
		buf.Reset()
	}
	for _, line := range strings.Split(body, "\n") {
		trim := strings.TrimSpace(line)
		if fence != "" {
			if textproc.FenceCloses(trim, fence) {
				fence = ""
			}
			buf.WriteString(line + "\n")
			continue
		}
		if f := textproc.FenceOpen(trim); f != "" {
			fence = f
			buf.WriteString(line + "\n")
			continue
		}
		if m := atxHeading.FindStringSubmatch(line); m != nil && len(secs) < maxHeadingsPerPage {
			flush()
			text := m[2]
			id := ""
			if c := customID.FindStringSubmatch(text); c != nil {
				id = c[1]
				text = text[:len(text)-len(c[0])]
			}
			text = cleanInline(text)
			cur = rawSection{level: len(m[1]), heading: text, customID: id}
			if cur.level == 1 && h1 == "" {
				h1 = text
			}
			continue
		}
		buf.WriteString(line + "\n")
	}
	flush()
	return secs, h1
}

var (
	mdLink   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdRefLnk = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	mdEmph   = regexp.MustCompile("[*`]+")
)

// cleanInline reduces inline Markdown (links, emphasis, code spans) to text.
func cleanInline(s string) string {
	s = replaceShortcodes(s)
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLnk.ReplaceAllString(s, "$1")
	s = jsxTag.ReplaceAllString(s, "")
	s = htmlTag.ReplaceAllString(s, "")
	s = mdEmph.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

// splitLong splits text longer than max at blank lines outside code fences.
// A block that runs on past max*4 bytes with no blank line (a huge code
// block or table, a generated page) keeps its beginning, and a code block
// its closing fence; the lines between are not indexed (an answer links to
// the full section), so no section grows unbounded. cut says whether lines
// were left out.
func splitLong(text string, max int) (parts []string, cut bool) {
	if len(text) <= max {
		return []string{text}, false
	}
	var cur strings.Builder
	var fence string
	skipping := false
	for _, line := range strings.SplitAfter(text, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case textproc.FenceCloses(trim, fence):
			fence, skipping = "", false
		case fence != "":
			if skipping || cur.Len() >= max*4 {
				skipping, cut = true, true
				continue
			}
		case skipping && trim != "":
			continue
		case cur.Len() >= max*4 && trim != "":
			skipping, cut = true, true
			continue
		default:
			skipping = false
			if f := textproc.FenceOpen(trim); f != "" {
				fence = f
			} else if trim == "" && cur.Len() >= max*3/4 {
				parts = append(parts, cur.String())
				cur.Reset()
				continue
			}
		}
		cur.WriteString(line)
	}
	if strings.TrimSpace(cur.String()) != "" || len(parts) == 0 {
		parts = append(parts, cur.String())
	}
	return parts, cut
}

// slugger makes heading anchors the way Hugo and GitHub do: lower case,
// spaces to '-', punctuation dropped, letters of any script kept, duplicates
// numbered -1, -2. Goldmark's own IDs drop non-ASCII letters, which would
// break deep links into Japanese pages.
type slugger struct{ seen map[string]int }

func newSlugger() *slugger { return &slugger{seen: map[string]int{}} }

// Slug returns the anchor for a heading as Hugo and GitHub write it.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_', unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		case r == ' ' || r == '\t':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func (s *slugger) slug(heading, custom string) string {
	base := custom
	if base == "" {
		base = Slug(heading)
	}
	if base == "" {
		base = "section"
	}
	n, dup := s.seen[base]
	s.seen[base] = n + 1
	if !dup {
		return base
	}
	for {
		cand := fmt.Sprintf("%s-%d", base, n)
		if _, taken := s.seen[cand]; !taken {
			s.seen[cand] = 1
			return cand
		}
		n++
		s.seen[base] = n + 1
	}
}

// DetectLang guesses "ja" or "en" from the share of kana and kanji among
// the letters of s, ignoring fenced code (textproc.Lang); "en" when s has no
// letters.
func DetectLang(s string) string { return cmp.Or(textproc.Lang(s), "en") }

var howToTitle = regexp.MustCompile(`(?i)^(how to|how-to|configure|install|set up|setting up|create|creating|deploy|deploying|use|using|enable|manage|migrate|upgrade|troubleshoot)\b`)

// quadrantOf decides the page's Diátaxis quadrant: front matter first, then
// the path, then cues in the content.
func quadrantOf(fm map[string]any, rel, title, body string) koban.Quadrant {
	for _, k := range []string{"diataxis", "type", "content_type"} {
		if s := str(fm[k]); s != "" {
			if q, err := koban.ParseQuadrant(s); err == nil && q != koban.Unknown {
				return q
			}
			switch strings.ToLower(s) {
			case "api_reference", "tool-reference", "feature_gate", "glossary":
				return koban.Reference
			}
		}
	}
	for _, seg := range strings.Split(strings.ToLower(rel), "/") {
		switch seg {
		case "tutorials", "tutorial", "getting-started":
			return koban.Tutorial
		case "how-to", "howto", "how-tos", "tasks", "guides", "setup":
			return koban.HowTo
		case "reference", "references", "api":
			return koban.Reference
		case "explanation", "explanations", "concepts", "concept":
			return koban.Explanation
		}
	}
	lower := strings.ToLower(body)
	switch {
	case howToTitle.MatchString(title), strings.Contains(lower, "## before you begin"), strings.Contains(lower, "## prerequisites"), strings.Contains(lower, "## steps"):
		return koban.HowTo
	case strings.Contains(lower, "in this tutorial"), strings.Contains(lower, "## objectives"):
		return koban.Tutorial
	}
	return koban.Unknown
}

var (
	mdLinkTarget = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)`)
	hrefTarget   = regexp.MustCompile(`href="([^"]+)"`)
	refTarget    = regexp.MustCompile(`\{\{[<%]\s*(?:rel)?ref\s+"([^"]+)"`)
)

// linkTargets lists the link keys of the links in a page's Markdown: each
// link resolved against the page (both as a file and, as Hugo serves it, as
// a folder), without anchor, extension or index file name. Which keys name
// a page is settled when all pages are known.
func linkTargets(rel, body string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && k != "." && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var targets []string
	for _, re := range []*regexp.Regexp{mdLinkTarget, hrefTarget, refTarget} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			targets = append(targets, m[1])
		}
	}
	for _, t := range targets {
		if i := strings.IndexAny(t, "#?"); i >= 0 {
			t = t[:i]
		}
		if t == "" || strings.HasPrefix(t, "mailto:") {
			continue
		}
		if u, err := url.Parse(t); err == nil && u.Scheme != "" {
			if u.Scheme != "http" && u.Scheme != "https" {
				continue
			}
			t = u.Path
		}
		if strings.HasPrefix(t, "/") {
			add(pageKeyOf(strings.TrimPrefix(t, "/")))
			continue
		}
		add(pageKeyOf(path.Join(path.Dir(rel), t)))
		add(pageKeyOf(path.Join(pageKeyOf(rel), t)))
	}
	return out
}

// pageKeyOf is the link key of a page path: no extension, no index file.
func pageKeyOf(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	switch ext := path.Ext(p); ext {
	case ".md", ".mdx", ".markdown", ".html", ".htm":
		p = strings.TrimSuffix(p, ext)
	}
	switch path.Base(p) {
	case "_index", "index", "README":
		p = path.Dir(p)
	}
	if p == "." {
		return ""
	}
	return p
}

// countInlinks returns, for each page key of a source, how many other pages
// of the source link to it. Absolute links may carry a site prefix ("docs/",
// "ja/docs/"): up to two leading folders are tried away.
func countInlinks(pages map[string][]string) map[string]int {
	counts := map[string]int{}
	for from, links := range pages {
		hit := map[string]bool{}
		for _, l := range links {
			k := l
			for i := 0; i < 3 && k != ""; i++ {
				if _, ok := pages[k]; ok {
					break
				}
				_, rest, found := strings.Cut(k, "/")
				if !found {
					k = ""
					break
				}
				k = rest
			}
			if _, ok := pages[k]; ok && k != from && !hit[k] {
				hit[k] = true
				counts[k]++
			}
		}
	}
	return counts
}
