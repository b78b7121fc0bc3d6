package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

// sectionCode returns the first line of the first code block of the
// section path#anchor of the sample docs, read through the index: what an
// answer from that section must show verbatim.
func sectionCode(t *testing.T, svc *Service, lang, path, anchor string) string {
	t.Helper()
	src := filepath.Join("..", "docs", "samples", lang)
	secs, err := svc.pages.PageSections(src, path)
	if err != nil {
		t.Fatalf("PageSections(%s, %s): %v", src, path, err)
	}
	for _, s := range secs {
		if s.Anchor != anchor {
			continue
		}
		for _, b := range splitBlocks(s.Text) {
			if b.kind == code && len(b.lines) > 0 {
				return strings.TrimSpace(b.lines[0])
			}
		}
		// Steps written as a list: their first inline command.
		if i := strings.Index(s.Text, "`hoshi "); i >= 0 {
			return s.Text[i+1 : i+1+strings.IndexByte(s.Text[i+1:], '`')]
		}
	}
	t.Fatalf("no code in %s#%s", path, anchor)
	return ""
}

// TestAnswerShowsTheCommand asks how-to questions, in words of our own,
// and wants the answer to show the command or YAML of the section that
// answers, verbatim, in a code block or as inline code.
func TestAnswerShowsTheCommand(t *testing.T) {
	svc := mustService(t)
	tests := []struct {
		q, path, anchor string
	}{
		{"the last release broke checkout, how can I go back to the one before?", "how-to/roll-back-a-deployment.md", "roll-back-a-deployment"},
		{"how do I get a postgres database for my service?", "how-to/request-a-database.md", "add-the-claim"},
		{"how can I mute an alert while I deploy?", "how-to/set-up-alerts.md", "silence-an-alert"},
		{"how do I add an API token to my app as a secret?", "how-to/manage-secrets.md", "store-a-secret"},
		{"how can our team ask for a bigger CPU quota?", "how-to/request-a-quota-increase.md", "increases-that-need-the-platform-team"},
	}
	for _, tt := range tests {
		want := sectionCode(t, svc, "en", tt.path, tt.anchor)
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Errorf("Answer(%q): %v", tt.q, err)
			continue
		}
		if !ans.Known {
			t.Errorf("Answer(%q) not known (confidence %.2f), want the %s section", tt.q, ans.Confidence, tt.anchor)
			continue
		}
		if !strings.Contains(ans.Text, want) {
			t.Errorf("Answer(%q) =\n%s\nwant it to show %q from %s#%s", tt.q, ans.Text, want, tt.path, tt.anchor)
		}
		if len(ans.Citations) == 0 || ans.Citations[0].Path != tt.path || ans.Citations[0].Anchor != tt.anchor {
			t.Errorf("Answer(%q) first citation = %+v, want %s#%s", tt.q, ans.Citations, tt.path, tt.anchor)
		}
		if strings.Count(ans.Text, "```")%2 != 0 {
			t.Errorf("Answer(%q) has an unclosed code block:\n%s", tt.q, ans.Text)
		}
		if len(ans.Text) > MaxAnswerChars {
			t.Errorf("Answer(%q) has %d chars, want at most %d", tt.q, len(ans.Text), MaxAnswerChars)
		}
	}
}

// TestAnswerKeepsCodeLanguage wants a fenced block's language tag kept.
func TestAnswerKeepsCodeLanguage(t *testing.T) {
	svc := mustService(t)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "how do I get a postgres database for my service?"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans.Text, "```yaml\n") {
		t.Errorf("Answer text =\n%s\nwant the claim's YAML block with its language", ans.Text)
	}
}

