package koban

import "testing"

// A bad label is refused with a message said in the reader's language.
func TestParseLabelErrors(t *testing.T) {
	tests := []struct{ in, en, ja string }{
		{"bug", `unknown category "bug": want one of self-solvable, docs-missing, platform-only`,
			`分類 "bug" はありません。self-solvable、docs-missing、platform-only のいずれかを選んでください`},
		{"docs-missing/answered", `category docs-missing has no detail "answered"`, `分類 docs-missing に詳細 "answered" はありません`},
	}
	for _, tt := range tests {
		_, err := ParseLabel(tt.in)
		if ErrorCode(err) != EInvalid {
			t.Errorf("ParseLabel(%q) = %v, want %s", tt.in, err, EInvalid)
			continue
		}
		if got := ErrorMessage(err); got != tt.en {
			t.Errorf("ParseLabel(%q) message = %q, want %q", tt.in, got, tt.en)
		}
		if got := ErrorText("ja", err); got != tt.ja {
			t.Errorf("ParseLabel(%q) in ja = %q, want %q", tt.in, got, tt.ja)
		}
	}
	if _, err := ParseLabel("platform-only/required"); err != nil {
		t.Errorf("ParseLabel(platform-only/required) = %v", err)
	}
}
