package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// used matches a message ID written whole where koban's code says a
// message: say(lang, "id"…), Say(code, "id"…), invalid("id"…),
// Message{ID: "id"} and the like. IDs built from parts ("state." + s) are
// checked by the tests of the packages that build them.
var used = regexp.MustCompile(`(?:\b(?:say|sayN|Say|SayN|T|N)\([^,()]+,\s*|\b(?:invalid|forbidden)\(|ID:\s*)"([a-z][a-z0-9_\-]*\.[a-z0-9_.\-/]+)"\s*[,)}]`)

// TestUsedMessagesExist fails when code asks for a message the catalogue
// does not have: it would show its ID to a person.
func TestUsedMessagesExist(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			n++
			if !Has(m[1]) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s asks for message %q, which the catalogue does not have in every language", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("found %d messages used in the code; the pattern no longer matches how code says them", n)
	}
}
