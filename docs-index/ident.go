package docsindex

import (
	"bytes"

	"github.com/blevesearch/bleve/v2/analysis"
)

// identAnalyzer keeps the identifiers of a text that the word analyzer
// splits whole, lower case: API groups and versions ("apps/v1"), hyphenated
// names and flags ("--register-node", less its dashes), labels
// ("topology.kubernetes.io/zone"). Their words apart are shared
// by many pages; a page holding the identifier itself is stronger evidence.
// Plain words, numbers and paths or URLs of more than three parts make no
// identifier.
type identAnalyzer struct{}

// Analyze returns the identifiers of text, numbered in order.
func (identAnalyzer) Analyze(text []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 0
	i := 0
	for i < len(text) {
		if !identByte(text[i]) {
			i++
			continue
		}
		start := i
		for i < len(text) && identByte(text[i]) {
			i++
		}
		tok := text[start:i]
		// A leading flag's dashes and a trailing sentence's stop or
		// separator are no part of the identifier.
		lead := len(tok) - len(bytes.TrimLeft(tok, "-./:"))
		tok = bytes.TrimRight(tok[lead:], "-./:_")
		if !isIdentifier(tok) {
			continue
		}
		pos++
		out = append(out, &analysis.Token{
			Start:    start + lead,
			End:      start + lead + len(tok),
			Term:     bytes.ToLower(tok),
			Position: pos,
			Type:     analysis.AlphaNumeric,
		})
	}
	return out
}

// identByte says whether b can be part of an identifier.
func identByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return b == '-' || b == '.' || b == '/' || b == '_' || b == ':'
}

// isIdentifier says whether tok, trimmed, is an identifier: names joined
// by a slash or a hyphen, with a part of two letters or more. Names joined
// by dots, underscores or colons, and camel-case names, are words of their
// own to the word analyzer already.
func isIdentifier(tok []byte) bool {
	if len(tok) < 3 || len(tok) > 64 {
		return false
	}
	if bytes.Count(tok, []byte("/")) > 2 || bytes.Contains(tok, []byte("//")) || bytes.Contains(tok, []byte("..")) {
		return false
	}
	joined := false
	for j := 1; j+1 < len(tok); j++ {
		if c := tok[j]; (c == '-' || c == '/') && isAlnum(tok[j-1]) && isAlnum(tok[j+1]) {
			joined = true
			break
		}
	}
	if !joined {
		return false
	}
	// A version or a number range ("v1/v2", "1-2") is no name: it needs a
	// part with two letters.
	letters := 0
	for _, c := range tok {
		if 'a' <= c|0x20 && c|0x20 <= 'z' {
			letters++
		} else {
			letters = 0
		}
		if letters >= 2 {
			return true
		}
	}
	return false
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
