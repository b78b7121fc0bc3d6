package knowledge

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

func TestGlimpse(t *testing.T) {
	var longCode strings.Builder
	longCode.WriteString("Dump every shard.\n\n```sh\n")
	for i := range 5000 {
		fmt.Fprintf(&longCode, "frobctl dump --shard %d --verbose %s\n", i, strings.Repeat("x", 300))
	}
	longCode.WriteString("```\n")
	tests := []struct {
		name, question, text string
		want, notWant        []string
	}{
		{
			name:     "sentence and command that hold the question's words",
			question: "how do I rotate the signing key of the vault?",
			text:     "Secrets are held per service. Each service has one.\n\nTo rotate the signing key, run the command below. It takes a minute.\n\n```shell\nvaultctl login\nvaultctl rotate signing-key --vault payments\n```\n",
			want:     []string{"To rotate the signing key, run the command below.", "`vaultctl rotate signing-key --vault payments`"},
			notWant:  []string{"Secrets are held", "vaultctl login"},
		},
		{
			name:     "two sentences in page order when both match",
			question: "what is the grace period of a drained node?",
			text:     "A node is drained before it is removed. Nothing else happens then. The grace period is thirty seconds by default.",
			want:     []string{"A node is drained before it is removed. … The grace period is thirty seconds by default."},
		},
		{
			name:     "a sentence naming what to open is preferred to a vaguer one",
			question: "we need a new namespace for the billing team",
			text:     "Billing teams and other teams often find they need a namespace, and they ask about it in the general channel every quarter. Open the [team portal](https://portal.example) to ask for a namespace; a billing request takes a day.",
			want:     []string{"[team portal](https://portal.example)"},
			notWant:  []string{"general channel"},
		},
		{
			name:     "a field's description is shown with the field's name",
			question: "how long does the gateway wait before it drops an idle upstream connection?",
			text:     "Fields of the gateway spec.\n\n- **spec.retries** (int32)\n\nHow many times a failed request is sent again. Defaults to 3.\n\n- **spec.keepaliveSeconds** (int64)\n\nSeconds an idle upstream connection is kept before the gateway drops it. More info: https://gateway.example/docs\n\n- **spec.tls** (TLSConfig)\n\nCertificates the gateway serves.\n",
			want:     []string{"**spec.keepaliveSeconds** (int64): Seconds an idle upstream connection is kept before the gateway drops it."},
			notWant:  []string{"spec.retries", "spec.tls"},
		},
		{
			name:     "no question words: the first sentence",
			question: "zebra?",
			text:     "First things first. Then the rest.",
			want:     []string{"First things first."},
			notWant:  []string{"rest"},
		},
		{
			name:     "a 5,000-line code block stays bounded",
			question: "how do I dump the shards?",
			text:     longCode.String(),
			want:     []string{"frobctl dump --shard 0"},
		},
		{
			name:     "a table of 2,000 columns stays bounded",
			question: "what are the quixotic limits?",
			text:     wideTable(2000),
			want:     []string{"quixotic0_0"},
		},
		{
			name:     "raw HTML gives its text",
			question: "how do I restart the zephyr widget?",
			text:     "<div class=\"note\"><script>alert('zephyr')</script>The zephyr widget <b>needs</b> a restart &amp; a flush.</div>",
			want:     []string{"The zephyr widget needs a restart & a flush."},
			notWant:  []string{"<script", "<div", "&amp;", "alert"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := glimpse(tt.text, askOf(tt.question, CleanQuery(tt.question), nil))
			if len(got) > maxGlimpseChars+len("…") {
				t.Errorf("glimpse has %d bytes, want at most %d: %q", len(got), maxGlimpseChars, got)
			}
			if !utf8.ValidString(got) || strings.Contains(got, "\n") {
				t.Errorf("glimpse %q is not one valid line", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("glimpse = %q, want %q in it", got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("glimpse = %q, want no %q in it", got, w)
				}
			}
		})
	}
}

// TestAnswerListsPagesWithGlimpses wants the first pages of an answer
// listed with a glimpse of their best section (what a suggestion shows),
// bounded, and the pages the answer does not quote listed after it.
func TestAnswerListsPagesWithGlimpses(t *testing.T) {
	svc := mustService(t)
	ans, err := svc.Answer(context.Background(), koban.Question{Text: "how can I mute an alert while I deploy?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Pages) < 2 {
		t.Fatalf("Answer lists %d pages, want at least 2", len(ans.Pages))
	}
	for i, p := range ans.Pages {
		if i > maxRelated {
			break
		}
		if p.Snippet == "" {
			t.Errorf("page %d (%s) has no glimpse", i, p.Path)
		}
		if g := p.Glimpse(); len([]rune(g)) > 300 {
			t.Errorf("page %d glimpse has %d characters", i, len([]rune(g)))
		}
	}
	if ans.Known && !strings.Contains(ans.Text, "Also related:") {
		t.Errorf("answer lists no related pages:\n%s", ans.Text)
	}
}

// wideTable is a Markdown table of a header row, the separator and one
// row, of cols columns with cells "quixotic<row>_<column>".
func wideTable(cols int) string {
	var b strings.Builder
	for r := range 3 {
		for c := range cols {
			if r == 1 {
				b.WriteString("| --- ")
			} else {
				fmt.Fprintf(&b, "| quixotic%d_%d ", r, c)
			}
		}
		b.WriteString("|\n")
	}
	return b.String()
}

// TestGlimpseSameEveryRun checks that a glimpse does not depend on the
// order Go walks a map in: the question's words are summed in a fixed
// order, so sentences that tie by a rounding error still tie the same way.
func TestGlimpseSameEveryRun(t *testing.T) {
	text := "See the policy page for more details on how queries are handled. " +
		"The resolver reads the search list from the pod's DNS config. " +
		"Queries for names with fewer dots than ndots are tried against each search domain first.\n\n" +
		"```yaml\n- image: busybox:1.28\n  command: [sleep, \"3600\"]\n```\n"
	a := askOf("how are dns queries for a pod resolved with the search list and ndots?", "", nil)
	if !sort.StringsAreSorted(a.order) || len(a.order) != len(a.words) {
		t.Fatalf("ask order %v is not the sorted keys of %v", a.order, a.words)
	}
	first := glimpse(text, a)
	if first == "" {
		t.Fatal("empty glimpse")
	}
	for i := 0; i < 50; i++ {
		b := askOf("how are dns queries for a pod resolved with the search list and ndots?", "", nil)
		if got := glimpse(text, b); got != first {
			t.Fatalf("run %d: glimpse %q, first run %q", i, got, first)
		}
	}
}

func TestDescribedTerm(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"bold field and type", "- **spec.replicas** (int32)\n\nNumber of desired pods.", "**spec.replicas** (int32)"},
		{"code flag with a colon", "* `--max-pods` (int):\n\nThe most pods a node runs.", "`--max-pods` (int)"},
		{"bare bold name", "- **Gold**\n\nThe cluster in the second data centre.", "**Gold**"},
		{"a list of several names describes nothing", "- **Silver**\n- **Gold**\n\nPick one of them.", ""},
		{"an item that says more than a name", "- **Note:** back up first\n\nThen run the upgrade.", ""},
		{"a name followed by code", "- **spec.replicas** (int32)\n\n```yaml\nreplicas: 3\n```", ""},
		{"a paragraph after a paragraph", "The **spec.replicas** field.\n\nNumber of desired pods.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := splitBlocks(tt.text)
			if got := describedTerm(blocks, len(blocks)-1); got != tt.want {
				t.Errorf("describedTerm(last block of %q) = %q, want %q", tt.text, got, tt.want)
			}
			if got := describedTerm(blocks, 0); got != "" {
				t.Errorf("describedTerm(first block of %q) = %q, want none", tt.text, got)
			}
		})
	}
}

// TestRenderSectionKeepsFieldName shortens a reference of many fields: the
// description that answers is shown under its field's name.
func TestRenderSectionKeepsFieldName(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "- **spec.field%d** (string)\n\nWhat field %d of the widget sets, in a sentence long enough to count against the budget of the answer.\n\n", i, i)
	}
	b.WriteString("- **spec.drainTimeout** (duration)\n\nHow long the widget waits for open sessions to drain before it stops.\n\n")
	q := "how long does the widget wait for sessions to drain before it stops?"
	got, cut := renderSection(b.String(), askOf(q, CleanQuery(q), nil), 450)
	if !cut {
		t.Errorf("renderSection did not shorten %d bytes to 450", b.Len())
	}
	if !strings.Contains(got, "How long the widget waits for open sessions to drain") || !strings.Contains(got, "**spec.drainTimeout** (duration)") {
		t.Errorf("renderSection =\n%s\nwant the drain description under its field's name", got)
	}
}
