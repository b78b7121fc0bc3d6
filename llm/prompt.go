package llm

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kobanhq/koban"
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

// Limits of the asker's words a prompt quotes.
const (
	maxPromptQuestion    = 4000 // bytes of the question (knowledge.MaxQuestionChars)
	maxPromptThread      = 3    // earlier messages of the thread
	maxPromptThreadChars = 600  // bytes of each
)

// WriteQuestion writes what the asker wrote into a prompt: the last few
// earlier messages of the thread, each clipped, between <thread-NONCE>
// tags, then the question, clipped, between <question-NONCE> tags. Each
// text is masked with redact first. The system prompt tells the model that
// what the tags hold is data, never instructions; the nonce keeps the text
// from closing its tag.
func WriteQuestion(b *strings.Builder, nonce string, q koban.Question, redact func(string) string) {
	if n := len(q.Context); n > 0 {
		fmt.Fprintf(b, "<thread-%s>\n", nonce)
		for _, m := range q.Context[max(0, n-maxPromptThread):] {
			b.WriteString(redact(Clip(m, maxPromptThreadChars)) + "\n---\n")
		}
		fmt.Fprintf(b, "</thread-%s>\n\n", nonce)
	}
	fmt.Fprintf(b, "<question-%s>\n%s\n</question-%s>\n", nonce, redact(Clip(q.Text, maxPromptQuestion)), nonce)
}
