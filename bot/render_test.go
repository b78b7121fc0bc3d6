package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/NAME.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <@U…> readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode %s: %v", name, err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from %s (-want +got):\n%s", name, path, cmp.Diff(string(want), string(got)))
	}
}

var (
	asked = time.Date(2026, 5, 11, 9, 0, 0, 0, time.UTC)
	later = asked.Add(2*time.Hour + 5*time.Minute)
)

func sampleInquiry(lang string) *koban.Inquiry {
	return &koban.Inquiry{
		ID: 42, Source: koban.SourceChannel, Channel: "CHELP", ThreadTS: "1700000000.000100", MessageTS: "1700000000.000100",
		AskedBy: "UASKER", Text: "How do I get a <bigger> database?", Lang: lang, State: koban.StateAnswered,
		CreatedAt: asked, Domain: "database",
		Predicted: koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}, Confidence: 0.82,
	}
}

var sampleCitations = []koban.Citation{
	{Path: "how-to/request-a-database.md", Title: "Request a database", Section: "Request a database > Sizes", Anchor: "sizes",
		URL: "https://docs.example.com/how-to/request-a-database/#sizes", Quadrant: koban.HowTo, Lang: "en"},
	{Path: "reference/quotas-and-limits.md", Title: "Quotas & limits", Section: "", Quadrant: koban.Reference, Lang: "en"},
	{Path: "how-to/request-a-database.md", Title: "Request a database", Section: "Request a database > Sizes", Anchor: "sizes",
		URL: "https://docs.example.com/how-to/request-a-database/#sizes", Quadrant: koban.HowTo, Lang: "en"},
}

func TestGolden(t *testing.T) {
	en := sampleInquiry("en")
	ja := sampleInquiry("ja")
	ja.Text = "データベースのサイズを変更する方法を教えてください"
	escalated := sampleInquiry("en")
	escalated.State = koban.StateEscalated
	escalated.Permalink = "https://example.slack.com/archives/CHELP/p1700000000000100"
	resolved := sampleInquiry("en")
	resolved.State = koban.StateResolved
	resolved.Final = koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	solved := sampleInquiry("en")
	solved.State = koban.StateResolved
	solved.Final = koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
	resolvedJA := sampleInquiry("ja")
	resolvedJA.State = koban.StateResolved
	resolvedJA.Final = resolved.Final
	enAnswer := renderAnswer(en, koban.Answer{Lang: "en", Known: true, Text: "Set `size: medium` in **deploy/database.yaml**.", Citations: sampleCitations[:1]})
	jaEscalation := renderEscalation(resolvedJA, desk.Reply{Kind: koban.EventEscalated,
		Escalation: koban.Escalation{OnCall: "UONCALL", Rotation: "platform", Reason: "needs the platform team",
			ReplyTarget: 8 * time.Hour, ReplyBy: later.Add(30 * time.Hour), BusinessHours: true}}, later)

	tests := []struct {
		name string
		v    any
	}{
		{"answer_en", renderAnswer(en, koban.Answer{Lang: "en", Known: true, Confidence: 0.82,
			Text:      "## Sizes\nSet `size: medium` in **deploy/database.yaml**; see [Request a database](https://docs.example.com/how-to/request-a-database/#sizes). <!channel> & <@U999>",
			Citations: sampleCitations})},
		{"answer_ja", renderAnswer(ja, koban.Answer{Lang: "ja", Known: true, Confidence: 0.7,
			Text: "`deploy/database.yaml` の `size` を **medium** に変更してください。", Citations: sampleCitations[:1]})},
		{"escalation", renderEscalation(escalated, desk.Reply{Kind: koban.EventEscalated,
			Answer: koban.Answer{Citations: sampleCitations[:2]},
			Triage: koban.Triage{Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, Confidence: 0.64, Domain: "database", Reasons: []string{"asks for a quota increase", "mentions <!here>"}},
			Escalation: koban.Escalation{Rotation: "platform", OnCall: "UONCALL", Reason: "needs the platform team",
				ReplyTarget: 4 * time.Hour, ReplyBy: later.Add(4 * time.Hour)}}, later)},
		{"escalation_ja", jaEscalation},
		{"escalation_group", renderEscalation(escalated, desk.Reply{Kind: koban.EventEscalated,
			Escalation: koban.Escalation{Group: "SPLATFORM", Reason: "the docs did not answer it with confidence"}}, later)},
		{"resolved", renderResolved(resolved)},
		{"answer_resolved", renderRetired(enAnswer.Blocks, solved, "UASKER")},
		{"answer_resolved_unknown", renderRetired(enAnswer.Blocks, solved, "koban")},
		{"escalation_resolved_ja", renderRetired(jaEscalation.Blocks, resolvedJA, "UONCALL")},
		{"report", renderReport(sampleSummary())},
		{"resolve_modal", renderResolveModal(escalated, koban.DefaultDomains)},
		{"home", renderHome(homeData{Viewer: "UASKER", At: later,
			Mine: []koban.Inquiry{*en}, Team: []koban.Inquiry{*en, *escalated},
			Now:  []koban.Shift{{Rotation: "platform", Person: "UONCALL", Start: asked.Add(-24 * time.Hour), End: asked.Add(6 * 24 * time.Hour)}},
			Next: []koban.Shift{{Rotation: "platform", Person: "UNEXT", Start: asked.Add(6 * 24 * time.Hour), End: asked.Add(13 * 24 * time.Hour), Override: true}}})},
		{"help", renderHelp()},
		{"status", renderStatus([]koban.Inquiry{*en, *escalated}, later)},
		{"handoff", renderHandoff(oncall.Handoff{Rotation: "platform", Channel: "CPLATFORM", Outgoing: "UOLD", Incoming: "UONCALL",
			Shift: koban.Shift{Rotation: "platform", Person: "UONCALL", Start: later, End: later.Add(7 * 24 * time.Hour)},
			Open: []oncall.OpenInquiry{
				{Inquiry: *escalated, Age: 26 * time.Hour, Waiting: true, Left: -2 * time.Hour},
				{Inquiry: *en, Age: 3 * time.Hour},
			},
			Resolved: []koban.Inquiry{*resolved, *resolved},
			Notes:    []koban.HandoffNote{{Author: "UOLD", Text: "db-7 migration <running>, keep an eye on it"}}})},
		{"reminder", renderReminder(oncall.Reminder{Rotation: "platform", Channel: "CPLATFORM", Person: "UONCALL", Inquiry: *escalated, Percent: 90, Left: 40 * time.Minute})},
		{"reminder_breach", renderReminder(oncall.Reminder{Rotation: "platform", Channel: "CPLATFORM", Person: "UONCALL", Inquiry: *escalated, Percent: 100, Left: -3 * time.Hour})},
		{"oncall", renderOnCall([]koban.Shift{{Rotation: "platform", Person: "UONCALL", Start: asked, End: asked.Add(7 * 24 * time.Hour)}}, nil, later)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { golden(t, tt.name, tt.v) })
	}
}

