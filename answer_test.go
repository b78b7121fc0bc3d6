package koban

import (
	"strings"
	"testing"
)

func TestAnswerPassage(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"related pages cut", "Here is what the docs say:\n\n**A** (how-to, a.md)\nrun it\n\n" + RelatedHead("en") + "\n• **B** (b.md): more\n", "Here is what the docs say:\n\n**A** (how-to, a.md)\nrun it"},
		{"Japanese related pages cut", "ドキュメントの関連箇所です。\n\n本文\n\n" + RelatedHead("ja") + "\n• **B** (b.md): 続き\n", "ドキュメントの関連箇所です。\n\n本文"},
		{"nothing listed: unchanged", "Here is what the docs say:\n\nrun it", "Here is what the docs say:\n\nrun it"},
		{"the words inside a line are not a list", "See Also related: pages in the index.", "See Also related: pages in the index."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Answer{Text: tt.text}).Passage(); got != tt.want {
				t.Errorf("Passage() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCitationGlimpse(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		snippet, want string
	}{
		{"one\n  two\tthree", "one two three"},
		{long, strings.Repeat("é", 299) + "…"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (Citation{Snippet: tt.snippet}).Glimpse(); got != tt.want {
			t.Errorf("Glimpse(%.20q…) = %.40q…, want %.40q…", tt.snippet, got, tt.want)
		}
	}
}
