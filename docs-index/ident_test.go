package docsindex

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

func TestIdentAnalyzer(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"set apiVersion: apps/v1 in the Deployment", []string{"apps/v1"}},
		{"use --register-node=false, e.g. on masters.", []string{"register-node"}},
		{"the field metadata.annotations is too long", nil},
		{"pods in CrashLoopBackOff with runAsNonRoot", nil},
		{"max_surge and topology.kubernetes.io/zone:", []string{"topology.kubernetes.io/zone"}},
		{"pages 1-2 of v1/v2", nil},
		{"plain words, Kubernetes 1.28 and v1.2.3 only", nil},
		{"see https://kubernetes.io/docs/concepts/overview/ or a/b/c/d", nil},
		{"i.e. no", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range (identAnalyzer{}).Analyze([]byte(tt.text)) {
			got = append(got, string(tok.Term))
			if string(tt.text[tok.Start:tok.End]) == "" {
				t.Errorf("%q: empty span for %q", tt.text, tok.Term)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("identAnalyzer(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestSearchIdentField checks that the identifier field credits the
// sections and pages that hold a question's identifier whole, in prose or
// in code, and none that hold only its words apart.
func TestSearchIdentField(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) { writeFile(t, filepath.Join(docs, name), text) }
	write("whole.md", "---\ntitle: Removed versions\n---\n\nThe old group is gone.\n\n```yaml\napiVersion: widgets/v1beta1\n```\n")
	write("apart.md", "---\ntitle: Widgets\n---\n\nWidgets come in version v1beta1 and v2.\n")
	write("flag.md", "---\ntitle: Agent flags\n---\n\nSet --frob-level to tune the agent.\n")
	ix, err := OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.Update(ctx, []Source{{Path: docs, Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string // pages with identifier evidence of their own and of a section
	}{
		{"the server refuses my Widget at widgets/v1beta1", []string{"whole.md"}},
		{"what does frob-level do", []string{"flag.md"}},
		{"widgets v1beta1", nil},
	}
	for _, tt := range tests {
		hits, err := ix.Search(ctx, Query{Text: tt.text, Lang: "en", Weights: map[string]float64{FieldIdent: 1, FieldPageIdent: 1, FieldBody: 1}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			if h.Fields[FieldIdent] > 0 && h.Fields[FieldPageIdent] > 0 {
				got = append(got, h.Path)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q): pages with identifier scores %q, want %q", tt.text, got, tt.want)
		}
	}
}
