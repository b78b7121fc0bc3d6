package triage

import (
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/textproc"
)

// Vocabulary is the set of words the docs use: lower-cased Latin words and
// CJK character pairs. A docs question whose key terms the docs never use
// is a docs gap, not a page the asker missed.
type Vocabulary struct {
	words map[string]struct{}
	stems map[string]struct{} // the Latin words' stems (textproc.Stem)
}

// NewVocabulary collects the words of the given texts (the docs sections'
// titles, breadcrumbs and text).
func NewVocabulary(texts []string) *Vocabulary {
	v := &Vocabulary{words: make(map[string]struct{}), stems: make(map[string]struct{})}
	for _, t := range texts {
		for _, w := range textproc.Words(strings.ToLower(t)) {
			if textproc.IsCJK(firstRune(w)) {
				r := []rune(w)
				for i := 0; i+2 <= len(r); i++ {
					v.words[string(r[i:i+2])] = struct{}{}
				}
				continue
			}
			if _, ok := v.words[w]; !ok {
				v.words[w] = struct{}{}
				v.stems[textproc.Stem(w)] = struct{}{}
			}
		}
	}
	return v
}

// Len is the number of distinct words.
func (v *Vocabulary) Len() int { return len(v.words) }

// has reports whether the docs use w, or another form of it (the same
// stem).
func (v *Vocabulary) has(w string) bool {
	if _, ok := v.words[w]; ok {
		return true
	}
	_, ok := v.stems[textproc.Stem(w)]
	return ok
}

// absent gives the share of a text's key terms the docs never use, and how
// many key terms it has. Key terms are Latin words of four letters or more
// without digits that are not function words, and CJK character pairs.
func (v *Vocabulary) absent(text string) (share float64, terms int) {
	if v == nil || len(v.words) == 0 {
		return 0, 0
	}
	text = strings.ToLower(linkRE.ReplaceAllString(truncateRunes(text, maxTextRunes), " "))
	seen := make(map[string]bool)
	missing := 0
	for _, w := range textproc.Words(text) {
		var cands []string
		if textproc.IsCJK(firstRune(w)) {
			r := []rune(w)
			for i := 0; i+2 <= len(r); i++ {
				cands = append(cands, string(r[i:i+2]))
			}
		} else if utf8.RuneCountInString(w) >= 4 && !textproc.IsStop(w) && !strings.ContainsAny(w, "0123456789_") {
			cands = []string{w}
		}
		for _, c := range cands {
			if seen[c] {
				continue
			}
			seen[c] = true
			terms++
			if !v.has(c) {
				missing++
			}
		}
	}
	if terms == 0 {
		return 0, 0
	}
	return float64(missing) / float64(terms), terms
}
