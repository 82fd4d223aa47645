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
// the caller.
type Error struct {
	Kind ErrorKind
	// Message is the text for the caller: it names what went wrong in the
	// domain's terms and never shows the store, a secret or the cause.
	Message string
	// Cause, if set, is what led to the error (a database's constraint
	// violation, say), for logs only: Error leaves it out, so that every
	// adapter that prints an error shows the message alone, and Unwrap
	// hands it to errors.Is, errors.As and whatever logs the chain.
	Cause error
}

// Error returns the message alone, never the cause (see Cause).
func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause, for logs and for errors.Is and errors.As.
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

// ErrLimitExceeded is the cause of a KindConflict error refusing a write
// that would exceed one of Cognito's quotas (MaxClientsPerPool,
// MaxResourceServersPerPool, MaxClientSecrets), so that adapters can tell
// a quota from a duplicate: errors.Is(err, ErrLimitExceeded).
var ErrLimitExceeded = errors.New("limit exceeded")

// ErrLastSecret is the cause of a refusal to delete a client's only
// secret: Cognito's DeleteUserPoolClientSecret reference says "You cannot
// delete the last remaining secret for an app client". The store checks it
// in the deleting transaction, so that two deletes at once cannot leave a
// client with none.
var ErrLastSecret = errors.New("the client's only secret")

// ErrPoolHasDomain is the cause of a refusal to delete, by hand, a pool
// that still has a domain: as on Cognito, the domain is deleted first. The
// store checks it in the deleting transaction, so that a domain created
// meanwhile is not deleted with the pool behind its creator's back.
var ErrPoolHasDomain = errors.New("pool has a domain")

// LimitErrorf returns an *Error of KindConflict caused by ErrLimitExceeded.
func LimitErrorf(format string, args ...any) *Error {
	e := Errorf(KindConflict, format, args...)
	e.Cause = ErrLimitExceeded
	return e
}

// IsLimit reports whether err refuses a write for a quota (ErrLimitExceeded).
func IsLimit(err error) bool { return errors.Is(err, ErrLimitExceeded) }

// IsNotFound reports whether err is of KindNotFound.
func IsNotFound(err error) bool { return err != nil && KindOf(err) == KindNotFound }
