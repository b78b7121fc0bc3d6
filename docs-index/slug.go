package docsindex

import (
	"fmt"
	"strings"
	"unicode"
)

// slugger makes heading anchors the way Hugo and GitHub do: lower case,
// spaces to '-', punctuation dropped, letters of any script kept, duplicates
// numbered -1, -2. Goldmark's own IDs drop non-ASCII letters, which would
// break deep links into Japanese pages.
type slugger struct{ seen map[string]int }

func newSlugger() *slugger { return &slugger{seen: map[string]int{}} }

// Slug returns the anchor for a heading as Hugo and GitHub write it.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_', unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		case r == ' ' || r == '\t':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func (s *slugger) slug(heading, custom string) string {
	base := custom
	if base == "" {
		base = Slug(heading)
	}
	if base == "" {
		base = "section"
	}
	n, dup := s.seen[base]
	s.seen[base] = n + 1
	if !dup {
		return base
	}
	for {
		cand := fmt.Sprintf("%s-%d", base, n)
		if _, taken := s.seen[cand]; !taken {
			s.seen[cand] = 1
			return cand
		}
		n++
		s.seen[base] = n + 1
	}
}
