package tollgate

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a domain error. Adapters map kinds to their wire
// shapes (HTTP status, CLI exit code); anything without a kind is internal.
type ErrorKind string

// Error kinds. Keep this list short: a kind exists only when some caller
// must act differently on it.
const (
	KindNotFound ErrorKind = "not_found" // the object does not exist
	KindConflict ErrorKind = "conflict"  // it exists already, or a limit is reached
	KindInvalid  ErrorKind = "invalid"   // the input is malformed or out of bounds
	KindReadOnly ErrorKind = "read_only" // the object is owned by a config file
	KindInternal ErrorKind = "internal"  // anything else: never shown in detail
)

// Error is a domain error with a kind and a message that is safe to show to
// the caller. Cause, if set, is for logs only.
type Error struct {
	Kind    ErrorKind
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an *Error of the given kind.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, or KindInternal when err carries none.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsNotFound reports whether err is of KindNotFound.
func IsNotFound(err error) bool { return err != nil && KindOf(err) == KindNotFound }
