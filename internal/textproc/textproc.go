// Package textproc holds the text handling that koban's packages share, so that
// they agree: which language a text is written in, where fenced code begins
// and ends in Markdown (docs pages, questions pasted with logs), and
// rewriting a text around the parts that must stay as they are (code).
package textproc

import (
	"regexp"
	"strings"
	"unicode"
)

// Lang returns "ja" or "en" by the share of kana and kanji among the
// letters of s, fenced code left out, or "" when s has no letters. A
// Japanese sentence has one kana or kanji a character where English has one
// letter (about five a word), so a share of 15% is Japanese: a few words
// among romaji commands and English error text still are.
func Lang(s string) string {
	var cjk, latin int
	inFence := false
	for line := range strings.SplitSeq(s, "\n") {
		if FenceOpen(strings.TrimSpace(line)) != "" {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, r := range line {
			switch {
			case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han):
				cjk++
			case r < 128 && unicode.IsLetter(r):
				latin++
			}
		}
	}
	switch {
	case cjk+latin == 0:
		return ""
	case cjk > 0 && float64(cjk) >= 0.15*float64(cjk+latin):
		return "ja"
	}
	return "en"
}

// FenceOpen returns the fence (``` or ~~~, possibly longer) that a line,
// trimmed of white space, opens or closes in Markdown; "" when it is no
// fence.
func FenceOpen(trim string) string {
	for _, c := range []string{"`", "~"} {
		if strings.HasPrefix(trim, c+c+c) {
			n := len(trim) - len(strings.TrimLeft(trim, c))
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// FenceCloses reports whether a line, trimmed of white space, closes the
// code block that fence (from FenceOpen) opened: the same character, at
// least as many times, and nothing else.
func FenceCloses(trim, fence string) bool {
	return fence != "" && strings.HasPrefix(trim, fence) && strings.Trim(trim, fence[:1]) == ""
}

// ReplaceOutside applies f to the parts of s that re does not match and
// keeps the matches as they are: rewriting prose around code spans, say.
func ReplaceOutside(re *regexp.Regexp, s string, f func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		b.WriteString(f(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(f(s[last:]))
	return b.String()
}
