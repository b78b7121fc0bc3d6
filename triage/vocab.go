package triage

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Vocabulary is the words the docs use, lower-cased Latin words and CJK
// character pairs, with how many texts use each. A docs question whose key
// terms the docs never use is a docs gap, not a page the asker missed; a
// domain keyword the docs use everywhere says little about a question.
type Vocabulary struct {
	words map[string]int // word → how many texts use it
	texts int
}

// NewVocabulary collects the words of the given texts (the docs sections'
// titles, breadcrumbs and text).
func NewVocabulary(texts []string) *Vocabulary {
	v := &Vocabulary{words: make(map[string]int), texts: len(texts)}
	for _, t := range texts {
		seen := make(map[string]bool)
		for _, w := range words(strings.ToLower(t)) {
			if isCJK(firstRune(w)) {
				r := []rune(w)
				for i := 0; i+2 <= len(r); i++ {
					seen[string(r[i:i+2])] = true
				}
				continue
			}
			seen[w] = true
		}
		for w := range seen {
			v.words[w]++
		}
	}
	return v
}

// Len is the number of distinct words.
func (v *Vocabulary) Len() int { return len(v.words) }

// has reports whether the docs use w, or w without a plural or verb ending.
func (v *Vocabulary) has(w string) bool { return v.count(w) > 0 }

// count is how many texts use w, or else w without a plural or verb ending.
func (v *Vocabulary) count(w string) int {
	if n := v.words[w]; n > 0 {
		return n
	}
	for _, suf := range []string{"s", "es", "d", "ed", "ing"} {
		if base, ok := strings.CutSuffix(w, suf); ok && utf8.RuneCountInString(base) >= 3 {
			if n := v.words[base]; n > 0 {
				return n
			}
			if n := v.words[base+"e"]; n > 0 && suf == "ing" {
				return n
			}
		}
	}
	return 0
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
	for _, w := range words(keyword) {
		n := v.count(w)
		if n == 0 || isCJK(firstRune(w)) {
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
	for _, w := range words(text) {
		var cands []string
		if isCJK(firstRune(w)) {
			r := []rune(w)
			for i := 0; i+2 <= len(r); i++ {
				cands = append(cands, string(r[i:i+2]))
			}
		} else if utf8.RuneCountInString(w) >= 4 && !stopwords[w] && !termFiller[w] && !strings.ContainsAny(w, "0123456789_") {
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
