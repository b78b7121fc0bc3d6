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
	// maxRelated is how many pages are listed after the quoted sections.
	maxRelated = 4
	// MaxAnswerChars bounds the text of an extractive answer.
	MaxAnswerChars = 4500
)

// compose writes an extractive answer: from the best page, the section that
// answers (and a second one when it answers nearly as well), its steps or
// paragraph with code blocks verbatim and tables bounded; from the next
// pages, when they score close to the best, their best section in short
// (its glimpse, when that shows more of the question); then the other
// pages ranked next, a line each with their best section's glimpse. Room
// is kept for the lines of the first pages before the next pages are
// quoted, so that each of them is shown. Each part is headed by its
// breadcrumb and link, and says when something was left out. It returns
// the answer, the citations of what it quotes, and the best section of
// each of the first pages with its glimpse (whether or not the answer had
// room to list it).
func (s *Service) compose(pages []*page, a ask, lang string, max int) (string, []koban.Citation, []koban.Citation) {
	// A page with nothing to quote (headings only, say) gives way to the
	// next, rather than leaving an answer the pages after it would give.
	var lead []chosen
	for len(pages) > 0 {
		if lead = chooseSections(pages[0], s.pageSections(pages[0]), a); len(lead) > 0 {
			break
		}
		pages = pages[1:]
	}
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
	put := func(p *page, sec docsindex.Section, body string, cut bool) {
		if body == "" {
			return
		}
		b.WriteString(quoteHead(sec) + body + "\n")
		if cut {
			b.WriteString(cutNote(sec, lang))
		}
		quoted[p] = true
		c := citation(hitOf(p, sec), p.score, truncate(body, maxSnippetChars))
		c.Quoted = true
		cites = append(cites, c)
	}
	add := func(p *page, sec docsindex.Section, budget int) {
		body, cut := renderSection(sec.Text, a, budget)
		put(p, sec, body, cut)
	}
	choice := make([][]chosen, len(pages))
	choice[0] = lead
	choose := func(i int) []chosen {
		if choice[i] == nil {
			choice[i] = chooseSections(pages[i], s.pageSections(pages[i]), a)
		}
		return choice[i]
	}
	top := pages[0]
	ch := choose(0)
	add(top, ch[0].sec, leadBudget)
	// Each of the first pages is listed with its best section and its
	// glimpse, chosen from all its sections as a quoted page's are: on
	// the docs' own links to a section (TestEvalSectionLinks), the linked
	// section is chosen first for 0.597 of 1,500 Kubernetes links, from
	// the sections the search found for 0.578. A long page not quoted is
	// chosen from those alone: reading all of it, up to maxMatchChars a
	// section, would cost more than a line is worth (choosing among all
	// sections of every listed page took Answer's p99 latency on the
	// Kubernetes docs from 40 to 158 ms, TestBenchK8sDocs, on a loaded
	// machine); a page no longer than maxMatchChars costs what one long
	// section does.
	n := min(len(pages), maxRelated+1)
	lines := make([]string, n)
	hitChoice := make([][]chosen, n)
	best := func(i int) []chosen {
		if choice[i] != nil || pages[i].best.PageChars <= maxMatchChars {
			return choose(i)
		}
		if hitChoice[i] == nil {
			hitChoice[i] = chooseSections(pages[i], nil, a)
		}
		return hitChoice[i]
	}
	head := "\n" + koban.RelatedHead(lang) + "\n"
	glimpses := make([]string, n)
	for i := 1; i < n; i++ {
		if pc := best(i); len(pc) > 0 {
			glimpses[i] = glimpse(pc[0].sec.Text, a)
			line := fmt.Sprintf("• **%s** (%s): %s\n", crumb(pc[0].sec), sectionLink(pc[0].sec), glimpses[i])
			// A line longer than all the lead leaves (its breadcrumb a
			// heading that swallowed a page of text) is never shown, and
			// keeps no room from the quotes.
			if glimpses[i] != "" && len(line)+len(head) <= MaxAnswerChars-b.Len() {
				lines[i] = line
			}
		}
	}
	// room is what is left for quoting once the lines of the listed pages
	// not quoted, but skip, are kept: the pages after the one that answers
	// are shown at least by their line, which often holds what the asker
	// needs when the first page is not the one that answers; the second
	// section of the first page and the quotes of the next pages share
	// what remains.
	room := func(skip int) int {
		r := MaxAnswerChars - b.Len()
		headed := false
		for i := 1; i < n; i++ {
			if i != skip && lines[i] != "" && !quoted[pages[i]] {
				r -= len(lines[i])
				headed = true
			}
		}
		if headed {
			r -= len(head)
		}
		return r
	}
	if len(ch) > 1 && ch[1].score >= 0.6*ch[0].score && ch[1].sec.Anchor != ch[0].sec.Anchor {
		// The first page's second section goes before the lines: when the
		// page answers but its first section does not, the second often
		// does (on the docs' links, TestEvalSectionLinks, the linked
		// section is first for 0.597 and in the first two for 0.745). It
		// is shortened to leave the lines their room, down to what a quote
		// of another page gets.
		budget := min(secondBudget, room(-1)-quoteFrame(ch[1].sec, lang))
		if budget < otherBudget {
			budget = otherBudget
		}
		add(top, ch[1].sec, budget)
	}
	for i, p := range pages[1:] {
		// Later pages must be reasonably close to the best one, or they
		// add noise rather than evidence.
		if len(cites) >= max || p.score < 0.5*top.score {
			break
		}
		// A quoted page needs no line of its own.
		if pc := choose(i + 1); len(pc) > 0 {
			if room(i+1)-quoteFrame(pc[0].sec, lang) < otherBudget {
				break
			}
			body, cut := renderSection(pc[0].sec.Text, a, otherBudget)
			if cut {
				// Shortened to whole blocks (for a how-to, its code
				// first; a paragraph longer than the budget never), a
				// quote can show less of what was asked than the
				// section's glimpse, chosen sentence by sentence, that
				// lists the page when it is ranked lower: the glimpse
				// is quoted then. Quoting the blocks, a relevant page
				// placed second showed its key less often than placed
				// third to fifth (TestEvalComposition, Kubernetes keyed
				// cases: 9 of 15 against 10; 10 quoting the glimpse).
				// Not when the glimpse shows its command other than as
				// written: a quote's code is what the docs say to run.
				if g, verbatim := glimpseOf(pc[0].sec.Text, a); verbatim && asked(body, a) < asked(g, a) {
					body = g
				}
			}
			put(p, pc[0].sec, body, cut)
		}
	}
	if len(cites) == 0 {
		return "", nil, nil
	}
	var listed []koban.Citation
	for i := range n {
		pc := best(i)
		if len(pc) == 0 {
			continue
		}
		g := glimpses[i]
		if i == 0 || quoted[pages[i]] {
			// Listed with the section quoted from it, chosen from all.
			g = glimpse(pc[0].sec.Text, a)
		}
		listed = append(listed, citation(hitOf(pages[i], pc[0].sec), pages[i].score, g))
	}
	headed := false
	for i := 1; i < n; i++ {
		if quoted[pages[i]] || lines[i] == "" || b.Len()+len(lines[i])+len(head) > MaxAnswerChars {
			continue
		}
		if !headed {
			headed = true
			b.WriteString(head)
		}
		b.WriteString(lines[i])
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

// maxCrumbChars bounds a breadcrumb as an answer shows it: the index keeps
// a heading line whole, and one that holds a page of text would crowd out
// what is quoted under it. The longest in the answers to the dev questions
// of the three sets is 172 bytes.
const maxCrumbChars = 300

// crumb is sec's breadcrumb as an answer shows it.
func crumb(sec docsindex.Section) string {
	return truncate(sec.Breadcrumb, maxCrumbChars)
}

// quoteHead is the line that opens a quote: the section's breadcrumb, the
// kind of page and its link.
func quoteHead(sec docsindex.Section) string {
	return fmt.Sprintf("\n**%s** (%s, %s)\n", crumb(sec), quadrantLabel(sec.Quadrant), sectionLink(sec))
}

// cutNote is the line after a quote that was shortened, linking to all of
// it.
func cutNote(sec docsindex.Section, lang string) string {
	return i18n.Say(lang, "compose.cut", "Link", sectionLink(sec)) + "\n"
}

// quoteFrame is what a quote of sec adds to its text at most: its head,
// the line end and the note that it was shortened.
func quoteFrame(sec docsindex.Section, lang string) int {
	return len(quoteHead(sec)) + 1 + len(cutNote(sec, lang))
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
			// A field's description is read with the field's name.
			if describedTerm(blocks, i) != "" {
				take(i - 1)
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

// asked is how much of the question text shows: the weights of the
// question's words it holds.
func asked(text string, a ask) float64 {
	var sum float64
	for w := range containedWords(text, a.words) {
		sum += a.words[w]
	}
	return sum
}
