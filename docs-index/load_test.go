package docsindex

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
)

func mustParse(t *testing.T, rel, text string) Page {
	t.Helper()
	p, err := ParsePage(Source{Path: "src"}, rel, []byte(text))
	if err != nil {
		t.Fatalf("ParsePage(%s): %v", rel, err)
	}
	return p
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, text, wantTitle string
		wantQ                 koban.Quadrant
	}{
		{"yaml", "---\ntitle: Request a DB\ntype: how-to\n---\nbody text here\n", "Request a DB", koban.HowTo},
		{"toml", "+++\ntitle = \"Quotas\"\ndiataxis = \"reference\"\n+++\nbody text here\n", "Quotas", koban.Reference},
		{"hugo content_type", "---\ntitle: Pods\ncontent_type: concept\n---\ntext\n", "Pods", koban.Explanation},
		{"no front matter, H1", "# Getting help\n\ntext\n", "Getting help", koban.Unknown},
		{"nothing", "just text\n", "the file", koban.Unknown},
	}
	for _, tt := range tests {
		p := mustParse(t, "misc/the-file.md", tt.text)
		if p.Title != tt.wantTitle || p.Quadrant != tt.wantQ {
			t.Errorf("%s: title, quadrant = %q, %q, want %q, %q", tt.name, p.Title, p.Quadrant, tt.wantTitle, tt.wantQ)
		}
	}
}

func TestQuadrantFromPath(t *testing.T) {
	tests := []struct {
		path string
		want koban.Quadrant
	}{
		{"tutorials/a.md", koban.Tutorial},
		{"how-to/a.md", koban.HowTo},
		{"howto/a.md", koban.HowTo},
		{"tasks/x/a.md", koban.HowTo},
		{"guides/a.md", koban.HowTo},
		{"setup/a.md", koban.HowTo},
		{"reference/a.md", koban.Reference},
		{"explanation/a.md", koban.Explanation},
		{"concepts/a.md", koban.Explanation},
		{"misc/a.md", koban.Unknown},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.path, "---\ntitle: T\n---\nSome text.\n").Quadrant; got != tt.want {
			t.Errorf("quadrant of %s = %q, want %q", tt.path, got, tt.want)
		}
	}
	// Front matter wins over the path; content cues come last.
	if got := mustParse(t, "tutorials/a.md", "---\ntype: reference\n---\ntext\n").Quadrant; got != koban.Reference {
		t.Errorf("front matter type: reference under tutorials/ = %q, want reference", got)
	}
	if got := mustParse(t, "misc/a.md", "# Set up the CLI\n\n## Before you begin\n\nx\n").Quadrant; got != koban.HowTo {
		t.Errorf("content cues = %q, want how-to", got)
	}
}

func TestStripSiteSyntax(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // must appear
		gone     []string // must not appear
	}{
		{"paired shortcode keeps prose", "{{< note >}}Back up first.{{< /note >}}", []string{"Back up first."}, []string{"{{", "note >"}},
		{"percent shortcode", "{{% thirdparty-content %}}\nText.", []string{"Text."}, []string{"{{%"}},
		{"tooltip keeps text", `A {{< glossary_tooltip text="Secret" term_id="secret" >}} holds it.`, []string{"A Secret holds it."}, []string{"term_id"}},
		{"mdx import and jsx", "import Tabs from '@theme/Tabs';\n<Tabs>\n<TabItem value=\"a\">\nRun it.\n</TabItem>\n</Tabs>", []string{"Run it."}, []string{"import", "<Tabs", "TabItem"}},
		{"html comment", "a <!-- hidden\nnote --> b", []string{"a", "b"}, []string{"hidden"}},
		{"mkdocs admonition", "!!! warning \"Hard limits\"\n    Pods are rejected.", []string{"Hard limits", "Pods are rejected."}, []string{"!!!"}},
		{"docusaurus admonition", ":::tip Before you start\nAsk first.\n:::", []string{"Before you start", "Ask first."}, []string{":::"}},
		{"github alert", "> [!NOTE]\n> Ask the team.", []string{"Ask the team."}, []string{"[!NOTE]"}},
		{"code untouched", "```\n{{< not-a-shortcode >}}\n```", []string{"{{< not-a-shortcode >}}"}, nil},
	}
	for _, tt := range tests {
		got := stripSiteSyntax(tt.in)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: stripSiteSyntax(%q) = %q, want it to contain %q", tt.name, tt.in, got, w)
			}
		}
		for _, g := range tt.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: stripSiteSyntax(%q) = %q, still contains %q", tt.name, tt.in, got, g)
			}
		}
	}
}

func TestSlugs(t *testing.T) {
	text := "---\ntitle: T\n---\n## Before you begin\n\n## Sizes & limits!\n\n## 手順\n\n## 手順\n\n## 手順\n\n## Custom {#my-id}\n\n## Step 1: `kubectl` apply\n"
	var got []string
	for _, s := range mustParse(t, "a.md", text).Sections {
		got = append(got, s.Anchor)
	}
	want := []string{"before-you-begin", "sizes--limits", "手順", "手順-1", "手順-2", "my-id", "step-1-kubectl-apply"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("anchors (-want +got):\n%s", diff)
	}
}

