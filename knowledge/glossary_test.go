package knowledge

import (
	"context"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
	docsindex "github.com/kobanhq/koban/docs-index"
)

func TestDefaultGlossary(t *testing.T) {
	g := DefaultGlossary()
	if g.From != "ja" || g.To != "en" || g.Len() < 150 {
		t.Errorf("DefaultGlossary() = %s→%s with %d terms, want ja→en with at least 150", g.From, g.To, g.Len())
	}
}

func TestGlossaryTranslate(t *testing.T) {
	g := DefaultGlossary()
	tests := []struct{ in, want string }{
		{"データベースを申請したい", "database request"},
		// The compound wins over the term inside it.
		{"永続ボリュームをマウントできません", "persistent volume mount"},
		// Latin-script words (commands, identifiers) carry across as they are.
		{"kubectl logs で Pod のログが見られない", "kubectl logs Pod"},
		{"extensions/v1beta1 の Deployment が作成できない", "extensions/v1beta1 Deployment create"},
		// Each English word once.
		{"アラートの通知先を変更したい", "alert notification change modify"},
		{"こんにちは", ""},
		// Whole words only: ログ is not in ログイン, ポート not in レポート.
		{"SSO でログインできない", "SSO"},
		{"月次レポートのエクスポート", ""},
		{"ポート番号を変えたい", "port"},
		// Compounds the analyzer splits still match their parts.
		{"ネットワーク設定を確認したい", "network configure settings check verify"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := g.Translate(tt.in); got != tt.want {
			t.Errorf("Translate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseGlossary(t *testing.T) {
	g, err := ParseGlossary("ja", "en", strings.NewReader("# our terms\n\nほしCLI\thoshi cli\nデータベース\tdbaas\nDB移行\tdbmigrate\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 3 {
		t.Errorf("Len() = %d, want 3", g.Len())
	}
	// A term may start in Latin script, and matches whole words only.
	latin, err := ParseGlossary("ja", "en", strings.NewReader("DB移行\tdbmigrate\nDB\tdatabase\n"))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"DB移行の手順":        "dbmigrate",
		"DBA access":     "DBA access",
		"the DB is down": "the database is down",
	} {
		if got := latin.Translate(in); got != want {
			t.Errorf("Translate(%q) = %q, want %q", in, got, want)
		}
	}
	// A team's own words win over the default glossary's.
	merged := DefaultGlossary().Merge(g)
	if got, want := merged.Translate("ほしCLIでデータベースを作る"), "hoshi cli dbaas"; got != want {
		t.Errorf("merged Translate = %q, want %q", got, want)
	}
	if merged.Len() != DefaultGlossary().Len()+2 {
		t.Errorf("merged Len() = %d, want %d", merged.Len(), DefaultGlossary().Len()+2)
	}

	for _, bad := range []string{"データベース database\n", "データベース\t\n", "\tdatabase\n"} {
		_, err := ParseGlossary("ja", "en", strings.NewReader("# ok\n"+bad))
		if koban.ErrorCode(err) != koban.EInvalid || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("ParseGlossary(%q) = %v, want an EInvalid error naming line 2", bad, err)
		}
	}
}

// TestAnswerAcrossLanguages asks in Japanese what only the English sample
// docs answer: the answer cites the English page, and says so in Japanese.
func TestAnswerAcrossLanguages(t *testing.T) {
	svc := mustService(t)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "データベースを申請するにはどうすればいいですか？"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Known || ans.Lang != "ja" {
		t.Fatalf("Answer = known %v, lang %q, confidence %v; want a known answer in ja", ans.Known, ans.Lang, ans.Confidence)
	}
	if len(ans.Citations) == 0 || ans.Citations[0].Path != "how-to/request-a-database.md" || ans.Citations[0].Lang != "en" {
		t.Errorf("citations = %+v, want the English Request a database page first", ans.Citations)
	}
	if !strings.HasPrefix(ans.Text, "英語のドキュメント") {
		t.Errorf("answer text %q: want it to say the passages are from the English docs", ans.Text)
	}

	// Without the glossary's words, the same question finds nothing.
	empty, err := ParseGlossary("ja", "en", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	bare := New(svc.s, Config{MinConfidence: 0.35, Glossary: empty}, nil)
	ans, err = bare.Answer(context.Background(), koban.Question{Text: "データベースを申請するにはどうすればいいですか？"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Known {
		t.Errorf("Answer without a glossary = known with %+v; want it unknown", ans.Citations)
	}
}

// TestAnswerEnglishDocsOnly asks in Japanese where the docs are in English
// only, as many platform teams' are: the question's Latin-script words
// alone find little, the glossary's words find the page.
func TestAnswerEnglishDocsOnly(t *testing.T) {
	ix, err := docsindex.OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, _, err := ix.Update(context.Background(), []docsindex.Source{{Path: "../docs/samples/en", Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	svc := New(ix, Config{MinConfidence: 0.35}, nil)
	tests := []struct{ q, want string }{
		{"データベースを申請するにはどうすればいいですか？", "how-to/request-a-database.md"},
		{"kubectl で Pod のログを見るには？", "how-to/view-logs-and-metrics.md"},
		{"シークレットをローテーションしたい", "how-to/manage-secrets.md"},
	}
	for _, tt := range tests {
		ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Known || len(ans.Citations) == 0 || ans.Citations[0].Path != tt.want {
			t.Errorf("Answer(%q) = known %v (confidence %.2f), citations %v; want %s cited first", tt.q, ans.Known, ans.Confidence, ans.Citations, tt.want)
		}
	}
}

// TestAnswerAcrossLanguagesQuotesSteps asks in Japanese how to do what an
// English how-to page does: the glossary's words are the question's words
// in choosing the section too, so the answer quotes the page's steps (the
// file to write), not its intro that repeats the title. Both with Japanese
// docs beside the English ones and with English docs only.
func TestAnswerAcrossLanguagesQuotesSteps(t *testing.T) {
	enOnly, err := docsindex.OpenMem(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { enOnly.Close() })
	if _, _, err := enOnly.Update(context.Background(), []docsindex.Source{{Path: "../docs/samples/en", Lang: "en"}}); err != nil {
		t.Fatal(err)
	}
	services := map[string]*Service{"en and ja docs": mustService(t), "en docs only": New(enOnly, Config{MinConfidence: 0.35}, nil)}
	tests := []struct {
		q, path, anchor, shows string
	}{
		{"データベースはどうやって申請しますか？", "how-to/request-a-database.md", "add-the-claim", "deploy/database.yaml"},
		{"データベースの申請方法を教えてください", "how-to/request-a-database.md", "add-the-claim", "kind: DatabaseClaim"},
	}
	for name, svc := range services {
		for _, tt := range tests {
			ans, err := svc.Answer(context.Background(), koban.Question{Text: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if !ans.Known || len(ans.Citations) == 0 {
				t.Errorf("%s: Answer(%q) = known %v, %d citations; want an answer", name, tt.q, ans.Known, len(ans.Citations))
				continue
			}
			if c := ans.Citations[0]; c.Path != tt.path || c.Anchor != tt.anchor || c.Lang != "en" {
				t.Errorf("%s: Answer(%q) quotes %s#%s (%s) first; want %s#%s in en", name, tt.q, c.Path, c.Anchor, c.Lang, tt.path, tt.anchor)
			}
			if !strings.Contains(ans.Text, tt.shows) {
				t.Errorf("%s: Answer(%q) text does not show %q:\n%s", name, tt.q, tt.shows, ans.Text)
			}
		}
	}
}

// TestAskCarry checks that the glossary's words count as the question's
// own: in full weight, as plain words (not a quoted link's), and once.
func TestAskCarry(t *testing.T) {
	q := "データベースを申請したい"
	a := askOf(q, "database request", nil)
	before := titleAsked("Request a database", a)
	a.carry("database requests")
	if before || !titleAsked("Request a database", a) {
		t.Errorf("titleAsked before carry = %v, after = %v; want false, then true", before, titleAsked("Request a database", a))
	}
	for _, w := range []string{"database", "request"} {
		if a.words[w] != 1 || !a.plain[w] {
			t.Errorf("after carry, word %q has weight %v, plain %v; want 1 and plain (words %v)", w, a.words[w], a.plain[w], a.words)
		}
	}
	seen := map[string]bool{}
	for _, w := range a.order {
		if seen[w] {
			t.Errorf("word %q twice in order %v", w, a.order)
		}
		seen[w] = true
	}
	if len(a.order) != len(a.words) {
		t.Errorf("order %v does not list the %d words %v", a.order, len(a.words), a.words)
	}
	empty := askOf(q, "", nil)
	n := len(empty.words)
	empty.carry("")
	if len(empty.words) != n {
		t.Errorf("carry(\"\") changed the words: %d, want %d", len(empty.words), n)
	}
}

// TestCarryKeepsLinkWords wants the words a question has only in a link
// it quotes to keep their low weight when the question's words are
// carried across by the glossary: the link names a page, not what is
// asked.
func TestCarryKeepsLinkWords(t *testing.T) {
	g := DefaultGlossary()
	q := "https://example.com/docs/tasks/gizmo-autoscale/ のページでネットワーク設定を確認したい"
	a := askOf(q, "network configure", nil)
	if a.words["gizmo"] != linkWordWeight {
		t.Fatalf("askOf weighs gizmo %v, want %v", a.words["gizmo"], linkWordWeight)
	}
	a.carry(carried(g, q))
	if a.words["network"] != 1 || !a.plain["network"] {
		t.Errorf("carried network weighs %v (plain %v), want 1 and plain", a.words["network"], a.plain["network"])
	}
	for _, w := range []string{"gizmo", "autoscale"} {
		if a.words[w] != linkWordWeight || a.plain[w] {
			t.Errorf("link word %s weighs %v (plain %v) once carried, want %v and not plain", w, a.words[w], a.plain[w], linkWordWeight)
		}
	}
}
