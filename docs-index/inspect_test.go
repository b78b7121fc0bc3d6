package docsindex

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadPages reads an index's pages without opening it, while it is
// open, and agrees with what the open index lists.
func TestReadPages(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadPages(dir); err == nil {
		t.Error("ReadPages of an empty folder: no error")
	}
	ix := mustOpen(t, dir)
	src := Source{Path: "testdata/docs", BaseURL: "https://docs.example.com/"}
	if _, _, err := ix.Update(context.Background(), []Source{src}); err != nil {
		t.Fatal(err)
	}
	open := ix.Pages()
	read, err := ReadPages(dir)
	if err != nil {
		t.Fatalf("ReadPages beside the open index: %v", err)
	}
	if diff := cmp.Diff(open, read); diff != "" {
		t.Errorf("ReadPages differs from Pages (-open +read):\n%s", diff)
	}
	if len(read) != 5 {
		t.Fatalf("ReadPages = %d pages, want the 5 of testdata/docs", len(read))
	}
	var db *IndexedPage
	for i, p := range read {
		if p.Path == "how-to/request-a-database.md" {
			db = &read[i]
		}
	}
	if db == nil || db.Source != src.Path || db.Title == "" || db.URL != "https://docs.example.com/how-to/request-a-database/" || db.Sections == 0 {
		t.Errorf("request-a-database page = %+v, want its source, title, URL without anchor and sections", db)
	}

	// An index of another schema version counts as none.
	if err := writeManifestTo(dir, &manifest{Schema: "docsindex/0+x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPages(dir); err == nil {
		t.Error("ReadPages of an index of another schema version: no error")
	}
}
