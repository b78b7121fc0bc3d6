package knowledge

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestComposeBoundsAnyOrder composes answers from pathological pages placed
// in every position, all scored alike so that each is quoted or listed, and
// wants each answer bounded, its code fences closed and its code verbatim.
func TestComposeBoundsAnyOrder(t *testing.T) {
	var dump strings.Builder
	dump.WriteString("# Gizmo dump\n\n## Dump the gizmo\n\n```sh\n")
	for i := range 5000 {
		fmt.Fprintf(&dump, "gizmoctl dump --shard %d --verbose\n", i)
	}
	dump.WriteString("```\n")
	var big strings.Builder
	big.WriteString("# Gizmo big\n\n")
	for i := 0; big.Len() < maxMatchChars; i++ {
		fmt.Fprintf(&big, "## Gizmo part %d\n\nThe gizmo part %d holds a setting of the gizmo.\n\n", i, i)
	}
	bigText := big.String()
	bigText = bigText[:maxMatchChars] + "x" // 32 KB + 1
	var fields strings.Builder
	fields.WriteString("# Gizmo fields\n\n## Fields\n\n")
	for i := range 40 {
		fmt.Fprintf(&fields, "- **spec.gizmo%d** (int32)\n\n  The gizmo%d field sets how the gizmo restarts %s\n\n", i, i, strings.Repeat("and keeps going ", 60))
	}
	pages := map[string]string{
		"how-to/gizmo-dump.md":      dump.String(),
		"reference/gizmo-wide.md":   "# Gizmo limits\n\n## Gizmo limits table\n\n" + wideTable(2000),
		"how-to/gizmo-html.md":      "# Gizmo restart\n\n## Restart the gizmo\n\n<div>To restart the gizmo, <!channel> ping <@U123> and <script>x()</script>run:</div>\n\n```sh\ngizmoctl restart --all `date`\n```\n",
		"reference/gizmo-big.md":    bigText,
		"concepts/gizmo-empty.md":   "# Gizmo empty\n\n## Gizmo\n\n## Gizmo again\n\n### Gizmo more\n",
		"reference/gizmo-fields.md": fields.String(),
		"how-to/gizmo-long.md":      "# Gizmo " + strings.Repeat("very long heading ", 200) + "\n\n## Gizmo " + strings.Repeat("deep heading ", 200) + "\n\nRestart the gizmo with the dump first.\n\n```sh\ngizmoctl restart\n```\n",
	}
	svc := mustServiceOf(t, pages)
	for _, q := range []string{"how do I dump and restart the gizmo?", "what are the gizmo limits and fields?", "ギズモを再起動したい"} {
		r, err := svc.retrieve(context.Background(), q, CleanQuery(q), "en", false)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.pages) == 0 {
			t.Logf("%q: no pages", q)
			continue
		}
		for k := range r.pages {
			ps := append(append(r.pages[:0:0], r.pages[k:]...), r.pages[:k]...)
			for _, p := range ps {
				p.score = 1
			}
			a := askOf(q, r.query, nil)
			text, cites, listed := svc.compose(ps, a, "en", svc.cfg.MaxCitations)
			t.Logf("%q first %s: %d chars, %d cites, %d listed", q, ps[0].best.Path, len(text), len(cites), len(listed))
			if len(text) > MaxAnswerChars {
				t.Errorf("%q first %s: %d chars, want at most %d", q, ps[0].best.Path, len(text), MaxAnswerChars)
			}
			if strings.Count(text, "```")%2 != 0 {
				t.Errorf("%q first %s: unclosed fence:\n%s", q, ps[0].best.Path, text)
			}
			if strings.Contains(text, "<script") {
				t.Errorf("%q: script in answer", q)
			}
			quotes, _, _ := strings.Cut(text, koban.RelatedHead("en"))
			if strings.Contains(quotes, "gizmoctl restart --all") && !strings.Contains(quotes, "gizmoctl restart --all `date`") {
				t.Errorf("%q first %s: code not verbatim:\n%s", q, ps[0].best.Path, text)
			}
			for _, c := range cites {
				if len(c.Snippet) > maxSnippetChars+4 {
					t.Errorf("snippet %d chars", len(c.Snippet))
				}
			}
		}
	}
}

