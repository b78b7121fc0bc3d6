package knowledge

import (
	"strings"

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
		if r := []rune(w); len(r) == 1 && isKana(r[0]) || len(r) <= 3 && isHiragana(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func isKana(r rune) bool {
	s := textproc.ScriptOf(r)
	return s == textproc.Hiragana || s == textproc.Katakana
}

func isHiragana(s string) bool {
	for _, r := range s {
		if textproc.ScriptOf(r) != textproc.Hiragana {
			return false
		}
	}
	return s != ""
}

// japaneseTermsIn says whether any of terms is in Japanese script.
func japaneseTermsIn(terms []string) bool {
	for _, t := range terms {
		if strings.IndexFunc(t, textproc.IsCJK) >= 0 {
			return true
		}
	}
	return false
}
