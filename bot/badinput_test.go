package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestUnreadableQuestionsEscalate checks that input triage cannot read —
// emoji, a bare link, a stack trace, 40,000 characters, French, Korean —
// asked through a mention, a DM or /koban ask becomes an inquiry with a
// category of low confidence and goes to the on-call, never an error.
func TestUnreadableQuestionsEscalate(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	inputs := []struct{ name, text string }{
		{"emoji", "😭🙏🔥"},
		{"link", "https://wiki.example.com/display/PLAT/Runbook"},
		{"stack trace", "panic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d\nexit status 2"},
		{"40,000 characters", strings.Repeat("pourquoi ", 4444) + "abcd"},
		{"french", "Bonjour, comment est-ce que je peux obtenir un accès au cluster de production pour mon équipe ?"},
		{"korean", "프로덕션 클러스터에 접근하려면 어떻게 해야 하나요?"},
	}
	ctx := context.Background()
	n := 0
	for _, in := range inputs {
		for _, src := range []koban.Source{koban.SourceMention, koban.SourceDM, koban.SourceCommand} {
			n++
			ts := fmt.Sprintf("17000040%02d.000100", n)
			id := fmt.Sprintf("EvBad%d", n)
			before, err := h.store.OpenInquiries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var w interface{ Result() *http.Response }
			switch src {
			case koban.SourceMention:
				w = postEvent(t, h.h, callbackBody(id, map[string]any{"type": "app_mention", "channel": "COTHER", "user": asker,
					"text": "<@" + botUser + "> " + in.text, "ts": ts}))
			case koban.SourceDM:
				w = postEvent(t, h.h, messageEvent(id, "DASKER", asker, in.text, ts, ""))
			case koban.SourceCommand:
				w = slashCommand(t, h.h, asker, helpChannel, "ask "+in.text)
			}
			if code := w.Result().StatusCode; code != http.StatusOK {
				t.Errorf("%s by %s: status %d", in.name, src, code)
				continue
			}
			h.bot.idle()
			open, err := h.store.OpenInquiries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(open) != len(before)+1 {
				t.Errorf("%s by %s: inquiries %d → %d, want one more", in.name, src, len(before), len(open))
				continue
			}
			inq := open[len(open)-1]
			if inq.Source != src {
				t.Errorf("%s by %s: inquiry source %s", in.name, src, inq.Source)
			}
			h.process(inq.ID)
			got := h.inquiry(inq.ID)
			if got.State != koban.StateEscalated {
				t.Errorf("%s by %s: state %s, want escalated", in.name, src, got.State)
			}
			if !got.Predicted.Category.Valid() || got.Confidence > 0.3 {
				t.Errorf("%s by %s: predicted %q with confidence %.2f, want a category with low confidence", in.name, src, got.Predicted, got.Confidence)
			}
		}
	}
}
