package token

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/oauth2"
	"github.com/tollgate/tollgate/internal/vault"
)

// basicChallenge is sent with every 401 invalid_client: RFC 6749 §5.2 wants
// a challenge "matching the authentication scheme used by the client".
var basicChallenge = `Basic realm="` + Realm + `"`

// errAuthFailed is the one answer to a client whose credentials are wrong,
// whatever is wrong: unknown client, wrong secret, a client without a
// secret, or a client of another pool than the host's. One text, one
// status, so the answer does not reveal whether the client exists.
var errAuthFailed = oauth2.InvalidClient("client authentication failed")

// Answers to requests whose failure does not depend on any stored client,
// so that they may say more.
var (
	errNoClientAuth     = oauth2.InvalidClient("client authentication is required: send client_id and client_secret with HTTP Basic or in the request body")
	errNoSecret         = oauth2.InvalidClient("client authentication failed: client_secret is required")
	errMalformedBasic   = oauth2.InvalidClient("malformed Authorization header: expected Basic with the base64 of the urlencoded client_id, a colon and the urlencoded client_secret")
	errTwoMethods       = oauth2.InvalidRequest("the client authenticated with both HTTP Basic and client_secret in the body: use one method")
	errClientIDMismatch = oauth2.InvalidRequest("client_id in the body differs from the client_id of the Authorization header")
)

// authenticate authenticates the client of a request (RFC 6749 §2.3.1) and
// returns it, with the client id it presented as the log may show it
// (whatever the outcome). The client may use HTTP Basic
// (client_secret_basic) or client_id and client_secret in the body
// (client_secret_post), not both (RFC 6749 §2.3); client_id alone in the
// body beside Basic is allowed when it names the same client, as Cognito
// allows it.
//
// Errors are invalid_client: a 401 with a Basic challenge when the client
// tried HTTP Basic or sent no credentials at all (RFC 6749 §5.2), a 400 when
// it used the body, as Cognito answers. Using both methods, or two client
// ids, is invalid_request.
//
// Timing: an unknown client, a client without a secret and a wrong secret
// all cost one keyed hash of the presented secret and MaxClientSecrets
// constant-time comparisons (against a dummy hash where the client has
// none) per master key the vault holds, and, when Clients is a cache (Syncer), one sync and the same
// lookup and comparisons again; so the time taken does not tell whether the
// client exists. Every id of the client ids' shape costs one lock check
// first, and a locked id the same hash and lookup (limits.go); a failure
// of a real client is counted after the answer is written (fail).
//
// Clients beyond Cognito's (tollgate.ClientOAuth.AuthMethod) authenticate
// only their own way: with a JWT assertion (private_key_jwt,
// client_assertion.go) or a TLS client certificate (tls_client_auth and
// self_signed_tls_client_auth, client_tls.go). A secret presented for such
// a client gets the answer of a wrong secret (it has none), and a Cognito
// client presenting an assertion or a certificate instead of its secret
// gets the same answer. A request that presents a secret (HTTP Basic or
// client_secret) is authenticated with it, and client_assertion and
// client_assertion_type are then ignored, as any parameter the method does
// not define (RFC 6749 §3.2; Cognito ignores parameters it does not know):
// the assertion is read only from a request without a secret. Revoke and
// introspect authenticate the same way.
// The certificate a client authenticated with, which certificate-bound
// tokens are bound to, is Options.ClientCert's leaf.
func (e *Endpoint) authenticate(ctx context.Context, r *http.Request, f form) (*tollgate.Client, clientRef, error) {
	if assertionPresented(r, f) {
		return e.authenticateAssertion(ctx, r, f)
	}
	id, secret, basic, err := presentedCredentials(r, f)
	if err != nil {
		return nil, presentedID(id), err
	}
	fail := func(client *tollgate.Client, err *oauth2.Error) (*tollgate.Client, clientRef, error) {
		if basic {
			err = err.WithChallenge(basicChallenge)
		}
		if client != nil {
			return nil, foundID(id), err
		}
		return nil, presentedID(id), err
	}
	if secret == "" {
		if !basic {
			// client_id in the body and no secret: a mutual-TLS client
			// when the request came with a certificate (RFC 8705 §2).
			chain, err := e.clientChain(r)
			if err != nil {
				return nil, presentedID(id), err
			}
			if len(chain) > 0 {
				return e.authenticateTLS(ctx, r, id, chain)
			}
		}
		// Nothing to verify, and the answer does not depend on the client,
		// so it is not even looked up. Cognito's client_credentials
		// clients always have a secret (RFC 6749 §4.4: confidential
		// clients only).
		return fail(nil, errNoSecret)
	}

	// Checked for every id of the right shape, whether or not it names
	// a client; a locked id is refused below, after the same work as any
	// other, with the answer of a wrong secret (limits.go).
	lock, err := e.lockState(ctx, r, id)
	if err != nil {
		return nil, presentedID(id), err
	}

	// One keyed hash per master key: one, except while a rotation moves
	// the store to a new key and the hashes are under either (vault.New).
	var hashes [vault.MaxKeys][]byte
	presented := e.opts.Vault.AppendSecretHashes(hashes[:0], id, secret)
	client, ok, err := e.checkSynced(ctx, id, presented)
	if err != nil {
		return nil, presentedID(id), err
	}
	if lock.locked {
		return fail(client, errAuthFailed.WithCause(errLockedOut))
	}
	cause := authFailure(client, ok, lock)
	if cause == nil {
		return client, foundID(id), nil
	}
	if ok {
		// The right secret of another pool's client: refused, but it
		// guessed nothing, so it is not counted (limits.go).
		return fail(client, errAuthFailed.WithCause(cause))
	}
	return fail(client, errAuthFailed.WithCause(e.countFailure(client, lock, cause)))
}