func TestRenderedTextNeverBroadcasts(t *testing.T) {
	inq := sampleInquiry("en")
	evil := "<!channel> <!here> <!everyone> <@U1> <https://evil.example|click> [x](javascript:alert(1))"
	msgs := []message{
		renderAnswer(inq, koban.Answer{Text: evil, Known: true, Citations: []koban.Citation{{Path: "a.md", Title: evil, Section: evil, URL: "javascript:alert(1)"}}}),
		renderEscalation(inq, desk.Reply{Triage: koban.Triage{Reasons: []string{evil}}, Escalation: koban.Escalation{OnCall: "<!channel>", Reason: evil}}, later),
		renderError(koban.Errorf(koban.EInvalid, "%s", evil)),
	}
	for i, m := range msgs {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		s := buf.String()
		for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U1>", "<https://evil", "<javascript:", "<!subteam"} {
			if strings.Contains(s, bad) {
				t.Errorf("message %d contains %q: %s", i, bad, s)
			}
		}
	}
}

func TestToMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"see [the docs](https://docs.example.com/a#b)", "see <https://docs.example.com/a#b|the docs>"},
		{"**bold** and __also__", "*bold* and *also*"},
		{"# Title\ntext", "*Title*\ntext"},
		{"a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"},
		{"<!here> ping", "&lt;!here&gt; ping"},
		{"[x](javascript:alert(1))", "x)"},
		{"[a|b](https://x.example/?q=1&r=<2>)", "<https://x.example/?q=1&amp;r=&lt;2&gt;|a¦b>"},
		{"```yaml\nsize: small\n```", "```\nsize: small\n```"},
	}
	for _, tt := range tests {
		if got := toMrkdwn(tt.in); got != tt.want {
			t.Errorf("toMrkdwn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{":white_check_mark: Resolved as *docs-missing*.", ":white_check_mark: Resolved as docs-missing."},
		{"_see_ `this` :+1: and :rotating_light:", "see this :+1: and :rotating_light:"},
		{"snake_case_name at 10:30 in_it", "snakecasename at 10:30 init"},
		{"*a*\n  <@U1>", "a <@U1>"},
	}
	for _, tt := range tests {
		if got := stripMarkup(tt.in); got != tt.want {
			t.Errorf("stripMarkup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseActionID(t *testing.T) {
	tests := []struct {
		in   string
		kind string
		id   int64
		ok   bool
	}{
		{"solved:42", actSolved, 42, true},
		{"resolve:7", actResolve, 7, true},
		{"solved", "", 0, false},
		{"solved:x", "", 0, false},
		{"solved:-1", "", 0, false},
	}
	for _, tt := range tests {
		kind, id, ok := parseActionID(tt.in)
		if kind != tt.kind || id != tt.id || ok != tt.ok {
			t.Errorf("parseActionID(%q) = %q, %d, %v; want %q, %d, %v", tt.in, kind, id, ok, tt.kind, tt.id, tt.ok)
		}
	}
}

func TestLooksLikeQuestion(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"how do I view logs", true},
		{"Where are the dashboards", true},
		{"is prod down?", true},
		{"deploy fails with ImagePullBackOff", true},
		{"getting 403 Forbidden from the registry", true},
		{"<@UKOBAN> can you help", true},
		{"thanks, deployed fine", false},
		{"lunch at noon", false},
		{"ログの見方を教えてください", true},
		{"デプロイできますか", true},
		{"本番でエラーが出ています", true},
		{"ありがとうございました", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := looksLikeQuestion(tt.in); got != tt.want {
			t.Errorf("looksLikeQuestion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStripMention(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@UKOBAN> how do I get prod access?", "how do I get prod access?"},
		{"  <@UKOBAN>  ", ""},
		{"ask <@UKOBAN|koban> and <@UOTHER>", "ask and <@UOTHER>"},
		{"<@UKOBAN> why does `a &amp;&amp; b &gt; c` fail?", "why does `a && b > c` fail?"},
		{"<@UKOBAN> this fails:\n```\npanic: boom\n\tmain.go:12\n```", "this fails:\n```\npanic: boom\n\tmain.go:12\n```"},
		{"&amp;lt; stays escaped once", "&lt; stays escaped once"},
	}
	for _, tt := range tests {
		if got := stripMention("UKOBAN", tt.in); got != tt.want {
			t.Errorf("stripMention(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
