package knowledge

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/i18n"
)

// maxSnippetChars bounds each citation's quoted passage.
const maxSnippetChars = 600

// Budgets of an extractive answer, in bytes of Markdown: the section that
// answers, a second one from the same page, and one from each other page.
// Together they stay under MaxAnswerChars, which Slack shows in two or
// three section blocks.
const (
	leadBudget   = 1900
	secondBudget = 900
	otherBudget  = 450
	// relatedReserve is kept for the pages listed after the quoted
	// sections, a glimpse each.
	relatedReserve = 900
	// maxRelated is how many pages are listed after the quoted sections.
	maxRelated = 4
	// MaxAnswerChars bounds the text of an extractive answer.
	MaxAnswerChars = 4500
)

// compose writes an extractive answer: from the best page, the section that
// answers (and a second one when it answers nearly as well), its steps or
// paragraph with code blocks verbatim and tables bounded; from the next
// pages, when they score close to the best, their best section in short;
// then the other pages ranked next, a line each with their best section's
// glimpse. Each part is headed by its breadcrumb and link, and says when
// something was left out. It returns the answer, the citations of what it
// quotes, and the best section of each of the first pages with its glimpse
// (whether or not the answer had room to list it).
func (s *Service) compose(pages []*page, a ask, lang string, max int) (string, []koban.Citation, []koban.Citation) {
	if len(pages) == 0 {
		return "", nil, nil
	}
	var b strings.Builder
	other := pages[0].best.Lang != "" && pages[0].best.Lang != lang
	intro := "compose.intro"
	if other {
		intro = "compose.intro_other" // the docs are in another language
	}
	b.WriteString(i18n.Say(lang, intro) + "\n")
	var cites []koban.Citation
	quoted := map[*page]bool{}
	add := func(p *page, sec docsindex.Section, budget int) {
		body, cut := renderSection(sec.Text, a, budget)
		if body == "" {
			return
		}
		link := sectionLink(sec)
		fmt.Fprintf(&b, "\n**%s** (%s, %s)\n%s\n", sec.Breadcrumb, quadrantLabel(sec.Quadrant), link, body)
		if cut {
			b.WriteString(i18n.Say(lang, "compose.cut", "Link", link) + "\n")
		}
		quoted[p] = true
		c := citation(hitOf(p, sec), p.score, truncate(body, maxSnippetChars))
		c.Quoted = true
		cites = append(cites, c)
	}
	choice := make([][]chosen, len(pages))
	choose := func(i int) []chosen {
		if choice[i] == nil {
			choice[i] = chooseSections(pages[i], s.pageSections(pages[i]), a)
		}
		return choice[i]
	}
	top := pages[0]
	ch := choose(0)
	if len(ch) == 0 {
		return "", nil, nil
	}
	add(top, ch[0].sec, leadBudget)
	if len(ch) > 1 && ch[1].score >= 0.6*ch[0].score && ch[1].sec.Anchor != ch[0].sec.Anchor {
		add(top, ch[1].sec, secondBudget)
	}
	for i, p := range pages[1:] {
		if len(cites) >= max || b.Len() > MaxAnswerChars-otherBudget-relatedReserve {
			break
		}
		// Later pages must be reasonably close to the best one, or they
		// add noise rather than evidence.
		if p.score < 0.5*top.score {
			break
		}
		if pc := choose(i + 1); len(pc) > 0 {
			add(p, pc[0].sec, otherBudget)
		}
	}
	if len(cites) == 0 {
		return "", nil, nil
	}
	var listed []koban.Citation
	headed := false
	for i, p := range pages {
		if i > maxRelated {
			break
		}
		// A page not quoted is listed with the best of its sections the
		// search found: reading all of them would cost more than a line
		// is worth.
		pc := choice[i]
		if pc == nil {
			pc = chooseSections(p, nil, a)
		}
		if len(pc) == 0 {
			continue
		}
		g := glimpse(pc[0].sec.Text, a)
		listed = append(listed, citation(hitOf(p, pc[0].sec), p.score, g))
		if quoted[p] || g == "" {
			continue
		}
		line := fmt.Sprintf("• **%s** (%s): %s\n", pc[0].sec.Breadcrumb, sectionLink(pc[0].sec), g)
		if b.Len()+len(line)+40 > MaxAnswerChars {
			continue
		}
		if !headed {
			headed = true
			b.WriteString("\n" + koban.RelatedHead(lang) + "\n")
		}
		b.WriteString(line)
	}
	text := b.String()
	if len(text) > MaxAnswerChars {
		text = truncate(text, MaxAnswerChars-4)
		if strings.Count(text, "```")%2 == 1 {
			text += "\n```" // close the block the cut fell in
		}
	}
	return text, cites, listed
}

// pageSections reads every section of p's page, or nil when the searcher
// cannot (the hits alone are then chosen from).
func (s *Service) pageSections(p *page) []docsindex.Section {
	if s.pages == nil {
		return nil
	}
	secs, err := s.pages.PageSections(p.best.Source, p.best.Path)
	if err != nil {
		s.log.Debug("page sections", "path", p.best.Path, "err", err)
		return nil
	}
	return secs
}

