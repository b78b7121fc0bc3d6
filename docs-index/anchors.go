package docsindex

import (
	"regexp"
	"sort"
	"strings"
)

// Anchor text: the words of the links that point to a page from the other
// pages of its source are a field of the page (fAnchor). People name a page
// the way the docs' authors link to it ("the Pod lifecycle", "garbage
// collection"), often in words the page itself does not use in its title;
// web search has ranked by it since the first engines.
//
// Measured and not adopted (figures in DefaultWeights' comment for the
// rest): the link texts as names of the page as knowledge's titleCover
// takes the title, a name factor 1 + c × the largest idf-weighted share of
// one link text's words the question holds. Cross-validated as
// TestTuneAnchorCV does, c 0.25, 0.5, 1 and 2 gave Kubernetes Recall@5 /
// nDCG@10 0.875 / 0.781, 0.875 / 0.777, 0.847 / 0.777 and 0.861 / 0.781
// against 0.875 / 0.791 at 0 (MoJ, BC Gov unchanged); four of the five
// pooled folds chose 0. Likely because a page many pages link to has a
// short link text (its one-word name) that any question on its subject
// holds whole.

// Anchor is one link of a page's Markdown and its text.
type Anchor struct {
	Keys []string // the link keys the target may have (see targetKeys)
	Text string   // the link's words, inline markup removed
}

var (
	// hugoRef is the target of a Hugo link, [text]({{< ref "target" >}}).
	hugoRef = regexp.MustCompile(`^\{\{[<%]\s*(?:rel)?ref\s+"([^"]+)"`)
	// mdRefAnchor is a reference link, [text][id] or [text][] or [id].
	mdRefAnchor = regexp.MustCompile(`(!?)\[([^\[\]]+)\](?:\[([^\[\]]*)\])?`)
	// mdRefDef defines a reference link's target: [id]: target.
	mdRefDef = regexp.MustCompile(`(?m)^ {0,3}\[([^\[\]]+)\]:\s*<?(\S+?)>?(?:\s|$)`)
	// htmlAnchor is an HTML link, <a ... href="target" ...>text</a>.
	htmlAnchor = regexp.MustCompile(`(?is)<a\s[^>]*?href="([^"]+)"[^>]*>(.*?)</a>`)
)

// maxAnchorChars bounds one link's text: a link around a whole sentence
// says less about its target than a name does, and no link grows a field
// without bound.
const maxAnchorChars = 200

// maxPageAnchorBytes bounds what a page's links keep (their texts and
// target keys, in the manifest for as long as the index is open), the
// links past it left out: many references to one long target would
// otherwise each keep a copy of it. The most any page keeps is 6 kB in the
// Kubernetes docs (all pages 1.0 MB; 1.8 MB with repeats and comments),
// 13 kB in MoJ's, 8 kB in BC Gov's.
const maxPageAnchorBytes = 128 << 10

// pageAnchors lists the links with text in the Markdown body of the page at
// rel, outside fenced code and HTML comments, in order; site is the docs
// site's host (see targetKeys). A comment is left
// out as stripSiteSyntax leaves it out of the text indexed: the site does
// not show it. (In the Kubernetes docs 353 pages have links in comments,
// most of them generated reference pages crediting their generator.)
func pageAnchors(rel, body, site string) []Anchor {
	prose, _ := SplitCode(stripComments(body))
	var out []Anchor
	// A link repeated (the same text and target) counts once in
	// anchorTexts: kept once.
	seen := map[string]bool{}
	size := 0
	add := func(target, text string) {
		if size >= maxPageAnchorBytes {
			return
		}
		keys := targetKeys(rel, target, site)
		text = cleanInline(text)
		if len(keys) == 0 || text == "" || isURLText(text, target) {
			return
		}
		if len(text) > maxAnchorChars {
			text = text[:maxAnchorChars]
			for len(text) > 0 && !strings.HasSuffix(text, " ") {
				text = text[:len(text)-1] // cut at a word, and so at a rune
			}
			text = strings.TrimSpace(text)
			if text == "" {
				return
			}
		}
		id, n := text, len(text)
		for _, k := range keys {
			id += "\x00" + k
			n += len(k)
		}
		if seen[id] || size+n > maxPageAnchorBytes {
			return
		}
		seen[id] = true
		size += n
		out = append(out, Anchor{Keys: keys, Text: text})
	}
	inlineLinks(prose, add)
	// The regular expressions below are slow over a long page: each runs
	// only on a page that has what it matches.
	if strings.Contains(prose, "]:") {
		refLinks(prose, add)
	}
	if strings.Contains(prose, "href=") {
		for _, m := range htmlAnchor.FindAllStringSubmatch(prose, -1) {
			add(m[1], m[2])
		}
	}
	return out
}

// stripComments removes s's HTML comments as htmlComment matches them,
// scanning rather than matching the expression: that added half as much
// again to the time anchor extraction takes over the Kubernetes docs.
func stripComments(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		s = s[i+4+j+3:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s)
	return b.String()
}

