package triage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/llmtest"
	"github.com/kobanhq/koban/llm/openai"
)

// newTestLLM returns a client of f that does not sleep between retries.
func newTestLLM(t *testing.T, f *llmtest.Server) *openai.Client {
	t.Helper()
	noSleep := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	l, err := openai.New(openai.Config{BaseURL: f.URL + "/v1", Model: "test-model", Timeout: 5 * time.Second, Sleep: noSleep}, nil, nil)
	if err != nil {
		t.Fatalf("openai.New() error: %v", err)
	}
	return l
}

func TestClassifier(t *testing.T) {
	schemaReply := llmtest.OK(`{"label":"platform-only/required","domain":"database","confidence":0.82}`)
	tests := []struct {
		name     string
		chat     []llmtest.Reply
		label    koban.Label
		domain   koban.Domain
		conf     float64
		requests int
		schema   []bool // whether each request asked for a JSON schema
		err      bool
	}{
		{"structured", []llmtest.Reply{schemaReply}, koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, "database", 0.82, 1, []bool{true}, false},
		{"fenced plain json", []llmtest.Reply{llmtest.OK("Here you go:\n```json\n{\"label\": \"docs-missing\", \"domain\": \"iam\", \"confidence\": 1.7}\n```")}, koban.Label{Category: koban.DocsMissing}, "iam", 1, 1, []bool{true}, false},
		{"unknown domain", []llmtest.Reply{llmtest.OK(`{"label":"self-solvable/answered","domain":"astrology","confidence":0.5}`)}, koban.Label{Category: koban.SelfSolvable, Detail: koban.DetailAnswered}, koban.DomainOther, 0.5, 1, []bool{true}, false},
		{"schema rejected", []llmtest.Reply{{Status: 400, Body: `{"error":{"message":"response_format json_schema is not supported"}}`}, schemaReply}, koban.Label{Category: koban.PlatformOnly, Detail: koban.DetailRequired}, "database", 0.82, 2, []bool{true, false}, false},
		{"unknown label", []llmtest.Reply{llmtest.OK(`{"label":"urgent","domain":"iam","confidence":0.9}`)}, koban.Label{}, "", 0, 1, nil, true},
		{"not json", []llmtest.Reply{llmtest.OK("I think it is a database question.")}, koban.Label{}, "", 0, 1, nil, true},
		{"server down", []llmtest.Reply{{Status: 503, Body: `{"error":{"message":"down"}}`}}, koban.Label{}, "", 0, 3, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := llmtest.New(t, tt.chat...)
			c := NewClassifier(newTestLLM(t, f), nil, nil)
			q := koban.Question{Text: "Please create a PostgreSQL database for team orders in prod", Lang: "en"}
			a := koban.Answer{Known: false, Confidence: 0.2, Pages: []koban.Citation{{Path: "how-to/request-a-database.md", Section: "Request a database", Quadrant: koban.HowTo}}}
			label, domain, conf, err := c.Classify(context.Background(), q, a)
			if tt.err {
				if err == nil || koban.ErrorCode(err) != koban.EUnavailable {
					t.Errorf("Classify() = %v, %v, %v, %v; want an %s error", label, domain, conf, err, koban.EUnavailable)
				}
			} else if err != nil || label != tt.label || domain != tt.domain || conf != tt.conf {
				t.Errorf("Classify() = %v, %q, %v, %v; want %v, %q, %v", label, domain, conf, err, tt.label, tt.domain, tt.conf)
			}
			reqs := f.ChatBodies(t)
			if len(reqs) != tt.requests {
				t.Fatalf("chat requests = %d, want %d", len(reqs), tt.requests)
			}
			for i, want := range tt.schema {
				rf := reqs[i].ResponseFormat
				got := rf != nil && rf.Type == "json_schema" && rf.JSONSchema != nil
				if got != want {
					t.Errorf("request %d asks for a JSON schema: %v, want %v", i, got, want)
				}
				if got && !strings.Contains(string(rf.JSONSchema.Schema), `"platform-only/automation-candidate"`) {
					t.Errorf("request %d schema lacks the label enum: %s", i, rf.JSONSchema.Schema)
				}
			}
			if len(reqs) > 0 && !strings.Contains(reqs[0].Messages[1].Content, "Please create a PostgreSQL database") {
				t.Errorf("request lacks the question:\n%s", reqs[0].Messages[1].Content)
			}
		})
	}
}

func TestNewClassifierWithoutModel(t *testing.T) {
	var none *openai.Client
	if c := NewClassifier(none, nil, nil); c != nil {
		t.Errorf("NewClassifier(nil client) = %v, want nil", c)
	}
	if c := NewClassifier(nil, nil, nil); c != nil {
		t.Errorf("NewClassifier(nil) = %v, want nil", c)
	}
	var c *Classifier
	if _, _, _, err := c.Classify(context.Background(), koban.Question{Text: "x"}, koban.Answer{}); koban.ErrorCode(err) != koban.EUnavailable {
		t.Errorf("nil Classify() error = %v, want %s", err, koban.EUnavailable)
	}
}
