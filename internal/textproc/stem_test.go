package textproc

import "testing"

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"configuring", "configur"},
		{"configuration", "configur"},
		{"policies", "polici"},
		{"policy", "polici"},
		{"deployments", "deploy"},
		{"pods", "pod"},
		// Not English words: left as they are.
		{"k8s", "k8s"},
		{"max_surge", "max_surge"},
		{"データベース", "データベース"},
		{"go", "go"},
	}
	for _, tt := range tests {
		if got := Stem(tt.in); got != tt.want {
			t.Errorf("Stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRoot(t *testing.T) {
	tests := []struct {
		in, want string
		finds    []string // texts the root is a substring of
	}{
		{"policies", "polic", []string{"policy", "policies"}},
		{"applied", "appl", []string{"apply", "applies"}},
		{"deployments", "deploy", []string{"deployment", "deploying"}},
		{"provisioning", "provis", []string{"provision"}},
		{"configuration", "configur", []string{"configure"}},
		// Never shorter than four letters: "us" is inside too much.
		{"using", "usin", nil},
		{"apis", "apis", nil},
		{"dns", "dns", nil},
	}
	for _, tt := range tests {
		got := Root(tt.in)
		if got != tt.want {
			t.Errorf("Root(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, f := range tt.finds {
			if len(got) > len(f) || f[:len(got)] != got {
				t.Errorf("Root(%q) = %q does not start %q", tt.in, got, f)
			}
		}
	}
}

func TestSingular(t *testing.T) {
	tests := []struct{ in, want string }{
		{"buckets", "bucket"},
		{"databases", "database"},
		{"access", "access"},
		{"status", "status"},
		{"analysis", "analysis"},
		{"dns", "dns"},
		{"configuring", "configuring"},
	}
	for _, tt := range tests {
		if got := Singular(tt.in); got != tt.want {
			t.Errorf("Singular(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
