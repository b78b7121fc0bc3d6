// Package llmtest is a fake OpenAI-compatible endpoint for tests: an
// httptest server that speaks the chat-completions and embeddings wire
// formats, answers chat requests from a script and embeddings with hashed
// bags of words, and records every request.
package llmtest

import (
	"encoding/json"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/kobanhq/koban/redact"
)

var (
	redactorOnce sync.Once
	redactor     *redact.Redactor
	redactorErr  error
)

// Redactor returns koban's default redactor, built once for the whole test
// binary: building it compiles every rule.
func Redactor(t testing.TB) *redact.Redactor {
	t.Helper()
	redactorOnce.Do(func() { redactor, redactorErr = redact.New() })
	if redactorErr != nil {
		t.Fatalf("redact.New() error: %v", redactorErr)
	}
	return redactor
}

// Reply is what the server answers to one chat request.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
	Delay  time.Duration // wait before answering (or until the client gives up)
}

// OK is a successful chat completion of content that spent 120 tokens.
func OK(content string) Reply { return Reply{Status: 200, Body: ChatJSON(content, 120)} }

// ChatJSON is the body of a chat completion by "test-model".
func ChatJSON(content string, tokens int) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]int{"prompt_tokens": tokens - 20, "completion_tokens": 20, "total_tokens": tokens},
	})
	return string(b)
}

// Server is the fake endpoint. Its URL + "/v1" is the base URL to give a
// client.
type Server struct {
	URL string

	mu        sync.Mutex
	chat      []Reply // answered in order; the last one repeats
	chatN     int
	bodies    []string   // every request body, chat and embeddings
	embedIn   [][]string // inputs of each embeddings request
	embedFail int        // answer this many embeddings requests with 500
}

// New starts a server that answers chat requests with chat, in order, the
// last one repeating; it is closed when the test ends.
func New(t testing.TB, chat ...Reply) *Server {
	t.Helper()
	s := &Server{chat: chat}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// FailEmbeddings makes the next n embeddings requests fail with status 500.
func (s *Server) FailEmbeddings(n int) {
	s.mu.Lock()
	s.embedFail = n
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		s.serveChat(w, r)
	case strings.HasSuffix(r.URL.Path, "/embeddings"):
		s.serveEmbeddings(w, body)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rp := Reply{Status: 500, Body: `{"error":{"message":"no script"}}`}
	if len(s.chat) > 0 {
		rp = s.chat[min(s.chatN, len(s.chat)-1)]
	}
	s.chatN++
	s.mu.Unlock()
	if rp.Delay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(rp.Delay):
		}
	}
	for k, v := range rp.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rp.Status)
	io.WriteString(w, rp.Body)
}

func (s *Server) serveEmbeddings(w http.ResponseWriter, body []byte) {
	var req struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, 400)
		return
	}
	s.mu.Lock()
	fail := s.embedFail > 0
	if fail {
		s.embedFail--
	} else {
		s.embedIn = append(s.embedIn, req.Input)
	}
	s.mu.Unlock()
	if fail {
		http.Error(w, `{"error":{"message":"overloaded"}}`, 500)
		return
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string         `json:"object"`
		Data   []datum        `json:"data"`
		Model  string         `json:"model"`
		Usage  map[string]int `json:"usage"`
	}{Object: "list", Model: req.Model, Usage: map[string]int{"prompt_tokens": 7 * len(req.Input), "total_tokens": 7 * len(req.Input)}}
	// Answer out of order: clients must place embeddings by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		resp.Data = append(resp.Data, datum{"embedding", i, BagOfWords(req.Input[i])})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// ChatRequests is how many chat requests the server received.
func (s *Server) ChatRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chatN
}

// ChatRequest is the part of a chat-completions request body tests look at.
type ChatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict bool            `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
}

// ChatBodies returns the recorded chat requests, decoded.
func (s *Server) ChatBodies(t testing.TB) []ChatRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ChatRequest
	for _, b := range s.bodies {
		if !strings.Contains(b, `"messages"`) {
			continue
		}
		var req ChatRequest
		if err := json.Unmarshal([]byte(b), &req); err != nil {
			t.Fatalf("chat request is not JSON: %v\n%s", err, b)
		}
		out = append(out, req)
	}
	return out
}

// AllBodies is every request body received, one after the other.
func (s *Server) AllBodies() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.bodies, "\n")
}

// EmbedInputs is how many texts were embedded, and in how many requests.
func (s *Server) EmbedInputs() (texts, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.embedIn {
		texts += len(in)
	}
	return texts, len(s.embedIn)
}

// synonyms make the fake embedding "semantic": words that BM25 cannot
// match land in the same dimension.
var synonyms = map[string]string{
	"datastore": "database", "datastores": "database", "databases": "database",
	"provision": "request", "provisioning": "request", "postgresql": "postgres",
}

// Dim is the dimension of the fake embeddings.
const Dim = 256

// BagOfWords is a deterministic embedding: word counts hashed into Dim
// dimensions, with a few synonyms folded together.
func BagOfWords(text string) []float32 {
	v := make([]float32, Dim)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) < 3 {
			continue
		}
		if s, ok := synonyms[w]; ok {
			w = s
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%Dim]++
	}
	return v
}
