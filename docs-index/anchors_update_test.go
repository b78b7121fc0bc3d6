package docsindex

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// anchorState is, for each page of ix, the anchor text its manifest entry
// records and the anchor field of its page document as the search index
// holds it (terms and frequencies): what an index built from scratch over
// the same files must hold too.
func anchorState(t *testing.T, ix *Index) map[string]string {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := map[string]string{}
	fi := &ix.post.Fields[fAnchor]
	terms := map[uint32][]string{}
	for term, td := range fi.Terms {
		for i := 0; i < len(td); i += 2 {
			if ix.post.Docs[td[i]].Live {
				terms[td[i]] = append(terms[td[i]], fmt.Sprintf("%s×%d", term, td[i+1]))
			}
		}
	}
	for k, e := range ix.manifest.Pages {
		n, ok := ix.post.byID[k]
		if !ok {
			t.Errorf("page %s has no page document", k)
			continue
		}
		idx := terms[n]
		slices.Sort(idx)
		out[k] = fmt.Sprintf("text %q, indexed %v (len %d)", e.AnchorText, idx, fi.Lens[n])
	}
	return out
}

// TestAnchorTextIncremental takes two sources with the same paths (a
// language each) through additions, edits, removals and a rename, linked
// in every way a page may link, and checks after each update that each
// page's anchor text, as recorded and as indexed, is what an index built
// from scratch over the same files holds; after a restart too, with and
// without the saved search index.
func TestAnchorTextIncremental(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	en, ja := filepath.Join(root, "en"), filepath.Join(root, "ja")
	set := func(src, name, text string) {
		t.Helper()
		p := filepath.Join(src, filepath.FromSlash(name))
		if text == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			return
		}
		writeFile(t, p, text)
	}
	type edit struct{ src, name, text string } // text "" removes the file
	steps := []struct {
		name  string
		edits []edit
	}{
		{"first", []edit{
			{en, "a.md", "# A\n\nSee [alpha guide](b.md), [beta reference](sub/c.md#top) and [missing page](e.md).\n"},
			{en, "b.md", "# B\n\nBack to [the start](a.md) or [the querying page](sub/c.md?view=1).\n"},
			{en, "sub/c.md", "# C\n\nUp to [parent page](../a.md), across to [sibling notes](./d.md) and [folder form](d/).\n"},
			{en, "sub/d.md", "# D\n\nHugo: [ref form]({{< ref \"/sub/c\" >}}) and [site address](https://example.com/docs/b/).\n"},
			{ja, "a.md", "# A\n\n[ja alpha](b.md)\n"},
			{ja, "b.md", "# B\n\n[ja bravo](a.md)\n"},
		}},
		{"linking page edited", []edit{
			{en, "a.md", "# A\n\nSee [gamma guide](b.md), [beta reference](sub/c.md#top) and [missing page](e.md).\n"},
		}},
		{"page a link waited for added", []edit{
			{en, "e.md", "# E\n\nNew page.\n"},
		}},
		{"linked and linking page removed", []edit{
			{en, "sub/c.md", ""},
		}},
		{"page renamed", []edit{
			{en, "b.md", ""},
			{en, "b2.md", "# B\n\nBack to [the start](a.md) or [the querying page](sub/c.md?view=1).\n"},
		}},
		{"one language's page edited", []edit{
			{ja, "a.md", "# A\n\n[ja other words](b.md)\n"},
		}},
		{"page put back", []edit{
			{en, "sub/c.md", "# C\n\nUp to [parent page](../a.md).\n"},
		}},
	}
	srcs := []Source{{Path: en, Lang: "en"}, {Path: ja, Lang: "en"}}
	dir := t.TempDir()
	ix := mustOpen(t, dir)
	for i, step := range steps {
		for _, e := range step.edits {
			set(e.src, e.name, e.text)
		}
		if _, _, err := ix.Update(ctx, srcs); err != nil {
			t.Fatal(err)
		}
		fresh := mustOpen(t, t.TempDir())
		if _, _, err := fresh.Update(ctx, srcs); err != nil {
			t.Fatal(err)
		}
		want := anchorState(t, fresh)
		if i == 0 && !strings.Contains(fmt.Sprint(want), "alpha") {
			t.Fatalf("no anchor text indexed: %v", want)
		}
		if got := anchorState(t, ix); !maps.Equal(got, want) {
			t.Errorf("after %q, updated index:\n%v\nwant as built from scratch:\n%v", step.name, got, want)
		}
	}
	ix.Close()
	ix = mustOpen(t, dir)
	want := anchorState(t, ix)
	ix.Close()
	if err := os.Remove(filepath.Join(dir, postingsFile)); err != nil {
		t.Fatal(err)
	}
	ix = mustOpen(t, dir)
	if got := anchorState(t, ix); !maps.Equal(got, want) {
		t.Errorf("rebuilt from the manifest:\n%v\nwant as saved:\n%v", got, want)
	}
}

// TestUpdateStatsRelinked: an update counts the unchanged pages it indexed
// again only because the links to them changed.
func TestUpdateStatsRelinked(t *testing.T) {
	ctx := context.Background()
	docs := t.TempDir()
	write := func(name, text string) { writeFile(t, filepath.Join(docs, name), text) }
	write("a.md", "# A\n\nSee the [zebra handbook](b.md) and [yak notes](c.md).\n")
	write("b.md", "# B\n\nMoving workloads.\n")
	write("c.md", "# C\n\nOther things.\n")
	write("d.md", "# D\n\nNot linked.\n")
	var logged bytes.Buffer
	ix, err := Open(t.TempDir(), slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	steps := []struct {
		name                     string
		edit                     func()
		added, changed, relinked int
	}{
		{"first", func() {}, 4, 0, 0},
		{"nothing changed", func() {}, 0, 0, 0},
		{"both link texts changed", func() { write("a.md", "# A\n\nSee the [giraffe checklist](b.md) and [owl notes](c.md).\n") }, 0, 1, 2},
		{"a page's text changed, no link", func() { write("d.md", "# D\n\nStill not linked.\n") }, 0, 1, 0},
		{"a link gone", func() { write("a.md", "# A\n\nSee the [giraffe checklist](b.md).\n") }, 0, 1, 1},
	}
	for _, s := range steps {
		s.edit()
		logged.Reset()
		st, _, err := ix.Update(ctx, []Source{{Path: docs}})
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(" relinked=%d ", s.relinked); !strings.Contains(logged.String(), want) {
			t.Errorf("%s: the update's log %q does not say%q", s.name, logged.String(), want)
		}
		if st.Added != s.added || st.Changed != s.changed || st.Relinked != s.relinked {
			t.Errorf("%s: added %d, changed %d, relinked %d; want %d, %d, %d", s.name, st.Added, st.Changed, st.Relinked, s.added, s.changed, s.relinked)
		}
	}
}
