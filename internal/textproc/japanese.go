package textproc

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Kagome returns the Japanese morphological analyser, its IPA dictionary
// loaded once per process: it is large and immutable, so the docs index
// and the question's words share it. Search needs the words and their
// parts of speech, not the readings and base forms of the dictionary's
// contents: the dictionary without them is half the heap (~60 MB and most
// of its objects less), which every garbage collection would scan.
var Kagome = sync.OnceValues(func() (*tokenizer.Tokenizer, error) {
	t, err := tokenizer.New(ipa.DictShrink(), tokenizer.OmitBosEos())
	if err != nil {
		return nil, fmt.Errorf("load kagome dictionary: %w", err)
	}
	return t, nil
})

// JapaneseWords splits unspaced Japanese text into the words the docs
// index searches: kagome's search mode, without particles, auxiliary
// verbs, symbols, prefixes and suffixes. It returns nil when the dictionary
// cannot be loaded.
func JapaneseWords(text string) []string {
	t, err := Kagome()
	if err != nil {
		return nil
	}
	var out []string
	for _, tok := range t.Analyze(text, tokenizer.Search) {
		s := tok.Surface
		if strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) }) == "" {
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
