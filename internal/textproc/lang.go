package textproc

import (
	"strings"
	"unicode"
)

// Lang returns "ja" or "en" by the share of kana and kanji among the
// letters of s, fenced code left out, or "" when s has no letters. A
// Japanese sentence has one kana or kanji a character where English has one
// letter (about five a word), so a share of 15% is Japanese: a few words
// among romaji commands and English error text still are.
func Lang(s string) string {
	var cjk, latin int
	inFence := false
	for line := range strings.SplitSeq(s, "\n") {
		if FenceOpen(strings.TrimSpace(line)) != "" {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, r := range line {
			switch {
			case unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han):
				cjk++
			case r < 128 && unicode.IsLetter(r):
				latin++
			}
		}
	}
	switch {
	case cjk+latin == 0:
		return ""
	case cjk > 0 && float64(cjk) >= 0.15*float64(cjk+latin):
		return "ja"
	}
	return "en"
}