// TestAnswerJapaneseFromJapaneseSection asks in Japanese with the words of
// a Japanese section and wants it answered from that section, as an English
// question matching an English section is.
func TestAnswerJapaneseFromJapaneseSection(t *testing.T) {
	svc := mustService(t)
	tests := []struct{ q, path, anchor string }{
		{"問い合わせの流れを知りたい", "explanation/support-model.md", "問い合わせの流れ"},
		{"本番環境へのアクセスを申請するには？", "how-to/request-access.md", "本番環境へのアクセス"},
	}
	for _, tt := range tests {
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Known || ans.Confidence < DefaultMinConfidence {
			t.Errorf("Answer(%q) = known %v, confidence %.2f; want it answered", tt.q, ans.Known, ans.Confidence)
			continue
		}
		if len(ans.Citations) == 0 || ans.Citations[0].Lang != "ja" || ans.Citations[0].Path != tt.path || ans.Citations[0].Anchor != tt.anchor {
			t.Errorf("Answer(%q) citations = %+v, want %s#%s in Japanese first", tt.q, ans.Citations, tt.path, tt.anchor)
		}
		if !strings.HasPrefix(ans.Text, "ドキュメントの関連箇所です。") {
			t.Errorf("Answer(%q) text = %q, want the Japanese lead", tt.q, ans.Text)
		}
	}
}

// TestAnswerFollowUp asks a short follow-up under a thread's question: it
// is understood in the thread's context, and the section that answers it
// is quoted.
func TestAnswerFollowUp(t *testing.T) {
	svc := mustService(t)
	thread := []string{"how do I get a postgres database for my service?"}
	first, err := svc.Answer(context.Background(), koban.Question{Text: thread[0]})
	if err != nil {
		t.Fatal(err)
	}
	thread = append(thread, first.Text)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "and which sizes can I pick?", Context: thread})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Known || len(ans.Citations) == 0 {
		t.Fatalf("follow-up not answered: known %v, confidence %.2f", ans.Known, ans.Confidence)
	}
	c := ans.Citations[0]
	if c.Path != "how-to/request-a-database.md" || c.Anchor != "sizes" {
		t.Errorf("follow-up first citation = %s#%s, want how-to/request-a-database.md#sizes", c.Path, c.Anchor)
	}
	if !strings.Contains(ans.Text, "| medium |") {
		t.Errorf("follow-up answer =\n%s\nwant the sizes table", ans.Text)
	}

	// The thread is what makes them understood: alone, these follow-ups
	// are not answered from the database page.
	for _, tt := range []struct{ q, anchor string }{
		{"and which sizes can I pick?", "sizes"},
		{"and how does my app connect to it?", "connect-from-your-service"},
	} {
		with, err := svc.Answer(context.Background(), koban.Question{Text: tt.q, Context: thread})
		if err != nil {
			t.Fatal(err)
		}
		alone, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if !with.Known || len(with.Citations) == 0 || with.Citations[0].Path != "how-to/request-a-database.md" || with.Citations[0].Anchor != tt.anchor {
			t.Errorf("Answer(%q) in the thread = %+v, want request-a-database.md#%s", tt.q, with.Citations, tt.anchor)
		}
		if alone.Known && len(alone.Citations) > 0 && alone.Citations[0].Path == "how-to/request-a-database.md" {
			t.Errorf("Answer(%q) alone cites the database page: the test does not show the thread's part", tt.q)
		}
	}
}

// TestAnswerLongThread gives a follow-up a thread of 500 long messages: the
// answer reads a bounded part of it and takes no longer than with a short
// thread.
func TestAnswerLongThread(t *testing.T) {
	svc := mustService(t)
	var thread []string
	for i := range 500 {
		thread = append(thread, fmt.Sprintf("reply %d: %s", i, strings.Repeat("the deploy to staging is still failing with a 403 error ", 40)))
	}
	if got := threadContext(thread); len(got) > maxContextMessages {
		t.Errorf("threadContext(500 messages) keeps %d, want at most %d", len(got), maxContextMessages)
	}
	for _, m := range threadContext(thread) {
		if len(m) > maxContextChars+len("…") {
			t.Errorf("threadContext keeps a message of %d bytes, want at most %d", len(m), maxContextChars)
		}
	}
	start := time.Now()
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "any idea?", Context: thread})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Answer with a 500-message thread took %v", took)
	}
	if len(ans.Text) > MaxAnswerChars {
		t.Errorf("answer has %d chars, want at most %d", len(ans.Text), MaxAnswerChars)
	}
}

