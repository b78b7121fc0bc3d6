package docsindex

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSite writes files (path → content) under a new temporary folder.
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pageWant is what a test expects of one loaded page.
type pageWant struct {
	title, url, crumb string // crumb: the breadcrumb of the page's first section
}

func checkPages(t *testing.T, pages []Page, want map[string]pageWant) {
	t.Helper()
	got := map[string]Page{}
	for _, p := range pages {
		got[p.Path] = p
	}
	if len(got) != len(want) {
		var paths []string
		for p := range got {
			paths = append(paths, p)
		}
		t.Errorf("loaded pages %v, want %d", paths, len(want))
	}
	for path, w := range want {
		p, ok := got[path]
		if !ok {
			t.Errorf("page %s not loaded", path)
			continue
		}
		if p.Title != w.title || p.URL != w.url {
			t.Errorf("page %s: title %q, URL %q; want %q, %q", path, p.Title, p.URL, w.title, w.url)
		}
		if w.crumb != "" && (len(p.Sections) == 0 || p.Sections[0].Breadcrumb != w.crumb) {
			t.Errorf("page %s: first breadcrumb %q, want %q", path, p.Sections[0].Breadcrumb, w.crumb)
		}
		for _, s := range p.Sections {
			if s.Title != p.Title || (s.Anchor != "" && s.URL != p.URL+"#"+s.Anchor && p.URL != "") {
				t.Errorf("page %s: section %s has title %q and URL %q, want the page's", path, s.ID, s.Title, s.URL)
			}
		}
	}
}

func warningsAbout(warns []Warning, file, reason string) bool {
	for _, w := range warns {
		if w.Path == file && strings.Contains(w.Reason, reason) {
			return true
		}
	}
	return false
}

// TestMkDocsTechDocs reads a MkDocs project in the Backstage TechDocs
// layout (mkdocs.yml beside docs/) as the source: nav titles and sections,
// site_url and directory URLs; the project's README is not a page.
func TestMkDocsTechDocs(t *testing.T) {
	root := writeSite(t, map[string]string{
		"mkdocs.yml": `site_name: Platform
site_url: https://platform.example.com/docs/
nav:
  - Home: index.md
  - Databases:
      - Request a database: db/request.md
      - db/backups.md
      - Engines:
          - PostgreSQL: db/engines/postgres.md
  - Status page: https://status.example.com/
`,
		"README.md":                   "# The platform docs repository\n",
		"docs/index.md":               "# Welcome\n\nStart here.\n",
		"docs/db/request.md":          "# db\n\nFile a ticket.\n\n## Steps\n\nOne.\n",
		"docs/db/backups.md":          "# Backups\n\nNightly.\n",
		"docs/db/engines/postgres.md": "# pg\n\nVersion 16.\n",
		"docs/unlisted.md":            "# Unlisted page\n\nStill served.\n",
	})
	pages, warns := Load(Source{Path: root}, nil)
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	checkPages(t, pages, map[string]pageWant{
		"docs/index.md":               {"Home", "https://platform.example.com/docs/", "Home"},
		"docs/db/request.md":          {"Request a database", "https://platform.example.com/docs/db/request/", "Databases > Request a database"},
		"docs/db/backups.md":          {"Backups", "https://platform.example.com/docs/db/backups/", "Databases > Backups"},
		"docs/db/engines/postgres.md": {"PostgreSQL", "https://platform.example.com/docs/db/engines/postgres/", "Databases > Engines > PostgreSQL"},
		"docs/unlisted.md":            {"Unlisted page", "https://platform.example.com/docs/unlisted/", "Unlisted page"},
	})
	for _, p := range pages {
		if p.Path == "docs/db/request.md" {
			if got := p.Sections[len(p.Sections)-1].Breadcrumb; got != "Databases > Request a database > Steps" {
				t.Errorf("Steps section breadcrumb %q", got)
			}
			if !strings.Contains(p.Description, "Databases") {
				t.Errorf("description %q, want the nav section in it (searchable)", p.Description)
			}
		}
	}
}

// TestMkDocsHTMLURLs reads a docs folder whose parent holds mkdocs.yml
// with use_directory_urls: false, and an explicit base URL that wins over
// site_url.
func TestMkDocsHTMLURLs(t *testing.T) {
	root := writeSite(t, map[string]string{
		"mkdocs.yml":               "site_url: https://ignored.example.com/\ndocs_dir: content\nuse_directory_urls: false\nnav:\n  - Guides:\n      - Rotate keys: guides/rotate.md\n",
		"content/index.md":         "# Home\n",
		"content/guides/rotate.md": "# rotate\n\nRun the job.\n",
		"content/guides/README.md": "# Guides\n",
	})
	pages, warns := Load(Source{Path: filepath.Join(root, "content"), BaseURL: "https://docs.example.com/"}, nil)
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	checkPages(t, pages, map[string]pageWant{
		"index.md":         {"Home", "https://docs.example.com/index.html", ""},
		"guides/rotate.md": {"Rotate keys", "https://docs.example.com/guides/rotate.html", "Guides > Rotate keys"},
		"guides/README.md": {"Guides", "https://docs.example.com/guides/index.html", ""},
	})
}

