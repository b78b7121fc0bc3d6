package llm

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Nonce names the delimiters of one prompt, so that a docs page or a
// question cannot close the block it is in.
func Nonce() string {
	return strconv.FormatUint(rand.Uint64()|1<<63, 36)
}

// Clip cuts s to at most n bytes at a rune boundary, at a line or word end
// when one is near, and marks the cut. A cut that leaves a code fence open
// closes it, when there is room, so that Slack does not render the rest of
// a message as code.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:max(n-len("…"), 0)]
	for len(cut) > 0 && !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndexAny(cut, "\n "); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	if strings.Count(cut, "```")%2 == 1 && len(cut)+len("\n```…") <= n {
		return cut + "\n```…"
	}
	return cut + "…"
}