// hitOf is sec as a hit of p, for its citation.
func hitOf(p *page, sec docsindex.Section) docsindex.Hit {
	for _, h := range p.sections {
		if h.ID == sec.ID {
			return *h
		}
	}
	h := *p.best
	h.Section = sec
	return h
}

func sectionLink(sec docsindex.Section) string {
	if sec.URL != "" {
		return sec.URL
	}
	if sec.Anchor != "" {
		return sec.Path + "#" + sec.Anchor
	}
	return sec.Path
}

// renderSection writes a section's text within budget bytes: all of it
// when it fits; otherwise the blocks that fit the question best (code and
// steps for a how-to), each with the sentence that introduces it, in page
// order, with "…" where text was left out. cut says whether anything was.
func renderSection(text string, a ask, budget int) (string, bool) {
	blocks := splitBlocks(text)
	if len(blocks) == 0 {
		return "", false
	}
	rendered := make([]string, len(blocks))
	cut := false
	total := 0
	for i, bl := range blocks {
		r, c := bl.render(a)
		rendered[i] = r
		cut = cut || c
		total += len(r) + 2
	}
	keep := make([]bool, len(blocks))
	if total <= budget {
		for i := range keep {
			keep[i] = rendered[i] != ""
		}
	} else {
		cut = true
		order := make([]int, len(blocks))
		score := make([]float64, len(blocks))
		sets, idf := blockWords(blocks, a)
		avg := float64(total) / float64(len(blocks))
		for i, bl := range blocks {
			order[i] = i
			// A long paragraph holds more words and costs more of the
			// budget: its fit counts for less, as a long section's does.
			norm := math.Sqrt(0.5 + 0.5*float64(len(rendered[i]))/math.Max(avg, 1))
			score[i] = blockFit(sets[i], idf, bl, a)/norm - 0.01*float64(i)
		}
		sort.SliceStable(order, func(x, y int) bool { return score[order[x]] > score[order[y]] })
		used := 0
		take := func(i int) bool {
			if i < 0 || i >= len(blocks) || keep[i] || rendered[i] == "" {
				return true
			}
			if used+len(rendered[i])+2 > budget {
				return false
			}
			keep[i] = true
			used += len(rendered[i]) + 2
			return true
		}
		for _, i := range order {
			if !take(i) {
				continue
			}
			// Code is read with the sentence that introduces it, and a
			// sentence ending in ':' with what follows it.
			if blocks[i].kind == code && i > 0 && blocks[i-1].kind != code {
				take(i - 1)
			}
			if blocks[i].kind != code && strings.HasSuffix(strings.TrimSpace(rendered[i]), ":") {
				take(i + 1)
			}
		}
		if used == 0 {
			// Not even the best block fits: show it cut, code at a line
			// (its fences kept).
			i := order[0]
			keep[i] = true
			if blocks[i].kind == code {
				rendered[i], _ = renderCode(blocks[i], max(budget-60, 0))
			} else {
				rendered[i] = truncate(rendered[i], budget)
			}
		}
	}
	var b strings.Builder
	gap := false
	for i, r := range rendered {
		if !keep[i] {
			gap = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if gap {
			b.WriteString("…\n\n")
			gap = false
		}
		b.WriteString(r)
	}
	return strings.TrimSpace(b.String()), cut
}

// blockFit is how well a block answers: the question's words it holds,
// each weighted by how few of the section's blocks hold it (idf, as in
// choosing the section: the words every block shares say little), as a
// share of those of the whole section; more for code (not its sample
// output) and steps when the question asks how, and for a table when it
// asks for a value.
func blockFit(set map[string]bool, idf map[string]float64, bl block, a ask) float64 {
	var in, all float64
	for _, w := range a.order {
		v, ok := idf[w]
		if !ok {
			continue
		}
		all += v
		if set[w] {
			in += v
		}
	}
	f := 0.0
	if all > 0 {
		f = in / all
	}
	switch {
	case bl.kind == code && !bl.output && a.howTo, bl.kind == list && a.howTo:
		f += 0.3
	case bl.kind == table && a.lookup:
		f += 0.3
	}
	return f
}

// blockWords finds the question's words in each block and weighs them by
// how few blocks hold them.
func blockWords(blocks []block, a ask) ([]map[string]bool, map[string]float64) {
	sets := make([]map[string]bool, len(blocks))
	df := map[string]int{}
	for i, bl := range blocks {
		sets[i] = containedWords(strings.Join(bl.lines, "\n"), a.words)
		for w := range sets[i] {
			df[w]++
		}
	}
	idf := map[string]float64{}
	for w, n := range df {
		idf[w] = a.words[w] * math.Log(1+float64(len(blocks))/float64(n))
	}
	return sets, idf
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

// leadWithCited makes the section a page is listed with the section the
// answer quotes from it, the first one where it quotes several, with the
// passage quoted: the ranked pages then point at what answers, for
// suggestions and evaluation.
func leadWithCited(pages, cites []koban.Citation) {
	for i := range pages {
		for _, c := range cites {
			if c.Path == pages[i].Path && c.Lang == pages[i].Lang {
				score := pages[i].Score
				pages[i] = c
				pages[i].Score = score
				break
			}
		}
	}
}
