package openai

import (
	"context"
	"errors"

	openai "github.com/sashabaranov/go-openai"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/llm"
)

// mapError turns what go-openai returns into a koban.EUnavailable error that
// says what happened without the response body (which may echo the prompt).
func mapError(ctx context.Context, err error) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return llm.StatusError(koban.Errorf(koban.EUnavailable, "the language model did not answer in time"), err, 0)
	case errors.As(err, &apiErr):
		return llm.StatusError(koban.Errorf(koban.EUnavailable, "the language model returned status %d: %s", apiErr.HTTPStatusCode, llm.Clip(apiErr.Message, 200)), nil, apiErr.HTTPStatusCode)
	case errors.As(err, &reqErr):
		return llm.StatusError(koban.Errorf(koban.EUnavailable, "the language model returned status %d", reqErr.HTTPStatusCode), nil, reqErr.HTTPStatusCode)
	}
	return llm.StatusError(koban.Errorf(koban.EUnavailable, "the language model cannot be reached"), err, 0)
}
