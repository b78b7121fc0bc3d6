package knowledge

import (
	"strings"
	"unicode"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// jaTermStop lists Japanese words too common in questions to say what they
// are about: the verbs of asking and being able, question words, forms.
var jaTermStop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`する できる でき ある いる なる 見る 見 られる れる 何 なに どこ どう どの どれ いつ 誰 こと もの よう ため 方法 場合 時 とき 教え 教える ください 下さい 分かる わかる 知る 知り たい 思う`) {
		jaTermStop[w] = true
	}
}

// japaneseTerms splits a run of Japanese into its searchable words; a run
// kagome cannot split (no dictionary) stays whole.
func japaneseTerms(run string) []string {
	ws := docsindex.JapaneseWords(run)
	if ws == nil {
		return []string{run}
	}
	var out []string
	for _, w := range ws {
		w = strings.ToLower(w)
		if jaTermStop[w] {
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