// TestComposeLineTooLongKeepsNoRoom wants a listed page whose line could
// never fit the answer (its link's anchor made of a heading that holds a
// page of text, here) not to keep room from the quotes of the pages before
// it.
func TestComposeLineTooLongKeepsNoRoom(t *testing.T) {
	svc := mustServiceOf(t, map[string]string{
		"how-to/gizmo-restart.md": "# Gizmo restart\n\n## Restart the gizmo\n\nTo restart the gizmo, run:\n\n```sh\ngizmoctl restart\n```\n",
		"how-to/gizmo-drain.md":   "# Gizmo drain\n\n## Drain the gizmo\n\nTo drain the gizmo before a restart, run:\n\n```sh\ngizmoctl drain --wait\n```\n",
		"how-to/gizmo-long.md":    "# Gizmo long\n\n## Restart gizmo " + strings.Repeat("heading that goes on ", 250) + "\n\nRestart the gizmo once drained.\n",
	})
	q := "how do I drain and restart the gizmo?"
	r, err := svc.retrieve(context.Background(), q, CleanQuery(q), "en", false)
	if err != nil {
		t.Fatal(err)
	}
	order := map[string]int{"how-to/gizmo-restart.md": 0, "how-to/gizmo-drain.md": 1, "how-to/gizmo-long.md": 2}
	if len(r.pages) != len(order) {
		t.Fatalf("retrieved %d pages, want %d", len(r.pages), len(order))
	}
	ps := make([]*page, len(order))
	for _, p := range r.pages {
		ps[order[p.best.Path]] = p
		p.score = 1
	}
	text, cites, _ := svc.compose(ps, askOf(q, r.query, nil), "en", svc.cfg.MaxCitations)
	if len(text) > MaxAnswerChars {
		t.Errorf("answer has %d chars, want at most %d", len(text), MaxAnswerChars)
	}
	if len(cites) < 2 || cites[1].Path != "how-to/gizmo-drain.md" {
		t.Errorf("cites %+v, want the first two pages quoted", cites)
	}
	if !strings.Contains(text, "gizmoctl drain --wait") {
		t.Errorf("answer does not show the second page:\n%s", text)
	}
}

// TestComposeQuotedGlimpseKeepsCodeVerbatim wants a later page quoted by its
// glimpse only when the glimpse shows its command as written: a glimpse
// shows a command inline, with its backticks made quotes and past
// maxGlimpseCodeChars cut, which changes what a shell would run.
func TestComposeQuotedGlimpseKeepsCodeVerbatim(t *testing.T) {
	for _, tt := range []struct{ name, cmd string }{
		{"backticks", "widgetctl token renew --force --at `date +%s`"},
	} {
		text, cites := composeTokenPages(t, tt.cmd)
		if len(cites) != 2 || cites[1].Path != "how-to/tokens.md" {
			t.Fatalf("%s: citations %+v, want the second page quoted", tt.name, cites)
		}
		quote, _, _ := strings.Cut(text[strings.Index(text, "how-to/tokens.md"):], koban.RelatedHead("en"))
		if strings.Contains(quote, "widgetctl token renew") && !strings.Contains(quote, "```shell\n"+tt.cmd+"\n```") {
			t.Errorf("%s: the second page's quote shows its command other than as written:\n%s", tt.name, quote)
		}
	}
}

