// Package llm holds what koban's features share about language models:
// the chat request and response, the prompt helpers that fence a question
// off from instructions, the limits of one embeddings call, the on-disk
// cache of embeddings, and the error that says which HTTP status an endpoint
// answered. knowledge (grounded answers, hybrid retrieval) and triage (the
// classifier's prompt) depend on this package and on small interfaces of
// their own, never on a client.
//
// The client of OpenAI-compatible endpoints is llm/openai, the only package
// that imports go-openai: cmd/koban builds it and hands it to the features,
// so that nothing else in koban links the OpenAI SDK.
package llm

import "encoding/json"

// Roles of chat messages.
const (
	RoleSystem = "system"
	RoleUser   = "user"
)

// Message is one message of a chat.
type Message struct {
	Role    string // RoleSystem or RoleUser
	Content string
}

// Schema asks for JSON output that conforms to a JSON schema (OpenAI's
// structured outputs).
type Schema struct {
	Name   string
	Schema json.RawMessage
	Strict bool
}

// ChatRequest is one chat completion to ask for.
type ChatRequest struct {
	Messages []Message
	// Schema, when set, asks for JSON that conforms to it. Endpoints that do
	// not know structured outputs answer 400: see HTTPStatus.
	Schema *Schema
}

// ChatResponse is what the model answered.
type ChatResponse struct {
	Text   string // the first choice's content
	Model  string // the model that answered, as the endpoint names it
	Tokens int    // prompt and completion tokens spent
}

// MaxEmbedBatch is how many inputs go into one embeddings request: OpenAI
// takes up to 2048, but smaller servers (Ollama, vLLM) slow down or reject
// large batches.
const MaxEmbedBatch = 64

// EmbedBatch is a good number of texts to give an embedder at once: a few
// requests' worth, so that a caller that stores the embeddings between calls
// keeps most of its work when one call fails.
const EmbedBatch = 4 * MaxEmbedBatch
