package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	docsindex "github.com/kobanhq/koban/docs-index"
)

// TestIndexList indexes a small docs folder and lists its pages as text
// and as JSON lines, then lists them again while another process holds
// the index, as beside a running koban serve.
func TestIndexList(t *testing.T) {
	docs := t.TempDir()
	files := map[string]string{
		"how-to/request-a-database.md": "---\ntitle: Request a database\n---\n\nFile a ticket.\n",
		"concepts/tenancy.md":          "# Tenancy\n\nEach team gets a namespace.\n",
		"reference/index.md":           "# Reference\n\nLimits and\tquotas.\n",
	}
	writeFiles(t, docs, files)
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error", "KOBAN_DOCS": docs + "@en=https://docs.example.com/"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()

	var out, errb bytes.Buffer
	if err := run(ctx, []string{"index", "--list"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban index --list: %v\n%s", err, errb.String())
	}
	want := strings.Join([]string{
		filepath.Join(docs, "concepts", "tenancy.md") + "\tTenancy\texplanation\ten\thttps://docs.example.com/concepts/tenancy/",
		filepath.Join(docs, "how-to", "request-a-database.md") + "\tRequest a database\thow-to\ten\thttps://docs.example.com/how-to/request-a-database/",
		filepath.Join(docs, "reference", "index.md") + "\tReference\treference\ten\thttps://docs.example.com/reference/",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("koban index --list (-want +got):\n%s", diff)
	}
	if !strings.Contains(errb.String(), "indexed 3 pages") {
		t.Errorf("koban index --list wrote %q to stderr, want what the update did", errb.String())
	}

	// JSON lines, read while another process holds the index.
	ix, err := docsindex.Open(filepath.Join(env["KOBAN_DATA_DIR"], "index"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	out.Reset()
	errb.Reset()
	if err := run(ctx, []string{"index", "--list", "--json"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban index --list --json beside another process: %v", err)
	}
	if !strings.Contains(errb.String(), "in use") {
		t.Errorf("stderr %q, want it to say the index is in use", errb.String())
	}
	var got []listedPage
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var p listedPage
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, p)
	}
	if len(got) != 3 || got[1] != (listedPage{Source: docs, Path: "how-to/request-a-database.md", Title: "Request a database", Quadrant: "how-to", Lang: "en", URL: "https://docs.example.com/how-to/request-a-database/", Sections: 1}) {
		t.Errorf("koban index --list --json = %+v", got)
	}

	if err := run(ctx, []string{"index", "--json"}, getenv, &out, &errb); err == nil {
		t.Error("koban index --json without --list: no error")
	}
}

func TestPrintPagesKeepsColumns(t *testing.T) {
	var b bytes.Buffer
	err := printPages(&b, []docsindex.IndexedPage{{Source: "d", Path: "a.md", Title: "Tabs\tand\nnewlines", Lang: "ja"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), filepath.Join("d", "a.md")+"\tTabs and newlines\tunknown\tja\t\n"; got != want {
		t.Errorf("printPages = %q, want %q", got, want)
	}
}

// TestIndexListSites lists what koban makes of a MkDocs project, a
// Docusaurus docs folder and a Hugo folder served as .html: the titles
// their navigation gives and the URLs each site serves.
func TestIndexListSites(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"mkdocs/mkdocs.yml":         "site_url: https://mk.example.com/\nnav:\n  - Databases:\n      - Request a database: db.md\n",
		"mkdocs/docs/db.md":         "# db\n\nFile a ticket.\n",
		"site/sidebars.json":        `{"docs": [{"type": "category", "label": "Keys", "items": ["rotate"]}]}`,
		"site/docs/rotate.md":       "---\nsidebar_label: Rotate keys\nslug: /keys/rotate\n---\n\nRun the job.\n",
		"hugo/content/tasks/net.md": "---\nlinkTitle: Network policies\n---\n\nAllow traffic.\n",
	}
	writeFiles(t, root, files)
	cfg := "docs:\n" +
		"  - {path: " + filepath.Join(root, "mkdocs") + ", lang: en}\n" +
		"  - {path: " + filepath.Join(root, "site", "docs") + ", lang: en, base_url: https://ds.example.com/docs/}\n" +
		"  - {path: " + filepath.Join(root, "hugo", "content") + ", lang: en, base_url: https://hugo.example.com/, link_style: html}\n"
	cfgPath := filepath.Join(t.TempDir(), "koban.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KOBAN_DATA_DIR": t.TempDir(), "KOBAN_LOG_LEVEL": "error", "KOBAN_CONFIG": cfgPath}
	getenv := func(k string) string { return env[k] }
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"index", "--list"}, getenv, &out, &errb); err != nil {
		t.Fatalf("koban index --list: %v\n%s", err, errb.String())
	}
	for _, want := range []string{
		filepath.Join(root, "mkdocs", "docs", "db.md") + "\tRequest a database\tunknown\ten\thttps://mk.example.com/db/\n",
		filepath.Join(root, "site", "docs", "rotate.md") + "\tRotate keys\thow-to\ten\thttps://ds.example.com/docs/keys/rotate\n",
		filepath.Join(root, "hugo", "content", "tasks", "net.md") + "\tNetwork policies\thow-to\ten\thttps://hugo.example.com/tasks/net.html\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("koban index --list printed\n%s\nwant the line %q", out.String(), want)
		}
	}

	if err := os.WriteFile(cfgPath, []byte("docs:\n  - {path: /docs, link_style: pretty}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"index", "--list"}, getenv, &out, &errb); err == nil || !strings.Contains(err.Error(), `link_style "pretty"`) {
		t.Errorf("koban index with link_style pretty = %v, want it refused by name", err)
	}
}

// writeFiles writes files (path → content) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