// TestMkDocsBadConfig: Python tags, !ENV, an include, a nav naming a
// missing file and INHERIT each get a warning naming mkdocs.yml, and the
// pages are read all the same.
func TestMkDocsBadConfig(t *testing.T) {
	root := writeSite(t, map[string]string{
		"mkdocs.yml": `INHERIT: base.yml
site_url: !ENV [SITE_URL, "https://env-default.example.com/"]
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
nav:
  - Start: index.md
  - Gone: missing.md
  - Team: !include ./team/mkdocs.yml
`,
		"docs/index.md": "# Start page\n",
	})
	pages, warns := Load(Source{Path: root}, nil)
	cfg := filepath.Join(root, "mkdocs.yml")
	for _, reason := range []string{"INHERIT: base.yml is not followed", "nav names missing.md, which is not a file in docs", `nav entry "Team" (line 10) uses !include`} {
		if !warningsAbout(warns, cfg, reason) {
			t.Errorf("warnings %v, want one on %s saying %q", warns, cfg, reason)
		}
	}
	checkPages(t, pages, map[string]pageWant{"docs/index.md": {"Start", "https://env-default.example.com/", ""}})

	// A docs_dir that does not exist: a warning, and the pages as a plain folder.
	root = writeSite(t, map[string]string{"mkdocs.yml": "docs_dir: site-docs\n", "index.md": "# Home\n"})
	pages, warns = Load(Source{Path: root}, nil)
	if !warningsAbout(warns, filepath.Join(root, "mkdocs.yml"), "docs_dir site-docs is not a folder") || len(pages) != 1 {
		t.Errorf("missing docs_dir: %d pages, warnings %v; want the page and a warning", len(pages), warns)
	}

	// Not YAML at all: a warning, and the pages as a plain folder.
	root = writeSite(t, map[string]string{"mkdocs.yml": "nav: [\n", "index.md": "# Home\n"})
	pages, warns = Load(Source{Path: root, BaseURL: "https://x.example.com/"}, nil)
	if !warningsAbout(warns, filepath.Join(root, "mkdocs.yml"), "not YAML") {
		t.Errorf("warnings %v, want mkdocs.yml named as not YAML", warns)
	}
	checkPages(t, pages, map[string]pageWant{"index.md": {"Home", "https://x.example.com/", ""}})
}

// TestDocusaurus reads a Docusaurus site: sidebars.json categories and
// labels, _category_ labels (or folder names) for pages no sidebar names,
// front matter slug, id and sidebar_label, number prefixes, and
// Docusaurus's URLs without a trailing slash.
func TestDocusaurus(t *testing.T) {
	root := writeSite(t, map[string]string{
		"docusaurus.config.js": "module.exports = { title: 'Platform', presets: [] };\n",
		"sidebars.json": `{"docs": [
  "intro",
  {"type": "category", "label": "Databases", "items": [
    {"type": "doc", "id": "db/request-db", "label": "Request a database"},
    "db/backups"
  ]}
]}`,
		"docs/01-intro.md":            "# Introduction\n\nHello.\n",
		"docs/db/request.md":          "---\nid: request-db\nslug: /databases/new\n---\n\n# db\n\nFile a ticket.\n",
		"docs/db/02-backups.md":       "---\nsidebar_label: Backups\n---\n\n# How backups work\n\nNightly.\n",
		"docs/db/restore.md":          "---\nsidebar_label: Restore\n---\n\nUse the console.\n",
		"docs/db/relative.md":         "---\ntitle: Relative slug\nslug: moved\n---\n\nText.\n",
		"docs/db/_category_.yml":      "label: Data stores\n",
		"docs/03-ops/alerts.md":       "# Alerts\n\nPaging.\n",
		"docs/broken/_category_.json": "{label: [\n",
	})
	pages, warns := Load(Source{Path: root, BaseURL: "https://docs.example.com/docs/"}, nil)
	if len(warns) != 1 || !warningsAbout(warns, filepath.Join(root, "docs", "broken", "_category_.json"), "unreadable category") {
		t.Errorf("warnings %v, want one naming the broken _category_.json", warns)
	}
	checkPages(t, pages, map[string]pageWant{
		"docs/03-ops/alerts.md": {"Alerts", "https://docs.example.com/docs/ops/alerts", "ops > Alerts"},
		"docs/01-intro.md":      {"Introduction", "https://docs.example.com/docs/intro", "Introduction"},
		"docs/db/request.md":    {"Request a database", "https://docs.example.com/docs/databases/new", "Databases > Request a database"},
		"docs/db/02-backups.md": {"Backups", "https://docs.example.com/docs/db/backups", "Databases > Backups"},
		"docs/db/restore.md":    {"Restore", "https://docs.example.com/docs/db/restore", "Data stores > Restore"},
		"docs/db/relative.md":   {"Relative slug", "https://docs.example.com/docs/db/moved", "Data stores > Relative slug"},
	})
}

