package knowledge

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// blockKind is the kind of a block of section text.
type blockKind int

const (
	prose blockKind = iota
	list
	code
	table
)

// block is a paragraph, a list, a fenced code block or a table of a
// section's text.
type block struct {
	kind  blockKind
	lines []string // without the fences for code
	fence string   // the opening fence line of code, language kept
	// output marks code that shows what a command prints rather than
	// what to type (see markOutput).
	output bool
}

var (
	fenceLine = regexp.MustCompile("^\\s*(```+|~~~+)")
	listLine  = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+`)
	// htmlTag matches the tags of HTML elements docs embed; a placeholder
	// such as <namespace> is not one and stays.
	htmlTag    = regexp.MustCompile(`(?i)</?(?:a|abbr|b|big|blockquote|br|button|center|cite|code|col|colgroup|dd|del|details|div|dl|dt|em|embed|figcaption|figure|font|form|h[1-6]|hr|i|iframe|img|input|ins|kbd|li|link|mark|meta|noscript|object|ol|p|picture|pre|q|s|samp|section|small|source|span|strike|strong|sub|summary|sup|svg|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var|video|wbr)(?:\s[^<>]*)?/?>`)
	linkRefDef = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]+\]:[ \t]*\S+[^\n]*(?:\n|$)`)
	// htmlScript matches a script or style element with its content.
	htmlScript = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(?:script|style)\s*>`)
)

// termItem matches a list item that only names something, as generated
// API and configuration references list their fields: "- **spec.replicas**
// (int32)", "- `--max-pods` (int):"; the paragraph describing it follows.
var termItem = regexp.MustCompile("^\\s*(?:[-*+])\\s+((?:\\*\\*[^*]+\\*\\*|`[^`]+`)(?:\\s*\\([^)]*\\))?):?\\s*$")

// describedTerm is the name that blocks[i] describes: the text of the
// previous block when that is a list item alone naming a field, a flag or
// a term and blocks[i] a paragraph, its description (the index keeps no
// indentation to tell it by); "" otherwise. A description read without its
// name would not say which field it is.
func describedTerm(blocks []block, i int) string {
	if i == 0 || blocks[i].kind == code || blocks[i].kind == table || len(blocks[i].lines) == 0 {
		return ""
	}
	prev := blocks[i-1]
	if prev.kind != list || len(prev.lines) != 1 {
		return ""
	}
	m := termItem.FindStringSubmatch(prev.lines[0])
	if m == nil || blocks[i].kind != prose {
		return ""
	}
	return m[1]
}

// splitBlocks splits section text into blocks. An unclosed fence runs to
// the end of the text.
func splitBlocks(text string) []block {
	var out []block
	var cur *block
	flush := func() {
		if cur != nil && len(cur.lines) > 0 {
			out = append(out, *cur)
		}
		cur = nil
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		if m := fenceLine.FindString(line); m != "" {
			flush()
			f := strings.TrimSpace(m)
			b := block{kind: code, fence: trim}
			for i++; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				if strings.HasPrefix(t, f) && strings.Trim(t, f[:1]) == "" {
					break
				}
				b.lines = append(b.lines, lines[i])
			}
			out = append(out, b)
			continue
		}
		switch {
		case trim == "":
			flush()
		case tableLine.MatchString(line):
			if cur == nil || cur.kind != table {
				flush()
				cur = &block{kind: table}
			}
			cur.lines = append(cur.lines, trim)
		default:
			if cur != nil && cur.kind == table {
				flush()
			}
			if cur == nil {
				k := prose
				if listLine.MatchString(line) {
					k = list
				}
				cur = &block{kind: k}
			}
			cur.lines = append(cur.lines, line)
		}
	}
	flush()
	markOutput(out)
	return out
}

