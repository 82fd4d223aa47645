package tollgate

import "time"

// This file holds the OAuth 2 extensions Tollgate offers beyond Cognito:
// each is opt-in, declared per pool, per client or per API, and with none
// declared Tollgate's tokens and answers stay exactly Cognito's.

// Signing algorithms a pool's keys may use (RFC 7518 §3.1, RFC 8037 §3.1).
// RS256 is Cognito's and the default.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
)

// SigningAlgorithms are the algorithms a pool may sign with.
var SigningAlgorithms = []string{AlgRS256, AlgES256, AlgEdDSA}

// Client authentication methods at the token endpoint, by their RFC 7591
// §2 names.
const (
	AuthClientSecretBasic       = "client_secret_basic"         // RFC 6749 §2.3.1, Cognito's
	AuthClientSecretPost        = "client_secret_post"          // RFC 6749 §2.3.1, Cognito's
	AuthPrivateKeyJWT           = "private_key_jwt"             // RFC 7523 §2.2, OIDC Core §9
	AuthTLSClient               = "tls_client_auth"             // RFC 8705 §2.1
	AuthSelfSignedTLSClient     = "self_signed_tls_client_auth" // RFC 8705 §2.2
	AuthNone                    = "none"                        // never allowed for client_credentials
	TokenTypeDPoP               = "DPoP"                        // RFC 9449 §5 token_type
	AccessTokenJWTType          = "at+jwt"                      // RFC 9068 §2.1 typ
	DefaultDPoPProofMaxAge      = 60 * time.Second              // how old a proof's iat may be
	DefaultDPoPClockSkew        = 5 * time.Second               // how far ahead a proof's iat may be
	DefaultAssertionMaxLifetime = 5 * time.Minute               // the longest exp - now of a client assertion
)

// DefaultDPoPAlgorithms are the proof algorithms accepted when a pool or an
// API enables DPoP without naming any: asymmetric only (RFC 9449 §4.2
// forbids none and MAC-based algorithms).
var DefaultDPoPAlgorithms = []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"}

// PoolOAuth are a pool's extensions beyond Cognito. The zero value is
// Cognito's behaviour.
type PoolOAuth struct {
	// SigningAlgorithm is the algorithm of the pool's signing keys: AlgRS256
	// (also when empty), AlgES256 or AlgEdDSA. Changing it rolls the pool
	// over to keys of the new algorithm; the old keys stay published until
	// the tokens they signed have expired.
	SigningAlgorithm string
	// AccessTokenJWT issues access tokens as RFC 9068 JWTs: the header has
	// typ "at+jwt" and the token an aud claim (the requested resource, or
	// the identifiers of the resource servers of its scopes). Verifiers of
	// the pool's tokens then require the typ (RFC 8725 §3.11).
	AccessTokenJWT bool
	// ResourceIndicators honours the resource parameter of token requests
	// (RFC 8707): a token for one resource server, aud its identifier.
	// Cognito binds resources for users only and ignores resource in
	// client_credentials requests ("You can't request a resource binding
	// with client-credentials M2M grants", Amazon Cognito Developer Guide,
	// "Scopes, M2M, and resource servers", Resource binding), so a pool
	// without it ignores the parameter, repeated or not.
	ResourceIndicators bool
	// DPoP, when set, makes the token endpoint check DPoP proofs (RFC 9449)
	// and issue DPoP-bound tokens (token_type DPoP, cnf.jkt) to requests
	// that carry one. Nil: the DPoP header is ignored, as Cognito does.
	DPoP *DPoPPolicy
	// MTLS enables the mutual-TLS client authentication methods and
	// certificate-bound access tokens (RFC 8705) for the pool's clients, on
	// the server's mTLS listener (its endpoints are the discovery
	// document's mtls_endpoint_aliases).
	MTLS bool
	// Registration, when set, opens the dynamic client registration
	// endpoint (RFC 7591) under this policy. Nil: off.
	Registration *RegistrationPolicy
}

// Algorithm returns the pool's signing algorithm, AlgRS256 when unset.
func (o PoolOAuth) Algorithm() string {
	if o.SigningAlgorithm == "" {
		return AlgRS256
	}
	return o.SigningAlgorithm
}

// IsZero reports whether nothing beyond Cognito is declared.
func (o PoolOAuth) IsZero() bool {
	return (o.SigningAlgorithm == "" || o.SigningAlgorithm == AlgRS256) && !o.AccessTokenJWT && !o.ResourceIndicators && o.DPoP == nil && !o.MTLS && o.Registration == nil
}

// DPoPPolicy is how DPoP proofs are checked (RFC 9449 §4.3).
type DPoPPolicy struct {
	// Algorithms are the JWS algorithms a proof may use; empty means
	// DefaultDPoPAlgorithms. Never none or a MAC.
	Algorithms []string
	// MaxAge is how old a proof's iat may be; zero means
	// DefaultDPoPProofMaxAge.
	MaxAge time.Duration
}

// ProofAlgorithms returns the policy's algorithms or the defaults.
func (p *DPoPPolicy) ProofAlgorithms() []string {
	if p == nil || len(p.Algorithms) == 0 {
		return DefaultDPoPAlgorithms
	}
	return p.Algorithms
}

