package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/redact"
)

// LLMConfig points koban at an OpenAI-compatible endpoint: OpenAI, Azure
// OpenAI, Ollama, vLLM or LiteLLM. With neither Model nor EmbeddingModel set,
// there is no LLM and koban answers extractively.
type LLMConfig struct {
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
	// MaxAnswerChars bounds an answer's text (default 2500: a Slack section
	// block holds 3000 characters).
	MaxAnswerChars int
	// Azure selects Azure OpenAI's URL layout and api-key header.
	Azure bool
	// APIVersion is the Azure OpenAI API version (default go-openai's).
	APIVersion string
	// MaxTries bounds the attempts of one request on 429 and 5xx responses
	// (default 3).
	MaxTries int
}

// Defaults of LLMConfig.
const (
	DefaultLLMTimeout     = 30 * time.Second
	DefaultMaxAnswerChars = 2500
	DefaultLLMTries       = 3
)

// LLM is a client of an OpenAI-compatible endpoint. A nil *LLM is valid and
// means "no LLM configured": its users then keep to extractive answers, BM25
// retrieval and triage without the LLM signal. It is safe for concurrent use.
type LLM struct {
	cfg    LLMConfig
	client *openai.Client
	red    *redact.Redactor
	log    *slog.Logger
	retry  *retryDoer
}

