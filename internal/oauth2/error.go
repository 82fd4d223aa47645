package oauth2

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
)

// Error codes a client may see.
const (
	// RFC 6749 §5.2: token endpoint errors.
	CodeInvalidRequest       = "invalid_request"
	CodeInvalidClient        = "invalid_client"
	CodeInvalidGrant         = "invalid_grant"
	CodeUnauthorizedClient   = "unauthorized_client"
	CodeUnsupportedGrantType = "unsupported_grant_type"
	CodeInvalidScope         = "invalid_scope"

	// RFC 6749 §4.1.2.1, registered for every endpoint by RFC 6749 §11.4:
	// the server failed, or is overloaded.
	CodeServerError = "server_error"

	// RFC 6749 §4.1.2.1: authorization endpoint errors.
	CodeUnsupportedResponseType = "unsupported_response_type"

	// RFC 6750 §3.1: errors of requests to a protected resource.
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"

	// RFC 8707 §2: the requested resource is invalid, unknown, or not one
	// the client may have a token for.
	CodeInvalidTarget = "invalid_target"
	// RFC 9449 §5.2 (token endpoint) and §7.1 (resource): the DPoP proof is
	// missing or invalid.
	CodeInvalidDPoPProof = "invalid_dpop_proof"

	// RFC 6749 §4.1.2.1: the server cannot handle the request now.
	CodeTemporarilyUnavailable = "temporarily_unavailable"
)

// Error is an OAuth 2 error. Code, Description and Status are what the
// client sees; the cause (set with WithCause) is for the log only, so that a
// database message or the reason a secret did not match never reaches the
// wire. Errors are values: the With methods return modified copies, so a
// package-level *Error can be shared safely.
type Error struct {
	// Code is the "error" member, one of the Code constants.
	Code string
	// Description is the "error_description" member: human-readable text
	// for the client developer. RFC 6749 §5.2 limits it to printable ASCII
	// without '"' and '\'; WriteError replaces other characters, so a
	// description may quote client input safely. It must never contain a
	// secret or say whether a client exists.
	Description string
	// Status is the HTTP status code of the response.
	Status int
	// Challenge, when set, is sent as the WWW-Authenticate header: RFC 6749
	// §5.2 requires it, with status 401, when a client that authenticated
	// with the Authorization header fails authentication.
	Challenge string

	// logDescription, when set, is the description as the log shows it: the
	// description with every Input replaced by its length.
	logDescription string
	cause          error
}

// Input is client input quoted in an error description: an unsupported
// grant type, a malformed or refused scope. The client, who sent it, sees it
// in error_description; the log (Error, LogValue) sees only its length,
// because a client may put a secret in any parameter by mistake (swapped
// with client_id, pasted into scope) and a secret must never reach a log.
// Pass it as an argument of an error constructor's format.
type Input string

// redacted is what the log shows of an Input.
func (in Input) redacted() string { return "(" + strconv.Itoa(len(in)) + " bytes)" }

// Error returns the code, the description and, if any, the cause: it is the
// log's view of the error, never written to the client. Inputs quoted in
// the description are shown by their length only.
func (e *Error) Error() string {
	s := e.Code
	if d := e.logText(); d != "" {
		s += ": " + d
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Unwrap returns the cause, so that errors.Is and errors.As see through an
// OAuth 2 error to, say, a context cancellation.
func (e *Error) Unwrap() error { return e.cause }

// LogValue makes slog show the code, status, description and cause as a
// group, so that a handler can log the error it is about to write with
// slog.Any("err", err).
func (e *Error) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("code", e.Code),
		slog.Int("status", e.Status),
		slog.String("description", e.logText()),
	}
	if e.cause != nil {
		attrs = append(attrs, slog.String("cause", e.cause.Error()))
	}
	return slog.GroupValue(attrs...)
}

// logText is the description as logs show it.
func (e *Error) logText() string {
	if e.logDescription != "" {
		return e.logDescription
	}
	return e.Description
}

// WithCause returns a copy of e that carries cause for the log.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// WithStatus returns a copy of e answered with another HTTP status, such as
// 405 for an invalid_request made with the wrong method.
func (e *Error) WithStatus(status int) *Error {
	c := *e
	c.Status = status
	return &c
}

// WithChallenge returns a copy of e answered with status 401 and the given
// WWW-Authenticate value, as RFC 6749 §5.2 requires for invalid_client when
// the client used HTTP authentication, and RFC 6750 §3 for invalid_token.
func (e *Error) WithChallenge(challenge string) *Error {
	c := *e
	c.Status = http.StatusUnauthorized
	c.Challenge = challenge
	return &c
}