func TestBreadcrumbsAndSplit(t *testing.T) {
	long := strings.Repeat("A long paragraph about quotas and limits. ", 40)
	text := "---\ntitle: Quotas\n---\nIntro.\n\n## Limits\n\nx\n\n### CPU\n\n" + long + "\n\n" + long + "\n\n" + long + "\n\n## Memory\n\n```\ncode here\n```\n"
	p := mustParse(t, "reference/q.md", text)
	var crumbs, ids []string
	for _, s := range p.Sections {
		crumbs = append(crumbs, s.Breadcrumb)
		ids = append(ids, s.ID)
	}
	wantCrumbs := []string{"Quotas", "Quotas > Limits", "Quotas > Limits > CPU", "Quotas > Limits > CPU", "Quotas > Memory"}
	if diff := cmp.Diff(wantCrumbs, crumbs); diff != "" {
		t.Errorf("breadcrumbs (-want +got):\n%s", diff)
	}
	wantIDs := []string{"reference/q.md#", "reference/q.md#limits", "reference/q.md#cpu", "reference/q.md#cpu~1", "reference/q.md#memory"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("section IDs (-want +got):\n%s", diff)
	}
	prose, code := SplitCode(p.Sections[4].Text)
	if strings.Contains(prose, "code here") || !strings.Contains(code, "code here") {
		t.Errorf("SplitCode(%q) = %q, %q: want the code apart", p.Sections[4].Text, prose, code)
	}
}

func TestDetectLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"How do I request a database?", "en"},
		{"データベースを申請するにはどうすればいいですか？", "ja"},
		{"kubectl apply でエラーが出ます: error validating data", "ja"},
		{"```\nエラー\n```\nWhy does this fail?", "en"},
		{"", "en"},
	}
	for _, tt := range tests {
		if got := DetectLang(tt.in); got != tt.want {
			t.Errorf("DetectLang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range src {
		b, err := os.ReadFile(filepath.Join("testdata/bad", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	huge := strings.Repeat("x", MaxFileSize+1)
	if err := os.WriteFile(filepath.Join(dir, "huge.md"), []byte(huge), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.md"), []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	unreadable := true
	if f, err := os.Open(filepath.Join(dir, "secret.md")); err == nil {
		f.Close()
		unreadable = false // running as root: permissions do not apply
		os.Remove(filepath.Join(dir, "secret.md"))
	}

	pages, warns := Load(Source{Path: dir}, nil)
	if len(pages) != 1 || pages[0].Path != "good.md" {
		t.Errorf("Load pages = %v, want only good.md", pages)
	}
	got := map[string]string{}
	for _, w := range warns {
		got[filepath.Base(w.Path)] = w.Reason
	}
	want := map[string]string{
		"binary.md": "binary", "broken.md": "broken front matter", "empty.md": "empty",
		"latin1.md": "UTF-8", "huge.md": "too big",
	}
	if unreadable {
		want["secret.md"] = "unreadable"
	}
	for f, reason := range want {
		if !strings.Contains(got[f], reason) {
			t.Errorf("warning for %s = %q, want it to say %q", f, got[f], reason)
		}
	}
	var names []string
	for f := range got {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if _, ok := want[f]; !ok {
			t.Errorf("unexpected warning for %s: %s", f, got[f])
		}
	}
}

func TestLoadSamples(t *testing.T) {
	pages, warns := Load(Source{Path: "testdata/docs", BaseURL: "https://docs.example.com"}, nil)
	if len(warns) != 0 {
		t.Errorf("Load(testdata/docs) warnings = %v, want none", warns)
	}
	byPath := map[string]Page{}
	for _, p := range pages {
		byPath[p.Path] = p
	}
	if _, ok := byPath["draft.md"]; ok {
		t.Error("draft.md was loaded, want drafts skipped")
	}
	tests := []struct {
		path, title string
		q           koban.Quadrant
		lang        string
	}{
		{"how-to/request-a-database.md", "Request a database", koban.HowTo, "en"},
		{"tutorials/first-app.mdx", "Deploy your first app", koban.Tutorial, "en"},
		{"reference/quotas.md", "Namespace quotas", koban.Reference, "en"},
		{"concepts/networking.md", "How networking works", koban.Explanation, "en"},
		{"ja/ingress.md", "イングレスの設定", koban.Unknown, "ja"},
	}
	for _, tt := range tests {
		p, ok := byPath[tt.path]
		if !ok {
			t.Errorf("page %s not loaded", tt.path)
			continue
		}
		if p.Title != tt.title || p.Quadrant != tt.q || p.Lang != tt.lang {
			t.Errorf("%s: title, quadrant, lang = %q, %q, %q, want %q, %q, %q", tt.path, p.Title, p.Quadrant, p.Lang, tt.title, tt.q, tt.lang)
		}
	}
	db := byPath["how-to/request-a-database.md"]
	var sizes *Section
	for i := range db.Sections {
		if db.Sections[i].Heading == "Sizes" {
			sizes = &db.Sections[i]
		}
	}
	if sizes == nil || sizes.URL != "https://docs.example.com/how-to/request-a-database/#db-sizes" {
		t.Errorf("Sizes section = %+v, want URL with the custom anchor #db-sizes", sizes)
	}
	if h := db.Sections[1].Heading; h != "Before you begin" {
		t.Errorf("heading shortcode rendered as %q, want %q", h, "Before you begin")
	}
}
