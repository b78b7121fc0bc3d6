package docsindex

import (
	"bytes"
	"cmp"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/textproc"
)

// ParsePage parses one Markdown file at rel (relative to src.Path) into a
// Page. It returns an error saying why the file cannot be used.
func ParsePage(src Source, rel string, data []byte) (Page, error) {
	return parsePage(src, rel, data, src.BaseURL)
}

// parsePage is ParsePage with the docs site's base URL (src.BaseURL, or
// what the site's configuration says), whose host is the one absolute
// links count to.
func parsePage(src Source, rel string, data []byte, baseURL string) (Page, error) {
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

	site := siteHost(baseURL)
	p.Links = linkTargets(rel, body, site)
	p.Anchors = pageAnchors(rel, body, site)
	body = stripSiteSyntax(body)
	secs, h1 := splitSections(body)
	if p.Title == "" {
		p.Title = cmp.Or(h1, titleFromPath(rel))
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

	p.Sections, p.Truncated = pageSections(&p, secs)
	return p, nil
}

// titleFromPath is the title of a page that names none: its file name, or
// its folder's for an index page, with dashes as spaces.
func titleFromPath(rel string) string {
	base := path.Base(rel)
	base = strings.TrimSuffix(base, path.Ext(base))
	if base == "_index" || base == "index" {
		if d := path.Base(path.Dir(rel)); d != "." && d != "/" {
			base = d
		}
	}
	return strings.ReplaceAll(base, "-", " ")
}

// pageSections makes p's sections of its raw sections: anchors, breadcrumbs
// and links, long sections split, and the page's text bounded by
// maxPageChars. truncated says whether text was left out.
func pageSections(p *Page, secs []rawSection) (out []Section, truncated bool) {
	rel := p.Path
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
		truncated = truncated || cut
		for i, part := range parts {
			if chars += len(part); chars > maxPageChars {
				truncated = true
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
			out = append(out, sec)
		}
	}
	return out, truncated
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

// DetectLang guesses "ja" or "en" from the share of kana and kanji among
// the letters of s, ignoring fenced code (textproc.Lang); "en" when s has no
// letters.
func DetectLang(s string) string { return cmp.Or(textproc.Lang(s), "en") }
