package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
)

// metadata is a pool's discovery document, served both as OpenID Connect
// Discovery 1.0 (/.well-known/openid-configuration) and as RFC 8414
// authorization server metadata (/.well-known/oauth-authorization-server).
// It has the members of Cognito's document (contract §1.4) that are true of
// Tollgate, and the revocation and introspection endpoints Tollgate adds:
//
//   - authorization_endpoint is Cognito's /oauth2/authorize, which OIDC
//     Discovery requires. Tollgate serves it, but it signs in no users: it
//     answers every request with unsupported_response_type.
//   - response_types_supported is therefore empty where Cognito lists code
//     and token: listing a response type would promise a flow that fails.
//   - userinfo_endpoint is absent: Cognito's needs a user's openid-scoped
//     token, which a client_credentials token never is (OIDC Discovery makes
//     it RECOMMENDED, not required).
//   - scopes_supported lists the pool's resource server scopes, where
//     Cognito lists the user scopes (openid, email, phone, profile) that
//     Tollgate does not issue.
type metadata struct {
	Issuer                                    string   `json:"issuer"`
	AuthorizationEndpoint                     string   `json:"authorization_endpoint"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	JWKSURI                                   string   `json:"jwks_uri"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	ScopesSupported                           []string `json:"scopes_supported"`
	SubjectTypesSupported                     []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported          []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`

	// The members below are the extensions a pool declares beyond Cognito
	// (tollgate.PoolOAuth), each absent when the pool does not offer it,
	// so that a Cognito pool's document stays Cognito's byte for byte.

	// TokenEndpointAuthSigningAlgValuesSupported are the algorithms of
	// private_key_jwt assertions (RFC 8414 §2), listed with that method.
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	// RevocationEndpointAuthSigningAlgValuesSupported and
	// IntrospectionEndpointAuthSigningAlgValuesSupported are the same, for
	// the endpoints that authenticate clients as the token endpoint does
	// (RFC 8414 §2: present when private_key_jwt is listed).
	RevocationEndpointAuthSigningAlgValuesSupported    []string `json:"revocation_endpoint_auth_signing_alg_values_supported,omitempty"`
	IntrospectionEndpointAuthSigningAlgValuesSupported []string `json:"introspection_endpoint_auth_signing_alg_values_supported,omitempty"`
	// DPoPSigningAlgValuesSupported are the algorithms of DPoP proofs the
	// token endpoint accepts (RFC 9449 §5.1).
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
	// TLSClientCertificateBoundAccessTokens tells that the pool issues
	// certificate-bound tokens (RFC 8705 §3.3).
	TLSClientCertificateBoundAccessTokens bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	// MTLSEndpointAliases are the endpoints on the mTLS listener (RFC 8705
	// §5), where clients authenticating with a certificate go.
	MTLSEndpointAliases *mtlsEndpointAliases `json:"mtls_endpoint_aliases,omitempty"`
	// RegistrationEndpoint is the dynamic client registration endpoint
	// (RFC 8414 §2, RFC 7591 §3).
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
}

// mtlsEndpointAliases is RFC 8705 §5's mtls_endpoint_aliases: the
// endpoints a client authenticating with a certificate uses instead of the
// document's own.
type mtlsEndpointAliases struct {
	TokenEndpoint         string `json:"token_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

// assertionAlgorithms are the JWS algorithms of private_key_jwt client
// assertions the token endpoint verifies: asymmetric only (RFC 7523 §3,
// item 9; a MAC would need the shared secret the method exists to avoid).
var assertionAlgorithms = []string{"RS256", "PS256", "ES256", "ES384", "ES512", "EdDSA"}

// capabilities are what a pool's discovery document advertises beyond
// Cognito's, derived from its settings (tollgate.PoolOAuth) and its clients.
type capabilities struct {
	// oauth are the pool's extensions.
	oauth tollgate.PoolOAuth
	// clientMethods are the token_endpoint_auth_method values its clients
	// use beyond a secret's.
	clientMethods []string
	// mtlsBase is the scheme and host of the server's mTLS listener, ""
	// when there is none.
	mtlsBase string
	// registrationEndpoint is the pool's registration endpoint URL.
	registrationEndpoint string
}

// authMethods returns the token endpoint's client authentication methods
// of a pool, by this rule: a secret's two methods always (Cognito's); the
// methods its clients use; the methods dynamic registration may give a
// client (private_key_jwt when the policy names none); both mutual-TLS
// methods when the pool enables mTLS (RFC 8705 §2). A method is listed
// once, in the order of tollgate's constants. A pool declaring nothing
// gets Cognito's list.
func (c capabilities) authMethods() []string {
	want := map[string]bool{}
	for _, m := range c.clientMethods {
		want[m] = true
	}
	if r := c.oauth.Registration; r != nil {
		if len(r.AuthMethods) == 0 {
			want[tollgate.AuthPrivateKeyJWT] = true
		}
		for _, m := range r.AuthMethods {
			want[m] = true
		}
	}
	if c.oauth.MTLS {
		want[tollgate.AuthTLSClient], want[tollgate.AuthSelfSignedTLSClient] = true, true
	}
	methods := clientAuthMethods
	for _, m := range []string{tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient} {
		if want[m] {
			methods = append(slices.Clip(methods), m)
		}
	}
	return methods
}

// apply adds the capabilities to a pool's document. The revocation and
// introspection endpoints authenticate clients as the token endpoint does,
// so they list the same methods (and algorithms, RFC 8414 §2).
func (c capabilities) apply(m *metadata) {
	methods := c.authMethods()
	m.TokenEndpointAuthMethodsSupported = methods
	m.RevocationEndpointAuthMethodsSupported = methods
	m.IntrospectionEndpointAuthMethodsSupported = methods
	if slices.Contains(methods, tollgate.AuthPrivateKeyJWT) {
		m.TokenEndpointAuthSigningAlgValuesSupported = assertionAlgorithms
		m.RevocationEndpointAuthSigningAlgValuesSupported = assertionAlgorithms
		m.IntrospectionEndpointAuthSigningAlgValuesSupported = assertionAlgorithms
	}
	// OpenID Connect Discovery 1.0 §3 requires RS256 in
	// id_token_signing_alg_values_supported; a pool signing with another
	// algorithm adds it, the only registered member naming the
	// algorithms of the pool's keys (RFC 8414 has none for access
	// tokens).
	if alg := c.oauth.Algorithm(); alg != tollgate.AlgRS256 {
		m.IDTokenSigningAlgValuesSupported = []string{tollgate.AlgRS256, alg}
	}
	if c.oauth.DPoP != nil {
		m.DPoPSigningAlgValuesSupported = c.oauth.DPoP.ProofAlgorithms()
	}
	if c.oauth.MTLS {
		m.TLSClientCertificateBoundAccessTokens = true
		if c.mtlsBase != "" {
			m.MTLSEndpointAliases = &mtlsEndpointAliases{
				TokenEndpoint:         c.mtlsBase + "/oauth2/token",
				RevocationEndpoint:    c.mtlsBase + "/oauth2/revoke",
				IntrospectionEndpoint: c.mtlsBase + "/oauth2/introspect",
			}
		}
	}
	if c.oauth.Registration != nil {
		m.RegistrationEndpoint = c.registrationEndpoint
	}
}

// clientAuthMethods are the client authentication methods of every
// endpoint (RFC 7591 §2 names).
var clientAuthMethods = []string{"client_secret_basic", "client_secret_post"}

// newMetadata builds the document of the pool with this issuer whose OAuth
// endpoints are at base (a scheme and host, no trailing slash), with the
// full names of its resource server scopes.
func newMetadata(issuer, base string, scopes []string) metadata {
	if scopes == nil {
		scopes = []string{}
	}
	return metadata{
		Issuer:                                    issuer,
		AuthorizationEndpoint:                     base + "/oauth2/authorize",
		TokenEndpoint:                             base + "/oauth2/token",
		JWKSURI:                                   issuer + "/.well-known/jwks.json",
		RevocationEndpoint:                        base + "/oauth2/revoke",
		IntrospectionEndpoint:                     base + "/oauth2/introspect",
		ResponseTypesSupported:                    []string{},
		GrantTypesSupported:                       []string{"client_credentials"},
		ScopesSupported:                           scopes,
		SubjectTypesSupported:                     []string{"public"},
		IDTokenSigningAlgValuesSupported:          []string{"RS256"},
		TokenEndpointAuthMethodsSupported:         clientAuthMethods,
		RevocationEndpointAuthMethodsSupported:    clientAuthMethods,
		IntrospectionEndpointAuthMethodsSupported: clientAuthMethods,
	}
}

// serveMetadata serves the discovery document of the pool a request is
// about: the {pool} path segment, or the auth domain the request came in
// on, at both well-known names. The OAuth endpoints are advertised on the
// host the document was fetched from when that is the pool's auth domain
// (as Cognito does), and at the public URL otherwise, which needs no DNS.
// It reads only memory: the catalog's pools, scopes and clients. What a
// pool declares beyond Cognito adds the members of its capabilities.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requestPool(r)
	if !ok {
		writeNotFound(w)
		return
	}
	base, registration := s.publicURL, s.publicURL+"/"+p.ID+"/oauth2/register"
	if id, ok := s.poolFromHost(r); ok && id == p.ID {
		// https when the request came over TLS here or the server is
		// published behind a TLS-terminating proxy: never advertise a
		// plain-HTTP endpoint for secrets when clients reach us over TLS.
		scheme := "http"
		if r.TLS != nil || strings.HasPrefix(s.publicURL, "https://") {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
		registration = base + "/oauth2/register"
	}
	doc := newMetadata(s.Issuer(p.ID), base, s.catalog.Scopes(p.ID))
	capabilities{
		oauth:                p.OAuth,
		clientMethods:        s.catalog.ClientAuthMethods(p.ID),
		mtlsBase:             s.MTLSBase(),
		registrationEndpoint: registration,
	}.apply(&doc)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(signer.JWKSMaxAge.Seconds())))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// A write error means the client went away: nobody is left to tell.
	_ = json.NewEncoder(w).Encode(doc)
}
