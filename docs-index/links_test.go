package docsindex

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func TestLinkTargets(t *testing.T) {
	tests := []struct {
		name, body string
		site       string // the docs site's host, "" when unknown
		want       []string
	}{
		{"relative, as a file and as a folder", "[a](b.md)", "", []string{"guide/b", "guide/setup/b"}},
		{"up, dot, folder form", "[a](../b.md) [c](./d/) [e](f/index.md)", "", []string{"b", "guide/b", "guide/d", "guide/setup/d", "guide/f", "guide/setup/f"}},
		{"section and query cut", "[a](/x/y/#z) [b](/x/y?q=1)", "", []string{"x/y"}},
		{"site address", "[a](https://example.com/docs/x/)", "example.com", []string{"docs/x"}},
		{"site address, other case, port, www", "[a](HTTP://www.Example.com:8080/docs/x/)", "example.com", []string{"docs/x"}},
		{"protocol-relative address", "[a](//example.com/docs/x)", "example.com", []string{"docs/x"}},
		// Another site's page is not the local page of the same path.
		{"another site's address", "[a](https://docs.docker.com/engine/install/) [b](//other.example.com/docs/x)", "example.com", nil},
		{"a subdomain is another site", "[a](https://docs.example.com/x/)", "example.com", nil},
		// With no base URL no address is known to be the site's own.
		{"address, site unknown", "[a](https://example.com/docs/x/) [b](/docs/y/)", "", []string{"docs/y"}},
		// A site's home names no page, not the linking page's folder.
		{"homes", "[a](https://example.com) [b](https://example.com/) [c](/) [d](//example.com)", "example.com", nil},
		{"other schemes", "[a](mailto:x@example.com) [b](ftp://example.com/x) [c](#here)", "example.com", nil},
		{"hugo and html", `[a]({{< ref "/x/y.md" >}}) <a href="../z/">z</a>`, "", []string{"z", "guide/z", "x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linkTargets("guide/setup.md", tt.body, tt.site); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("linkTargets(%q, site %q) = %q, want %q", tt.body, tt.site, got, tt.want)
			}
			var anchored []string
			for _, a := range pageAnchors("guide/setup.md", tt.body, tt.site) {
				anchored = append(anchored, a.Keys...)
			}
			for _, k := range anchored {
				if !slices.Contains(tt.want, k) {
					t.Errorf("pageAnchors(%q, site %q) has link key %q, not one of linkTargets' %q", tt.body, tt.site, k, tt.want)
				}
			}
		})
	}
}

func TestSiteHost(t *testing.T) {
	for base, want := range map[string]string{
		"":                            "",
		"https://Docs.Example.com/x/": "docs.example.com",
		"https://www.example.com":     "example.com",
		"http://example.com:8080/":    "example.com",
		"/docs/":                      "",
	} {
		if got := siteHost(base); got != want {
			t.Errorf("siteHost(%q) = %q, want %q", base, got, want)
		}
	}
}

// TestLinkToOtherSite: a link to another site's page of the same path as
// a local page credits the local page with neither an in-link nor anchor
// text; the same link to the docs' own site does, and a site given by its
// MkDocs site_url as well as by Source.BaseURL.
func TestLinkToOtherSite(t *testing.T) {
	ctx := context.Background()
	// Each link from its own page: each would count as an in-link.
	const ours, theirs = "# A\n\nSee [our setup notes](https://docs.example.com/install/).\n",
		"# B\n\nSee [container engine setup](https://docs.docker.com/engine/install/).\n"
	tests := []struct {
		name     string
		base     string // Source.BaseURL
		mkdocs   string // mkdocs.yml, "" for none
		inlinks  int
		anchored string
	}{
		{"base URL", "https://docs.example.com/", "", 1, "our setup notes"},
		{"MkDocs site_url", "", "site_name: X\nsite_url: https://docs.example.com/\n", 1, "our setup notes"},
		{"no base URL", "", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			docs := root
			if tt.mkdocs != "" {
				writeFile(t, filepath.Join(root, "mkdocs.yml"), tt.mkdocs)
				docs = filepath.Join(root, "docs")
			}
			writeFile(t, filepath.Join(docs, "a.md"), ours)
			writeFile(t, filepath.Join(docs, "b.md"), theirs)
			writeFile(t, filepath.Join(docs, "install.md"), "# Install\n\nSetting up.\n")
			ix, err := Open(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if _, _, err := ix.Update(ctx, []Source{{Path: root, BaseURL: tt.base}}); err != nil {
				t.Fatal(err)
			}
			ix.mu.RLock()
			defer ix.mu.RUnlock()
			var e *pageEntry
			for _, p := range ix.manifest.Pages {
				if filepath.Base(p.Path) == "install.md" {
					e = p
				}
			}
			if e == nil {
				t.Fatalf("install.md not indexed")
			}
			if e.Inlinks != tt.inlinks || e.AnchorText != tt.anchored {
				t.Errorf("install.md: %d in-links, anchor text %q; want %d, %q", e.Inlinks, e.AnchorText, tt.inlinks, tt.anchored)
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

// TestSharedLinkKey: a.md and a/index.md are both served as "a" and share
// its link key; the links of both count, each page as one linking page.
func TestSharedLinkKey(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	writeFile(t, filepath.Join(docs, "a.md"), "# A\n\nSee [charlie notes](c.md) and [echo guide](e.md).\n")
	writeFile(t, filepath.Join(docs, "a", "index.md"), "# A index\n\nSee [delta notes](../d.md) and [echo manual](../e.md).\n")
	for _, name := range []string{"c.md", "d.md", "e.md"} {
		writeFile(t, filepath.Join(docs, name), "# Page\n\nText.\n")
	}
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, _, err := ix.Update(ctx, []Source{{Path: docs}}); err != nil {
		t.Fatal(err)
	}
	type state struct {
		inlinks int
		anchor  string
	}
	want := map[string]state{
		"c.md": {1, "charlie notes"},
		"d.md": {1, "delta notes"},
		"e.md": {2, "echo guide\necho manual"},
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for name, w := range want {
		e := ix.manifest.Pages[pageKey(docs, name)]
		if e == nil {
			t.Errorf("%s not indexed", name)
			continue
		}
		if got := (state{e.Inlinks, e.AnchorText}); got != w {
			t.Errorf("%s: %d in-links, anchor text %q; want %d, %q", name, got.inlinks, got.anchor, w.inlinks, w.anchor)
		}
	}
}

func TestCountInlinksSharedKey(t *testing.T) {
	// Two files with one link key ("a"), both linking to b: two linking pages.
	pages := map[string][]string{"a.md": {"b", "c"}, "a/index.md": {"b", "d"}, "b.md": nil, "c.md": nil, "d.md": nil}
	want := map[string]int{"b": 2, "c": 1, "d": 1}
	if got := countInlinks(pages); !reflect.DeepEqual(got, want) {
		t.Errorf("countInlinks = %v, want %v", got, want)
	}
}
