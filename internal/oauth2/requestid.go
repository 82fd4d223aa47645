package oauth2

import (
	"net/http"

	"github.com/google/uuid"
)

// RequestIDHeader is the response header by which Cognito's OAuth endpoints
// name a request, so that a client's bug report can be matched to our log.
const RequestIDHeader = "X-Amz-Cognito-Request-Id"

// RequestID returns the request id of the response being written to w,
// setting a fresh random UUID in RequestIDHeader if none is set yet. A
// server middleware that sets the header first (to log the same id) wins;
// handlers call RequestID to learn the id for their own log lines.
func RequestID(w http.ResponseWriter) string {
	h := w.Header()
	if id := h.Get(RequestIDHeader); id != "" {
		return id
	}
	id := uuid.NewString()
	h.Set(RequestIDHeader, id)
	return id
}
