package llm

import (
	"context"
	"errors"

	openai "github.com/sashabaranov/go-openai"

	"github.com/kobanhq/koban"
)

// mapError turns what go-openai returns into a koban.EUnavailable error that
// says what happened without the response body (which may echo the prompt).
func mapError(ctx context.Context, err error) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return &statusError{koban.Errorf(koban.EUnavailable, "the language model did not answer in time"), err, 0}
	case errors.As(err, &apiErr):
		return &statusError{koban.Errorf(koban.EUnavailable, "the language model returned status %d: %s", apiErr.HTTPStatusCode, Clip(apiErr.Message, 200)), nil, apiErr.HTTPStatusCode}
	case errors.As(err, &reqErr):
		return &statusError{koban.Errorf(koban.EUnavailable, "the language model returned status %d", reqErr.HTTPStatusCode), nil, reqErr.HTTPStatusCode}
	}
	return &statusError{koban.Errorf(koban.EUnavailable, "the language model cannot be reached"), err, 0}
}

// HTTPStatus is the HTTP status of the response err comes from, or 0 when
// there was none (a timeout, no connection) or err is not from this package.
func HTTPStatus(err error) int {
	var e *statusError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// statusError is a user-safe error with, for the log, the cause when it
// carries no response body.
type statusError struct {
	safe   *koban.Error
	cause  error
	status int
}

func (e *statusError) Error() string {
	if e.cause != nil {
		return e.safe.Message + ": " + e.cause.Error()
	}
	return e.safe.Message
}

func (e *statusError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.safe, e.cause}
	}
	return []error{e.safe}
}