// mustServiceOf indexes the given pages (path → Markdown) in memory.
func mustServiceOf(t *testing.T, pages map[string]string) *Service {
	t.Helper()
	dir := t.TempDir()
	for p, text := range pages {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := docsindex.OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, _, err := ix.Update(context.Background(), []docsindex.Source{{Path: dir, Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	return New(ix, Config{MinConfidence: 0.2}, nil)
}

// TestAnswerBadSections indexes pathological pages and wants bounded,
// well-formed answers from each.
func TestAnswerBadSections(t *testing.T) {
	var longCode strings.Builder
	longCode.WriteString("---\ntitle: Dump the frobnicator state\n---\n\n# Dump the frobnicator state\n\n```sh\n")
	for i := range 5000 {
		fmt.Fprintf(&longCode, "frobctl dump --shard %d --verbose\n", i)
	}
	longCode.WriteString("```\n")
	raw := "---\ntitle: Zephyr widget\n---\n\n# Zephyr widget\n\n<div class=\"note\"><script>alert('zephyr')</script>The zephyr widget <b>needs</b> a restart &amp; a flush.</div>\n\n<iframe src=\"https://evil.example\"></iframe>\n"
	svc := mustServiceOf(t, map[string]string{
		"how-to/dump.md":      longCode.String(),
		"reference/limits.md": "---\ntitle: Quixotic limits\n---\n\n# Quixotic limits\n\n" + wideTable(2000),
		"how-to/zephyr.md":    raw,
	})
	tests := []struct {
		q        string
		want     []string
		notWant  []string
		maxLines int
	}{
		{"how do I dump the frobnicator state?", []string{"frobctl dump --shard 0 --verbose", "more lines", "shortened"}, []string{"--shard 4999"}, 80},
		{"what are the quixotic limits?", []string{"quixotic0_0", "shortened"}, []string{"quixotic0_7 "}, 40},
		{"how do I restart the zephyr widget?", []string{"needs", "& a flush"}, []string{"<script", "<iframe", "<div", "&amp;"}, 30},
	}
	for _, tt := range tests {
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Fatalf("Answer(%q): %v", tt.q, err)
		}
		if !ans.Known {
			t.Errorf("Answer(%q) not known (confidence %.2f)", tt.q, ans.Confidence)
			continue
		}
		if len(ans.Text) > MaxAnswerChars {
			t.Errorf("Answer(%q) has %d chars, want at most %d", tt.q, len(ans.Text), MaxAnswerChars)
		}
		if n := strings.Count(ans.Text, "\n"); n > tt.maxLines {
			t.Errorf("Answer(%q) has %d lines, want at most %d", tt.q, n, tt.maxLines)
		}
		if strings.Count(ans.Text, "```")%2 != 0 {
			t.Errorf("Answer(%q) has an unclosed code block:\n%s", tt.q, ans.Text)
		}
		for _, w := range tt.want {
			if !strings.Contains(ans.Text, w) {
				t.Errorf("Answer(%q) =\n%s\nwant %q in it", tt.q, ans.Text, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(ans.Text, w) {
				t.Errorf("Answer(%q) =\n%s\nwant no %q in it", tt.q, ans.Text, w)
			}
		}
	}
}

func TestRenderTableKeepsMatchingRows(t *testing.T) {
	var tb strings.Builder
	tb.WriteString("| region | latency |\n| --- | --- |\n")
	for i := range 40 {
		fmt.Fprintf(&tb, "| region%02d | %d ms |\n", i, i)
	}
	tb.WriteString("| antarctica | 900 ms |\n")
	a := askOf("what is the latency in antarctica?", "latency antarctica", nil)
	got, cut := renderTable(splitBlocks(tb.String())[0], a)
	if !cut || !strings.Contains(got, "| antarctica | 900 ms |") || strings.Contains(got, "region05") {
		t.Errorf("renderTable = %q (cut %v), want the header and the antarctica row only", got, cut)
	}
	if !strings.HasPrefix(got, "| region | latency |\n| --- | --- |\n") {
		t.Errorf("renderTable = %q, want the header kept", got)
	}
}

func TestSplitBlocks(t *testing.T) {
	text := "Intro line\nstill intro\n\n- one\n- two\n\n```yaml\na: 1\n\nb: 2\n```\n| x | y |\n| - | - |\n| 1 | 2 |\nAfter"
	got := splitBlocks(text)
	kinds := []blockKind{prose, list, code, table, prose}
	if len(got) != len(kinds) {
		t.Fatalf("splitBlocks gave %d blocks %+v, want %d", len(got), got, len(kinds))
	}
	for i, k := range kinds {
		if got[i].kind != k {
			t.Errorf("block %d kind = %v, want %v", i, got[i].kind, k)
		}
	}
	if got[2].fence != "```yaml" || len(got[2].lines) != 3 {
		t.Errorf("code block = %+v, want fence ```yaml and 3 lines (blank one kept)", got[2])
	}
}

// TestRenderSectionCutsCodeAtLines renders sections whose best block alone
// is over the budget: code stays fenced, cut at a line.
func TestRenderSectionCutsCodeAtLines(t *testing.T) {
	var text strings.Builder
	text.WriteString("```yaml\n")
	for i := range 200 {
		fmt.Fprintf(&text, "key%d: value%d\n", i, i)
	}
	text.WriteString("```\n")
	a := askOf("how do I set the keys?", "set keys", nil)
	for _, budget := range []int{100, 450, 1000, 2200} {
		got, cut := renderSection(text.String(), a, budget)
		if !cut || !strings.HasPrefix(got, "```yaml\nkey0: value0\n") || !strings.HasSuffix(got, "```") || strings.Count(got, "```") != 2 {
			t.Errorf("renderSection(200-line block, %d) = %q (cut %v), want the first lines fenced", budget, got, cut)
		}
		if len(got) > budget+100 {
			t.Errorf("renderSection(200-line block, %d) has %d bytes", budget, len(got))
		}
	}
}

func TestRenderProseHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Replace `<collaborator>` with the user, and <namespace> with yours.", "Replace `<collaborator>` with the user, and <namespace> with yours."},
		{"<div class=\"x\">A <b>bold</b> move<br/>&amp; more</div>", "A bold move& more"},
		{"Before<script type=\"text/javascript\">alert('x')</script> after<style>p{}</style>.", "Before after."},
		{"a&nbsp;b", "a b"},
		{"See [the repo][env].\n[env]: https://example.com/env\n[other]: https://example.com/o \"Other\"", "See [the repo][env]."},
	}
	for _, tt := range tests {
		got, _ := block{kind: prose, lines: []string{tt.in}}.render(ask{})
		if got != tt.want {
			t.Errorf("render(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWordsMixedScript(t *testing.T) {
	got := words("etcdの管理 Podが")
	want := []string{"etcd", "の管", "管理", "pod", "が"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("words = %q, want %q", got, want)
	}
}

// TestAnswerShowsEveryListedPage composes an answer from a page of long
// sections with four more pages about the same task: the answer stays
// within MaxAnswerChars, quotes the first page's two sections that answer,
// and still shows each of the other pages, quoted or by its line, so that
// an asker whose answer is on the third or fifth page sees it.
func TestAnswerShowsEveryListedPage(t *testing.T) {
	filler := func(topic string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "The %s step %d keeps the gadget fleet consistent while nodes drain and traffic moves between zones. ", topic, i)
			if i%4 == 3 {
				b.WriteString("\n\n")
			}
		}
		return b.String()
	}
	pages := map[string]string{
		"how-to/rotate-widget-keys.md": "# Rotate widget keys\n\nWidget keys expire after ninety days.\n\n" +
			"## Rotate the widget keys in staging\n\nTo rotate the widget keys in staging, run:\n\n```shell\nwidgetctl keys rotate --env staging\n```\n\n" + filler("staging", 30) + "\n\n" +
			"## Rotate the widget keys in production\n\nTo rotate the widget keys in production, run:\n\n```shell\nwidgetctl keys rotate --env production\n```\n\n" + filler("production", 30) + "\n",
	}
	others := []string{"alpha", "bravo", "charlie", "delta"}
	for _, o := range others {
		pages["how-to/widget-"+o+".md"] = fmt.Sprintf("# Rotate widget keys on %s\n\n## Rotate the widget keys of %s clusters\n\n%s\n\n"+
			"To rotate the widget keys of a %s cluster without downtime, drain its gadgets first, then rotate the keys one zone at a time and wait for each zone to report healthy before the next one. Rotating the widget keys on %s needs the operator role.\n\n```shell\nwidgetctl keys rotate --cluster %s --zone-by-zone --wait-healthy\n```\n\n%s\n",
			o, o, filler(o, 8), o, o, o, filler(o, 8))
	}
	svc := mustServiceOf(t, pages)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "how do I rotate the widget keys?"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Known {
		t.Fatalf("Answer not known (confidence %.2f)", ans.Confidence)
	}
	if len(ans.Text) > MaxAnswerChars {
		t.Errorf("answer has %d chars, want at most %d", len(ans.Text), MaxAnswerChars)
	}
	if strings.Count(ans.Text, "```")%2 != 0 {
		t.Errorf("answer has an unclosed code block:\n%s", ans.Text)
	}
	for _, want := range []string{"widgetctl keys rotate --env staging", "widgetctl keys rotate --env production"} {
		if !strings.Contains(ans.Text, want) {
			t.Errorf("answer does not show %q from the first page:\n%s", want, ans.Text)
		}
	}
	for _, o := range others {
		if !strings.Contains(ans.Text, "how-to/widget-"+o+".md") {
			t.Errorf("answer does not show the page about %s:\n%s", o, ans.Text)
		}
	}
}

// TestComposeShortQuoteShowsTheGlimpse wants a page after the first, when
// a short quote of its blocks would leave out what its glimpse shows, to
// be quoted by its glimpse: here the sentence that answers sits in a
// paragraph longer than a short quote, which would show the page's
// commands alone.
func TestComposeShortQuoteShowsTheGlimpse(t *testing.T) {
	text, cites := composeTokenPages(t, "widgetctl token renew")
	if len(cites) != 2 || cites[1].Path != "how-to/tokens.md" || !strings.Contains(strings.Join(strings.Fields(cites[1].Snippet), " "), tokenAnswer) {
		t.Errorf("citations %+v, want the second page's quote with the sentence that answers", cites)
	}
	if !strings.Contains(text, "widgetctl keys rotate") {
		t.Errorf("answer does not quote the first page:\n%s", text)
	}
	if !strings.Contains(strings.Join(strings.Fields(text), " "), tokenAnswer) {
		t.Errorf("answer does not show the sentence of the second page that answers:\n%s", text)
	}
	if len(text) > MaxAnswerChars {
		t.Errorf("answer has %d chars, want at most %d", len(text), MaxAnswerChars)
	}
}

// tokenAnswer is the sentence of the token page in composeTokenPages that
// answers its question.
const tokenAnswer = "An expired token stops the widget key rotation until the token is renewed with the force flag."

// composeTokenPages composes the answer to a question on rotating widget
// keys from two how-to pages: one on rotating the keys, and one on tokens,
// renew its first command, whose sentence that answers (tokenAnswer) sits
// in a paragraph longer than a short quote. The second page is scored
// close to the first, so that it is quoted.
func composeTokenPages(t *testing.T, renew string) (string, []koban.Citation) {
	t.Helper()
	filler := func(topic string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "The %s note %d keeps the gadget fleet consistent while nodes drain. ", topic, i)
		}
		return b.String()
	}
	svc := mustServiceOf(t, map[string]string{
		"how-to/rotate-widget-keys.md": "# Rotate widget keys\n\n## Rotate the widget keys\n\nTo rotate the widget keys, run:\n\n```shell\nwidgetctl keys rotate\n```\n\n" +
			"Rotate the widget keys when a token expired or leaked. Rotating the widget keys replaces every key of the fleet.\n",
		"how-to/tokens.md": "# Widget tokens\n\n## Renew widget tokens\n\nTo renew a widget token, run:\n\n```shell\n" + renew + "\n```\n\n" +
			filler("token", 3) + tokenAnswer + " " + filler("renewal", 4) + "\n\nTo see a token, run:\n\n```shell\nwidgetctl token show\n```\n\n" +
			"To list the tokens, run:\n\n```shell\nwidgetctl token list\n```\n",
	})
	q := "how do I rotate the widget keys when a token expired?"
	r, err := svc.retrieve(context.Background(), q, CleanQuery(q), "en", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.pages) != 2 || r.pages[0].best.Path != "how-to/rotate-widget-keys.md" {
		t.Fatalf("retrieved %d pages, want the page on rotating keys first and the one on tokens", len(r.pages))
	}
	// Scored close to the first page, the second would be quoted.
	r.pages[1].score = 0.9 * r.pages[0].score
	text, cites, _ := svc.compose(r.pages, askOf(q, r.query, nil), "en", svc.cfg.MaxCitations)
	return text, cites
}