// refLinks calls add with the target and text of each reference link of
// s, [text][id], [text][] or [text], whose id s defines ([id]: target).
func refLinks(s string, add func(target, text string)) {
	defs := map[string]string{}
	for _, m := range mdRefDef.FindAllStringSubmatch(s, -1) {
		if id := strings.ToLower(m[1]); defs[id] == "" {
			defs[id] = m[2]
		}
	}
	if len(defs) == 0 {
		return
	}
	for _, m := range mdRefAnchor.FindAllStringSubmatchIndex(s, -1) {
		if m[3] > m[2] { // an image
			continue
		}
		if end := m[1]; end < len(s) && (s[end] == '(' || s[end] == ':') {
			continue // an inline link, or a definition
		}
		text := s[m[4]:m[5]]
		id := text
		if m[6] >= 0 && m[7] > m[6] {
			id = s[m[6]:m[7]]
		}
		if t, ok := defs[strings.ToLower(id)]; ok {
			add(t, text)
		}
	}
}

// inlineLinks calls add with the target and text of each inline Markdown
// link of s, [text](target) or [text]({{< ref "target" >}}), images left
// out. It scans for "](" rather than matching a regular expression over
// the whole page: that took half of a second over the Kubernetes docs.
func inlineLinks(s string, add func(target, text string)) {
	for i := 0; ; {
		j := strings.Index(s[i:], "](")
		if j < 0 {
			return
		}
		end := i + j // the text's closing bracket
		i = end + 2
		open := strings.LastIndexAny(s[:end], "[]")
		if open < 0 || s[open] != '[' || (open > 0 && s[open-1] == '!') {
			continue
		}
		// Only the start of what follows is looked at: a target that does
		// not end within maxLinkTarget is not a link, and each of many
		// unclosed links would otherwise scan the rest of the page.
		rest := strings.TrimLeft(s[i:], " \t\n")
		rest = rest[:min(len(rest), maxLinkTarget+16)]
		target := ""
		if m := hugoRef.FindStringSubmatch(rest); m != nil {
			target = m[1]
		} else {
			rest = strings.TrimPrefix(rest, "<")
			if k := strings.IndexAny(rest, ") \t\n>"); k >= 0 {
				target = rest[:k]
			}
		}
		if target != "" {
			add(target, s[open+1:end])
		}
	}
}

// isURLText says whether a link's text is its target or some other
// address rather than words: such text names no page as people do.
func isURLText(text, target string) bool {
	t := strings.Trim(text, "`<> ")
	return t == target || strings.Contains(t, "://") || strings.HasPrefix(t, "/") ||
		strings.HasPrefix(t, "www.")
}

// maxAnchors bounds the distinct link texts kept for one page, the most
// used first: a page half the docs link to would otherwise get a field
// longer than its text, and its hundredth way of being named adds little.
const maxAnchors = 20

// maxAnchorTargets is how many pages one link text may name in a source
// and still count as naming them: a text that links to many different
// pages ("here", "this page", "documentation") names none of them. It is
// a property of the text across the whole source, not a list of words.
const maxAnchorTargets = 3

// anchorTexts gives, for each page key of a source (pages: each page's
// links by its path, so that the links of a.md and a/index.md, which share
// a key, both count), the texts of the links to it from the other pages,
// one a line: distinct (ignoring case and spacing), those naming more than
// maxAnchorTargets pages left out, the maxAnchors used by the most pages
// first (ties by text, so that the field depends only on the docs).
func anchorTexts(pages map[string][]Anchor) map[string]string {
	type use struct {
		text  string
		pages map[string]bool // linking pages, by path
	}
	byTarget := map[string]map[string]*use{} // target → normalised text → use
	targets := map[string]map[string]bool{}  // normalised text → targets
	keys := pageKeys(pages)
	has := func(k string) bool { return keys[k] }
	for rel, anchors := range pages {
		from := pageKeyOf(rel)
		for _, a := range anchors {
			to := resolveLink(has, from, a.Keys)
			if to == "" || to == from {
				continue
			}
			norm := strings.ToLower(strings.Join(strings.Fields(a.Text), " "))
			if targets[norm] == nil {
				targets[norm] = map[string]bool{}
			}
			targets[norm][to] = true
			if byTarget[to] == nil {
				byTarget[to] = map[string]*use{}
			}
			u := byTarget[to][norm]
			if u == nil {
				u = &use{text: a.Text, pages: map[string]bool{}}
				byTarget[to][norm] = u
			} else if a.Text < u.text {
				u.text = a.Text // the same spelling whatever the map order
			}
			u.pages[rel] = true
		}
	}
	out := make(map[string]string, len(byTarget))
	for to, uses := range byTarget {
		var list []*use
		for norm, u := range uses {
			if len(targets[norm]) <= maxAnchorTargets {
				list = append(list, u)
			}
		}
		sort.Slice(list, func(i, j int) bool {
			if len(list[i].pages) != len(list[j].pages) {
				return len(list[i].pages) > len(list[j].pages)
			}
			return list[i].text < list[j].text
		})
		if len(list) > maxAnchors {
			list = list[:maxAnchors]
		}
		texts := make([]string, len(list))
		for i, u := range list {
			texts[i] = u.text
		}
		if len(texts) > 0 {
			out[to] = strings.Join(texts, "\n")
		}
	}
	return out
}