// TestDocusaurusSidebarsJS reads a sidebars.js that is a plain object
// literal, and warns about one that is a program.
func TestDocusaurusSidebarsJS(t *testing.T) {
	literal := `// @ts-check
/** @type {import('@docusaurus/plugin-content-docs').SidebarsConfig} */
const sidebars = {
  docs: [
    'intro', // the landing page
    {
      type: 'category',
      label: "Guides",
      items: [{type: 'doc', id: 'guides/rotate', label: 'Rotate keys'},],
    },
  ],
};
module.exports = sidebars;
`
	docs := map[string]string{"docs/intro.md": "# Intro\n", "docs/guides/rotate.md": "# rotate\n"}
	files := map[string]string{"sidebars.js": literal, "docusaurus.config.js": "export default {trailingSlash: true};\n"}
	for k, v := range docs {
		files[k] = v
	}
	root := writeSite(t, files)
	pages, warns := Load(Source{Path: filepath.Join(root, "docs"), BaseURL: "https://d.example.com/"}, nil)
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	checkPages(t, pages, map[string]pageWant{
		"intro.md":         {"Intro", "https://d.example.com/intro/", ""},
		"guides/rotate.md": {"Rotate keys", "https://d.example.com/guides/rotate/", "Guides > Rotate keys"},
	})

	files["sidebars.js"] = "const gen = require('./gen');\nmodule.exports = {docs: [...gen.items(), 'intro']};\n"
	root = writeSite(t, files)
	pages, warns = Load(Source{Path: filepath.Join(root, "docs")}, nil)
	if !warningsAbout(warns, filepath.Join(root, "sidebars.js"), "JavaScript koban does not run") || len(pages) != 2 {
		t.Errorf("real JavaScript sidebars: %d pages, warnings %v; want both pages and a warning naming sidebars.js", len(pages), warns)
	}
}

