package textproc

import (
	"strings"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Stem returns the Snowball (Porter2) English stem of a lower-case word,
// the stem the docs index gives it: "configuring" and "configuration" are
// "configur", "policies" and "policy" are "polici". Words with a character
// outside a–z (identifiers, version strings, other languages) stay as they
// are.
func Stem(w string) string {
	if len(w) < 3 || strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return w
	}
	env := snowballstem.NewEnv(w)
	english.Stem(env)
	return env.Current()
}

// minRoot is the shortest root Root returns for a longer word: a shorter
// one ("us" for "using") is inside too many unrelated words.
const minRoot = 4

// Root returns the start of w that its inflected forms share, to look for
// the word inside a text: its stem cut back to a prefix of w, without the
// i that the stemmer writes for y ("policies" and "policy" give "polic",
// "deployments" gives "deploy"), and never shorter than four letters when
// w is longer.
func Root(w string) string {
	s := Stem(w)
	n := 0
	for n < len(s) && n < len(w) && s[n] == w[n] {
		n++
	}
	if n > 0 && s[n-1] == 'i' && (strings.HasPrefix(w[n:], "es") || strings.HasPrefix(w[n:], "ed")) {
		n-- // "applies", "applied": the i stands for y
	}
	if n < minRoot {
		n = min(len(w), minRoot)
	}
	return w[:n]
}

// Singular folds an English plural s ("buckets" to "bucket"; not "access"
// or "status") and leaves every other word as it is, so that it still
// reads as a word where people see it.
func Singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		return w[:len(w)-1]
	}
	return w
}
