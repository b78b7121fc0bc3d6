package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
)

func TestTablesToLines(t *testing.T) {
	in := "Sizes:\n\n| size | vCPU | memory |\n| --- | ---: | --- |\n| small | 1 | 2 GiB |\n| large | 4 | 16 GiB |\n\nAfter | not a table"
	want := "Sizes:\n\n**size — vCPU — memory**\n• small — 1 — 2 GiB\n• large — 4 — 16 GiB\n\nAfter | not a table"
	if got := tablesToLines(in); got != want {
		t.Errorf("tablesToLines(%q) =\n%q\nwant\n%q", in, got, want)
	}
}

// sectionTexts lists the mrkdwn texts of the section blocks.
func sectionTexts(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			out = append(out, s.Text.Text)
		}
	}
	return out
}

func TestAnswerBlocksKeepCodeVerbatim(t *testing.T) {
	md := "Run:\n\n```sh\n# list the releases first\nhoshi releases api --env prod | grep **r14**\necho <!channel> && exit\n```\nDone."
	blocks := answerBlocks(md, "cut")
	got := strings.Join(sectionTexts(blocks), "\n")
	for _, want := range []string{
		"```\n# list the releases first\nhoshi releases api --env prod | grep **r14**\necho &lt;!channel&gt; &amp;&amp; exit\n```",
		"Run:", "Done.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answerBlocks(%q) =\n%s\nwant %q in it", md, got, want)
		}
	}
	if strings.Contains(got, "<!channel>") || strings.Contains(got, "```sh") {
		t.Errorf("answerBlocks = %s: want mentions escaped and no language tag", got)
	}
}

// TestAnswerBlocksBounded renders answers far over Slack's limits and wants
// every block within them, the whole message within 50 blocks, and a note
// that says the answer was cut.
func TestAnswerBlocksBounded(t *testing.T) {
	var code strings.Builder
	code.WriteString("```\n")
	for i := range 5000 {
		fmt.Fprintf(&code, "frobctl dump --shard %d\n", i)
	}
	code.WriteString("```\n")
	var wide strings.Builder
	for r := range 3 {
		for c := range 2000 {
			if r == 1 {
				wide.WriteString("| --- ")
			} else {
				fmt.Fprintf(&wide, "| c%d ", c)
			}
		}
		wide.WriteString("|\n")
	}
	tests := []struct {
		name, md string
		cut      bool
	}{
		{"short", "Set `size: medium`.", false},
		{"5,000-line code block", code.String(), true},
		{"2,000-column table", wide.String(), false},
		{"one huge line", strings.Repeat("word ", 20000), false},
		{"many paragraphs", strings.Repeat("A paragraph of the docs that goes on for a while.\n\n", 5000), true},
	}
	for _, tt := range tests {
		blocks := answerBlocks(tt.md, "the answer was cut")
		if len(blocks) == 0 || len(blocks) > maxBodyBlocks+1 {
			t.Errorf("%s: %d blocks, want 1 to %d", tt.name, len(blocks), maxBodyBlocks+1)
		}
		for _, s := range sectionTexts(blocks) {
			if n := utf8.RuneCountInString(s); n > 3000 || n == 0 {
				t.Errorf("%s: a section of %d characters, want 1 to 3000", tt.name, n)
			}
			if strings.Count(s, "```")%2 != 0 {
				t.Errorf("%s: a section with an unclosed code block", tt.name)
			}
		}
		raw, _ := json.Marshal(blocks)
		if got := strings.Contains(string(raw), "the answer was cut"); got != tt.cut {
			t.Errorf("%s: cut note shown = %v, want %v", tt.name, got, tt.cut)
		}
	}
}

// TestSourcesKeepWholeLinks gives the sources list headings of any
// length: each label is bounded, the list fits its context block, and
// no line is cut inside its link, so every source shown still links.
func TestSourcesKeepWholeLinks(t *testing.T) {
	long := strings.Repeat("Configure the widget pool ", 240) // about 6,200 characters
	var cs []koban.Citation
	for i := range 30 {
		cs = append(cs, koban.Citation{
			Path: fmt.Sprintf("guide/page-%d.md", i), Anchor: fmt.Sprintf("s%d", i),
			Title: "Page", Section: long, URL: fmt.Sprintf("https://docs.example.com/guide/page-%d#s%d", i, i),
		})
	}
	got := renderCitations(cs)
	if n := utf8.RuneCountInString(got); n > maxSources {
		t.Errorf("sources are %d characters, want at most %d", n, maxSources)
	}
	lines := strings.Split(got, "\n")
	if len(lines) < 2 {
		t.Fatalf("%d sources shown, want several once labels are bounded", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "• <https://docs.example.com/") || !strings.HasSuffix(l, ">") {
			t.Errorf("source line is not one whole link: %.80q…%.40q", l, l[max(0, len(l)-40):])
		}
		if n := utf8.RuneCountInString(l); n > maxSourceLabel+80 {
			t.Errorf("source line is %d characters", n)
		}
	}
}
