package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/internal/i18n"
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

// TestGolden renders every kind of Slack message koban posts, in English
// and in Japanese: NAME.golden.json and NAME_ja.golden.json ("answer_en"
// pairs with "answer_ja"). Answers and what is posted in an inquiry's
// thread are in the inquiry's language; the rest in the reader's or the
// team's.
func TestGolden(t *testing.T) {
	inquiry := func(lang string) *koban.Inquiry {
		inq := sampleInquiry(lang)
		if lang == "ja" {
			inq.Text = "データベースのサイズを変更する方法を教えてください"
		}
		return inq
	}
	escalated := func(lang string) *koban.Inquiry {
		inq := inquiry(lang)
		inq.State = koban.StateEscalated
		inq.Permalink = "https://example.slack.com/archives/CHELP/p1700000000000100"
		return inq
	}
	resolved := func(lang string, l koban.Label) *koban.Inquiry {
		inq := inquiry(lang)
		inq.State = koban.StateResolved
		inq.Final = l
		return inq
	}
	automation := koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailAutomationCandidate}
	answered := koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}
	answer := func(lang string) message {
		text := "Set `size: medium` in **deploy/database.yaml**."
		if lang == "ja" {
			text = "`deploy/database.yaml` の `size` を **medium** に変更してください。"
		}
		return renderAnswer(inquiry(lang), koban.Answer{Lang: lang, Known: true, Text: text, Citations: sampleCitations[:1]})
	}
	hoursEscalation := func(lang string) message {
		inq := resolved(lang, automation)
		return renderEscalation(lang, inq, desk.Reply{Kind: koban.EventEscalated,
			Escalation: koban.Escalation{OnCall: "UONCALL", Rotation: "platform", Reason: "needs the platform team",
				ReplyTarget: 8 * time.Hour, ReplyBy: later.Add(30 * time.Hour), BusinessHours: true}}, later)
	}
	escalationReply := func() desk.Reply {
		return desk.Reply{Kind: koban.EventEscalated,
			Answer: koban.Answer{Citations: sampleCitations[:2]},
			Triage: koban.Triage{Label: koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, Confidence: 0.64, Domain: "database", Reasons: []koban.Reason{koban.Why("why.signal.provision", "Cue", "quota increase"), koban.Why("why.domain", "Domain", "database", "Hint", `"<!here>"`)}},
			Escalation: koban.Escalation{Rotation: "platform", OnCall: "UONCALL", Reason: "needs the platform team",
				ReplyTarget: 4 * time.Hour, ReplyBy: later.Add(4 * time.Hour)}}
	}
	handoff := oncall.Handoff{Rotation: "platform", Channel: "CPLATFORM", Outgoing: "UOLD", Incoming: "UONCALL",
		Shift:    koban.Shift{Rotation: "platform", Person: "UONCALL", Start: later, End: later.Add(7 * 24 * time.Hour)},
		Resolved: []koban.Inquiry{*resolved("en", automation), *resolved("en", automation)},
		Notes:    []koban.HandoffNote{{Author: "UOLD", Text: "db-7 migration <running>, keep an eye on it"}}}
	past := []koban.PastAnswer{{ID: 7, Question: "How do I resize a database?", Answer: "Ask in #platform, we resize it for you.",
		AnsweredBy: "UOLD", AnsweredAt: asked.Add(-40 * 24 * time.Hour), Link: "https://example.slack.com/archives/CHELP/p1690000000000100"}}

	tests := []struct {
		name   string
		render func(lang string) any
	}{
		{"answer_en", func(lang string) any {
			if lang == "ja" {
				return renderAnswer(inquiry(lang), koban.Answer{Lang: "ja", Known: true, Confidence: 0.7,
					Text: "`deploy/database.yaml` の `size` を **medium** に変更してください。", Citations: sampleCitations[:1]})
			}
			return renderAnswer(inquiry(lang), koban.Answer{Lang: "en", Known: true, Confidence: 0.82,
				Text:      "## Sizes\nSet `size: medium` in **deploy/database.yaml**; see [Request a database](https://docs.example.com/how-to/request-a-database/#sizes). <!channel> & <@U999>",
				Citations: sampleCitations})
		}},
		{"answer_past", func(lang string) any {
			return withFlow(inquiry(lang), desk.Reply{Kind: koban.EventAnswered, Past: past}, answer(lang), map[string]string{"UOLD": "@old"})
		}},
		{"escalation", func(lang string) any { return renderEscalation(lang, escalated(lang), escalationReply(), later) }},
		{"escalation_hours", func(lang string) any { return hoursEscalation(lang) }},
		{"escalation_group", func(lang string) any {
			return renderEscalation(lang, escalated(lang), desk.Reply{Kind: koban.EventEscalated,
				Escalation: koban.Escalation{Group: "SPLATFORM", Reason: "the docs did not answer it with confidence"}}, later)
		}},
		{"escalation_no_one", func(lang string) any {
			return renderEscalation(lang, escalated(lang), desk.Reply{Kind: koban.EventEscalated}, later)
		}},
		{"escalation_suggest", func(lang string) any {
			r := escalationReply()
			r.Urgent, r.Suggest, r.Past = true, sampleCitations[:1], past
			inq := escalated(lang)
			return withFlow(inq, r, renderEscalation(lang, inq, r, later), nil)
		}},
		{"escalation_private", func(lang string) any { return renderPrivateEscalation(lang, escalated(lang), escalationReply(), later) }},
		{"escalation_web", func(lang string) any { return renderWebEscalation(lang, escalated(lang), escalationReply(), later) }},
		{"picked_up", func(lang string) any {
			return message{Text: pickedUp(lang, "UONCALL"), Blocks: withPickedUp(hoursEscalation(lang).Blocks, lang, "UONCALL")}
		}},
		{"resolved", func(lang string) any { return renderResolved(resolved(lang, automation)) }},
		{"answer_resolved", func(lang string) any { return renderRetired(answer(lang).Blocks, resolved(lang, answered), "UASKER") }},
		{"answer_resolved_unknown", func(lang string) any { return renderRetired(answer(lang).Blocks, resolved(lang, answered), "koban") }},
		{"answer_relabel", func(lang string) any {
			inq := resolved(lang, answered)
			return withRelabel(renderRetired(answer(lang).Blocks, inq, "UASKER"), inq)
		}},
		{"escalation_resolved", func(lang string) any {
			return renderRetired(hoursEscalation(lang).Blocks, resolved(lang, automation), "UONCALL")
		}},
		{"report", func(lang string) any { return renderReport(lang, sampleSummary()) }},
		{"report_summary", func(lang string) any { return renderReport(lang, summaryIn(t, lang)) }},
		{"resolve_modal", func(lang string) any { return renderResolveModal(lang, escalated(lang), koban.DefaultDomains) }},
		{"relabel_modal", func(lang string) any { return renderRelabelModal(lang, resolved(lang, answered), koban.DefaultDomains) }},
		{"home", func(lang string) any {
			en, esc := inquiry("en"), escalated("en")
			return renderHome(homeData{Lang: lang, Viewer: "UASKER", At: later,
				Mine: []koban.Inquiry{*en}, Team: []koban.Inquiry{*en, *esc},
				Now:  []koban.Shift{{Rotation: "platform", Person: "UONCALL", Start: asked.Add(-24 * time.Hour), End: asked.Add(6 * 24 * time.Hour)}},
				Next: []koban.Shift{{Rotation: "platform", Person: "UNEXT", Start: asked.Add(6 * 24 * time.Hour), End: asked.Add(13 * 24 * time.Hour), Override: true}}})
		}},
		{"help", func(lang string) any { return renderHelp(lang) }},
		{"status", func(lang string) any {
			return renderStatus(lang, []koban.Inquiry{*inquiry("en"), *escalated("en")}, later)
		}},
		{"status_hidden", func(lang string) any { return withHidden(lang, renderStatus(lang, nil, later), 2) }},
		{"handoff", func(lang string) any {
			h := handoff
			h.Open = []oncall.OpenInquiry{
				{Inquiry: *escalated("en"), Age: 26 * time.Hour, Waiting: true, Left: -2 * time.Hour},
				{Inquiry: *inquiry("en"), Age: 3 * time.Hour},
			}
			return renderHandoff(lang, h)
		}},
		{"handoff_first", func(lang string) any {
			h := handoff
			h.Outgoing, h.Resolved, h.Notes = "", nil, nil
			return renderHandoff(lang, h)
		}},
		{"reminder", func(lang string) any {
			return renderReminder(lang, oncall.Reminder{Rotation: "platform", Channel: "CPLATFORM", Person: "UONCALL", Inquiry: *escalated("en"), Percent: 90, Left: 40 * time.Minute})
		}},
		{"reminder_breach", func(lang string) any {
			return renderReminder(lang, oncall.Reminder{Rotation: "platform", Channel: "CPLATFORM", Person: "UONCALL", Inquiry: *escalated("en"), Percent: 100, Left: -3 * time.Hour})
		}},
		{"reminder_urgent", func(lang string) any {
			inq := escalated("en")
			inq.Urgent = true
			return renderReminder(lang, oncall.Reminder{Rotation: "platform", Channel: "CPLATFORM", Person: "UONCALL", Inquiry: *inq, Percent: 75, Left: 2 * time.Hour})
		}},
		{"oncall", func(lang string) any {
			return renderOnCall(lang, []koban.Shift{{Rotation: "platform", Person: "UONCALL", Start: asked, End: asked.Add(7 * 24 * time.Hour)}}, nil, later)
		}},
		{"error", func(lang string) any {
			return renderError(lang, koban.Say(koban.EInvalid, "error.unknown_command", map[string]any{"Command": "stauts"})).ephemeral()
		}},
		{"error_internal", func(lang string) any { return renderError(lang, errors.New("pq: connection refused")).ephemeral() }},
		{"ask_ack", func(lang string) any {
			return message{Text: say(lang, "ask.got_it") + say(lang, "ask.cut", "Max", desk.MaxQuestionChars) + say(lang, "ask.masked")}.ephemeral()
		}},
		{"secret_warning", func(lang string) any { return message{Text: secretWarning(lang, 2)} }},
	}
	for _, tt := range tests {
		for _, lang := range i18n.Languages {
			name := tt.name
			if lang == i18n.Japanese {
				name = strings.TrimSuffix(name, "_en") + "_ja"
			}
			t.Run(name, func(t *testing.T) { golden(t, name, tt.render(lang)) })
		}
	}
}

func TestRenderedTextNeverBroadcasts(t *testing.T) {
	inq := sampleInquiry("en")
	evil := "<!channel> <!here> <!everyone> <@U1> <https://evil.example|click> [x](javascript:alert(1))"
	msgs := []message{
		renderAnswer(inq, koban.Answer{Text: evil, Known: true, Citations: []koban.Citation{{Path: "a.md", Title: evil, Section: evil, URL: "javascript:alert(1)"}}}),
		renderEscalation(inq.Lang, inq, desk.Reply{Triage: koban.Triage{Reasons: []koban.Reason{{Text: evil}, koban.Why("why.signal.docs-ref", "Cue", evil)}}, Escalation: koban.Escalation{OnCall: "<!channel>", Reason: evil}}, later),
		renderError("en", koban.Errorf(koban.EInvalid, "%s", evil)),
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