// checkSynced is check, looked again after a Sync when Clients is a cache
// and the first look failed. A cache of clients may be behind the store: a
// client or secret added a moment ago by another process. Every failure
// (unknown client and wrong secret alike, so the two still cost the same)
// brings the cache up to date and looks again, whether or not this Sync
// reloaded: another goroutine may have reloaded between the first look
// and the Sync, leaving Sync nothing to do and the first look stale.
func (e *Endpoint) checkSynced(ctx context.Context, id string, presented [][]byte) (*tollgate.Client, bool, error) {
	client, ok, err := e.check(ctx, id, presented)
	if err != nil {
		return nil, false, err
	}
	if s, isCache := e.opts.Clients.(Syncer); isCache && !ok && validClientID(id) {
		if err := s.Sync(ctx); err != nil {
			return nil, false, oauth2.ServerError().WithCause(err)
		}
		return e.check(ctx, id, presented)
	}
	return client, ok, nil
}

// authFailure returns why an authentication failed, for the log, or nil
// when client authenticated: ok tells whether the presented secret
// matched one of its secrets.
func authFailure(client *tollgate.Client, ok bool, lock lockState) error {
	switch {
	case client == nil:
		return errUnknownClient
	case !secretMethod(client.OAuth.AuthMethod):
		// A client of another method has no secret, and were one stored
		// it would not count.
		return errWrongMethod
	case len(client.Secrets) == 0:
		return errPublicClient
	case !ok:
		return errWrongSecret
	case lock.onPoolHost && lock.hostPool != client.PoolID:
		return &otherPoolError{host: lock.hostPool, client: client.PoolID}
	}
	return nil
}

// Syncer is implemented by a Clients cache (the server's catalog) that can
// bring itself up to date with the store: when Sync returns nil, every
// write the store had committed when Sync was called is visible to the
// lookups that follow, whichever goroutine's reload brought it in.
type Syncer interface {
	Sync(ctx context.Context) error
}

// check looks the client up and compares the presented secret's keyed
// hashes (one per master key: a stored hash is under one of them) with the
// client's hashes. Each is compared with exactly MaxClientSecrets hashes,
// padding with the dummy, so that the work is the same whether or not the
// client exists. ok is false when client is nil.
func (e *Endpoint) check(ctx context.Context, id string, presented [][]byte) (client *tollgate.Client, ok bool, err error) {
	if validClientID(id) { // anything else cannot exist: spare the lookup
		c, err := e.opts.Clients.GetClient(ctx, id)
		switch {
		case err == nil:
			client = c
		case !tollgate.IsNotFound(err):
			return nil, false, oauth2.ServerError().WithCause(&lookupError{err: err, id: id})
		}
	}
	match := 0
	for _, p := range presented {
		compared := 0
		if client != nil {
			for _, s := range client.Secrets {
				match |= subtle.ConstantTimeCompare(p, s.Hash)
				compared++
			}
		}
		for ; compared < tollgate.MaxClientSecrets; compared++ {
			match |= subtle.ConstantTimeCompare(p, e.dummyHash)
		}
	}
	return client, match == 1, nil
}