var (
	// outputFence names the languages docs give a command's sample
	// output: plain text.
	outputFence = regexp.MustCompile(`(?i)^(none|text|plaintext|plain|output|log|console|terminal)$`)
	// outputIntro matches the sentence that introduces a command's
	// output: "The output is similar to this:", "You should see:". A
	// sentence that only has the verb ("to output the logs, run:")
	// introduces a command.
	outputIntro = regexp.MustCompile(`(?i)(\b(?:the|its|sample|example) output\b|\boutput (?:is|should|will|looks|shows)\b|\bshould see\b|\bsimilar to th(?:is|e following)\b|\blooks like this\b|出力)[^\n]*[:：]\s*$`)
	// runCue matches a sentence that asks to run or type something.
	runCue = regexp.MustCompile(`(?i)\b(run|use|do this|type|enter|execute)\b|\bcommands similar\b|実行`)
	// promptLine matches a shell prompt that starts a command in a
	// console transcript: "$ kubectl get pods", "(silver)$ oc get ts",
	// "user@host:~$ ls", or a client's "mysql> " and "redis:6379> ".
	promptLine = regexp.MustCompile(`^\s*(?:(?:\([\w.-]+\))?(?:[\w.-]+@[\w.-]+(?::[^\s$]*)?)?\$|[a-z][\w.-]*(?::\d+)?>)\s+\S`)
)

// markOutput marks the code blocks that show output rather than input: those
// introduced by a sentence about output, and those in a plain-text
// language (a console transcript with no prompt in it included). A
// transcript with prompts holds commands and is not marked; its prompt
// lines are the commands (commandLines).
func markOutput(blocks []block) {
	for i := range blocks {
		b := &blocks[i]
		if b.kind != code {
			continue
		}
		lang := strings.ToLower(strings.TrimSpace(strings.TrimLeft(b.fence, "`~")))
		if f := strings.Fields(lang); len(f) > 0 {
			lang = f[0]
		}
		intro := i > 0 && blocks[i-1].kind != code && introducesOutput(strings.Join(blocks[i-1].lines, " "))
		b.output = intro || outputFence.MatchString(lang) && !hasPrompt(b.lines)
	}
}

// introducesOutput says whether a paragraph introduces a command's output:
// it says so, and its last sentence does not ask to run something ("To
// see the output of the job, run:" introduces a command).
func introducesOutput(p string) bool {
	p = strings.TrimSpace(p)
	if !outputIntro.MatchString(p) {
		return false
	}
	if i := strings.LastIndex(p, ". "); i >= 0 {
		p = p[i+2:]
	}
	return !runCue.MatchString(p)
}

// hasPrompt says whether code lines hold a shell prompt.
func hasPrompt(lines []string) bool {
	for _, l := range lines {
		if promptLine.MatchString(l) {
			return true
		}
	}
	return false
}

