package i18n

import (
	"context"
	"slices"
	"testing"
)

// TestCatalogueComplete fails when a message exists in one language and not
// in the other.
func TestCatalogueComplete(t *testing.T) {
	en, ja := IDs(English), IDs(Japanese)
	if len(en) == 0 {
		t.Fatal("the English catalogue is empty")
	}
	for _, id := range en {
		if !slices.Contains(ja, id) {
			t.Errorf("message %q has no Japanese text", id)
		}
	}
	for _, id := range ja {
		if !slices.Contains(en, id) {
			t.Errorf("message %q has no English text", id)
		}
	}
}

// TestEveryMessageRenders renders every message in both languages with
// empty data: a template that does not parse or names a function that does
// not exist fails here rather than in front of a person.
func TestEveryMessageRenders(t *testing.T) {
	for _, lang := range Languages {
		for _, id := range IDs(lang) {
			got := N(lang, id, 2, nil)
			if got == "" || got == id {
				t.Errorf("%s %q renders as %q", lang, id, got)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		lang, id string
		count    int
		want     string
	}{
		{"en", "inquiry.count", 1, "1 inquiry"},
		{"en", "inquiry.count", 3, "3 inquiries"},
		{"ja", "inquiry.count", 3, "3 件の問い合わせ"},
		{"ja-JP", "language.name", 0, "日本語"},
		{"fr", "language.name", 0, "English"},
		{"en", "no.such.message", 0, "no.such.message"},
	}
	for _, tt := range tests {
		if got := N(tt.lang, tt.id, tt.count, nil); got != tt.want {
			t.Errorf("N(%q, %q, %d) = %q, want %q", tt.lang, tt.id, tt.count, got, tt.want)
		}
	}
}

func TestLanguageFromHeaders(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ja,en-US;q=0.8", "ja"},
		{"en-GB,en;q=0.9,ja;q=0.5", "en"},
		{"ja-JP", "ja"},
		{"fr-FR", "en"},
		{"", "en"},
		{"garbage;;;q=x", "en"},
	}
	for _, tt := range tests {
		if got := FromAcceptLanguage(tt.in); got != tt.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{"ja-JP": "ja", "en-US": "en", "": "en", "ko-KR": "en"} {
		if got := FromLocale(in); got != want {
			t.Errorf("FromLocale(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReword(t *testing.T) {
	tests := []struct{ lang, prefix, in, want string }{
		{"ja", "language.", "English", "日本語"},
		{"en", "language.", "English", "English"},
		{"ja", "language.", "Klingon", "Klingon"},
		{"ja", "inquiry.", "English", "English"}, // another prefix
	}
	for _, tt := range tests {
		if got := Reword(tt.lang, tt.prefix, tt.in); got != tt.want {
			t.Errorf("Reword(%q, %q, %q) = %q, want %q", tt.lang, tt.prefix, tt.in, got, tt.want)
		}
	}
}

func TestSay(t *testing.T) {
	if got, want := SayN("en", "inquiry.count", 1), "1 inquiry"; got != want {
		t.Errorf("SayN = %q, want %q", got, want)
	}
	if got, want := Say("ja", "inquiry.count", "Count", 4), "4 件の問い合わせ"; got != want {
		t.Errorf("Say = %q, want %q", got, want)
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if got := FromContext(ctx); got != English {
		t.Errorf("FromContext(empty) = %q, want en", got)
	}
	if got := FromContext(WithLanguage(ctx, "ja-JP")); got != Japanese {
		t.Errorf("FromContext(ja-JP) = %q, want ja", got)
	}
}

func TestMessageInData(t *testing.T) {
	d := Data{"Name": Message{ID: "language.name"}}
	// A Message among the data is said in the language of the message it fills.
	if got := inner(Japanese, d)["Name"]; got != "日本語" {
		t.Errorf("inner(ja) Name = %v, want 日本語", got)
	}
	if got := inner(English, d)["Name"]; got != "English" {
		t.Errorf("inner(en) Name = %v, want English", got)
	}
	if _, ok := d["Name"].(Message); !ok {
		t.Error("inner changed the caller's data")
	}
}
