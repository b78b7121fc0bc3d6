package docsindex

import (
	"strings"
	stdunicode "unicode"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// JapaneseWords splits unspaced Japanese text into the words the index
// searches: kagome's search mode, without particles, auxiliary verbs,
// symbols and suffixes. It returns nil when the dictionary cannot be
// loaded.
func JapaneseWords(text string) []string {
	t, err := kagomeTokenizer()
	if err != nil {
		return nil
	}
	var out []string
	for _, tok := range t.Analyze(text, tokenizer.Search) {
		s := tok.Surface
		if strings.TrimFunc(s, func(r rune) bool { return stdunicode.IsSpace(r) || stdunicode.IsPunct(r) || stdunicode.IsSymbol(r) }) == "" {
			continue
		}
		if p := tok.POS(); len(p) > 0 {
			switch p[0] {
			case "助詞", "助動詞", "記号", "接頭詞":
				continue
			}
			if len(p) > 1 && (p[1] == "非自立" || p[1] == "接尾" || p[1] == "代名詞") {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}
