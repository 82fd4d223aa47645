package oauth2

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// ContentTypeJSON is the media type of every JSON body an OAuth endpoint
// writes, spelled as Cognito spells it. It is application/json (RFC 6749
// §5.1, RFC 7662 §2.2) with the charset made explicit.
const ContentTypeJSON = "application/json;charset=UTF-8"

// MaxDescriptionLen caps error_description, which may quote client input.
const MaxDescriptionLen = 256

// SetResponseHeaders sets the headers every OAuth endpoint response carries,
// success or error. RFC 6749 §5.1 requires Cache-Control: no-store and
// Pragma: no-cache on any response that holds a token or credentials; the
// rest are the security headers Cognito's endpoints send. HSTS is sent only
// on a request that arrived over TLS (RFC 6797 §7.2: a host must not send
// it over plain HTTP); a server behind a TLS-terminating proxy adds it itself.
func SetResponseHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if r != nil && r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000 ; includeSubDomains")
	}
}

// WriteJSON writes v as a JSON body with the given status and ContentTypeJSON.
// It sets SetResponseHeaders and a request id if the caller has not. The
// encoding of v must not fail (it is one of our own response structs); if it
// does, a 500 server_error is written instead.
func WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = serverErrorBody
	}
	writeBody(w, r, status, b)
}

var serverErrorBody = []byte(`{"error":"server_error","error_description":"internal error"}`)

func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	SetResponseHeaders(w, r)
	RequestID(w)
	h := w.Header()
	h.Set("Content-Type", ContentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// errorBody is the RFC 6749 §5.2 error response: error, then an optional
// error_description. error_uri is never sent.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// WriteError writes err as an RFC 6749 §5.2 JSON error response with the
// response headers and a request id. An *Error (found with errors.As) is
// written with its code, description, status and challenge; any other error
// becomes a 500 server_error with a generic description, so that nothing but
// an *Error's public part ever reaches the client. Headers the status needs
// beyond the challenge (Allow for a 405) are the caller's to set before the
// call. WriteError does not log:
// the caller logs err, whose cause only the log may see.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) || e.Code == "" {
		e = ServerError()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
		if e.Code == CodeServerError {
			status = http.StatusInternalServerError
		}
	}
	if e.Challenge != "" {
		w.Header().Set("WWW-Authenticate", e.Challenge)
	}
	b, mErr := json.Marshal(errorBody{Error: sanitizeCode(e.Code), Description: SanitizeDescription(e.Description)})
	if mErr != nil { // cannot happen with two strings; stay safe anyway
		b, status = serverErrorBody, http.StatusInternalServerError
	}
	writeBody(w, r, status, b)
}

// sanitizeCode keeps an error code within RFC 6749 §5.2's grammar for
// "error" (the same character set as error_description); our codes are
// constants, so this only guards against a mistake.
func sanitizeCode(code string) string {
	if s := SanitizeDescription(code); s != "" {
		return s
	}
	return CodeServerError
}

// SanitizeDescription returns s restricted to the characters RFC 6749 §5.2
// allows in error_description (%x20-21 / %x23-5B / %x5D-7E): others,
// including '"' and '\', become '?'. It truncates s to MaxDescriptionLen.
// RFC 6750 §3 challenges use the same set, which keeps them free of quoting
// problems.
func SanitizeDescription(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !descriptionChar(s[i]) {
			clean = false
			break
		}
	}
	if clean && len(s) <= MaxDescriptionLen {
		return s
	}
	var b strings.Builder
	for _, r := range s { // one '?' per rune, not per byte
		if b.Len() >= MaxDescriptionLen {
			break
		}
		if r < 0x80 && descriptionChar(byte(r)) { //nolint:gosec // r < 0x80 fits a byte
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

func descriptionChar(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
}
