package knowledge

import (
	"math"
	"strings"
	"unicode"
)

// Bounds of a glimpse: the one or two lines a page is listed with beside
// an answer or a suggestion.
const (
	maxGlimpseChars     = 300
	maxGlimpseLines     = 400 // lines of a section read: a long generated reference says enough early
	maxGlimpseCodeChars = 120
)

// glimpse is a section in a line for the pages listed beside an answer or
// a suggestion: its sentence that holds most of the question's words (each
// weighted by how few of the section's sentences hold it) and the command
// line that does (sample output aside), verbatim, within maxGlimpseChars.
// A section with neither words of the question nor code gives its first
// sentence.
func glimpse(text string, a ask) string {
	g, _ := glimpseOf(text, a)
	return g
}

// glimpseOf is glimpse, and whether the command line it shows, if any, is
// shown as written: a line with a backtick is shown with quotes for them,
// and a long one cut, in a glimpse, which is then no quote of the command.
func glimpseOf(text string, a ask) (string, bool) {
	var sentences, terms, codeLines []string
	blocks := splitBlocks(capLines(text, maxGlimpseLines))
	for i, bl := range blocks {
		switch bl.kind {
		case code:
			// What to type, not what it prints.
			for _, l := range bl.commandLines() {
				if t := strings.TrimSpace(l); t != "" && !codeComment(t) {
					codeLines = append(codeLines, t)
				}
			}
		case table:
			// A row is read as one sentence.
			for _, l := range bl.lines {
				if r := tableCells(l); len(r) > 0 && !isSeparator(r) {
					sentences = append(sentences, strings.Join(r, " — "))
				}
			}
		default:
			r, _ := bl.render(a)
			ss := splitSentences(strings.Join(strings.Fields(r), " "))
			// A field's description is shown with the field's name,
			// though chosen by its own words: the name's words, on each
			// sentence of it, would lift its shortest one ("More info:
			// <link>").
			term := describedTerm(blocks, i)
			for range ss {
				terms = append(terms, term)
			}
			sentences = append(sentences, ss...)
		}
		for len(terms) < len(sentences) {
			terms = append(terms, "") // table rows
		}
	}
	s := bestLines(sentences, terms, a, maxGlimpseChars-maxGlimpseCodeChars)
	c := ""
	if i := bestLine(codeLines, a); i >= 0 {
		c = codeLines[i]
	}
	verbatim := true
	if c != "" {
		verbatim = len(c) <= maxGlimpseCodeChars && !strings.Contains(c, "`")
		c = "`" + strings.ReplaceAll(cutLine(c, maxGlimpseCodeChars), "`", "'") + "`"
	}
	switch {
	case s == "":
		return c, verbatim
	case c == "":
		return truncate(s, maxGlimpseChars), verbatim
	}
	return truncate(s, maxGlimpseChars-len(c)-3) + " — " + c, verbatim
}

// bestLines is the sentence that holds the most of the question's words,
// more when it is concrete, with the next best one (in text order) when
// both fit within n bytes; a sentence that describes a field (terms, by
// sentence, see describedTerm) is shown after the field's name, once for
// two sentences of one field, where there is room for it.
func bestLines(sentences, terms []string, a ask, n int) string {
	sc := lineScores(sentences, a)
	for i, s := range sentences {
		if concrete(s) {
			sc[i] *= concreteBonus
		}
	}
	shown := func(k int, prev int) string {
		if terms[k] == "" || prev >= 0 && (terms[prev] == terms[k] || strings.Contains(sentences[prev], terms[k])) {
			return sentences[k]
		}
		return terms[k] + ": " + sentences[k]
	}
	i := argmax(sc, -1)
	if i < 0 {
		return ""
	}
	j := argmax(sc, i)
	if j >= 0 && j < i {
		i, j = j, i
	}
	if j < 0 || sc[i] == 0 || sc[j] == 0 {
		return shown(argmax(sc, -1), -1)
	}
	first, second := shown(i, -1), shown(j, i)
	switch {
	case len(first)+len(second)+5 <= n:
		return first + " … " + second
	case len(sentences[i])+len(sentences[j])+5 <= n:
		// Both sentences say more than one with its field's name.
		return sentences[i] + " … " + sentences[j]
	}
	return shown(argmax(sc, -1), -1)
}

// concreteBonus lifts a sentence that names something to type or open:
// inline code (a command, flag, field or value) or a link.
const concreteBonus = 1.5

// concrete says whether a sentence holds inline code or a link.
func concrete(s string) bool {
	return strings.Contains(s, "`") || strings.Contains(s, "](")
}

// bestLine is the index of the line holding the most of the question's
// words (see lineScores); the first line when none holds any, -1 when
// there are no lines.
func bestLine(lines []string, a ask) int {
	return argmax(lineScores(lines, a), -1)
}

// argmax is the index of the highest score but skip, the first on ties;
// -1 when there is none.
func argmax(scores []float64, skip int) int {
	best := -1
	for i, v := range scores {
		if i != skip && (best < 0 || v > scores[best]) {
			best = i
		}
	}
	return best
}

// lineScores is, for each line, how many of the question's words it holds,
// each weighted by its weight and by how few of the lines hold it, less
// for a very long line.
func lineScores(lines []string, a ask) []float64 {
	sets := make([]map[string]bool, len(lines))
	df := map[string]int{}
	for i, l := range lines {
		sets[i] = containedWords(l, a.words)
		for w := range sets[i] {
			df[w]++
		}
	}
	out := make([]float64, len(lines))
	for i, set := range sets {
		for _, w := range a.order {
			if set[w] {
				out[i] += a.words[w] * math.Log(1+float64(len(lines))/float64(df[w]))
			}
		}
		out[i] /= math.Sqrt(math.Max(1, float64(len(lines[i]))/200))
	}
	return out
}

// splitSentences splits prose at sentence ends (". ", "? ", "! ", "。").
func splitSentences(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i, r := range rs {
		end := false
		switch {
		case r == '。' || r == '？' || r == '！':
			end = true
		case (r == '.' || r == '?' || r == '!') && i+1 < len(rs) && unicode.IsSpace(rs[i+1]):
			end = true
		}
		if end {
			if t := strings.TrimSpace(string(rs[start : i+1])); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	if t := strings.TrimSpace(string(rs[start:])); t != "" {
		out = append(out, t)
	}
	return out
}

// codeComment says whether a code line is a comment or a prompt-only line.
func codeComment(l string) bool {
	return strings.HasPrefix(l, "#") || strings.HasPrefix(l, "//") || l == "$" || l == "---"
}

// capLines keeps the first n lines of text, and at most maxMatchChars of
// it.
func capLines(text string, n int) string {
	if len(text) > maxMatchChars {
		// Cut at a line end, so that no line is read cut short.
		text = text[:maxMatchChars]
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		}
		text = strings.ToValidUTF8(text, "")
	}
	i, seen := 0, 0
	for seen < n {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			return text
		}
		i += j + 1
		seen++
	}
	return text[:i]
}
