package textproc

import (
	"regexp"
	"strings"
	"testing"
)

func TestFenceOpen(t *testing.T) {
	tests := []struct{ in, want string }{
		{"```", "```"},
		{"```go", "```"},
		{"````yaml", "````"},
		{"~~~", "~~~"},
		{"``", ""},
		{"text ```", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := FenceOpen(tt.in); got != tt.want {
			t.Errorf("FenceOpen(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFenceCloses(t *testing.T) {
	tests := []struct {
		trim, fence string
		want        bool
	}{
		{"```", "```", true},
		{"````", "```", true},
		{"``", "```", false},
		{"~~~", "```", false},
		{"```go", "```", false},
		{"```", "", false},
	}
	for _, tt := range tests {
		if got := FenceCloses(tt.trim, tt.fence); got != tt.want {
			t.Errorf("FenceCloses(%q, %q) = %v, want %v", tt.trim, tt.fence, got, tt.want)
		}
	}
}

func TestReplaceOutside(t *testing.T) {
	code := regexp.MustCompile("`[^`]*`")
	tests := []struct{ in, want string }{
		{"run `make all` now", "RUN `make all` NOW"},
		{"`a` and `b`", "`a` AND `b`"},
		{"no code", "NO CODE"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ReplaceOutside(code, tt.in, strings.ToUpper); got != tt.want {
			t.Errorf("ReplaceOutside(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
