package knowledge

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// maxSnippetChars bounds each quoted passage.
const maxSnippetChars = 600

// compose writes an extractive answer: for each of the best pages (up to
// max), the passage of its best section that shares most words with the
// question, quoted with a link to the section.
func compose(pages []*page, terms []string, lang string, max int) (string, []koban.Citation) {
	var b strings.Builder
	other := len(pages) > 0 && pages[0].best.Lang != "" && pages[0].best.Lang != lang
	switch {
	case lang == "ja" && other:
		b.WriteString("英語のドキュメントの関連箇所です。\n")
	case lang == "ja":
		b.WriteString("ドキュメントの関連箇所です。\n")
	default:
		b.WriteString("Here is what the docs say:\n")
	}
	var cites []koban.Citation
	for _, p := range pages {
		if len(cites) == max {
			break
		}
		// Later pages must be reasonably close to the best one, or they
		// add noise rather than evidence.
		if len(cites) > 0 && p.score < 0.5*pages[0].score {
			break
		}
		h := p.lead()
		snip := bestPassage(h.Text, terms)
		if snip == "" {
			continue
		}
		cites = append(cites, citation(h, p.score, snip))
		link := h.URL
		if link == "" {
			link = h.Path
			if h.Anchor != "" {
				link += "#" + h.Anchor
			}
		}
		fmt.Fprintf(&b, "\n**%s** (%s, %s)\n", h.Breadcrumb, h.Quadrant, link)
		for _, line := range strings.Split(snip, "\n") {
			b.WriteString("> " + line + "\n")
		}
	}
	if len(cites) == 0 {
		return "", nil
	}
	return b.String(), cites
}

// bestPassage picks the prose paragraph of text (code excluded) that covers
// most question terms, preferring earlier ones, trimmed to maxSnippetChars.
func bestPassage(text string, terms []string) string {
	prose, _ := docsindex.SplitCode(text)
	best, bestScore := "", -1.0
	for i, para := range strings.Split(prose, "\n\n") {
		para = strings.TrimSpace(para)
		if utf8.RuneCountInString(para) < 20 {
			continue
		}
		sc := coverage(strings.ToLower(para), terms) - 0.01*float64(i)
		if sc > bestScore {
			best, bestScore = para, sc
		}
	}
	return truncate(best, maxSnippetChars)
}

// truncate cuts s to at most n bytes at a rune boundary, preferring a
// sentence or word end, and marks the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndex(cut, "。"); i > n/2 {
		return cut[:i+len("。")]
	}
	if i := strings.LastIndex(cut, ". "); i > n/2 {
		return cut[:i+1]
	}
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
