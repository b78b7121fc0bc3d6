package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

func TestVocabularyAbsent(t *testing.T) {
	v := NewVocabulary([]string{"Create a namespace\nRun the create task to get a namespace.", "Rotate a database password", "データベースのバックアップ"})
	tests := []struct {
		in        string
		wantShare float64
		wantTerms int
	}{
		{"How do I rotate my database password?", 0, 3},
		{"How do I rotate the frobnicator quantizer?", 2.0 / 3, 3},
		{"namespaces created", 0, 2},
		{"バックアップ", 0, 5},
		{"creating namespaces", 0, 2},
		{"ok", 0, 0},
	}
	for _, tt := range tests {
		share, n := v.absent(tt.in)
		if n != tt.wantTerms || share != tt.wantShare {
			t.Errorf("absent(%q) = %.2f of %d terms, want %.2f of %d", tt.in, share, n, tt.wantShare, tt.wantTerms)
		}
	}
	var none *Vocabulary
	if share, n := none.absent("anything at all here"); share != 0 || n != 0 {
		t.Errorf("nil vocabulary: absent = %v, %d, want 0, 0", share, n)
	}
}

// TestDocsQuestionInUnknownWords checks that a how-to question in words
// the docs never use leans to docs-missing once triage knows the docs'
// words.
func TestDocsQuestionInUnknownWords(t *testing.T) {
	q := "How do I configure the frobnicator quantizer for my service?"
	a := koban.Answer{Confidence: 0.2, Pages: []koban.Citation{{Path: "how-to/create-a-namespace.md", Title: "Create a namespace", Quadrant: koban.HowTo}}}
	without := mustNew(t, DefaultConfig(), nil)
	with := mustNew(t, DefaultConfig(), nil)
	with.SetVocabulary(NewVocabulary([]string{"Create a namespace for your service. Configure it with the create task."}))
	before := mustTriage(t, without, q, a)
	after := mustTriage(t, with, q, a)
	if after.Label.Category != koban.DocsMissing {
		t.Errorf("with the docs' words Triage(%q) = %s (%.2f), want docs-missing; reasons %q", q, after.Label, after.Confidence, after.Reasons)
	}
	if before.Label.Category == koban.DocsMissing && before.Confidence >= after.Confidence {
		t.Errorf("the docs' words did not raise docs-missing: %.2f without, %.2f with", before.Confidence, after.Confidence)
	}
}