// commandLines are the lines of a code block one would type: all of them,
// but in a console transcript with prompts only the prompted ones, and
// none of a block of output.
func (b block) commandLines() []string {
	if b.output {
		return nil
	}
	if !hasPrompt(b.lines) {
		return b.lines
	}
	var out []string
	for _, l := range b.lines {
		if promptLine.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// Bounds of what one block shows.
const (
	maxCodeLinesShown = 30
	maxCodeCharsShown = 1800
	maxLineChars      = 200
	maxTableRows      = 12
	maxTableCols      = 6
	maxCellChars      = 60
	maxProseChars     = 900
)

// render writes the block as Markdown, bounded; cut says whether something
// was left out.
func (b block) render(a ask) (s string, cut bool) {
	switch b.kind {
	case code:
		return renderCode(b, maxCodeCharsShown)
	case table:
		return renderTable(b, a)
	}
	// Docs keep HTML in their Markdown (tags, entities such as &nbsp;):
	// the reader gets the text.
	text := htmlTag.ReplaceAllString(htmlScript.ReplaceAllString(strings.Join(b.lines, "\n"), ""), "")
	// Link reference definitions ("[docs]: https://…") are targets, not text.
	text = linkRefDef.ReplaceAllString(text, "")
	text = strings.ReplaceAll(html.UnescapeString(text), "\u00a0", " ")
	if strings.TrimSpace(text) == "" {
		return "", false // markup only: nothing to read was left out
	}
	t := truncate(strings.TrimRight(text, " \n"), maxProseChars)
	return t, t != strings.TrimRight(text, " \n")
}

// renderCode keeps a code block verbatim, language included, cut at a
// line boundary.
func renderCode(b block, maxChars int) (string, bool) {
	var sb strings.Builder
	sb.WriteString(b.fence)
	if !strings.HasPrefix(b.fence, "```") {
		// ~~~ fences: Slack knows only backticks.
		sb.Reset()
		sb.WriteString("```" + strings.TrimLeft(b.fence, "~"))
	}
	sb.WriteByte('\n')
	cut := false
	n := 0
	for i, l := range b.lines {
		if i == maxCodeLinesShown || n+len(l) > maxChars {
			cut = true
			fmt.Fprintf(&sb, "# … %d more lines\n", len(b.lines)-i)
			break
		}
		if len(l) > maxLineChars {
			l = cutLine(l, maxLineChars)
			cut = true
		}
		// A fence inside the code would end the block early.
		l = strings.ReplaceAll(l, "```", "` ` `")
		sb.WriteString(l + "\n")
		n += len(l) + 1
	}
	sb.WriteString("```")
	return sb.String(), cut
}

// cutLine cuts one long line at a rune boundary and marks the cut.
func cutLine(l string, n int) string {
	if len(l) <= n {
		return l
	}
	c := l[:n]
	for !utf8.ValidString(c) {
		c = c[:len(c)-1]
	}
	return c + " …"
}

// renderTable keeps a table as a Markdown table (the bot turns it into
// lines, the web into a table), bounded in columns, cell length and rows;
// a long table keeps the rows that share words with the question.
func renderTable(b block, a ask) (string, bool) {
	var rows [][]string
	for _, l := range b.lines {
		rows = append(rows, tableCells(l))
	}
	if len(rows) == 0 {
		return "", false
	}
	cut := false
	head := rows[0]
	body := rows[1:]
	if len(body) > 0 && isSeparator(body[0]) {
		body = body[1:]
	}
	if len(head) > maxTableCols {
		cut = true
	}
	if len(body) > maxTableRows {
		cut = true
		var match []([]string)
		for _, r := range body {
			if rowMatches(r, a) {
				match = append(match, r)
			}
		}
		if len(match) > 0 && len(match) <= maxTableRows {
			body = match
		} else {
			body = body[:maxTableRows]
		}
	}
	ncol := min(len(head), maxTableCols)
	var sb strings.Builder
	writeRow := func(r []string) {
		sb.WriteString("|")
		for i := 0; i < ncol; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			if utf8.RuneCountInString(c) > maxCellChars {
				c = string([]rune(c)[:maxCellChars-1]) + "…"
				cut = true
			}
			sb.WriteString(" " + c + " |")
		}
		sb.WriteByte('\n')
	}
	writeRow(head)
	sb.WriteString("|" + strings.Repeat(" --- |", ncol) + "\n")
	for _, r := range body {
		writeRow(r)
	}
	return strings.TrimRight(sb.String(), "\n"), cut
}

// tableCells splits a Markdown table row into trimmed cells.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	var cells []string
	// Split on pipes not escaped as \|.
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			if len(cells) > 4*maxTableCols {
				return cells // the rest is never shown
			}
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func isSeparator(r []string) bool {
	for _, c := range r {
		if strings.Trim(c, ":- ") != "" {
			return false
		}
	}
	return true
}

func rowMatches(r []string, a ask) bool {
	for _, c := range r {
		for _, w := range words(c) {
			if a.words[w] == 1 {
				return true
			}
		}
	}
	return false
}
