package docsindex

import (
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
		{"max_surge and node-role.kubernetes.io/control-plane:", []string{"node-role.kubernetes.io/control-plane"}},
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
