package token

import (
	"errors"
	"net/http"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// ActionAuthenticate is the audited action of a failed client
// authentication.
const ActionAuthenticate = "client.authenticate"

// Reasons of a failed client authentication, as the audit log shows them.
const (
	reasonUnknownClient  = "unknown_client"
	reasonNoClientSecret = "client_without_secret"
	reasonWrongSecret    = "wrong_secret"
	reasonOtherPool      = "other_pool"
	reasonSecretMissing  = "secret_missing"
	reasonMalformedBasic = "malformed_credentials"
	reasonNoCredentials  = "credentials_missing"
	reasonInvalidClient  = "invalid_client"
	reasonWrongMethod    = "wrong_method"
	reasonBadAssertion   = "invalid_assertion"
	reasonReplayed       = "replayed_assertion"
	reasonBadCertificate = "invalid_certificate"
)

// auditRefusal records a failed client authentication (oe, an
// invalid_client) at endpoint: the client id only when it names a client
// the endpoint found (client, as the log shows it: a marker otherwise),
// the reason's class, the remote address and the request id. Nothing the
// request carried is recorded as sent. It runs on refusals only, and
// Emit does not block.
func (e *Endpoint) auditRefusal(w http.ResponseWriter, r *http.Request, endpoint string, client clientRef, oe *oauth2.Error) {
	if e.opts.Audit == nil {
		return
	}
	ev := audit.Event{Time: e.now(), Action: ActionAuthenticate, Outcome: audit.Denied, Actor: audit.Anonymous,
		RequestID: oauth2.RequestID(w), Reason: authReason(oe), Endpoint: endpoint, RemoteAddr: r.RemoteAddr}
	if client != "" && client[0] != '(' { // not a marker: a client found
		ev.ClientID = string(client)
	}
	e.opts.Audit.Emit(ev)
}

// authReason classifies an invalid_client answer by its cause, or by
// which of the fixed answers it is.
func authReason(oe *oauth2.Error) string {
	var other *otherPoolError
	switch {
	case errors.Is(oe, errLockedOut):
		return reasonLockedOut
	case errors.Is(oe, errUnknownClient):
		return reasonUnknownClient
	case errors.Is(oe, errPublicClient):
		return reasonNoClientSecret
	case errors.Is(oe, errWrongSecret):
		return reasonWrongSecret
	case errors.As(oe, &other):
		return reasonOtherPool
	case errors.Is(oe, errWrongMethod):
		return reasonWrongMethod
	case errors.Is(oe, errNoMatchingKey), errors.Is(oe, errAssertionAudience):
		return reasonBadAssertion
	case errors.Is(oe, errAssertionReplayed):
		return reasonReplayed
	case errors.As(oe, new(*certError)), errors.Is(oe, errPoolWithoutMTLS), errors.Is(oe, errNoClientCAs):
		return reasonBadCertificate
	case oe.Description == errNoSecret.Description:
		return reasonSecretMissing
	case oe.Description == errMalformedBasic.Description:
		return reasonMalformedBasic
	case oe.Description == errNoClientAuth.Description:
		return reasonNoCredentials
	}
	return reasonInvalidClient
}
