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

const (
	module   = "github.com/kobanhq/koban"
	goOpenAI = "github.com/sashabaranov/go-openai"
)

// moduleImports maps each package of the module (by import path) to what its
// non-test files import.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	const root = ".."
	imports := map[string][]string{}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[pkg] = append(imports[pkg], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("read %d Go files, want the whole module", files)
	}
	return imports
}

// TestOnlyTheClientLinksGoOpenAI keeps the OpenAI SDK in llm/openai: no
// other package imports go-openai, and no package but llm/openai and the
// binary's wiring in cmd/koban depends on it even through other packages, so
// the features reach a model only through package llm's types and their own
// small interfaces.
func TestOnlyTheClientLinksGoOpenAI(t *testing.T) {
	imports := moduleImports(t)
	allowed := map[string]bool{module + "/llm/openai": true, module + "/cmd/koban": true}
	memo := map[string]bool{}
	var reaches func(pkg string, seen map[string]bool) bool
	reaches = func(pkg string, seen map[string]bool) bool {
		if r, ok := memo[pkg]; ok {
			return r
		}
		if seen[pkg] {
			return false
		}
		seen[pkg] = true
		r := false
		for _, imp := range imports[pkg] {
			if imp == goOpenAI || strings.HasPrefix(imp, module) && reaches(imp, seen) {
				r = true
				break
			}
		}
		memo[pkg] = r
		return r
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			if imp == goOpenAI && pkg != module+"/llm/openai" {
				t.Errorf("%s imports %s: only llm/openai may", pkg, goOpenAI)
			}
		}
		if !allowed[pkg] && reaches(pkg, map[string]bool{}) {
			t.Errorf("%s depends on %s: use package llm's types and an interface", pkg, goOpenAI)
		}
	}
	if !reaches(module+"/llm/openai", map[string]bool{}) {
		t.Fatal("llm/openai does not import go-openai: the test would pass vacuously")
	}
}
