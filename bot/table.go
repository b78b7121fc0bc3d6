package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's limits on a message (https://api.slack.com/reference/block-kit/blocks):
// a section's text holds at most 3,000 characters and a message at most 50
// blocks. The answer's body keeps room for the sources, buttons and footer.
const (
	maxSectionChars = 2900
	maxBodyBlocks   = 40
)

// answerBlocks renders an answer's Markdown as section blocks within Slack's
// limits: code blocks verbatim (escaped only, without their language, which
// mrkdwn does not know), tables as one line per row since Slack has no
// tables, the rest through toMrkdwn. A long answer is split at line
// boundaries across blocks; one past the limits is cut, and says so.
func answerBlocks(md, cutNote string) []slack.Block {
	var parts []string // mrkdwn pieces, each at most maxSectionChars
	for _, seg := range splitFenced(md) {
		if seg.code {
			parts = append(parts, codeParts(seg.lines)...)
			continue
		}
		if s := toMrkdwn(tablesToLines(strings.Join(seg.lines, "\n"))); s != "" {
			parts = append(parts, textParts(s)...)
		}
	}
	var blocks []slack.Block
	var cur strings.Builder
	cut := false
	flush := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(cur.String()), nil, nil))
			cur.Reset()
		}
	}
	for _, p := range parts {
		if utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(p)+2 > maxSectionChars {
			flush()
		}
		if len(blocks) == maxBodyBlocks {
			cut = true
			break
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(p)
	}
	if len(blocks) < maxBodyBlocks {
		flush()
	} else if cur.Len() > 0 {
		cut = true
	}
	if cut {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(cutNote)))
	}
	return blocks
}

// fenced is a run of an answer's lines: code inside a fence, or the text
// between fences.
type fenced struct {
	code  bool
	lines []string
}

func splitFenced(md string) []fenced {
	var out []fenced
	cur := fenced{}
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			if len(cur.lines) > 0 || cur.code {
				out = append(out, cur)
			}
			cur = fenced{code: !cur.code}
			continue
		}
		cur.lines = append(cur.lines, l)
	}
	if len(cur.lines) > 0 {
		out = append(out, cur)
	}
	return out
}

// codeParts escapes code lines and wraps them in fences, split into pieces
// that each fit a section block; a line longer than a block is cut.
func codeParts(lines []string) []string {
	var out []string
	var b strings.Builder
	n := 0
	flush := func() {
		if b.Len() > 0 {
			out = append(out, "```\n"+b.String()+"```")
			b.Reset()
			n = 0
		}
	}
	for _, l := range lines {
		l = truncate(escape(l), maxSectionChars-10)
		if k := utf8.RuneCountInString(l) + 1; n+k > maxSectionChars-10 {
			flush()
		}
		b.WriteString(l + "\n")
		n += utf8.RuneCountInString(l) + 1
	}
	flush()
	return out
}

// textParts splits mrkdwn at line boundaries into pieces that fit a
// section block.
func textParts(s string) []string {
	var out []string
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		l = truncate(l, maxSectionChars)
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(l)+1 > maxSectionChars {
			out = append(out, strings.TrimRight(b.String(), "\n"))
			b.Reset()
		}
		b.WriteString(l + "\n")
	}
	if t := strings.TrimRight(b.String(), "\n"); t != "" {
		out = append(out, t)
	}
	return out
}

// tablesToLines turns each Markdown table of md into one line per row,
// cells joined by " — ", the header row in bold, since Slack shows no
// tables. Other lines stay.
func tablesToLines(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		if !isTableRow(lines[i]) || i+1 >= len(lines) || !isTableSeparator(lines[i+1]) {
			out = append(out, lines[i])
			continue
		}
		out = append(out, "**"+strings.Join(rowCells(lines[i]), " — ")+"**")
		i++ // the separator
		for i+1 < len(lines) && isTableRow(lines[i+1]) {
			i++
			out = append(out, "• "+strings.Join(rowCells(lines[i]), " — "))
		}
	}
	return strings.Join(out, "\n")
}

func isTableRow(l string) bool {
	t := strings.TrimSpace(l)
	return len(t) > 1 && t[0] == '|' && t[len(t)-1] == '|'
}

func isTableSeparator(l string) bool {
	return isTableRow(l) && strings.Trim(strings.TrimSpace(l), "|:- ") == ""
}

// maxRowCells bounds the cells of a row that are shown.
const maxRowCells = 8

func rowCells(l string) []string {
	t := strings.TrimSpace(l)
	t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
	cells := strings.Split(t, "|")
	if len(cells) > maxRowCells {
		cells = append(cells[:maxRowCells], "…")
	}
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

// cutNote says that an answer was cut to fit Slack.
func cutNote(lang string) string {
	return say(lang, "answer.cut")
}