// NewLLM returns a client for cfg, or nil (and no error) when cfg names no
// model. Text is masked with red before it is sent; a nil red builds the
// default redactor.
func NewLLM(cfg LLMConfig, red *redact.Redactor, log *slog.Logger) (*LLM, error) {
	if cfg.Model == "" && cfg.EmbeddingModel == "" {
		return nil, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout < 0 || cfg.MaxAnswerChars < 0 || cfg.MaxTries < 0 {
		return nil, koban.Errorf(koban.EInvalid, "llm timeout, max answer chars and max tries must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultLLMTimeout
	}
	if cfg.MaxAnswerChars == 0 {
		cfg.MaxAnswerChars = DefaultMaxAnswerChars
	}
	if cfg.MaxTries == 0 {
		cfg.MaxTries = DefaultLLMTries
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
	rd := &retryDoer{next: &http.Client{}, tries: cfg.MaxTries, base: 500 * time.Millisecond, max: 20 * time.Second, sleep: sleepCtx, log: log}
	oc.HTTPClient = rd
	return &LLM{cfg: cfg, client: openai.NewClientWithConfig(oc), red: red, log: log, retry: rd}, nil
}

// Model is the chat model, or "" when there is none.
func (l *LLM) Model() string {
	if l == nil {
		return ""
	}
	return l.cfg.Model
}

// EmbeddingModel is the embeddings model, or "" when there is none.
func (l *LLM) EmbeddingModel() string {
	if l == nil {
		return ""
	}
	return l.cfg.EmbeddingModel
}

// redact masks secrets in s.
func (l *LLM) redact(s string) string {
	m, _ := l.red.Redact(s)
	return m
}

// chat sends one chat completion with the configured timeout. It fails on
// an empty choice list, so callers need only read Choices[0].
func (l *LLM) chat(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	req.Model = l.cfg.Model
	resp, err := l.client.CreateChatCompletion(ctx, req)
	if err != nil {
		return resp, fmt.Errorf("chat completion: %w", llmError(ctx, err))
	}
	if len(resp.Choices) == 0 {
		return resp, koban.Errorf(koban.EUnavailable, "chat completion: the model returned no choices")
	}
	return resp, nil
}

// maxEmbedBatch is how many inputs go into one embeddings request: OpenAI
// takes up to 2048, but smaller servers (Ollama, vLLM) slow down or reject
// large batches.
const maxEmbedBatch = 64

// maxEmbedChars bounds each input, well under the 8k-token input limit of
// common embedding models.
const maxEmbedChars = 6000

// Embed returns one embedding per text, in order, and the tokens spent.
// Texts are masked before they are sent. Errors are koban.EUnavailable when
// the endpoint cannot be used.
func (l *LLM) Embed(ctx context.Context, texts []string) ([][]float32, int, error) {
	if l == nil || l.cfg.EmbeddingModel == "" {
		return nil, 0, koban.Errorf(koban.EUnavailable, "no embeddings model is configured")
	}
	out := make([][]float32, 0, len(texts))
	tokens := 0
	for start := 0; start < len(texts); start += maxEmbedBatch {
		batch := texts[start:min(start+maxEmbedBatch, len(texts))]
		in := make([]string, len(batch))
		for i, t := range batch {
			in[i] = l.redact(truncate(t, maxEmbedChars))
			if strings.TrimSpace(in[i]) == "" {
				in[i] = "-" // some servers reject empty inputs
			}
		}
		vecs, n, err := l.embedBatch(ctx, in)
		if err != nil {
			return out, tokens, err
		}
		out = append(out, vecs...)
		tokens += n
	}
	return out, tokens, nil
}

func (l *LLM) embedBatch(ctx context.Context, in []string) ([][]float32, int, error) {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	resp, err := l.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input:          in,
		Model:          openai.EmbeddingModel(l.cfg.EmbeddingModel),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("embeddings: %w", llmError(ctx, err))
	}
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

// llmError turns what go-openai returns into a koban.EUnavailable error that
// says what happened without the response body (which may echo the prompt).
func llmError(ctx context.Context, err error) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return &llmErr{koban.Errorf(koban.EUnavailable, "the language model did not answer in time"), err}
	case errors.As(err, &apiErr):
		msg := apiErr.Message
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return &llmErr{koban.Errorf(koban.EUnavailable, "the language model returned status %d: %s", apiErr.HTTPStatusCode, msg), nil}
	case errors.As(err, &reqErr):
		return &llmErr{koban.Errorf(koban.EUnavailable, "the language model returned status %d", reqErr.HTTPStatusCode), nil}
	}
	return &llmErr{koban.Errorf(koban.EUnavailable, "the language model cannot be reached"), err}
}

// llmErr is a user-safe error with, for the log, the cause when it carries
// no response body.
type llmErr struct {
	safe  *koban.Error
	cause error
}

func (e *llmErr) Error() string {
	if e.cause != nil {
		return e.safe.Message + ": " + e.cause.Error()
	}
	return e.safe.Message
}

func (e *llmErr) Unwrap() []error {
	if e.cause != nil {
		return []error{e.safe, e.cause}
	}
	return []error{e.safe}
}

// retryDoer retries requests that got 429 or a 5xx response, or no response
// at all, up to tries attempts in all, waiting as Retry-After (or OpenAI's
// retry-after-ms) says or with exponential backoff. It gives up early when the
// wait would outlast max or the request's deadline: a late answer is worth
// less than the extractive one.
type retryDoer struct {
	next  openai.HTTPDoer
	tries int
	base  time.Duration
	max   time.Duration
	sleep func(ctx context.Context, d time.Duration) error
	log   *slog.Logger
}

func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for try := 1; ; try++ {
		if try > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := d.next.Do(req)
		replayable := req.Body == nil || req.GetBody != nil
		if ctx.Err() != nil || try >= d.tries || !replayable || (err == nil && !retryable(resp.StatusCode)) {
			return resp, err
		}
		wait := d.base << (try - 1)
		wait += time.Duration(rand.Int64N(int64(wait)/5 + 1)) // jitter, so that replicas spread out
		status := 0
		if resp != nil {
			status = resp.StatusCode
			if ra, ok := retryAfter(resp.Header, time.Now()); ok {
				wait = ra
			}
		}
		if wait > d.max {
			return resp, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		d.log.Warn("llm request retried", "path", req.URL.Path, "status", status, "try", try, "wait", wait)
		if err := d.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads how long the server asks to wait: retry-after-ms
// (OpenAI, Azure), or Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Mentions that would notify people. Answers quote docs and model output,
// and neither may ping a channel or a person: docs can be edited by many,
// and a model can be talked into anything.
var (
	// <!channel>, <!here|here>, <!everyone>, <!subteam^S123|@team>, and
	// user and bot mentions <@U123>, <@W123|name>.
	slackMention = regexp.MustCompile(`(?i)<\s*(?:!\s*(?:channel|here|everyone|group|subteam\^)|@\s*[UWB])[^>]*>`)
	// @channel, @here, @everyone as plain text, which Slack links when a
	// message is posted with link_names.
	plainMention = regexp.MustCompile(`(?i)[@＠]\s*(channel|here|everyone|group)\b`)
	// <!...> left over after partial matches, and unterminated openings.
	openMention = regexp.MustCompile(`(?i)<\s*[!@]`)
)

// Sanitize removes from text every construct that would notify people in
// Slack: broadcast mentions, user group mentions and user mentions, in Slack
// markup or as plain text. The words stay, without their power to ping.
func Sanitize(text string) string {
	for range 3 { // removal can join pieces into a new mention
		before := text
		text = slackMention.ReplaceAllString(text, "[mention removed]")
		text = plainMention.ReplaceAllString(text, "$1")
		text = openMention.ReplaceAllStringFunc(text, func(m string) string {
			return strings.NewReplacer("<", "‹", "!", "", "@", "").Replace(m)
		})
		if text == before {
			break
		}
	}
	return text
}
