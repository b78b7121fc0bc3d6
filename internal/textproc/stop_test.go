package textproc

import "testing"

func TestIsStop(t *testing.T) {
	tests := []struct {
		w    string
		want bool
	}{
		// English function words, asking and thanking, contraction pieces.
		{"the", true}, {"how", true}, {"please", true}, {"thanks", true}, {"doesn", true}, {"ll", true},
		// Stems of stop words (Snowball and Inflections), as a stemmed word
		// list holds them.
		{"doe", true}, {"issu", true}, {"gett", true}, {Stem("anything"), true},
		// Japanese: words of asking as kagome splits them, and kana pairs
		// of endings and particles as bigrams give them.
		{"方法", true}, {"できる", true}, {"ください", true}, {"ます", true}, {"には", true},
		// What a question is about.
		{"database", false}, {"namespace", false}, {"ingress", false}, {"k8s", false},
		{"データベース", false}, {"権限", false}, {"証明", false},
		// Case matters: callers lower-case first.
		{"The", false},
	}
	for _, tt := range tests {
		if got := IsStop(tt.w); got != tt.want {
			t.Errorf("IsStop(%q) = %v, want %v", tt.w, got, tt.want)
		}
	}
}
