package docsindex

import (
	"reflect"
	"testing"
)

func TestLinkTargets(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"relative, as a file and as a folder", "[a](b.md)", []string{"guide/b", "guide/setup/b"}},
		{"up, dot, folder form", "[a](../b.md) [c](./d/) [e](f/index.md)", []string{"b", "guide/b", "guide/d", "guide/setup/d", "guide/f", "guide/setup/f"}},
		{"section and query cut", "[a](/x/y/#z) [b](/x/y?q=1)", []string{"x/y"}},
		{"site address", "[a](https://example.com/docs/x/)", []string{"docs/x"}},
		{"protocol-relative address", "[a](//example.com/docs/x)", []string{"docs/x"}},
		// A site's home names no page, not the linking page's folder.
		{"homes", "[a](https://example.com) [b](https://example.com/) [c](/) [d](//example.com)", nil},
		{"other schemes", "[a](mailto:x@example.com) [b](ftp://example.com/x) [c](#here)", nil},
		{"hugo and html", `[a]({{< ref "/x/y.md" >}}) <a href="../z/">z</a>`, []string{"z", "guide/z", "x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linkTargets("guide/setup.md", tt.body); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("linkTargets(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestCountInlinks(t *testing.T) {
	pages := map[string][]string{
		"a":       {"docs/b", "b", "c", "a", "missing"}, // b twice (a site prefix), itself, nowhere
		"b":       {"ja/docs/c"},                        // two leading folders dropped
		"c":       {"x/y/z/a", "w/x/y/z/a"},             // three too, four not
		"docs/b2": {"b"},
		"en/d":    {"docs/e"}, // in the linking page's language folder
		"en/e":    nil,
	}
	want := map[string]int{"a": 1, "b": 2, "c": 2, "en/e": 1}
	if got := countInlinks(pages); !reflect.DeepEqual(got, want) {
		t.Errorf("countInlinks = %v, want %v", got, want)
	}
}

func TestResolveLink(t *testing.T) {
	pages := map[string]bool{"en/concepts/x": true, "ja/concepts/x": true, "concepts/y": true, "en": true, "en/a": true}
	has := func(k string) bool { return pages[k] }
	tests := []struct {
		from string
		keys []string
		want string
	}{
		{"en/a", []string{"docs/concepts/x"}, "en/concepts/x"},    // the site's path, in the page's language
		{"ja/b", []string{"ja/docs/concepts/x"}, "ja/concepts/x"}, // the language's own prefix dropped
		{"en/a", []string{"concepts/y"}, "concepts/y"},            // a page outside the folder first
		{"en/a", []string{"en/concepts/x"}, "en/concepts/x"},
		{"en/a", []string{"nowhere", "docs/concepts/x"}, "en/concepts/x"},
		{"top", []string{"docs/concepts/x"}, ""}, // a page with no folder
		{"fr/a", []string{"docs/concepts/x"}, ""},
	}
	for _, tt := range tests {
		if got := resolveLink(has, tt.from, tt.keys); got != tt.want {
			t.Errorf("resolveLink(from %q, %q) = %q, want %q", tt.from, tt.keys, got, tt.want)
		}
	}
}
