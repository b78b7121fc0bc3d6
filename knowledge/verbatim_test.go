package knowledge

import (
	"context"
	"strings"
	"testing"

	"github.com/kobanhq/koban"
)

// writtenFunc stands for an answerer that writes through a model: the test
// decides what it wrote.
type writtenFunc func(context.Context, koban.Question) (koban.Answer, error)

func (f writtenFunc) Answer(ctx context.Context, q koban.Question) (koban.Answer, error) {
	return f(ctx, q)
}

func TestCodeCheck(t *testing.T) {
	svc := mustService(t)
	ix := svc.s.(PageReader)
	q := koban.Question{Text: "how do I go back to the previous release?"}
	cite := koban.Citation{Path: "how-to/roll-back-a-deployment.md", Anchor: "roll-back-a-deployment", Lang: "en"}
	tests := []struct {
		name, text string
		keep       bool
	}{
		{"verbatim", "Roll back with:\n\n```sh\nhoshi rollback payments-api --env prod --to r142\n```\n[1]", true},
		{"reindented", "Roll back with:\n\n```sh\n    hoshi rollback   payments-api --env prod --to r142\n```\n[1]", true},
		{"no code", "Run the rollback command from the page [1].", true},
		{"rewritten flag", "Roll back with:\n\n```sh\nhoshi rollback payments-api --environment prod --release r142\n```\n[1]", false},
		{"invented command", "```sh\nkubectl rollout undo deployment/payments-api\n```\n[1]", false},
	}
	for _, tt := range tests {
		written := writtenFunc(func(context.Context, koban.Question) (koban.Answer, error) {
			return koban.Answer{Known: true, Model: "m", Tokens: 100, Text: tt.text, Citations: []koban.Citation{cite}}, nil
		})
		got, err := WithCodeCheck(written, svc, ix, nil).Answer(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if kept := got.Model == "m"; kept != tt.keep {
			t.Errorf("%s: model answer kept = %v, want %v (text %q)", tt.name, kept, tt.keep, got.Text)
		}
		if !tt.keep && (!strings.Contains(got.Text, "hoshi rollback payments-api --env prod --to r142") || got.Tokens != 100) {
			t.Errorf("%s: fallback = %q (tokens %d), want the extractive answer with the command and the tokens spent", tt.name, got.Text, got.Tokens)
		}
	}
}
