package textproc

import (
	"regexp"
	"strings"
)

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
