//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package docsindex

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

// TestLoadConfined: links are followed only inside the docs folder, only
// regular files are read, and the folder itself may be a link.
func TestLoadConfined(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.md"), "# Secret\n\nnot for the docs\n")
	writeFile(t, filepath.Join(outside, "dir", "page.md"), "# Outside folder\n\nnot for the docs\n")

	checkout := t.TempDir()
	writeFile(t, filepath.Join(checkout, "guide.md"), "# Guide\n\nthe guide\n")
	writeFile(t, filepath.Join(checkout, "sub", "real.md"), "# Real\n\nthe real page\n")
	symlink(t, filepath.Join(checkout, "sub", "real.md"), filepath.Join(checkout, "alias.md")) // inside: followed
	symlink(t, "sub/real.md", filepath.Join(checkout, "relative.md"))                          // inside, relative
	symlink(t, filepath.Join(outside, "secret.md"), filepath.Join(checkout, "users.md"))       // outside
	symlink(t, "../"+filepath.Base(outside)+"/secret.md", filepath.Join(checkout, "up.md"))    // outside, relative
	symlink(t, "/dev/zero", filepath.Join(checkout, "zero.md"))
	symlink(t, filepath.Join(outside, "dir"), filepath.Join(checkout, "linked")) // a folder outside: not walked
	symlink(t, filepath.Join(checkout, "missing.md"), filepath.Join(checkout, "broken.md"))
	if err := syscall.Mkfifo(filepath.Join(checkout, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The source is itself a link to the checkout, as git-sync publishes it.
	root := filepath.Join(t.TempDir(), "current")
	symlink(t, checkout, root)

	pages, warns := Load(Source{Path: root}, nil)
	var got []string
	for _, p := range pages {
		got = append(got, p.Path)
		for _, s := range p.Sections {
			if strings.Contains(s.Text, "not for the docs") {
				t.Errorf("page %s has text from outside the docs folder", p.Path)
			}
		}
	}
	want := "alias.md guide.md relative.md sub/real.md"
	if strings.Join(got, " ") != want {
		t.Errorf("Load pages = %v, want %s", got, want)
	}
	reasons := map[string]string{}
	for _, w := range warns {
		if !strings.HasPrefix(w.Path, root+string(filepath.Separator)) {
			t.Errorf("warning path %s is not under the source as configured (%s)", w.Path, root)
		}
		reasons[filepath.Base(w.Path)] = w.Reason
	}
	for name, reason := range map[string]string{
		"users.md":  "leaves the docs folder",
		"up.md":     "leaves the docs folder",
		"zero.md":   "leaves the docs folder",
		"broken.md": "broken link",
		"pipe.md":   "not a regular file (a named pipe)",
	} {
		if !strings.Contains(reasons[name], reason) {
			t.Errorf("warning for %s = %q, want %q", name, reasons[name], reason)
		}
	}
	if len(reasons) != 5 {
		t.Errorf("warnings = %v, want 5", reasons)
	}
}

// TestLoadDeviceInside: a device is refused even when a link to it stays
// inside the folder (a bind mount, a copied /dev node).
func TestLoadDeviceInside(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	data, err := readDocsFile("/dev", "/dev/null", dirEntry(t, "/dev/null"))
	if reason, ok := isSkip(err); !ok || !strings.Contains(reason, "character device") || data != nil {
		t.Errorf("readDocsFile(/dev/null) = %q, %v; want refused as a character device", data, err)
	}
}

func dirEntry(t *testing.T, p string) os.DirEntry {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == filepath.Base(p) {
			return e
		}
	}
	t.Fatalf("no %s", p)
	return nil
}

func TestWithin(t *testing.T) {
	tests := []struct {
		root, p string
		want    bool
	}{
		{"/docs", "/docs", true},
		{"/docs", "/docs/a.md", true},
		{"/docs", "/docs/sub/../a.md", true},
		{"/docs", "/docs/..a.md", true},
		{"/docs", "/etc/passwd", false},
		{"/docs", "/docs-other/a.md", false},
		{"/docs", "/", false},
		{"/docs/sub", "/docs/a.md", false},
	}
	for _, tt := range tests {
		if got := within(tt.root, tt.p); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.root, tt.p, got, tt.want)
		}
	}
}

// manyHeadings is a page of about size bytes that is nearly all headings.
func manyHeadings(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size-20; i++ {
		fmt.Fprintf(&b, "## h%d\nx\n", i)
	}
	return b.String()
}

// TestParsePageBounded: a generated page of 1 MB with some 88,000 headings
// becomes a bounded number of sections holding a bounded amount of text, so
// that indexing it has a bounded cost.
func TestParsePageBounded(t *testing.T) {
	text := manyHeadings(1 << 20)
	if n := strings.Count(text, "\n## "); n < 80000 {
		t.Fatalf("test page has %d headings, want at least 80,000", n)
	}
	p, err := ParsePage(Source{}, "many.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	chars := 0
	for _, s := range p.Sections {
		chars += len(s.Text)
		if len(s.Text) > 4*maxSectionChars+200 {
			t.Errorf("section %s has %d characters, want at most %d", s.ID, len(s.Text), 4*maxSectionChars)
		}
	}
	if n := len(p.Sections); n > maxHeadingsPerPage+maxPageChars/maxSectionChars+1 {
		t.Errorf("%d sections, want at most %d", n, maxHeadingsPerPage+maxPageChars/maxSectionChars+1)
	}
	if chars > maxPageChars || !p.Truncated {
		t.Errorf("%d characters of text (truncated %v), want at most %d and truncated", chars, p.Truncated, maxPageChars)
	}

	// A page under the bounds is whole.
	smallText := manyHeadings(5 << 10)
	small, err := ParsePage(Source{}, "small.md", []byte(smallText))
	if n := strings.Count(smallText, "## "); err != nil || small.Truncated || len(small.Sections) != n {
		t.Errorf("5 kB page: %d sections, truncated %v, %v; want each of its %d headings a section", len(small.Sections), small.Truncated, err, n)
	}

	// Load says it was cut.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "many.md"), text)
	pages, warns := Load(Source{Path: dir}, nil)
	if len(pages) != 1 || len(warns) != 1 || !strings.Contains(warns[0].Reason, "partly indexed") {
		t.Errorf("Load = %d pages, warnings %v; want the page and a warning that it was cut", len(pages), warns)
	}
}

// BenchmarkIndexManyHeadings indexes a 1 MB page of headings and reports the
// memory it allocates (koban index peaks at about 316 MB RSS on it, against
// about 850 MB without the bounds).
func BenchmarkIndexManyHeadings(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "many.md"), []byte(manyHeadings(1<<20)), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix, err := OpenMem(nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := ix.Update(b.Context(), []Source{{Path: dir}}); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}
