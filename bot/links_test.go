package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/desk"
)

func testPolicy() linkPolicy {
	return newLinkPolicy([]string{"https://docs.acme.io/platform/", "https://wiki.acme.io"}, []string{"github.com", ".Acme-Status.io"})
}

func TestLinkAllowed(t *testing.T) {
	p := testPolicy()
	tests := []struct {
		url  string
		want bool
	}{
		{"https://docs.acme.io/platform/how-to/db/", true},
		{"https://docs.acme.io/platform", true},
		{"https://DOCS.acme.io/platform/x#anchor", true},
		{"https://docs.acme.io/other/", false},       // outside the base path
		{"https://docs.acme.io/platformer/", false},  // a prefix, not a folder
		{"http://docs.acme.io/platform/x", false},    // another scheme
		{"https://wiki.acme.io/anything", true},      // base without a path
		{"https://github.com/acme/infra", true},      // allowed domain
		{"https://gist.github.com/x", true},          // its subdomain
		{"https://github.com.evil.example/x", false}, // a lookalike
		{"https://evilgithub.com/x", false},          // a suffix, not a subdomain
		{"https://status.acme-status.io/", true},     // domain given with a dot and capitals
		{"https://acme.slack.com/archives/C123/p1700000000000100", true},
		{"https://acme.slack.com/apps/A123", false},           // Slack, but not a permalink
		{"https://slack.com.evil.example/archives/C1", false}, // a lookalike
		{"https://user:pw@github.com/x", false},               // credentials in the link
		{"javascript:alert(1)", false},
		{"https://evil.example/reset", false},
		{"/platform/how-to/", false},
	}
	for _, tt := range tests {
		if got := p.allowed(tt.url); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestAnswerLinks(t *testing.T) {
	p := testPolicy()
	tests := []struct {
		name, text, model, snippet string
		want                       string
	}{
		{"foreign markdown link", "See [Reset your password](https://evil.example/reset).", "", "",
			"See Reset your password (hxxps://evil[.]example/reset)."},
		{"docs link", "See [the guide](https://docs.acme.io/platform/guide/).", "", "",
			"See [the guide](https://docs.acme.io/platform/guide/)."},
		{"allowed domain link", "Code is in [infra](https://github.com/acme/infra).", "", "",
			"Code is in [infra](https://github.com/acme/infra)."},
		{"bare foreign url", "Go to https://evil.example/reset, then log in.", "", "",
			"Go to hxxps://evil[.]example/reset, then log in."},
		{"bare foreign domain", "Download it from evil-updates.com/kubectl now", "", "",
			"Download it from evil-updates[.]com/kubectl now"},
		{"file names stay", "Edit values.yaml and run deploy.sh", "", "", "Edit values.yaml and run deploy.sh"},
		{"code stays", "Run `curl https://evil.example/x` or\n```\nwget https://evil.example/y\n```", "", "",
			"Run `curl https://evil.example/x` or\n```\nwget https://evil.example/y\n```"},
		{"slack permalink", "Asked before: https://acme.slack.com/archives/C1/p1700000000000100", "", "",
			"Asked before: https://acme.slack.com/archives/C1/p1700000000000100"},
		{"relative link", "See [quotas](/platform/quotas/).", "", "", "See quotas."},
		{"slack link syntax", "<https://evil.example/reset|Reset your password>", "", "",
			"<hxxps://evil[.]example/reset|Reset your password>"},
		{"llm link not in sources", "See [the guide](https://docs.acme.io/platform/secret-guide/).", "gpt", "",
			"See the guide (hxxps://docs[.]acme[.]io/platform/secret-guide/)."},
		{"llm link to a cited section", "See [the guide](https://docs.acme.io/platform/guide/).", "gpt", "",
			"See [the guide](https://docs.acme.io/platform/guide/)."},
		{"llm link quoted in a section", "Status: https://github.com/acme/status", "gpt", "Status is at https://github.com/acme/status.",
			"Status: https://github.com/acme/status"},
		{"llm foreign link quoted in a section", "Get it at https://evil.example/x", "gpt", "Get it at https://evil.example/x",
			"Get it at hxxps://evil[.]example/x"},
	}
	for _, tt := range tests {
		a := koban.Answer{Text: tt.text, Model: tt.model, Known: true, Citations: []koban.Citation{
			{Path: "guide.md", Title: "Guide", URL: "https://docs.acme.io/platform/guide/#start", Snippet: tt.snippet},
		}}
		if got := p.answer(a).Text; got != tt.want {
			t.Errorf("%s: answer(%q).Text = %q, want %q", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestAnswerCitationLinks(t *testing.T) {
	p := testPolicy()
	a := p.answer(koban.Answer{
		Citations: []koban.Citation{{Path: "a.md", URL: "https://docs.acme.io/platform/a/"}, {Path: "b.md", URL: "https://evil.example/b/"}},
		Pages:     []koban.Citation{{Path: "c.md", URL: "javascript:alert(1)"}},
	})
	if a.Citations[0].URL == "" || a.Citations[1].URL != "" || a.Pages[0].URL != "" {
		t.Errorf("citations %+v, pages %+v: want only the docs link kept", a.Citations, a.Pages)
	}
}

// TestDeliverMakesForeignLinksInert: an answer whose docs text links
// elsewhere reaches Slack with that link inert and the docs link live.
func TestDeliverMakesForeignLinksInert(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inq := h.ask("EvL1", helpChannel, "How do I request a database for my service?", "1700000200.000100")
	ans := koban.Answer{Known: true, Lang: "en",
		Text: "First [Reset your password](https://evil.example/reset), then read [the docs](https://docs.example.com/how-to/request-a-database/).",
		Citations: []koban.Citation{{Path: "how-to/request-a-database.md", Title: "Request a database", URL: "https://docs.example.com/how-to/request-a-database/"},
			{Path: "x.md", Title: "Elsewhere", URL: "https://evil.example/x/"}},
	}
	if err := h.bot.Deliver(context.Background(), inq, desk.Reply{Kind: koban.EventAnswered, Answer: ans}); err != nil {
		t.Fatal(err)
	}
	posts := h.slack.posts(helpChannel, inq.ThreadTS)
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	raw := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(posts[0].Form.Get("blocks") + posts[0].Form.Get("text"))
	if strings.Contains(raw, "https://evil.example") {
		t.Errorf("posted a live link to evil.example: %s", raw)
	}
	if !strings.Contains(raw, "hxxps://evil[.]example/reset") || !strings.Contains(raw, "<https://docs.example.com/how-to/request-a-database/|") {
		t.Errorf("posted %s, want the foreign link inert and the docs link live", raw)
	}
}

func TestReplyReasonsLinks(t *testing.T) {
	r := testPolicy().reply(desk.Reply{Triage: koban.Triage{Reasons: []koban.Reason{{Text: "see https://evil.example/x"}, koban.Why("why.signal.docs-ref", "Cue", "https://github.com/acme/x"), koban.Why("why.signal.docs-ref", "Cue", "https://evil.example/y")}}})
	want := []string{"see hxxps://evil[.]example/x", "refers to a docs page: https://github.com/acme/x", "refers to a docs page: hxxps://evil[.]example/y"}
	for i := range want {
		if got := r.Triage.Reasons[i].In("en"); got != want[i] || r.Triage.Reasons[i].Text != want[i] {
			t.Errorf("reason %d = %q, want %q", i, got, want[i])
		}
	}
}

// TestMessageLinks: whatever rendered a message, the links in its mrkdwn
// are checked before it is posted.
func TestMessageLinks(t *testing.T) {
	p := testPolicy()
	in := message{
		Text: "see <https://evil.example/x|Reset your password>",
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn("<@U123> try <https://evil.example/reset|Reset your password> or <https://docs.acme.io/platform/a/|the docs>"),
				[]*slack.TextBlockObject{mrkdwn("<https://evil.example/f>"), plain("https://evil.example/plain")}, nil),
			slack.NewContextBlock("", mrkdwn("`https://evil.example/code` and https://evil.example/bare and <!here>")),
			slack.NewActionBlock("a", button("Solved", actSolved, 1, "")),
		},
	}
	orig := in.Blocks[0].(*slack.SectionBlock).Text.Text
	out := p.message(in)
	sec := out.Blocks[0].(*slack.SectionBlock)
	checks := []struct{ got, want string }{
		{out.Text, "see Reset your password (hxxps://evil[.]example/x)"},
		{sec.Text.Text, "<@U123> try Reset your password (hxxps://evil[.]example/reset) or <https://docs.acme.io/platform/a/|the docs>"},
		{sec.Fields[0].Text, "hxxps://evil[.]example/f"},
		{sec.Fields[1].Text, "https://evil.example/plain"}, // plain_text: Slack shows it as text
		{out.Blocks[1].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text,
			"`https://evil.example/code` and hxxps://evil[.]example/bare and <!here>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if in.Blocks[0].(*slack.SectionBlock).Text.Text != orig {
		t.Errorf("message changed its input's blocks")
	}
	if out.Blocks[2] != in.Blocks[2] {
		t.Errorf("actions block was replaced")
	}
}