// ProofMaxAge returns the policy's MaxAge or the default.
func (p *DPoPPolicy) ProofMaxAge() time.Duration {
	if p == nil || p.MaxAge <= 0 {
		return DefaultDPoPProofMaxAge
	}
	return p.MaxAge
}

// RegistrationPolicy says what dynamically registered clients (RFC 7591) of
// a pool may be.
type RegistrationPolicy struct {
	// Scopes are the scopes a registered client may be allowed (full
	// names); a request for others is invalid_client_metadata. Empty: any
	// scope of the pool's resource servers.
	Scopes []string
	// AuthMethods are the token_endpoint_auth_method values a registered
	// client may have; empty means private_key_jwt only.
	AuthMethods []string
	// InitialAccessScope, when set, requires an initial access token
	// (RFC 7591 §3): an access token of this pool carrying this scope,
	// presented as a bearer token to the registration endpoint. Empty:
	// registration is open to anyone who can reach it.
	InitialAccessScope string
	// MaxClients bounds how many registered clients the pool may hold
	// (besides MaxClientsPerPool); zero means 100.
	MaxClients int
}

// ClientOAuth are a client's extensions beyond Cognito. The zero value is a
// Cognito client: it authenticates with its secret (basic or post).
type ClientOAuth struct {
	// AuthMethod is the client's token_endpoint_auth_method: empty for
	// Cognito's client_secret_basic and client_secret_post,
	// AuthPrivateKeyJWT, AuthTLSClient or AuthSelfSignedTLSClient. A client
	// with a method other than a secret's authenticates only that way.
	AuthMethod string
	// JWKS is the client's public keys, a JSON Web Key Set (RFC 7517 §5)
	// as registered: the keys of its assertions (private_key_jwt) or its
	// self-signed certificates (x5c, self_signed_tls_client_auth). At most
	// one of JWKS and JWKSURI is set.
	JWKS string
	// JWKSURI is where the client's JWKS is fetched (https, or http on
	// loopback), cached by its HTTP caching headers.
	JWKSURI string
	// TLS names the certificate a tls_client_auth client presents.
	TLS TLSClientAuth
	// RequireDPoP refuses the client's token requests that carry no DPoP
	// proof (RFC 9449 §5.2, dpop_bound_access_tokens).
	RequireDPoP bool
	// CertificateBound binds the client's tokens to its TLS client
	// certificate (cnf.x5t#S256, RFC 8705 §3); its token requests must then
	// come over mutual TLS.
	CertificateBound bool
	// Registered tells that the client was created by dynamic registration
	// (RFC 7591), and when.
	Registered time.Time
}

// IsZero reports whether nothing beyond Cognito is declared.
func (o ClientOAuth) IsZero() bool {
	return o.AuthMethod == "" && o.JWKS == "" && o.JWKSURI == "" && o.TLS == (TLSClientAuth{}) &&
		!o.RequireDPoP && !o.CertificateBound && o.Registered.IsZero()
}

// TLSClientAuth is the one name a tls_client_auth client's certificate must
// carry (RFC 8705 §2.1.2): exactly one field is set.
type TLSClientAuth struct {
	SubjectDN string // tls_client_auth_subject_dn, RFC 4514 string
	SANDNS    string // tls_client_auth_san_dns
	SANURI    string // tls_client_auth_san_uri
	SANIP     string // tls_client_auth_san_ip
	SANEmail  string // tls_client_auth_san_email
}

// Token binding requirements of an API or a route.
const (
	BindingAny  = "any"  // DPoP or mTLS
	BindingDPoP = "dpop" // DPoP only
	BindingMTLS = "mtls" // certificate-bound only
)

// ProtectedResource is an API's OAuth 2 protected resource settings: what
// Tollgate checks of tokens beyond what its authorizers check, and its RFC
// 9728 metadata. A token bound to a key (cnf) is always checked against its
// proof or certificate, on every API; these settings add the rest.
type ProtectedResource struct {
	// Identifier is the API's resource identifier (RFC 9728 §2 resource,
	// RFC 8707 §2): an absolute https URL without fragment (http on
	// loopback). Required when Metadata is set.
	Identifier string
	// Audiences, when not empty, make the gateway refuse a token whose aud
	// holds none of them (RFC 8707 §3, RFC 9068 §4).
	Audiences []string
	// RequireBinding, when set (BindingAny, BindingDPoP or BindingMTLS),
	// refuses tokens that are not so bound on every route of the API.
	// Route.RequireBinding sets it per route.
	RequireBinding string
	// Metadata serves /.well-known/oauth-protected-resource (RFC 9728 §3)
	// on the API's hosts and adds resource_metadata to the
	// WWW-Authenticate challenges of its 401 answers (§5.1).
	Metadata bool
	// Name is the metadata's resource_name.
	Name string
	// AuthorizationServers are the metadata's authorization_servers
	// (issuer URLs); empty means the issuers of the local pools the API's
	// authorizers accept.
	AuthorizationServers []string
	// Scopes are the metadata's scopes_supported; empty means the scopes
	// of the API's routes.
	Scopes []string
	// DPoPAlgorithms are the proof algorithms the gateway accepts; empty
	// means DefaultDPoPAlgorithms.
	DPoPAlgorithms []string
	// DPoPMaxAge is how old a proof's iat may be; zero means
	// DefaultDPoPProofMaxAge.
	DPoPMaxAge time.Duration
}
