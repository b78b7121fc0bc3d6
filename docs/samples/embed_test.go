package samples

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
)

// TestFS checks the promises other packages rely on: enough pages in both
// languages, each with front matter and a title, in all four quadrants.
func TestFS(t *testing.T) {
	pages := map[string]int{}     // lang → pages
	quadrants := map[string]int{} // en quadrant folder → pages
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".md") {
			t.Errorf("%s: not Markdown", path)
			return nil
		}
		b, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(b, []byte("---\n")) || !bytes.Contains(b, []byte("\ntitle: ")) {
			t.Errorf("%s: no front matter with a title", path)
		}
		lang, rest, _ := strings.Cut(path, "/")
		pages[lang]++
		if lang == "ja" && !bytes.Contains(b, []byte("\nlang: ja\n")) {
			t.Errorf("%s: Japanese page without lang: ja", path)
		}
		if lang == "en" {
			q, _, _ := strings.Cut(rest, "/")
			quadrants[q]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages["en"]+pages["ja"] < 16 || pages["ja"] < 3 {
		t.Errorf("pages per language = %v, want at least 16 in all and 3 in ja", pages)
	}
	for _, q := range []string{"tutorials", "how-to", "reference", "explanation"} {
		if quadrants[q] == 0 {
			t.Errorf("no English page under %s/", q)
		}
	}
}
