package gateway

import "net/http"

// LogFields is what the gateway tells a server's access log about a
// request it answered. The strings are the declaration's own (never built
// per request), "" for what the request did not reach.
type LogFields struct {
	// RequestID is the x-amzn-RequestId the answer went out with.
	RequestID string
	API       string // the API's id
	Stage     string // the stage's name
	// Route is the declared method and resource path, like
	// "GET /items/{id}" or "ANY /{proxy+}".
	Route string
	// ClientID is the client_id of the token the authorizer allowed.
	ClientID string
}

// LogFieldsRecorder is implemented by the ResponseWriter of a server
// middleware that logs requests. The gateway finds it on the writer it is
// given (or on one it unwraps to, through Unwrap() http.ResponseWriter, as
// http.ResponseController does) and fills in the fields before ServeHTTP
// returns. Carrying them on the writer the middleware allocates anyway
// costs the request nothing more: no context value, no allocation.
type LogFieldsRecorder interface {
	GatewayLogFields() *LogFields
}

// logFields returns the LogFields of w, or nil.
func logFields(w http.ResponseWriter) *LogFields {
	for {
		switch x := w.(type) {
		case LogFieldsRecorder:
			return x.GatewayLogFields()
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}
