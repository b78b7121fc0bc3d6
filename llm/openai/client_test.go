package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/llmtest"
	"github.com/kobanhq/koban/llm"
)

// newTestClient returns a client of f that records its retry waits instead
// of sleeping.
func newTestClient(t *testing.T, f *llmtest.Server, timeout time.Duration) (*Client, *[]time.Duration) {
	t.Helper()
	var mu sync.Mutex
	waits := &[]time.Duration{}
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	c, err := New(Config{BaseURL: f.URL + "/v1", Model: "test-model", EmbeddingModel: "test-embed", Timeout: timeout, Sleep: sleep}, llmtest.Redactor(t), nil)
	if err != nil {
		t.Fatalf("New() error: %v", err)
	}
	return c, waits
}

var hello = llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: "hi"}}}

func TestChat(t *testing.T) {
	slowDown := `{"error":{"message":"slow down"}}`
	tests := []struct {
		name     string
		chat     []llmtest.Reply
		timeout  time.Duration
		text     string // "" when an error is wanted
		status   int    // llm.HTTPStatus of the error
		requests int
		waits    []time.Duration // nil: backoff, not checked
	}{
		{"ok", []llmtest.Reply{llmtest.OK("hello")}, 0, "hello", 0, 1, []time.Duration{}},
		{"malformed json", []llmtest.Reply{{Status: 200, Body: `{"choices": [`}}, 0, "", 0, 1, nil},
		{"empty choices", []llmtest.Reply{{Status: 200, Body: `{"id":"x","choices":[],"usage":{"total_tokens":3}}`}}, 0, "", 0, 1, nil},
		{"400", []llmtest.Reply{{Status: 400, Body: `{"error":{"message":"bad request","type":"invalid_request_error"}}`}}, 0, "", 400, 1, []time.Duration{}},
		{"401", []llmtest.Reply{{Status: 401, Body: `{"error":{"message":"bad key"}}`}}, 0, "", 401, 1, []time.Duration{}},
		{"429 then ok", []llmtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "2"}, Body: slowDown}, llmtest.OK("hello")}, 0, "hello", 0, 2, []time.Duration{2 * time.Second}},
		{"429 retry-after-ms", []llmtest.Reply{{Status: 429, Header: map[string]string{"Retry-After-Ms": "1500"}, Body: slowDown}, llmtest.OK("hello")}, 0, "hello", 0, 2, []time.Duration{1500 * time.Millisecond}},
		{"429 too long to wait", []llmtest.Reply{{Status: 429, Header: map[string]string{"Retry-After": "600"}, Body: slowDown}, llmtest.OK("hello")}, 0, "", 429, 1, []time.Duration{}},
		{"500 always", []llmtest.Reply{{Status: 500, Body: `{"error":{"message":"boom"}}`}}, 0, "", 500, 3, nil},
		{"502 html", []llmtest.Reply{{Status: 502, Body: `<html>bad gateway</html>`}}, 0, "", 502, 3, nil},
		{"timeout", []llmtest.Reply{{Status: 200, Body: llmtest.ChatJSON("late", 10), Delay: 3 * time.Second}}, 150 * time.Millisecond, "", 0, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := llmtest.New(t, tt.chat...)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			c, waits := newTestClient(t, f, timeout)
			resp, err := c.Chat(context.Background(), hello)
			if tt.text != "" {
				if err != nil || resp.Text != tt.text || resp.Model != "test-model" || resp.Tokens != 120 {
					t.Errorf("Chat() = %+v, %v; want %q by test-model, 120 tokens", resp, err, tt.text)
				}
			} else {
				if koban.ErrorCode(err) != koban.EUnavailable {
					t.Errorf("Chat() error = %v, want %s", err, koban.EUnavailable)
				}
				if got := llm.HTTPStatus(err); got != tt.status {
					t.Errorf("HTTPStatus(%v) = %d, want %d", err, got, tt.status)
				}
				if strings.Contains(koban.ErrorMessage(err), "<html>") {
					t.Errorf("ErrorMessage(%v) quotes the response body", err)
				}
			}
			if n := f.ChatRequests(); n != tt.requests {
				t.Errorf("chat requests = %d, want %d", n, tt.requests)
			}
			if tt.waits != nil && fmt.Sprint(*waits) != fmt.Sprint(tt.waits) {
				t.Errorf("retry waits = %v, want %v", *waits, tt.waits)
			}
			if len(*waits) != tt.requests-1 {
				t.Errorf("retry waits = %v, want %d", *waits, tt.requests-1)
			}
		})
	}
}

