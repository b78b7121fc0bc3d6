package knowledge

import (
	"context"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// TestAnswerFrom checks that an answer composed from a given ranked page
// quotes that page first and only, lists the pages that ranked above it,
// and keeps the retrieval's evidence.
func TestAnswerFrom(t *testing.T) {
	svc := mustService(t)
	ctx := context.Background()
	for _, text := range []string{
		"Could you route the alerts of our service to the #orders-oncall Slack channel?",
		"Please create a bucket for the reports team. Environment: staging.",
		"We need the payments service to reach the ledger service, can you open it?",
	} {
		q := koban.Question{Text: text}
		base, err := svc.Answer(ctx, q)
		if err != nil {
			t.Fatalf("Answer(%q): %v", text, err)
		}
		if !base.Known || len(base.Pages) < 3 {
			t.Fatalf("Answer(%q): known %v with %d pages, want a known answer over 3 pages or more", text, base.Known, len(base.Pages))
		}
		for _, from := range base.Pages[1:3] {
			t.Run(text+"/"+from.Path, func(t *testing.T) {
				got, err := svc.AnswerFrom(ctx, q, from.Path)
				if err != nil {
					t.Fatalf("AnswerFrom: %v", err)
				}
				if !got.Known || got.Text == "" || len(got.Citations) == 0 {
					t.Fatalf("AnswerFrom: known %v, %d citations, text %q; want a known answer", got.Known, len(got.Citations), got.Text)
				}
				for _, c := range got.Citations {
					if c.Path != from.Path || !c.Quoted {
						t.Errorf("cites %s (quoted %v), want only quoted sections of %s", c.Path, c.Quoted, from.Path)
					}
				}
				if first := firstHeading(got.Text); first != got.Citations[0].Section {
					t.Errorf("text opens with %q, want the cited section %q", first, got.Citations[0].Section)
				}
				if got.Pages[0].Path != from.Path || len(got.Pages) != len(base.Pages) {
					t.Errorf("pages start with %s (%d pages), want %s first of %d", got.Pages[0].Path, len(got.Pages), from.Path, len(base.Pages))
				}
				if got.Pages[1].Path != base.Pages[0].Path {
					t.Errorf("second page %s, want the best ranked page %s", got.Pages[1].Path, base.Pages[0].Path)
				}
				if got.Confidence != base.Confidence || got.Lang != base.Lang {
					t.Errorf("confidence %v, lang %s; want the retrieval's %v, %s", got.Confidence, got.Lang, base.Confidence, base.Lang)
				}
				_, related, ok := strings.Cut(got.Text, koban.RelatedHead("en"))
				if !ok || !strings.Contains(related, base.Pages[0].Section) {
					t.Errorf("related pages %q do not list the best ranked page %q", related, base.Pages[0].Section)
				}
			})
		}
	}
}

func TestAnswerFromErrors(t *testing.T) {
	svc := mustService(t)
	q := koban.Question{Text: "How do I store an API key so my service can use it?"}
	tests := []struct {
		name, page string
		want       string
	}{
		{"no page", "", koban.EInvalid},
		{"a page the docs do not have", "how-to/launch-a-rocket.md", koban.ENotFound},
		{"a full link rather than a path", "https://docs.example.com/how-to/manage-secrets/", koban.ENotFound},
	}
	for _, tt := range tests {
		ans, err := svc.AnswerFrom(context.Background(), q, tt.page)
		if koban.ErrorCode(err) != tt.want {
			t.Errorf("%s: AnswerFrom(%q) = %v, want %s", tt.name, tt.page, err, tt.want)
		}
		if ans.Known || ans.Text != "" {
			t.Errorf("%s: AnswerFrom(%q) returned an answer with its error: %+v", tt.name, tt.page, ans)
		}
	}
}

// TestAnswerFromWrapped checks that the model-writing answerers compose from
// the page their base composes from, and say when the base cannot.
func TestAnswerFromWrapped(t *testing.T) {
	svc := mustService(t)
	ctx := context.Background()
	q := koban.Question{Text: "Please create a bucket for the reports team. Environment: staging."}
	base, err := svc.Answer(ctx, q)
	if err != nil || len(base.Pages) < 2 {
		t.Fatalf("Answer: %d pages, %v", len(base.Pages), err)
	}
	from := base.Pages[1].Path
	want, err := svc.AnswerFrom(ctx, q, from)
	if err != nil {
		t.Fatal(err)
	}
	grounded := WithLLM(svc, nil, GroundedConfig{})
	tests := []struct {
		name string
		a    koban.PageAnswerer
	}{
		{"grounded without a model", grounded},
		{"code-checked", WithCodeCheck(grounded, svc, nil, nil)},
	}
	for _, tt := range tests {
		got, err := tt.a.AnswerFrom(ctx, q, from)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got.Text != want.Text || len(got.Citations) == 0 || got.Citations[0].Path != from {
			t.Errorf("%s: text %q citing %v, want the extract from %s", tt.name, got.Text, got.Citations, from)
		}
	}
	onlyAnswers := WithLLM(answererOnly{svc}, nil, GroundedConfig{})
	if _, err := onlyAnswers.AnswerFrom(ctx, q, from); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("grounded over a base that cannot compose from a page: %v, want EInvalid", err)
	}
}

// answererOnly hides every method of its Answerer but Answer.
type answererOnly struct{ a Answerer }

func (o answererOnly) Answer(ctx context.Context, q koban.Question) (koban.Answer, error) {
	return o.a.Answer(ctx, q)
}

// firstHeading is the first bold heading of an extractive answer: the
// breadcrumb of the section it quotes first.
func firstHeading(text string) string {
	_, rest, ok := strings.Cut(text, "\n**")
	if !ok {
		return ""
	}
	h, _, _ := strings.Cut(rest, "**")
	return h
}
