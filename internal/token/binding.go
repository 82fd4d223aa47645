package token

import (
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/mtls"
	"github.com/tollgate/tollgate/internal/oauth2"
)

var errNoClientCert = oauth2.InvalidRequest("this client's tokens are bound to its TLS client certificate: the request must come over mutual TLS with it")

// certThumbprint returns the x5t#S256 a certificate-bound client's token
// is bound to (RFC 8705 §3.1): the SHA-256 thumbprint of the TLS client
// certificate the request came with, on the mTLS listener or from a
// trusted proxy (Options.ClientCert). "" when the client's tokens are not
// certificate-bound. A request of such a client without a certificate, or
// with one a proxy's header carries malformed, is invalid_request: its
// token could not be bound (RFC 8705 §3 leaves the answer to the server).
// The certificate was checked by client authentication when the client
// authenticates with it (tls_client_auth, self_signed_tls_client_auth); a
// client authenticating otherwise binds its token to whatever certificate
// it holds the key of, which the TLS handshake proved.
func (e *Endpoint) certThumbprint(r *http.Request, client *tollgate.Client) (string, error) {
	if !client.OAuth.CertificateBound {
		return "", nil
	}
	if e.opts.ClientCert == nil {
		return "", errNoClientCert
	}
	chain, err := e.opts.ClientCert(r)
	if err != nil {
		return "", errNoClientCert.WithCause(err)
	}
	if len(chain) == 0 || chain[0] == nil {
		return "", errNoClientCert
	}
	return mtls.Thumbprint(chain[0]), nil
}

// binding is what a token request declares beyond Cognito: the resource
// it is for and the keys its token is bound to.
type binding struct {
	// declared is false when nothing beyond Cognito applies: the token is
	// then Cognito's, without aud or cnf.
	declared bool
	pool     *tollgate.UserPool
	resource *tollgate.ResourceServer
	jkt, x5t string
}

// bind checks, for an authenticated client allowed the flow, what its
// request declares beyond Cognito, in this order: the resource (RFC 8707
// §2), the client certificate of a certificate-bound client (RFC 8705 §3),
// then the DPoP proof (RFC 9449 §5), last because checking it records its
// jti, so that a request refused for another reason does not use it up.
// Scopes and quotas come after (admit).
//
// The resource parameter counts only in a pool with ResourceIndicators;
// elsewhere it is ignored, repeated or not, as Cognito ignores it in
// client_credentials requests ("You can't request a resource binding with
// client-credentials M2M grants": Amazon Cognito Developer Guide, "Scopes,
// M2M, and resource servers"). In such a pool, more than one resource is
// invalid_target (resource.go).
func (e *Endpoint) bind(r *http.Request, client *tollgate.Client, f form) (binding, error) {
	var b binding
	if e.opts.Pool != nil {
		if p, ok := e.opts.Pool(client.PoolID); ok {
			b.pool = p
		}
	}
	var resource string
	if b.pool != nil && b.pool.OAuth.ResourceIndicators {
		if f.repeated(ParamResource) {
			return b, errTooManyResources
		}
		resource = f[ParamResource]
	}
	if resource == "" && !client.OAuth.RequireDPoP && !client.OAuth.CertificateBound &&
		(b.pool == nil || (!b.pool.OAuth.AccessTokenJWT && b.pool.OAuth.DPoP == nil)) {
		return b, nil
	}
	b.declared = true
	var err error
	if b.resource, err = e.requestedResource(client, resource); err != nil {
		return b, err
	}
	if b.x5t, err = e.certThumbprint(r, client); err != nil {
		return b, err
	}
	if b.jkt, err = e.dpopKey(r, client, b.pool); err != nil {
		return b, err
	}
	return b, nil
}

// cnf returns the token's confirmation claim, nil when it is bound to
// nothing.
func (b *binding) cnf() *bearer.Confirmation {
	if b.jkt == "" && b.x5t == "" {
		return nil
	}
	return &bearer.Confirmation{JKT: b.jkt, X5TS256: b.x5t}
}

// tokenType is the response's token_type: DPoP for a DPoP-bound token (RFC
// 9449 §5), Bearer otherwise, a certificate-bound one included (RFC 8705
// §3 keeps it).
func (b *binding) tokenType() string {
	if b.jkt != "" {
		return tollgate.TokenTypeDPoP
	}
	return oauth2.TokenTypeBearer
}
