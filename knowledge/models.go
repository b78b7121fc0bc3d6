package knowledge

import (
	"context"

	"github.com/kobanhq/koban/llm"
)

// ChatModel is the language model that writes grounded answers.
// The client in llm/openai satisfies it; a nil client, or one without a
// chat model (Model returns ""), means there is none.
type ChatModel interface {
	// Chat returns the model's reply. Errors are koban.EUnavailable.
	Chat(ctx context.Context, req llm.ChatRequest) (llm.ChatResponse, error)
	// Redact masks secrets in text that goes into a prompt.
	Redact(text string) string
	// Model names the chat model, or is "" when there is none.
	Model() string
}

// Embedder embeds text for hybrid retrieval. The client in llm/openai
// satisfies it.
type Embedder interface {
	// Embed returns one vector per text, in order, and the tokens spent; on
	// an error part way, the vectors of the texts done. Errors are
	// koban.EUnavailable.
	Embed(ctx context.Context, texts []string) ([][]float32, int, error)
	// EmbeddingModel names the model, or is "" when there is none: the
	// cache of embeddings is kept per model.
	EmbeddingModel() string
}