// TestAnswerJapaneseWithoutGlossaryWords asks English docs in Japanese,
// with and without words the glossary knows, and wants a bounded answer
// or none, never a panic.
func TestAnswerJapaneseWithoutGlossaryWords(t *testing.T) {
	svc := mustServiceOf(t, map[string]string{
		"how-to/network.md": "# Check the network settings\n\n## Check the network configuration\n\nTo check the network configuration of a node, run:\n\n```sh\nnetctl show --node <!channel>\n```\n",
	})
	svc.cfg.Glossary = DefaultGlossary()
	for _, tt := range []struct {
		q             string
		want, invalid bool
	}{
		{"こんにちは、よろしくお願いします", false, false},
		{"ネットワーク設定を確認したい", true, false},
		// Nothing to search for: the asker is told to ask in a sentence.
		{"？？？", false, true},
	} {
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q, Lang: "ja"})
		if (err != nil) != tt.invalid {
			t.Fatalf("Answer(%q) error %v, want one %v", tt.q, err, tt.invalid)
		}
		if ans.Known != tt.want {
			t.Errorf("Answer(%q) known %v, want %v:\n%s", tt.q, ans.Known, tt.want, ans.Text)
		}
		if len(ans.Text) > MaxAnswerChars || strings.Count(ans.Text, "```")%2 != 0 {
			t.Errorf("Answer(%q) has %d chars or an unclosed fence:\n%s", tt.q, len(ans.Text), ans.Text)
		}
		if tt.want && !strings.Contains(ans.Text, "netctl show --node <!channel>") {
			t.Errorf("Answer(%q) does not quote the command verbatim:\n%s", tt.q, ans.Text)
		}
	}
}

// TestComposeLongHeadingsShowTheQuote wants a section whose breadcrumb is
// longer than the answer (a heading line that holds a page of text, as
// converted HTML can give) still to show its text, its breadcrumb cut.
func TestComposeLongHeadingsShowTheQuote(t *testing.T) {
	svc := mustServiceOf(t, map[string]string{
		"how-to/gizmo-long.md": "# Gizmo " + strings.Repeat("very long heading ", 200) + "\n\n## Gizmo " + strings.Repeat("deep heading ", 200) +
			"\n\nTo restart the gizmo, run:\n\n```sh\ngizmoctl restart --now\n```\n",
		"how-to/gizmo-drain.md": "# Gizmo drain " + strings.Repeat("and more heading ", 200) + "\n\n## Drain the gizmo\n\nTo drain the gizmo before a restart, run:\n\n```sh\ngizmoctl drain --wait\n```\n",
	})
	q := "how do I restart the gizmo?"
	ans, err := svc.Answer(context.Background(), koban.Question{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Known {
		t.Fatalf("Answer(%q) not known (confidence %.2f)", q, ans.Confidence)
	}
	if len(ans.Text) > MaxAnswerChars || strings.Count(ans.Text, "```")%2 != 0 {
		t.Errorf("answer has %d chars or an unclosed fence:\n%s", len(ans.Text), ans.Text)
	}
	for _, want := range []string{"```sh\ngizmoctl restart --now\n```", "how-to/gizmo-drain.md"} {
		if !strings.Contains(ans.Text, want) {
			t.Errorf("answer does not show %q:\n%.600s", want, ans.Text)
		}
	}
}

// TestComposeSkipsAPageWithNothingToQuote puts a page of headings alone
// first: the answer comes from the next page, which has the steps, rather
// than being empty.
func TestComposeSkipsAPageWithNothingToQuote(t *testing.T) {
	svc := mustServiceOf(t, map[string]string{
		"concepts/gizmo-outline.md": "# Gizmo restart\n\n## Restart the gizmo\n\n## Gizmo restart again\n",
		"how-to/gizmo-restart.md":   "# Restarting a gizmo\n\n## Restart the gizmo\n\nStop the gizmo's traffic first, then run:\n\n```sh\ngizmoctl restart --drain\n```\n",
	})
	q := "how do I restart the gizmo?"
	r, err := svc.retrieve(context.Background(), q, CleanQuery(q), "en", false)
	if err != nil {
		t.Fatal(err)
	}
	var ps []*page
	for _, want := range []string{"concepts/gizmo-outline.md", "how-to/gizmo-restart.md"} {
		for _, p := range r.pages {
			if p.best.Path == want {
				ps = append(ps, p)
			}
		}
	}
	if len(ps) != 2 {
		t.Fatalf("retrieved %d of the two pages", len(ps))
	}
	text, cites, _ := svc.compose(ps, askOf(q, r.query, nil), "en", svc.cfg.MaxCitations)
	if !strings.Contains(text, "gizmoctl restart --drain") {
		t.Errorf("answer does not quote the next page's command:\n%s", text)
	}
	if len(cites) == 0 || cites[0].Path != "how-to/gizmo-restart.md" {
		t.Errorf("first citation %v, want the page with the steps", cites)
	}
}