func TestJSObjectLiteral(t *testing.T) {
	good := []struct{ src, want string }{
		{"module.exports = {a: ['x', \"y\",], 'b': {c: 1, d: true,},};", `{"a":["x","y"],"b":{"c":1,"d":true}}`},
		{"export default {s: 'it\\'s // not a comment'} // trailing", `{"s":"it's // not a comment"}`},
		{"/* c */ const x = {k: null}; module.exports = x;", `{"k":null}`},
	}
	for _, tt := range good {
		v, err := jsObjectLiteral(tt.src)
		if err != nil {
			t.Errorf("jsObjectLiteral(%q): %v", tt.src, err)
			continue
		}
		if got, _ := json.Marshal(v); string(got) != tt.want {
			t.Errorf("jsObjectLiteral(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
	for _, src := range []string{
		"module.exports = {docs: require('./x')};",
		"module.exports = {docs: [...other]};",
		"module.exports = {docs: items};",
		"module.exports = {docs: () => []};",
		"module.exports = {docs: `tpl`};",
		"module.exports = {docs: ['unterminated};",
		"function f() {}",
		"",
	} {
		if _, err := jsObjectLiteral(src); !errors.Is(err, errJavaScript) {
			t.Errorf("jsObjectLiteral(%q) = %v, want errJavaScript", src, err)
		}
	}
}

// TestHugoFrontMatter: linkTitle titles a page without a title, url and
// slug set its link, in a plain folder.
func TestHugoFrontMatter(t *testing.T) {
	root := writeSite(t, map[string]string{
		"tasks/_index.md":  "---\ntitle: Tasks\nweight: 10\n---\n",
		"tasks/db.md":      "---\nlinkTitle: Databases\nweight: 20\n---\n\nCreate one.\n",
		"tasks/keys.md":    "---\ntitle: Rotating credentials for services\nlinkTitle: Rotate keys\naliases: [/old/keys/]\n---\n\nRun the job.\n",
		"about.md":         "---\ntitle: About\nurl: /company/about-us/\n---\n\nWe are.\n",
		"tasks/renamed.md": "---\ntitle: Renamed\nslug: new-name\n---\n\nText.\n",
	})
	pages, warns := Load(Source{Path: root, BaseURL: "https://k.example.com/docs/"}, nil)
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	checkPages(t, pages, map[string]pageWant{
		"tasks/_index.md":  {"Tasks", "https://k.example.com/docs/tasks/", ""},
		"tasks/db.md":      {"Databases", "https://k.example.com/docs/tasks/db/", ""},
		"tasks/keys.md":    {"Rotating credentials for services", "https://k.example.com/docs/tasks/keys/", ""},
		"about.md":         {"About", "https://k.example.com/docs/company/about-us/", ""},
		"tasks/renamed.md": {"Renamed", "https://k.example.com/docs/tasks/new-name/", ""},
	})
}

// TestLinkStyle: a plain folder's links in each link style.
func TestLinkStyle(t *testing.T) {
	root := writeSite(t, map[string]string{"guides/db.md": "# DB\n", "guides/index.md": "# Guides\n", "index.md": "# Home\n"})
	tests := []struct {
		style string
		want  map[string]string
	}{
		{"", map[string]string{"guides/db.md": "https://s.example.com/guides/db/", "guides/index.md": "https://s.example.com/guides/", "index.md": "https://s.example.com/"}},
		{LinkDirectory, map[string]string{"guides/db.md": "https://s.example.com/guides/db/", "guides/index.md": "https://s.example.com/guides/", "index.md": "https://s.example.com/"}},
		{LinkHTML, map[string]string{"guides/db.md": "https://s.example.com/guides/db.html", "guides/index.md": "https://s.example.com/guides/index.html", "index.md": "https://s.example.com/index.html"}},
		{LinkSource, map[string]string{"guides/db.md": "https://s.example.com/guides/db.md", "guides/index.md": "https://s.example.com/guides/index.md", "index.md": "https://s.example.com/index.md"}},
		{LinkPlain, map[string]string{"guides/db.md": "https://s.example.com/guides/db", "guides/index.md": "https://s.example.com/guides", "index.md": "https://s.example.com/"}},
	}
	for _, tt := range tests {
		pages, _ := Load(Source{Path: root, BaseURL: "https://s.example.com/", LinkStyle: tt.style}, nil)
		for _, p := range pages {
			if p.URL != tt.want[p.Path] {
				t.Errorf("link style %q: %s links to %s, want %s", tt.style, p.Path, p.URL, tt.want[p.Path])
			}
			for _, s := range p.Sections {
				if s.Anchor != "" && s.URL != p.URL+"#"+s.Anchor {
					t.Errorf("link style %q: section %s links to %s", tt.style, s.ID, s.URL)
				}
			}
		}
	}
}

// TestSiteChangeReindexes: editing mkdocs.yml's nav re-indexes the pages,
// though their files did not change; an unchanged site re-indexes none.
func TestSiteChangeReindexes(t *testing.T) {
	root := writeSite(t, map[string]string{
		"mkdocs.yml":    "nav:\n  - Old title: a.md\n",
		"docs/a.md":     "# a\n\nText.\n",
		"docs/b/c.md":   "# c\n\nMore.\n",
		"docs/b/d.html": "<p>not a page</p>\n",
	})
	ix := mustOpen(t, t.TempDir())
	ctx := context.Background()
	src := []Source{{Path: root, BaseURL: "https://x.example.com/"}}
	if st, _, err := ix.Update(ctx, src); err != nil || st.Added != 2 {
		t.Fatalf("first update: %+v, %v; want 2 pages added", st, err)
	}
	if st, _, err := ix.Update(ctx, src); err != nil || st.Changed != 0 {
		t.Fatalf("second update: %+v, %v; want nothing changed", st, err)
	}
	if err := os.WriteFile(filepath.Join(root, "mkdocs.yml"), []byte("nav:\n  - Section:\n      - New title: a.md\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _, err := ix.Update(ctx, src)
	if err != nil || st.Changed == 0 {
		t.Fatalf("update after the nav changed: %+v, %v; want pages re-indexed", st, err)
	}
	var found bool
	for _, p := range ix.Pages() {
		if p.Path == "docs/a.md" {
			found = p.Title == "New title" && p.URL == "https://x.example.com/a/"
		}
	}
	if !found {
		t.Errorf("pages after the nav changed: %+v, want docs/a.md titled New title", ix.Pages())
	}
}

// TestSiteConfigLinkNotFollowed: a mkdocs.yml that is a link (to a file
// outside the docs, say) is not read.
func TestSiteConfigLinkNotFollowed(t *testing.T) {
	outside := writeSite(t, map[string]string{"secret.yml": "nav:\n  - Leaked title: index.md\n"})
	root := writeSite(t, map[string]string{"index.md": "# Home\n"})
	if err := os.Symlink(filepath.Join(outside, "secret.yml"), filepath.Join(root, "mkdocs.yml")); err != nil {
		t.Skip(err)
	}
	pages, _ := Load(Source{Path: root}, nil)
	checkPages(t, pages, map[string]pageWant{"index.md": {"Home", "", ""}})
}
