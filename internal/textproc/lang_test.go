package textproc

import (
	"regexp"
	"strings"
	"testing"
)

func TestLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"How do I request a database?", "en"},
		{"データベースを申請するには？", "ja"},
		{"データベースを申請するにはどうすればいいですか？", "ja"},
		{"kubectl rollout undo が失敗します", "ja"},
		{"kubectl apply でエラーが出ます: error validating data", "ja"},
		// Fenced code does not count: an English question about Japanese output.
		{"```\nエラー\n```\nWhy does this fail?", "en"},
		{"~~~~\nデータベース\n~~~~\nhow do I read this log", "en"},
		// A Japanese question with an English log pasted in a fence.
		{"このエラーの意味は？\n```\nError: container has runAsNonRoot and image will run as root\n```", "ja"},
		// One kanji in an English sentence is not Japanese.
		{"Why does the pod named 東 keep restarting after the upgrade?", "en"},
		{"", ""},
		{"🙏 123 !!!", ""},
		{"```\nkubectl get pods\n```", ""},
	}
	for _, tt := range tests {
		if got := Lang(tt.in); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

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
