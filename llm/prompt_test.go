package llm

import (
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four five six", 16, "one two three…"},
		{"日本語のテキスト", 10, "日本…"},
		{"see\n```\ncode line one\ncode line two\n```", 34, "see\n```\ncode line one\ncode\n```…"},
	}
	for _, tt := range tests {
		got := Clip(tt.in, tt.n)
		if got != tt.want || len(got) > tt.n {
			t.Errorf("Clip(%q, %d) = %q, want %q (at most %d bytes)", tt.in, tt.n, got, tt.want, tt.n)
		}
	}
}

func TestWriteQuestion(t *testing.T) {
	upper := strings.ToUpper
	tests := []struct {
		q    koban.Question
		want string
	}{
		{koban.Question{Text: "how?"}, "<question-n>\nHOW?\n</question-n>\n"},
		{koban.Question{Text: "how?", Context: []string{"a", "b", "c", "d"}},
			"<thread-n>\nB\n---\nC\n---\nD\n---\n</thread-n>\n\n<question-n>\nHOW?\n</question-n>\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		WriteQuestion(&b, "n", tt.q, upper)
		if got := b.String(); got != tt.want {
			t.Errorf("WriteQuestion(%q) =\n%q\nwant\n%q", tt.q.Text, got, tt.want)
		}
	}
	// Long texts are clipped: a thread message to 600 bytes, the question
	// to 4000.
	var b strings.Builder
	WriteQuestion(&b, "n", koban.Question{Text: strings.Repeat("x", 5000), Context: []string{strings.Repeat("y ", 400)}}, upper)
	thread, question, _ := strings.Cut(b.String(), "</thread-n>")
	if n := strings.Count(thread, "Y"); n < 250 || n > 300 || !strings.Contains(thread, "…") {
		t.Errorf("thread message kept %d of 400 words, want it clipped to 600 bytes", n)
	}
	if n := strings.Count(question, "X"); n < 3900 || n > 4000 || !strings.Contains(question, "…") {
		t.Errorf("question kept %d of 5000 bytes, want it clipped to 4000", n)
	}
}
