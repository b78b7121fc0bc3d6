package textproc

import (
	"strings"
	"testing"
)

func TestStem(t *testing.T) {
	tests := []struct {
		mode    Stemming
		in      string
		want    string
		related []string // words with the same stem in this mode
	}{
		{Snowball, "configuring", "configur", []string{"configuration", "configure", "configured"}},
		{Snowball, "policies", "polici", []string{"policy"}},
		{Snowball, "deployments", "deploy", []string{"deploying", "deployed"}},
		{Snowball, "pods", "pod", []string{"pod"}},
		{Snowball, "adding", "add", []string{"add", "added", "adds"}},
		{Snowball, "erred", "err", []string{"err", "errs"}},
		{Snowball, "running", "run", []string{"run", "runs"}},
		{Snowball, "stopped", "stop", []string{"stop", "stopping"}},
		{Inflections, "updating", "updat", []string{"updates"}},
		{Inflections, "policies", "polic", nil},
		{Inflections, "deployments", "deployment", []string{"deployment"}},
		{Inflections, "pods", "pods", nil}, // too short to cut
		{Plurals, "buckets", "bucket", []string{"bucket"}},
		{Plurals, "databases", "database", []string{"database"}},
		{Plurals, "access", "access", nil},
		{Plurals, "status", "status", nil},
		{Plurals, "analysis", "analysis", nil},
		{Plurals, "configuring", "configuring", nil},
	}
	for _, tt := range tests {
		if got := tt.mode.Stem(tt.in); got != tt.want {
			t.Errorf("%v.Stem(%q) = %q, want %q", tt.mode, tt.in, got, tt.want)
		}
		for _, r := range tt.related {
			if got, want := tt.mode.Stem(r), tt.mode.Stem(tt.in); got != want {
				t.Errorf("%v.Stem(%q) = %q, want %q as for %q", tt.mode, r, got, want, tt.in)
			}
		}
	}
}

// TestInflectionsPrefix checks what substring tests rely on: an
// Inflections stem is a prefix of the word, so it is found in the text.
func TestInflectionsPrefix(t *testing.T) {
	for _, w := range []string{"policies", "applied", "running", "certificates", "namespaces", "configured", "ingress"} {
		if s := Inflections.Stem(w); !strings.HasPrefix(w, s) || len(s) < 4 {
			t.Errorf("Inflections.Stem(%q) = %q: not a prefix of four letters or more", w, s)
		}
	}
}

// TestStemLeavesNonWords checks that identifiers, numbers and other
// scripts are no English words to fold, in every mode.
func TestStemLeavesNonWords(t *testing.T) {
	for _, mode := range []Stemming{Snowball, Inflections, Plurals} {
		for _, w := range []string{"k8s", "max_surge", "v1beta1s", "データベース", "cafés", "", "go"} {
			if got := mode.Stem(w); got != w {
				t.Errorf("%v.Stem(%q) = %q, want it unchanged", mode, w, got)
			}
		}
	}
	if Stem("networking") != Snowball.Stem("networking") {
		t.Errorf("Stem is not Snowball.Stem")
	}
}
