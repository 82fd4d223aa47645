package proxy

import "net/http"

// ErrorKind says why a request could not be proxied. The proxy writes no
// error bodies: it hands the kind to Options.ErrorHandler, and the gateway
// answers in API Gateway's shape.
type ErrorKind int

// Error kinds.
const (
	// ErrUpstream: the upstream could not be reached (refused, unreachable,
	// reset), answered with something that is not HTTP, or the route is
	// misconfigured (a placeholder without a path parameter). The gateway
	// answers 502 {"message": "Internal server error"}.
	ErrUpstream ErrorKind = iota + 1
	// ErrTimeout: the integration's timeout ran out before the upstream's
	// response headers arrived. The gateway answers 504
	// {"message": "Endpoint request timed out"}.
	ErrTimeout
	// ErrTooLarge: the request body went over the limit the caller set with
	// http.MaxBytesReader while it was being sent upstream. The gateway
	// answers 413.
	ErrTooLarge
	// ErrBadPath: a path parameter holds a "." or ".." segment (also
	// spelt %2e), which the proxy refuses to forward: resolved, it could
	// reach an upstream path that another route guards. Only crafted
	// requests have them, as clients resolve dot segments before sending.
	// The gateway answers 403 {"message":"Missing Authentication Token"},
	// as for a path no route serves.
	ErrBadPath
)

// String returns the kind's name, for logs.
func (k ErrorKind) String() string {
	switch k {
	case ErrUpstream:
		return "upstream"
	case ErrTimeout:
		return "timeout"
	case ErrTooLarge:
		return "too_large"
	case ErrBadPath:
		return "bad_path"
	}
	return "unknown"
}

// Status returns the HTTP status API Gateway answers with for the kind.
func (k ErrorKind) Status() int {
	switch k {
	case ErrTimeout:
		return http.StatusGatewayTimeout
	case ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	case ErrBadPath:
		return http.StatusForbidden
	}
	return http.StatusBadGateway
}
