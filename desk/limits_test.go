package desk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

func TestCapQuestion(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int // characters kept
		cut  bool
	}{
		{"short", "how do I get a database?", 24, false},
		{"at the cap", strings.Repeat("a", MaxQuestionChars), MaxQuestionChars, false},
		{"one over", strings.Repeat("a", MaxQuestionChars+1), MaxQuestionChars, true},
		{"multibyte under the cap in characters", strings.Repeat("ログ", MaxQuestionChars/2), MaxQuestionChars, false},
		{"multibyte over", strings.Repeat("ログ", MaxQuestionChars), MaxQuestionChars, true},
	}
	for _, tt := range tests {
		got, cut := CapQuestion(tt.in)
		if n := utf8.RuneCountInString(got); n != tt.want || cut != tt.cut || !utf8.ValidString(got) || !strings.HasPrefix(tt.in, got) {
			t.Errorf("CapQuestion(%s) = %d characters, cut %v; want %d, %v, a valid prefix", tt.name, n, cut, tt.want, tt.cut)
		}
	}
}

func TestMessageKey(t *testing.T) {
	tests := []struct {
		in   Incoming
		want string
	}{
		{Incoming{Source: koban.SourceChannel, Channel: "C1", MessageTS: "1.2"}, "C1/1.2"},
		{Incoming{Source: koban.SourceDM, Channel: "D1", MessageTS: "1.2", ThreadTS: "1.0"}, "D1/1.2"},
		{Incoming{Source: koban.SourceWeb, Channel: "web", MessageTS: "web-abc"}, ""},
		{Incoming{Source: koban.SourceChannel, Channel: "C1"}, ""},
	}
	for _, tt := range tests {
		if got := messageKey(tt.in); got != tt.want {
			t.Errorf("messageKey(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
