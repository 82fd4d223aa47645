package cognitoapi

import (
	"context"
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/sigv4"
	"github.com/tollgate/tollgate/internal/vault"
)

// Secrets returns the SigV4 secret lookup over the store's access keys
// (domain.Service.AccessKeySecret). It reads the store on every call, so a
// deleted key stops working at once.
func Secrets(st tollgate.Store, v *vault.Vault) sigv4.SecretFunc {
	svc := domain.New(st, v, nil)
	return func(ctx context.Context, id string) (string, error) {
		if !tollgate.AccessKeyIDPattern.MatchString(id) {
			return "", sigv4.ErrUnknownKey
		}
		secret, err := svc.AccessKeySecret(ctx, id)
		if tollgate.IsNotFound(err) {
			return "", sigv4.ErrUnknownKey
		}
		return secret, err
	}
}

// ActionAuthenticate is the audited action of a call refused for its
// signature.
const ActionAuthenticate = "access_key.authenticate"

// SignatureRefused records on sink a call to endpoint (the SigV4 service:
// "cognito-idp", "lambda") that se refused: AWS's error code as the
// reason, the remote address, and the access key id only when it names a
// key of the store (anything else may be a secret pasted in its place).
func SignatureRefused(sink *audit.Sink, st tollgate.Store, r *http.Request, endpoint, requestID string, se *sigv4.Error) {
	if sink == nil {
		return
	}
	ev := audit.Event{Action: ActionAuthenticate, Outcome: audit.Denied, Actor: audit.Anonymous, RequestID: requestID,
		Reason: se.Code, Endpoint: endpoint, RemoteAddr: r.RemoteAddr}
	ev.AccessKeyID = knownKey(r, st, se)
	sink.Emit(ev)
}

// knownKey returns the access key id of a refused request when it names a
// key of the store, else "". A key the verifier did not recognize is not
// looked up again.
func knownKey(r *http.Request, st tollgate.Store, se *sigv4.Error) string {
	values := r.Header.Values("Authorization")
	if se.Code == sigv4.CodeUnrecognized || len(values) != 1 {
		return ""
	}
	auth, err := sigv4.ParseAuthorization(values[0])
	if err != nil || !tollgate.AccessKeyIDPattern.MatchString(auth.AccessKeyID) {
		return ""
	}
	if _, err := st.GetAccessKey(r.Context(), auth.AccessKeyID); err != nil {
		return ""
	}
	return auth.AccessKeyID
}