// Causes of errAuthFailed, for the log only.
var (
	errUnknownClient error = causeError("unknown client")
	errPublicClient  error = causeError("the client has no secret")
	errWrongSecret   error = causeError("wrong client secret")
)

type causeError string

func (e causeError) Error() string { return string(e) }

type otherPoolError struct{ host, client string }

func (e *otherPoolError) Error() string {
	return "the client belongs to pool " + e.client + ", not to pool " + e.host + " of the request's host"
}

// presentedCredentials extracts the client id and secret a request presents,
// and whether it used HTTP Basic. The id is returned even with an error, for
// the log.
func presentedCredentials(r *http.Request, f form) (id, secret string, basic bool, err error) {
	bodyID, bodySecret := f[oauth2.ParamClientID], f[oauth2.ParamClientSecret]
	auth, present := r.Header["Authorization"]
	if !present {
		if bodyID == "" {
			if bodySecret != "" {
				return "", "", false, oauth2.InvalidRequest("client_secret without client_id")
			}
			return "", "", false, errNoClientAuth.WithChallenge(basicChallenge)
		}
		return bodyID, bodySecret, false, nil
	}

	// The client tried HTTP authentication: from here, invalid_client is
	// a 401 with a challenge.
	id, secret, ok := parseBasic(auth)
	if !ok {
		return bodyID, "", true, errMalformedBasic.WithChallenge(basicChallenge)
	}
	if bodySecret != "" {
		return id, "", true, errTwoMethods
	}
	if bodyID != "" && bodyID != id {
		return id, "", true, errClientIDMismatch
	}
	return id, secret, true, nil
}

// parseBasic decodes the credentials of an HTTP Basic Authorization header
// (RFC 7617 §2). RFC 6749 §2.3.1 has the client id and secret each
// application/x-www-form-urlencoded before they are joined with a colon and
// base64-encoded; golang.org/x/oauth2 does that (url.QueryEscape), so they
// are decoded here. Decoding keeps a literal '+' (url.PathUnescape, not
// QueryUnescape): ids and secrets may contain '+' ([\w+]), curl -u sends it
// as is, and an encoding client sends %2B; neither ever holds a space. More than one Authorization header is malformed.
func parseBasic(header []string) (id, secret string, ok bool) {
	if len(header) != 1 {
		return "", "", false
	}
	scheme, cred, found := strings.Cut(header[0], " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(cred, " "))
	if err != nil {
		return "", "", false
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.PathUnescape(encID); err != nil || id == "" {
		return "", "", false
	}
	if secret, err = url.PathUnescape(encSecret); err != nil {
		return "", "", false
	}
	return id, secret, true
}

// validClientID reports whether id fits Cognito's client id pattern,
// [\w+]{1,128}. Ids that do not cannot exist and are not looked up.
func validClientID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+':
		default:
			return false
		}
	}
	return true
}

// secretMethod reports whether a client's AuthMethod is one of Cognito's,
// which authenticate with a secret, basic or post alike.
func secretMethod(m string) bool {
	return m == "" || m == tollgate.AuthClientSecretBasic || m == tollgate.AuthClientSecretPost
}

// assertionPresented reports whether a request authenticates with a client
// assertion: it has client_assertion or client_assertion_type and
// presents no secret, neither HTTP Basic (any Authorization header) nor
// client_secret.
func assertionPresented(r *http.Request, f form) bool {
	if _, basic := r.Header["Authorization"]; basic || f[oauth2.ParamClientSecret] != "" {
		return false
	}
	return f[paramClientAssertionType] != "" || f[paramClientAssertion] != "" ||
		f.repeated(paramClientAssertionType) || f.repeated(paramClientAssertion)
}
