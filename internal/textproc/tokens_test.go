package textproc

import (
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"How do I rotate the TLS cert?", []string{"how", "do", "i", "rotate", "the", "tls", "cert"}},
		{"kube-proxy max_surge v1.29", []string{"kube", "proxy", "max", "surge", "v1", "29"}},
		// Japanese runs on from Latin script without a space.
		{"etcdの管理ポリシー", []string{"etcd", "の管理ポリシー"}},
		{"Podが再起動します", []string{"pod", "が再起動します"}},
		{"데이터베이스 권한", []string{"데이터베이스", "권한"}},
		{"Ünïcode naïve café", []string{"ünïcode", "naïve", "café"}},
		{"", nil},
		{"!!! --- 🙏", nil},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenizerOptions(t *testing.T) {
	type tok struct {
		w string
		s Script
	}
	tests := []struct {
		name string
		tk   Tokenizer
		in   string
		want []tok
	}{
		{"joiners keep identifiers", Tokenizer{Joiners: "-_"}, "kube-proxy, max_surge- -x",
			[]tok{{"kube-proxy", Other}, {"max_surge", Other}, {"x", Other}}},
		{"joiners do not join CJK", Tokenizer{Joiners: "-"}, "etcd-の設定",
			[]tok{{"etcd", Other}, {"の設定", Hiragana}}},
		{"by script", Tokenizer{ByScript: true}, "本番データベースの権限がほしい",
			[]tok{{"本番", Han}, {"データベース", Katakana}, {"の", Hiragana}, {"権限", Han}, {"がほしい", Hiragana}}},
		{"whole runs", Tokenizer{}, "本番データベースの権限",
			[]tok{{"本番データベースの権限", Han}}},
	}
	for _, tt := range tests {
		var got []tok
		tt.tk.Scan(tt.in, func(w string, s Script) bool {
			got = append(got, tok{w, s})
			return true
		})
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Scan(%q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestScanStops(t *testing.T) {
	n := 0
	Tokenizer{}.Scan("one two three four", func(string, Script) bool {
		n++
		return n < 2
	})
	if n != 2 {
		t.Errorf("Scan went on after yield returned false: %d words", n)
	}
}

func TestScriptOf(t *testing.T) {
	tests := []struct {
		r    rune
		want Script
		cjk  bool
	}{
		{'a', Other, false}, {'7', Other, false}, {'é', Other, false}, {'ж', Other, false},
		{'管', Han, true}, {'の', Hiragana, true}, {'デ', Katakana, true}, {'ー', Katakana, true},
		{'ｶ', Katakana, true}, {'한', Hangul, true},
		{' ', NoScript, false}, {'-', NoScript, false}, {'。', NoScript, false}, {'🙏', NoScript, false},
	}
	for _, tt := range tests {
		if got := ScriptOf(tt.r); got != tt.want || IsCJK(tt.r) != tt.cjk {
			t.Errorf("ScriptOf(%q) = %v (CJK %v), want %v (CJK %v)", tt.r, got, IsCJK(tt.r), tt.want, tt.cjk)
		}
	}
}

func TestBigrams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"管理者", []string{"管理", "理者"}},
		{"設定する", []string{"設定", "定す", "する"}},
		{"が", []string{"が"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Bigrams(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Bigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJapaneseWords(t *testing.T) {
	tests := []struct {
		in       string
		want     []string // among the words
		notWants []string // particles and endings, never words
	}{
		{"ネームスペースを削除する方法", []string{"スペース", "削除", "方法"}, []string{"を"}},
		{"証明書の有効期限を確認したいです", []string{"証明", "有効", "期限", "確認"}, []string{"の", "を", "です", "たい"}},
	}
	for _, tt := range tests {
		got := JapaneseWords(tt.in)
		if got == nil {
			t.Fatalf("JapaneseWords(%q) = nil: the dictionary did not load", tt.in)
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("JapaneseWords(%q) = %q, want %q among them", tt.in, got, w)
			}
		}
		for _, w := range tt.notWants {
			if slices.Contains(got, w) {
				t.Errorf("JapaneseWords(%q) = %q, want no %q", tt.in, got, w)
			}
		}
	}
}

// FuzzScan checks that no input, invalid UTF-8 included, makes the
// tokenizer crash or yield an empty word or one with a separator in it.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"kube-proxy の設定", "Ünïcode\xff\xfe", "--a__b--", "データベース123abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tk := range []Tokenizer{{}, {Joiners: "-_", ByScript: true}, {Mixed: true}} {
			tk.Scan(s, func(w string, sc Script) bool {
				if w == "" || sc == NoScript {
					t.Fatalf("%+v.Scan(%q) gave %q (%v)", tk, s, w, sc)
				}
				for _, r := range w {
					if ScriptOf(r) == NoScript && !strings.ContainsRune(tk.Joiners, r) {
						t.Fatalf("%+v.Scan(%q) gave %q with separator %q", tk, s, w, r)
					}
				}
				return true
			})
		}
	})
}
