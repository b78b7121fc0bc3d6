package llm

import (
	"errors"

	"github.com/kobanhq/koban"
)

// HTTPStatus is the HTTP status of the response err comes from, or 0 when
// there was none (a timeout, no connection) or err is not from this package.
func HTTPStatus(err error) int {
	var e *statusError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// StatusError returns a user-safe error for the log and for people: safe
// says what happened, cause (when it carries no response body, which may
// echo the prompt) says why, and status is the HTTP status the endpoint
// answered, 0 when there was none. HTTPStatus reads it back.
func StatusError(safe *koban.Error, cause error, status int) error {
	return &statusError{safe, cause, status}
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
