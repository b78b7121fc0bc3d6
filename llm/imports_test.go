package llm

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyLLMImportsGoOpenAI keeps the OpenAI-compatible client in this
// package: any other package that imports go-openai fails the test, so the
// rest of koban reaches a model only through the small interfaces llm's
// Client satisfies.
func TestOnlyLLMImportsGoOpenAI(t *testing.T) {
	const client = "github.com/sashabaranov/go-openai"
	root := ".."
	var checked int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "llm") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == client {
				t.Errorf("%s imports %s: reach the model through package llm", path, client)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked %d Go files, want the whole module", checked)
	}
}