func TestChatRequest(t *testing.T) {
	f := llmtest.New(t, llmtest.OK(`{"a":1}`))
	c, _ := newTestClient(t, f, 0)
	req := hello
	req.Schema = &llm.Schema{Name: "s", Schema: []byte(`{"type":"object"}`), Strict: true}
	if _, err := c.Chat(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := f.ChatBodies(t)[0]
	if got.Model != "test-model" || len(got.Messages) != 2 || got.Messages[0].Role != "system" || got.Messages[1].Content != "hi" {
		t.Errorf("request = %+v, want the model and both messages", got)
	}
	rf := got.ResponseFormat
	if rf == nil || rf.Type != "json_schema" || rf.JSONSchema == nil || rf.JSONSchema.Name != "s" || !rf.JSONSchema.Strict || string(rf.JSONSchema.Schema) != `{"type":"object"}` {
		t.Errorf("response_format = %+v, want the schema", rf)
	}
}

func TestChatCallerCancel(t *testing.T) {
	f := llmtest.New(t, llmtest.Reply{Status: 200, Body: llmtest.ChatJSON("x", 10), Delay: 3 * time.Second})
	c, _ := newTestClient(t, f, 0)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.Chat(ctx, hello); !errors.Is(err, context.Canceled) {
		t.Errorf("Chat() with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestEmbed(t *testing.T) {
	f := llmtest.New(t)
	c, _ := newTestClient(t, f, 0)
	secret := "xox" + "b-1234567890123-1234567890123-zren68K4TunPFz46PDjqipVJ"
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = fmt.Sprintf("section %d about databases", i)
	}
	texts[3] = "token " + secret
	texts[4] = "  "
	vecs, tokens, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed() error: %v", err)
	}
	if len(vecs) != len(texts) || tokens != 7*len(texts) {
		t.Fatalf("Embed() = %d vectors, %d tokens; want %d, %d", len(vecs), tokens, len(texts), 7*len(texts))
	}
	// The fake answers out of order: each vector must be its text's.
	for _, i := range []int{0, 63, 64, 149} {
		if fmt.Sprint(vecs[i]) != fmt.Sprint(llmtest.BagOfWords(texts[i])) {
			t.Errorf("Embed()[%d] is not the embedding of %q", i, texts[i])
		}
	}
	if n, reqs := f.EmbedInputs(); n != len(texts) || reqs != 3 {
		t.Errorf("embedded %d texts in %d requests, want %d in 3", n, reqs, len(texts))
	}
	if strings.Contains(f.AllBodies(), secret) {
		t.Errorf("an embeddings request contains the secret")
	}
	if _, embed := c.Tokens(); embed != int64(tokens) {
		t.Errorf("Tokens() embed = %d, want %d", embed, tokens)
	}

	f.FailEmbeddings(100)
	vecs, _, err = c.Embed(context.Background(), texts)
	if koban.ErrorCode(err) != koban.EUnavailable || len(vecs) != 0 {
		t.Errorf("Embed() with the endpoint down = %d vectors, %v; want none, %s", len(vecs), err, koban.EUnavailable)
	}
}

func TestTokens(t *testing.T) {
	f := llmtest.New(t, llmtest.OK("a"))
	c, _ := newTestClient(t, f, 0)
	for range 2 {
		if _, err := c.Chat(context.Background(), hello); err != nil {
			t.Fatal(err)
		}
	}
	if chat, embed := c.Tokens(); chat != 240 || embed != 0 {
		t.Errorf("Tokens() = %d, %d; want 240, 0", chat, embed)
	}
	var none *Client
	if chat, embed := none.Tokens(); chat != 0 || embed != 0 || none.Model() != "" || none.EmbeddingModel() != "" {
		t.Errorf("a nil client reports a model or tokens")
	}
	if _, err := none.Chat(context.Background(), hello); koban.ErrorCode(err) != koban.EUnavailable {
		t.Errorf("nil Chat() error = %v, want %s", err, koban.EUnavailable)
	}
}

func TestNew(t *testing.T) {
	c, err := New(Config{BaseURL: "http://localhost:1/v1"}, nil, nil)
	if c != nil || err != nil {
		t.Errorf("New(no model) = %v, %v; want nil, nil", c, err)
	}
	if _, err := New(Config{Model: "gpt", Azure: true}, llmtest.Redactor(t), nil); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("New(Azure without base URL) error = %v, want %s", err, koban.EInvalid)
	}
	if _, err := New(Config{Model: "gpt", Timeout: -time.Second}, llmtest.Redactor(t), nil); koban.ErrorCode(err) != koban.EInvalid {
		t.Errorf("New(negative timeout) error = %v, want %s", err, koban.EInvalid)
	}
	// Azure: deployment in the path, api-version in the query, api-key header.
	var gotPath, gotQuery, gotKey string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery, gotKey = r.URL.Path, r.URL.RawQuery, r.Header.Get("api-key")
		io.WriteString(w, llmtest.ChatJSON("x", 5))
	}))
	defer srv.Close()
	az, err := New(Config{BaseURL: srv.URL, APIKey: "k", Model: "my-deployment", Azure: true, APIVersion: "2024-10-21"}, llmtest.Redactor(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := az.Chat(context.Background(), hello); err != nil {
		t.Fatalf("Azure chat error: %v", err)
	}
	if gotPath != "/openai/deployments/my-deployment/chat/completions" || gotQuery != "api-version=2024-10-21" || gotKey != "k" {
		t.Errorf("Azure request: path %q, query %q, api-key %q", gotPath, gotQuery, gotKey)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    map[string]string
		want time.Duration
		ok   bool
	}{
		{map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond, true},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{map[string]string{"Retry-After": now.Add(4 * time.Second).Format(http.TimeFormat)}, 4 * time.Second, true},
		{map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{map[string]string{"Retry-After": "soon"}, 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
}
