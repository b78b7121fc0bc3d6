package docsindex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPageAnchors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []Anchor
	}{
		{"inline, relative", "See [the quota page](../reference/quotas.md) now.",
			[]Anchor{{Keys: []string{"reference/quotas", "guide/reference/quotas"}, Text: "the quota page"}}},
		{"inline, absolute with section", "[Set limits](/docs/tasks/limits/#cpu)",
			[]Anchor{{Keys: []string{"docs/tasks/limits"}, Text: "Set limits"}}},
		{"hugo ref", `[Pod overview]({{< ref "/concepts/pods" >}})`,
			[]Anchor{{Keys: []string{"concepts/pods"}, Text: "Pod overview"}}},
		{"markup in the text", "[`kubectl` **drain**](/docs/drain/)",
			[]Anchor{{Keys: []string{"docs/drain"}, Text: "kubectl drain"}}},
		{"reference link", "Read [the runbook][rb] and [Rb].\n\n[rb]: /ops/runbook.html\n",
			[]Anchor{{Keys: []string{"ops/runbook"}, Text: "the runbook"}, {Keys: []string{"ops/runbook"}, Text: "Rb"}}},
		{"html", `<a class="x" href="/docs/setup/">Install the
tools</a>`,
			[]Anchor{{Keys: []string{"docs/setup"}, Text: "Install the tools"}}},
		{"image", "![a diagram](/img/arch.png)", nil},
		{"in fenced code", "```\n[not a link](/docs/x/)\n```\n", nil},
		{"text is the address", "[https://example.com/docs/x](https://example.com/docs/x) [/docs/y](/docs/y)", nil},
		{"same page", "[below](#limits)", nil},
		{"mail", "[write to us](mailto:team@example.com)", nil},
		{"unclosed at the end", "[not a link](b.md", nil},
		// An address with no path is a site's home, not the folder of
		// the linking page; the home of the docs has no key.
		{"another site's home", "[Helm](https://helm.sh) [Helm](https://helm.sh/)", nil},
		{"home", "[Home](/) [Start][h]\n\n[h]:/\n", nil},
		{"up to the folder", "[Up](..)", []Anchor{{Keys: []string{"guide"}, Text: "Up"}}},
		// The site does not show a comment, nor does the index search its
		// text: generated reference pages credit their generator in one.
		{"in an HTML comment", "<!--\nSee [the generator](/gen/) and\n[tools](/tools/). -->\n[Shown](b.md)",
			[]Anchor{{Keys: []string{"guide/b", "guide/setup/b"}, Text: "Shown"}}},
		{"in an HTML comment, html", `<!-- <a href="/gen/">hidden</a> -->`, nil},
		{"query string", "[Ask](b.md?q=1#x)", []Anchor{{Keys: []string{"guide/b", "guide/setup/b"}, Text: "Ask"}}},
		{"folder, dot", "[Dot](./b/) [Up](../b)", []Anchor{{Keys: []string{"guide/b", "guide/setup/b"}, Text: "Dot"}, {Keys: []string{"b", "guide/b"}, Text: "Up"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageAnchors("guide/setup.md", tt.body, "")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pageAnchors(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestPageAnchorsLongText(t *testing.T) {
	long := strings.Repeat("word ", 100)
	got := pageAnchors("a.md", "["+long+"](b.md)", "")
	if len(got) != 1 || len(got[0].Text) > maxAnchorChars || !strings.HasPrefix(long, got[0].Text) || strings.HasSuffix(got[0].Text, " ") {
		t.Fatalf("long link text kept as %+v, want at most %d bytes cut at a word", got, maxAnchorChars)
	}
}

func TestAnchorTexts(t *testing.T) {
	link := func(to, text string) Anchor { return Anchor{Keys: []string{to}, Text: text} }
	pages := map[string][]Anchor{
		"target": {link("target", "itself")},
		"a":      {link("docs/target", "Quota Guide"), link("target", "here"), link("b", "here")},
		"b":      {link("target", "quota   guide"), link("target", "limits"), link("c", "here")},
		"c":      {link("target", "limits"), link("d", "here"), link("missing", "nowhere")},
		"d":      nil,
	}
	got := anchorTexts(pages)
	// "here" names four pages: no page by it. A page's link to itself
	// and a link to no page count for nothing. Texts differing in case or
	// spacing are one, its spellings the same whatever the order.
	want := map[string]string{"target": "Quota Guide\nlimits"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("anchorTexts = %q, want %q", got, want)
	}
}

func TestAnchorTextsBounded(t *testing.T) {
	pages := map[string][]Anchor{"popular": nil}
	for i := range 3 * maxAnchors {
		from := fmt.Sprintf("p%02d", i)
		// Page i links with its own text, and with the text of page 0
		// when i is even: that text is used most and comes first.
		links := []Anchor{{Keys: []string{"popular"}, Text: fmt.Sprintf("name %02d", i)}}
		if i%2 == 0 {
			links = append(links, Anchor{Keys: []string{"popular"}, Text: "name 00"})
		}
		pages[from] = links
	}
	lines := strings.Split(anchorTexts(pages)["popular"], "\n")
	if len(lines) != maxAnchors || lines[0] != "name 00" || lines[1] != "name 01" {
		t.Fatalf("anchor text of a page linked %d ways = %d lines starting %q, want %d, most used first", 3*maxAnchors, len(lines), lines[:2], maxAnchors)
	}
}

// TestSearchByAnchorText finds a page by the words of another page's link
// to it, and follows the linking page as it changes and goes, through
// incremental updates and a reopened index.
func TestSearchByAnchorText(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) { writeFile(t, filepath.Join(docs, name), text) }
	write("target.md", "# Moving workloads\n\nSteps to move the workloads of one cluster to another.\n")
	write("linker.md", "# Overview\n\nBefore an upgrade, follow the [zebra handbook](target.md).\n")
	write("other.md", "# Something else\n\nUnrelated words about storage.\n")
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	srcs := []Source{{Path: docs}}
	update := func() Stats {
		t.Helper()
		st, _, err := ix.Update(ctx, srcs)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// anchorScore is the target page's anchor evidence for q, 0 when no
	// hit of the target has any.
	anchorScore := func(q string) float64 {
		t.Helper()
		hits, err := ix.Search(ctx, Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.Path == "target.md" {
				return h.Fields[FieldPageAnchor]
			}
		}
		return 0
	}
	update()
	if anchorScore("zebra handbook") == 0 {
		t.Fatal("target page not found by the words of the link to it")
	}

	write("linker.md", "# Overview\n\nBefore an upgrade, follow the [giraffe checklist](target.md).\n")
	if st := update(); st.Changed != 1 {
		t.Fatalf("Update after a link changed = %+v, want the linking page changed", st)
	}
	if anchorScore("zebra handbook") != 0 {
		t.Error("target page still found by the link's old words")
	}
	if anchorScore("giraffe checklist") == 0 {
		t.Error("target page not found by the link's new words")
	}

	ix.Close()
	ix = mustOpen(t, dir)
	if anchorScore("giraffe checklist") == 0 {
		t.Error("reopened index lost the anchor text")
	}
	// The postings file gone, the search index is built again from the
	// manifest, which keeps each page's anchor text.
	ix.Close()
	if err := os.Remove(filepath.Join(dir, postingsFile)); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	if anchorScore("giraffe checklist") == 0 {
		t.Error("index rebuilt from its manifest lost the anchor text")
	}

	if err := os.Remove(filepath.Join(docs, "linker.md")); err != nil {
		t.Fatal(err)
	}
	if st := update(); st.Removed != 1 {
		t.Fatalf("Update after the linking page went = %+v, want it removed", st)
	}
	if anchorScore("giraffe checklist") != 0 {
		t.Error("target page still found by the words of a removed page's link")
	}
}

// TestUpdateFailedRelinked fails an update after it wrote a changed link
// and the new anchor text of the page it links to, then puts the link back
// as it was: the next update, in the same process or after a restart,
// gives the page its old anchor text again.
func TestUpdateFailedRelinked(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) { writeFile(t, filepath.Join(docs, name), text) }
	const before, after = "# A\n\nSee the [zebra handbook](b.md).\n", "# A\n\nSee the [giraffe checklist](b.md).\n"
	write("a.md", before)
	write("b.md", "# B\n\nMoving workloads between clusters.\n")
	dir := t.TempDir()
	srcs := []Source{{Path: docs}}
	check := func(when string, ix *Index, old bool) {
		t.Helper()
		for q, want := range map[string]bool{"zebra handbook": old, "giraffe checklist": !old} {
			hits, err := ix.Search(ctx, Query{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, h := range hits {
				got = got || h.Path == "b.md" && h.Fields[FieldPageAnchor] > 0
			}
			if got != want {
				t.Errorf("%s: b.md found by the anchor text %q: %v, want %v", when, q, got, want)
			}
		}
	}
	for _, restart := range []bool{false, true} {
		ix, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ix.Update(ctx, srcs); err != nil {
			t.Fatal(err)
		}
		write("a.md", after)
		// One check for the source, one per page (2), one for the page
		// whose anchor text changes, then the save's: fail there.
		if _, _, err := ix.Update(&errAfter{Context: ctx, left: 4}, srcs); !errors.Is(err, context.Canceled) {
			t.Fatalf("Update failing in its save = %v, want context.Canceled", err)
		}
		check(fmt.Sprintf("restart %v, the failed update", restart), ix, false)
		write("a.md", before)
		if restart {
			ix.Close()
			if ix, err = Open(dir, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := ix.Update(ctx, srcs); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("restart %v, the next update", restart), ix, true)
		ix.Close()
	}
}

// anchorsSize is the bytes the links of a page keep (in the manifest, for
// as long as the index is open).
func anchorsSize(as []Anchor) int {
	n := 0
	for _, a := range as {
		n += len(a.Text)
		for _, k := range a.Keys {
			n += len(k)
		}
	}
	return n
}

// TestPageAnchorsBadInput feeds pageAnchors pages no docs author writes:
// what it keeps must stay within a small multiple of the page's size, and
// each link's text and targets within their bounds, whatever the page.
func TestPageAnchorsBadInput(t *testing.T) {
	tests := []struct{ name, body string }{
		// Each unclosed "[a](" once took the rest of the page as its
		// target: 5,000 of them kept 250 MB.
		{"unclosed links", strings.Repeat("[a](", 5000)},
		{"unclosed link, long target", "[a](" + strings.Repeat("x", 100_000)},
		{"unclosed hugo refs", strings.Repeat(`[a]({{< ref "`, 5000)},
		{"many links", strings.Repeat("[word](page.md) ", 100_000)},
		{"long link text", "[" + strings.Repeat("word ", 200_000) + "](b.md)"},
		{"long link word", "[" + strings.Repeat("w", 1<<20) + "](b.md)"},
		{"unterminated brackets", strings.Repeat("[", 100_000) + "](x)" + strings.Repeat("]", 100_000)},
		{"brackets only", strings.Repeat("](", 100_000)},
		{"html, unclosed", strings.Repeat(`<a href="x">`, 50_000)},
		{"html", strings.Repeat(`<a href="x">y`, 50_000) + "</a>"},
		{"references", strings.Repeat("[a][a]", 50_000) + "\n[a]: b.md\n"},
		{"reference definitions", strings.Repeat("[a]: b.md\n", 50_000)},
		// Every reference to a definition copied its target: 5,000 of them
		// to a 2,000-byte one kept 20 MB.
		{"references, long target", strings.Repeat("[a][r] ", 5000) + "\n[r]: /" + strings.Repeat("x", 2000) + "\n"},
		{"references, long target, many texts", func() string {
			var b strings.Builder
			for i := range 5000 {
				fmt.Fprintf(&b, "[t%d][r] ", i)
			}
			return b.String() + "\n[r]: /" + strings.Repeat("x", 2000) + "\n"
		}()},
		{"junk", "[\x01\xff](\x7f)](<[" + strings.Repeat("\u00e9]([", 10_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pageAnchors("dir/page.md", tt.body, "")
			if size, max := anchorsSize(got), min(4*len(tt.body)+1024, maxPageAnchorBytes); size > max {
				t.Fatalf("%d links kept, %d bytes, want at most %d", len(got), size, max)
			}
			for _, a := range got {
				if a.Text == "" || len(a.Text) > maxAnchorChars || len(a.Keys) == 0 {
					t.Fatalf("link %.80q → %.80q kept", a.Text, a.Keys)
				}
				for _, k := range a.Keys {
					if len(k) > maxLinkTarget {
						t.Fatalf("link key of %d bytes kept, want at most %d", len(k), maxLinkTarget)
					}
				}
			}
		})
	}
}

func TestStripComments(t *testing.T) {
	for _, s := range []string{
		"", "no comment", "a<!-- b -->c", "<!---->", "<!-->x-->y", "a<!-- b\nc -->d<!-- e -->f",
		"unclosed <!-- x", "<!-- a --> b <!-- c", "--> <!-- -- --> -->", "<!<!-- x -->--",
	} {
		if got, want := stripComments(s), htmlComment.ReplaceAllString(s, ""); got != want {
			t.Errorf("stripComments(%q) = %q, want %q as stripSiteSyntax removes them", s, got, want)
		}
	}
}

// FuzzPageAnchors checks pageAnchors' bounds on any text: no panic, what
// it keeps within maxPageAnchorBytes, each text non-empty, at most
// maxAnchorChars and whole runes, each link with a target of bounded size
// (and linkTargets' keys non-empty and bounded).
func FuzzPageAnchors(f *testing.F) {
	for _, s := range []string{
		"[a](b.md)", "[a](../b.md#x) [c](./d/) [e](f?x=1)", `[a]({{< ref "/b" >}})`, `[a]({{% relref "b" %}})`,
		"[a][r]\n\n[r]: /b\n", "[a]\n\n[a]: <b.md>\n", `<a href="/b">x</a>`, "<!-- [a](b) -->[c](d)",
		"```\n[a](b)\n```\n[c](d)", "[a](", "](", "[", "[[[]]]((()))", "[é " + strings.Repeat("ü", 120) + "](b)",
		"[a](<b c>)", "![a](b.png) [c](https://example.com/d/)", "[a](mailto:x@y) [b](#c)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, k := range linkTargets("dir/page.md", body, "example.com") {
			if k == "" || len(k) > maxLinkTarget+len("dir/page/") {
				t.Fatalf("linkTargets kept key %q", k)
			}
		}
		got := pageAnchors("dir/page.md", body, "example.com")
		if size := anchorsSize(got); size > maxPageAnchorBytes {
			t.Fatalf("%d bytes of links kept, want at most %d", size, maxPageAnchorBytes)
		}
		for _, a := range got {
			if a.Text == "" || len(a.Text) > maxAnchorChars || len(a.Keys) == 0 {
				t.Fatalf("link %q → %q kept", a.Text, a.Keys)
			}
			if utf8.ValidString(body) && !utf8.ValidString(a.Text) {
				t.Fatalf("link text %q cut inside a rune", a.Text)
			}
			for _, k := range a.Keys {
				if k == "" || len(k) > maxLinkTarget+len("dir/page/") {
					t.Fatalf("link key %q kept", k)
				}
			}
		}
	})
}
