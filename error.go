package koban

import (
	"errors"
	"fmt"
)

// Error codes a user or operator can act on.
const (
	EInvalid     = "invalid"     // bad input: say what to change
	ENotFound    = "not_found"   // no such inquiry, page, rotation...
	EConflict    = "conflict"    // the change clashes with the current state
	EForbidden   = "forbidden"   // the user may not do this (not the asker, a responder or an admin)
	EUnavailable = "unavailable" // a dependency (database, Slack, LLM, index) is down; try again later
	EInternal    = "internal"    // a bug; the message is generic
)

// Error is an error whose Message is safe to show to a Slack or web user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain,
// EInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	return asError(err).Code
}

// ErrorMessage returns the user-safe message of the first *Error in err's
// chain, or a generic message for anything else (whose details belong in the
// log, not in Slack).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	return asError(err).Message
}

// asError returns the first *Error in err's chain, or for any other error
// an internal one with a generic message.
func asError(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Code: EInternal, Message: "Something went wrong on koban's side. The platform team can find the details in koban's log."}
}
