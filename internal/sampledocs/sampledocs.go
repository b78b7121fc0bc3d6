// Package sampledocs builds an in-memory docs index of the sample docs
// (package samples), once per test binary, for the tests of the packages
// that answer from the docs: desk, bot and web. It is for tests only.
package sampledocs

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/docs/samples"
)

// BaseURL is the link base of the English sample pages; Japanese pages are
// under BaseURL + "ja/".
const BaseURL = "https://docs.example.com/"

// Index returns the index of the sample docs, built on first use and shared
// afterwards: callers must not update or close it.
var Index = sync.OnceValues(func() (*docsindex.Index, error) {
	// The sample docs are embedded; the index loads folders.
	dir, err := os.MkdirTemp("", "koban-sample-docs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, samples.FS); err != nil {
		return nil, err
	}
	ix, err := docsindex.OpenMem(nil)
	if err != nil {
		return nil, err
	}
	_, _, err = ix.Update(context.Background(), []docsindex.Source{
		{Path: filepath.Join(dir, "en"), Lang: "en", BaseURL: BaseURL},
		{Path: filepath.Join(dir, "ja"), Lang: "ja", BaseURL: BaseURL + "ja/"},
	})
	return ix, err
})
