package docsindex

import (
	"regexp"
	"strings"

	"github.com/kobanhq/koban/internal/textproc"
)

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
