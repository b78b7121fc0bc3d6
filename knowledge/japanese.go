package knowledge

import (
	"strings"
	"unicode"

	"github.com/kobanhq/koban/internal/textproc"
)

// japaneseTerms splits a run of Japanese into its searchable words; a run
// kagome cannot split (no dictionary) stays whole.
func japaneseTerms(run string) []string {
	ws := textproc.JapaneseWords(run)
	if ws == nil {
		return []string{run}
	}
	var out []string
	for _, w := range ws {
		w = strings.ToLower(w)
		if textproc.IsStop(w) {
			continue
		}
		// A lone kana is a grammatical leftover, and a short word in
		// hiragana alone a verb or adjective of asking (すれ, いい), not
		// what the question is about.
		if r := []rune(w); len(r) == 1 && unicode.In(r[0], unicode.Hiragana, unicode.Katakana) || len(r) <= 3 && isHiragana(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func isHiragana(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Hiragana, r) {
			return false
		}
	}
	return s != ""
}

// japaneseTermsIn says whether any of terms is in Japanese script.
func japaneseTermsIn(terms []string) bool {
	for _, t := range terms {
		for _, r := range t {
			if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
				return true
			}
		}
	}
	return false
}
