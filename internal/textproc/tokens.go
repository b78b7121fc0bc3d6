package textproc

import (
	"strings"
	"unicode"
)

// Script is the writing system of a word, as the tokenizer tells them
// apart.
type Script uint8

// Scripts. Other covers letters and digits of every script that writes
// spaces between words (Latin, Cyrillic, Greek, …).
const (
	NoScript Script = iota // separators: spaces, punctuation, symbols
	Other
	Han
	Hiragana
	Katakana // with the long-vowel mark ー
	Hangul
)

// CJK reports whether s writes no spaces between words: Han, kana or
// Hangul.
func (s Script) CJK() bool { return s >= Han }

// ScriptOf returns the script of r, NoScript for anything that is neither a
// letter nor a digit.
func ScriptOf(r rune) Script {
	if r < 0x80 { // most text: skip the Unicode tables
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return Other
		}
		return NoScript
	}
	switch {
	case unicode.Is(unicode.Han, r):
		return Han
	case unicode.Is(unicode.Hiragana, r):
		return Hiragana
	case unicode.Is(unicode.Katakana, r) || r == 'ー':
		return Katakana
	case unicode.Is(unicode.Hangul, r):
		return Hangul
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return Other
	}
	return NoScript
}

// IsCJK reports whether r is Han, kana (ー included) or Hangul.
func IsCJK(r rune) bool { return ScriptOf(r).CJK() }

// Tokenizer splits text into words. The zero value is the tokenizer most
// callers want (Words).
type Tokenizer struct {
	// Joiners are characters that stay inside a word of Other script
	// between letters or digits: "-_" keeps "kube-proxy" and "max_surge"
	// whole.
	Joiners string
	// ByScript splits a CJK run where its script changes, kanji from
	// katakana from hiragana ("本番データベースの" gives 本番, データベース,
	// の); otherwise the run is one word, to be split by Bigrams or
	// JapaneseWords.
	ByScript bool
	// Mixed keeps a run of letters and digits whole where it changes
	// between CJK and other scripts ("podの作成"): kagome splits such a
	// run better as a whole than in parts (knowledge's query terms: on
	// Japanese questions that name a section, 0.426 of the answers cite
	// that section so, 0.398 with the run split first).
	Mixed bool
}

// Scan calls yield with each word of text, lower case, and its script (for
// a whole CJK run, the script of its first character), until yield returns
// false. Words are runs of letters and digits; unless Mixed, a word ends
// where the text changes between CJK and other scripts, so "etcdの管理" is
// "etcd" and "の管理".
func (t Tokenizer) Scan(text string, yield func(word string, s Script) bool) {
	text = strings.ToLower(text)
	start, kind, first := -1, NoScript, NoScript
	for i, r := range text {
		s := ScriptOf(r)
		if s == NoScript && kind == Other && strings.ContainsRune(t.Joiners, r) {
			continue // decided by what follows
		}
		if start >= 0 && t.ends(kind, s) {
			if !yield(trimJoiners(text[start:i], t.Joiners), first) {
				return
			}
			start = -1
		}
		if s != NoScript && start < 0 {
			start, first = i, s
		}
		kind = s
	}
	if start >= 0 {
		yield(trimJoiners(text[start:], t.Joiners), first)
	}
}

// ends reports whether a word of script prev ends before a character of
// script next.
func (t Tokenizer) ends(prev, next Script) bool {
	switch {
	case next == NoScript:
		return true
	case t.Mixed:
		return false
	case prev.CJK() != next.CJK():
		return true
	case t.ByScript:
		return prev != next
	}
	return false
}

func trimJoiners(w, joiners string) string {
	if joiners == "" {
		return w
	}
	return strings.TrimRight(w, joiners)
}

// Words returns the words of text, lower case, each run of CJK script
// whole (see Tokenizer.Scan).
func Words(text string) []string {
	var out []string
	Tokenizer{}.Scan(text, func(w string, _ Script) bool {
		out = append(out, w)
		return true
	})
	return out
}

// Bigrams returns the overlapping pairs of characters of a CJK run, which
// find Japanese words without a dictionary: "管理者" gives 管理, 理者. A
// run of one character is returned alone.
func Bigrams(run string) []string {
	rs := []rune(run)
	if len(rs) < 2 {
		if len(rs) == 0 {
			return nil
		}
		return []string{run}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}