func newError(code string, status int, format string, args []any) *Error {
	e := &Error{Code: code, Description: format, Status: status}
	if len(args) == 0 {
		return e
	}
	e.Description = fmt.Sprintf(format, args...)
	var logArgs []any
	for i, a := range args {
		if in, ok := a.(Input); ok {
			if logArgs == nil {
				logArgs = slices.Clone(args)
			}
			logArgs[i] = in.redacted()
		}
	}
	if logArgs != nil {
		e.logDescription = fmt.Sprintf(format, logArgs...)
	}
	return e
}

// InvalidRequest is RFC 6749 §5.2 invalid_request: a parameter is missing,
// unsupported, repeated or malformed, or the request is otherwise malformed.
func InvalidRequest(format string, args ...any) *Error {
	return newError(CodeInvalidRequest, http.StatusBadRequest, format, args)
}

// InvalidClient is RFC 6749 §5.2 invalid_client: client authentication
// failed. It is a 400; use WithChallenge when the client tried HTTP Basic.
func InvalidClient(format string, args ...any) *Error {
	return newError(CodeInvalidClient, http.StatusBadRequest, format, args)
}

// InvalidGrant is RFC 6749 §5.2 invalid_grant: the grant (code, refresh
// token, credentials) is invalid, expired or revoked.
func InvalidGrant(format string, args ...any) *Error {
	return newError(CodeInvalidGrant, http.StatusBadRequest, format, args)
}

// UnauthorizedClient is RFC 6749 §5.2 unauthorized_client: the client is
// authenticated but may not use this grant type (RFC 7009 §2.1 reuses it
// for revoking another client's token).
func UnauthorizedClient(format string, args ...any) *Error {
	return newError(CodeUnauthorizedClient, http.StatusBadRequest, format, args)
}

// UnsupportedGrantType is RFC 6749 §5.2 unsupported_grant_type: the server
// does not support the grant type at all.
func UnsupportedGrantType(format string, args ...any) *Error {
	return newError(CodeUnsupportedGrantType, http.StatusBadRequest, format, args)
}

// InvalidScope is RFC 6749 §5.2 invalid_scope: the requested scope is
// malformed, unknown, or exceeds what the client may have.
func InvalidScope(format string, args ...any) *Error {
	return newError(CodeInvalidScope, http.StatusBadRequest, format, args)
}

// UnsupportedResponseType is RFC 6749 §4.1.2.1 unsupported_response_type:
// the authorization server does not support obtaining a token or a code by
// this response type.
func UnsupportedResponseType(format string, args ...any) *Error {
	return newError(CodeUnsupportedResponseType, http.StatusBadRequest, format, args)
}

// ServerError is server_error (RFC 6749 §4.1.2.1): the server failed. Its
// description is fixed and generic; say what went wrong with WithCause.
func ServerError() *Error {
	return &Error{Code: CodeServerError, Description: "internal error", Status: http.StatusInternalServerError}
}

// InvalidToken is RFC 6750 §3.1 invalid_token, a 401: the access token is
// expired, revoked, malformed or otherwise invalid. Send it with a
// BearerChallenge.
func InvalidToken(format string, args ...any) *Error {
	return newError(CodeInvalidToken, http.StatusUnauthorized, format, args)
}

// InvalidTarget is RFC 8707 §2 invalid_target, a 400: the resource
// parameter is not an absolute URI without fragment, or names a resource
// the client may not have a token for.
func InvalidTarget(format string, args ...any) *Error {
	return newError(CodeInvalidTarget, http.StatusBadRequest, format, args)
}

// InvalidDPoPProof is RFC 9449 §5.2 invalid_dpop_proof, a 400 at the token
// endpoint: the DPoP proof is missing where required, or invalid.
func InvalidDPoPProof(format string, args ...any) *Error {
	return newError(CodeInvalidDPoPProof, http.StatusBadRequest, format, args)
}

// TemporarilyUnavailable is RFC 6749 §4.1.2.1 temporarily_unavailable with
// 503: a service the answer depends on cannot answer now.
func TemporarilyUnavailable(format string, args ...any) *Error {
	return newError(CodeTemporarilyUnavailable, http.StatusServiceUnavailable, format, args)
}

// InsufficientScope is RFC 6750 §3.1 insufficient_scope, a 403: the token
// lacks a scope the resource requires.
func InsufficientScope(format string, args ...any) *Error {
	return newError(CodeInsufficientScope, http.StatusForbidden, format, args)
}
