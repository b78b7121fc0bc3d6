package textproc

import "testing"

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
		{"このエラーの意味は？\n```\nError: pull access denied for registry.example/app, repository does not exist\n```", "ja"},
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
