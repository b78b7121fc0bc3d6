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
