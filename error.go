package koban

import (
	"errors"
	"fmt"

	"github.com/kobanhq/koban/internal/i18n"
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
	// ID names the message of koban's catalogue (internal/i18n) that
	// says Message in every language, filled from Data; "" when the
	// message is English only.
	ID   string
	Data map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Say returns an *Error whose message is message id of koban's catalogue,
// filled from data: English in Message, the reader's language where it is
// shown (see ErrorText).
func Say(code, id string, data map[string]any) *Error {
	return &Error{Code: code, Message: i18n.T(i18n.English, id, data), ID: id, Data: data}
}

// ErrorText is ErrorMessage in lang: a catalogue message in that language
// when the *Error names one.
func ErrorText(lang string, err error) string {
	if err == nil {
		return ""
	}
	e := asError(err)
	if e.ID == "" {
		return e.Message
	}
	return i18n.T(lang, e.ID, e.Data)
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
	return Say(EInternal, "error.internal", nil)
}
