package token

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/oauth2"
)

// LogFields is what the token endpoint (token, revoke, introspect) tells a
// server's access log about a request it answered.
type LogFields struct {
	// ClientID is the client the request authenticated as, or the client
	// a refused request's id named when the endpoint found it; "" when no
	// client was found. A presented id that names no client is never set:
	// it may be a secret sent in the wrong place.
	ClientID string
	// Reason is why the request was refused: the OAuth error code
	// ("invalid_client", "invalid_scope", "unauthorized_client",
	// "invalid_dpop_proof", ...), or one of ReasonLockedOut and
	// ReasonQuotaExceeded, which the client sees as invalid_client and
	// invalid_request; "" means the request succeeded.
	Reason string
	// Detail is the error's description as the endpoint's log shows it
	// (client input given by its length), without its cause.
	Detail string
}

// Reasons of LogFields beyond the OAuth error codes.
const (
	// ReasonLockedOut: the client id is locked out after repeated failed
	// authentications (the client sees invalid_client).
	ReasonLockedOut = "locked_out"
	// ReasonQuotaExceeded: the client's hourly or daily token quota is
	// used up (the client sees invalid_request, 429). It is not the
	// gateway's quota_exceeded (a usage plan's quota of API calls).
	ReasonQuotaExceeded = "token_quota_exceeded"
)

// LogFieldsRecorder is implemented by the ResponseWriter of a server
// middleware that logs requests, as gateway.LogFieldsRecorder is: the
// endpoint finds it on the writer it is given, or on one it unwraps to,
// and fills in the fields before it returns.
type LogFieldsRecorder interface {
	TokenLogFields() *LogFields
}

// logFieldsOf returns the LogFields of w, or nil.
func logFieldsOf(w http.ResponseWriter) *LogFields {
	for {
		switch x := w.(type) {
		case LogFieldsRecorder:
			return x.TokenLogFields()
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// logClient tells the access log the client a request authenticated as.
func logClient(w http.ResponseWriter, id string) {
	if f := logFieldsOf(w); f != nil {
		f.ClientID = id
	}
}

// logRefusal tells the access log why a request was refused and, when
// the endpoint found it, its client.
func logRefusal(w http.ResponseWriter, client clientRef, err error) {
	f := logFieldsOf(w)
	if f == nil {
		return
	}
	if id := string(client); hasClientIDShape(id) {
		f.ClientID = id
	}
	var oe *oauth2.Error
	if !errors.As(err, &oe) {
		f.Reason, f.Detail = oauth2.CodeServerError, "internal error"
		return
	}
	f.Reason, f.Detail = oe.Code, logDescription(oe)
	switch {
	case errors.Is(err, errLockedOut):
		f.Reason, f.Detail = ReasonLockedOut, errLockedOut.Error()
	case err == errQuotaHour || err == errQuotaDay: //nolint:errorlint // the answers themselves, never wrapped
		f.Reason = ReasonQuotaExceeded
	}
}

// logDescription is e's description as the log shows it: Error without
// the code and the cause.
func logDescription(e *oauth2.Error) string {
	s := strings.TrimPrefix(e.Error(), e.Code)
	if c := e.Unwrap(); c != nil {
		s = strings.TrimSuffix(s, ": "+c.Error())
	}
	return strings.TrimPrefix(s, ": ")
}
