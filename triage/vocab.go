package triage

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban/internal/textproc"
)

// Vocabulary is the words the docs use, lower-cased Latin words and CJK
// character pairs, with how many texts use each. A docs question whose key
// terms the docs never use is a docs gap, not a page the asker missed; a
// domain keyword the docs use everywhere says little about a question.
type Vocabulary struct {
	words map[string]int // word → how many texts use it
	stems map[string]int // stem (textproc.Stem) of Latin words → how many texts use one
	texts int
}

// NewVocabulary collects the words of the given texts (the docs sections'
// titles, breadcrumbs and text).
func NewVocabulary(texts []string) *Vocabulary {
	v := &Vocabulary{words: make(map[string]int), stems: make(map[string]int), texts: len(texts)}
	stemOf := make(map[string]string)
	for _, t := range texts {
		seen := make(map[string]bool)
		stems := make(map[string]bool)
		for _, w := range textproc.Words(strings.ToLower(t)) {
			if textproc.IsCJK(firstRune(w)) {
				r := []rune(w)
				for i := 0; i+2 <= len(r); i++ {
					seen[string(r[i:i+2])] = true
				}
				continue
			}
			seen[w] = true
			st, ok := stemOf[w]
			if !ok {
				st = textproc.Stem(w)
				stemOf[w] = st
			}
			stems[st] = true
		}
		for w := range seen {
			v.words[w]++
		}
		for st := range stems {
			v.stems[st]++
		}
	}
	return v
}

// Len is the number of distinct words.
func (v *Vocabulary) Len() int { return len(v.words) }

// has reports whether the docs use w, or another form of it (the same
// stem).
func (v *Vocabulary) has(w string) bool { return v.count(w) > 0 }

// count is how many texts use w, or else a word of the same stem.
func (v *Vocabulary) count(w string) int {
	if n := v.words[w]; n > 0 {
		return n
	}
	return v.stems[textproc.Stem(w)]
}

// specificity says how much a keyword tells about a text's subject in these
// docs: 1 for a word used in at most 5% of the texts, falling to 0.3 for one
// used in half of them or more ("pod" in Kubernetes docs). A keyword of
// several words counts by its rarest; one the docs never use, or a nil
// Vocabulary, gives 1.
func (v *Vocabulary) specificity(keyword string) float64 {
	if v == nil || v.texts == 0 {
		return 1
	}
	best := 0.0
	for _, w := range textproc.Words(keyword) {
		n := v.count(w)
		if n == 0 || textproc.IsCJK(firstRune(w)) {
			return 1
		}
		share := float64(n) / float64(v.texts)
		sp := 1 - 0.7*math.Min(1, math.Max(0, math.Log(share/0.05)/math.Log(0.5/0.05)))
		best = math.Max(best, sp)
	}
	if best == 0 {
		return 1
	}
	return best
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
