package token

import (
	"context"
	"crypto/x509"
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/mtls"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// Mutual-TLS client authentication (RFC 8705 §2): tls_client_auth, a
// certificate of a trusted CA carrying the one name the client declares
// (§2.1), and self_signed_tls_client_auth, a certificate registered in the
// client's JWKS as the x5c of a key (§2.2).
//
// A request uses it when it sends client_id in the body (required, RFC
// 8705 §2), no secret and no assertion, and comes with a TLS client
// certificate (Options.ClientCert: the server's mTLS listener, or a
// trusted proxy's header). Only clients whose AuthMethod is one of the two
// methods, of a pool with PoolOAuth.MTLS, authenticate this way; for any
// other client, an unknown one, a certificate that does not check out, a
// locked id or another pool's host, the answer is the one errAuthFailed,
// 400 without a challenge (the client used no HTTP authentication scheme,
// RFC 6749 §5.2). Failures of real clients count toward the lockout as
// wrong secrets do. A request without a certificate and without a secret
// is answered as before (errNoSecret), whoever the client is, so that the
// answer does not depend on the client.

// errCertUnreadable answers a request whose client certificate cannot be
// read (a trusted proxy's malformed header): it depends on no client.
var errCertUnreadable = oauth2.InvalidClient("client authentication failed: the TLS client certificate cannot be read")

// Causes of errAuthFailed for certificates, for the log.
var (
	errPoolWithoutMTLS error = causeError("the client's pool does not enable mutual TLS (PoolOAuth.MTLS)")
	errNoClientCAs     error = causeError("no client certificate authorities are configured (--mtls-client-ca)")
)

// clientChain returns the TLS client certificate chain r came with, leaf
// first; nil when there is none.
func (e *Endpoint) clientChain(r *http.Request) ([]*x509.Certificate, error) {
	if e.opts.ClientCert == nil {
		return nil, nil
	}
	chain, err := e.opts.ClientCert(r)
	if err != nil {
		return nil, errCertUnreadable.WithCause(err)
	}
	return chain, nil
}

// authenticateTLS authenticates the client id presented in the body with
// the request's certificate chain (not empty).
func (e *Endpoint) authenticateTLS(ctx context.Context, r *http.Request, id string, chain []*x509.Certificate) (*tollgate.Client, clientRef, error) {
	lock, err := e.lockState(ctx, r, id)
	if err != nil {
		return nil, presentedID(id), err
	}
	client, err := e.lookupClient(ctx, id)
	if err != nil {
		return nil, presentedID(id), err
	}
	switch {
	case client == nil:
		return nil, presentedID(id), errAuthFailed.WithCause(errUnknownClient)
	case lock.locked:
		return nil, foundID(id), errAuthFailed.WithCause(errLockedOut)
	}
	if cause := e.checkClientCert(ctx, client, chain); cause != nil {
		return nil, foundID(id), errAuthFailed.WithCause(e.countFailure(client, lock, cause))
	}
	if lock.onPoolHost && lock.hostPool != client.PoolID {
		return nil, foundID(id), errAuthFailed.WithCause(&otherPoolError{host: lock.hostPool, client: client.PoolID})
	}
	return client, foundID(id), nil
}

// checkClientCert returns why chain does not authenticate client, nil when
// it does.
func (e *Endpoint) checkClientCert(ctx context.Context, client *tollgate.Client, chain []*x509.Certificate) error {
	method := client.OAuth.AuthMethod
	if method != tollgate.AuthTLSClient && method != tollgate.AuthSelfSignedTLSClient {
		return errWrongMethod
	}
	if !e.poolMTLS(client.PoolID) {
		return errPoolWithoutMTLS
	}
	leaf := chain[0]
	if method == tollgate.AuthTLSClient {
		var roots *x509.CertPool
		if e.opts.ClientCAs != nil {
			roots = e.opts.ClientCAs()
		}
		if roots == nil {
			return errNoClientCAs
		}
		return certCause(mtls.CheckPKI(leaf, chain[1:], roots, client.OAuth.TLS, e.now()))
	}
	_, raw, err := e.keySets.keys(ctx, client, "")
	if err != nil {
		return err
	}
	return certCause(mtls.CheckSelfSignedAt(leaf, raw, e.now()))
}

// certCause wraps a certificate check's error for the log.
func certCause(err error) error {
	if err == nil {
		return nil
	}
	return &certError{err: err}
}

type certError struct{ err error }

func (e *certError) Error() string {
	return "the client certificate does not authenticate the client: " + e.err.Error()
}
func (e *certError) Unwrap() error { return e.err }

// poolMTLS reports whether a pool enables the mutual-TLS methods.
func (e *Endpoint) poolMTLS(poolID string) bool {
	if e.opts.Pool == nil {
		return false
	}
	p, ok := e.opts.Pool(poolID)
	return ok && p != nil && p.OAuth.MTLS
}
