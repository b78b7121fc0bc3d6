// Package openai is koban's client of OpenAI-compatible endpoints (OpenAI,
// Azure OpenAI, Ollama, vLLM, LiteLLM): chat completions and embeddings with
// retries that honour Retry-After, errors mapped to koban.EUnavailable
// without the response body, token accounting, and secrets masked before any
// text leaves.
//
// It knows nothing of prompts, answers or triage: knowledge writes the
// grounded-answer prompt and triage the classifier's, with the types of
// package llm, each through a small interface that *Client satisfies. It is
// the only package of koban that imports go-openai.
package openai

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/llm"
	"github.com/kobanhq/koban/redact"
)

// Config points koban at an OpenAI-compatible endpoint. With neither Model
// nor EmbeddingModel set, there is no LLM and koban answers extractively.
type Config struct {
	// BaseURL is the API root, e.g. "http://localhost:11434/v1" for Ollama.
	// Empty means OpenAI's. Azure needs the resource endpoint here.
	BaseURL string
	APIKey  string
	// Model writes answers and classifies inquiries (an Azure deployment name
	// on Azure). Empty: no grounded answers, no LLM triage signal.
	Model string
	// EmbeddingModel embeds sections for hybrid retrieval. Empty: BM25 only.
	EmbeddingModel string
	// Timeout bounds one call to the model, retries included (default 30s).
	Timeout time.Duration
	// Azure selects Azure OpenAI's URL layout and api-key header.
	Azure bool
	// APIVersion is the Azure OpenAI API version (default go-openai's).
	APIVersion string
	// MaxTries bounds the attempts of one request on 429 and 5xx responses
	// (default 3).
	MaxTries int
	// Sleep waits between tries; nil waits on a timer. Tests record the
	// waits with it instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Defaults of Config.
const (
	DefaultTimeout = 30 * time.Second
	DefaultTries   = 3
)

// Client is a client of an OpenAI-compatible endpoint. A nil *Client is
// valid and means "no LLM configured": Model and EmbeddingModel return "",
// and its users keep to extractive answers, BM25 retrieval and triage
// without the LLM signal. It is safe for concurrent use.
type Client struct {
	cfg    Config
	client *openai.Client
	red    *redact.Redactor
	log    *slog.Logger

	chatTokens  atomic.Int64
	embedTokens atomic.Int64
}

// New returns a client for cfg, or nil (and no error) when cfg names no
// model. Text is masked with red before it is sent; a nil red builds the
// default redactor.
func New(cfg Config, red *redact.Redactor, log *slog.Logger) (*Client, error) {
	if cfg.Model == "" && cfg.EmbeddingModel == "" {
		return nil, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout < 0 || cfg.MaxTries < 0 {
		return nil, koban.Errorf(koban.EInvalid, "llm timeout and max tries must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxTries == 0 {
		cfg.MaxTries = DefaultTries
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if red == nil {
		var err error
		if red, err = redact.New(); err != nil {
			return nil, fmt.Errorf("llm: %w", err)
		}
	}
	var oc openai.ClientConfig
	if cfg.Azure {
		if cfg.BaseURL == "" {
			return nil, koban.Errorf(koban.EInvalid, "llm: Azure OpenAI needs base_url (https://RESOURCE.openai.azure.com)")
		}
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		if cfg.APIVersion != "" {
			oc.APIVersion = cfg.APIVersion
		}
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	}
	oc.HTTPClient = &retryDoer{next: &http.Client{}, tries: cfg.MaxTries, base: 500 * time.Millisecond, max: 20 * time.Second, sleep: cfg.Sleep, log: log}
	return &Client{cfg: cfg, client: openai.NewClientWithConfig(oc), red: red, log: log}, nil
}

// Model is the chat model, or "" when there is none.
func (c *Client) Model() string {
	if c == nil {
		return ""
	}
	return c.cfg.Model
}

// EmbeddingModel is the embeddings model, or "" when there is none.
func (c *Client) EmbeddingModel() string {
	if c == nil {
		return ""
	}
	return c.cfg.EmbeddingModel
}

// Redact masks secrets in s. Callers mask what they put in a prompt with it;
// Embed masks its inputs itself.
func (c *Client) Redact(s string) string {
	m, _ := c.red.Redact(s)
	return m
}

// Tokens is how many tokens the endpoint has reported spent since New, on
// chat completions and on embeddings.
func (c *Client) Tokens() (chat, embed int64) {
	if c == nil {
		return 0, 0
	}
	return c.chatTokens.Load(), c.embedTokens.Load()
}

// Chat asks for one chat completion with the configured timeout, retries
// included. Errors are koban.EUnavailable: no chat model, the endpoint
// unreachable or slow, an error status (HTTPStatus tells which), or no
// choice in the response.
func (c *Client) Chat(ctx context.Context, req llm.ChatRequest) (llm.ChatResponse, error) {
	if c == nil || c.cfg.Model == "" {
		return llm.ChatResponse{}, koban.Errorf(koban.EUnavailable, "no language model is configured")
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	oreq := openai.ChatCompletionRequest{Model: c.cfg.Model}
	for _, m := range req.Messages {
		oreq.Messages = append(oreq.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	if s := req.Schema; s != nil {
		oreq.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: s.Name, Schema: s.Schema, Strict: s.Strict},
		}
	}
	resp, err := c.client.CreateChatCompletion(ctx, oreq)
	if err != nil {
		return llm.ChatResponse{}, fmt.Errorf("chat completion: %w", mapError(ctx, err))
	}
	c.chatTokens.Add(int64(resp.Usage.TotalTokens))
	out := llm.ChatResponse{Model: resp.Model, Tokens: resp.Usage.TotalTokens}
	if len(resp.Choices) == 0 {
		return out, koban.Errorf(koban.EUnavailable, "chat completion: the model returned no choices")
	}
	out.Text = resp.Choices[0].Message.Content
	return out, nil
}

// maxEmbedChars bounds each input, well under the 8k-token input limit of
// common embedding models.
const maxEmbedChars = 6000

// Embed returns one embedding per text, in order, and the tokens spent.
// Texts are masked before they are sent. On an error part way, the
// embeddings of the batches done are returned with it. Errors are
// koban.EUnavailable when the endpoint cannot be used.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, int, error) {
	if c == nil || c.cfg.EmbeddingModel == "" {
		return nil, 0, koban.Errorf(koban.EUnavailable, "no embeddings model is configured")
	}
	out := make([][]float32, 0, len(texts))
	tokens := 0
	for start := 0; start < len(texts); start += llm.MaxEmbedBatch {
		batch := texts[start:min(start+llm.MaxEmbedBatch, len(texts))]
		in := make([]string, len(batch))
		for i, t := range batch {
			in[i] = c.Redact(llm.Clip(t, maxEmbedChars))
			if strings.TrimSpace(in[i]) == "" {
				in[i] = "-" // some servers reject empty inputs
			}
		}
		vecs, n, err := c.embedBatch(ctx, in)
		if err != nil {
			return out, tokens, err
		}
		out = append(out, vecs...)
		tokens += n
	}
	return out, tokens, nil
}

func (c *Client) embedBatch(ctx context.Context, in []string) ([][]float32, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input:          in,
		Model:          openai.EmbeddingModel(c.cfg.EmbeddingModel),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("embeddings: %w", mapError(ctx, err))
	}
	c.embedTokens.Add(int64(resp.Usage.TotalTokens))
	if len(resp.Data) != len(in) {
		return nil, 0, koban.Errorf(koban.EUnavailable, "embeddings: sent %d inputs, got %d embeddings", len(in), len(resp.Data))
	}
	vecs := make([][]float32, len(in))
	dim := -1
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(in) || vecs[d.Index] != nil {
			return nil, 0, koban.Errorf(koban.EUnavailable, "embeddings: bad index %d in the response", d.Index)
		}
		if len(d.Embedding) == 0 || dim >= 0 && len(d.Embedding) != dim {
			return nil, 0, koban.Errorf(koban.EUnavailable, "embeddings: inconsistent dimensions in the response")
		}
		dim = len(d.Embedding)
		vecs[d.Index] = d.Embedding
	}
	return vecs, resp.Usage.TotalTokens, nil
}
