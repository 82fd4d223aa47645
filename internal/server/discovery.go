package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

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
// It reads only memory: the catalog's pools and scopes.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requestPool(r)
	if !ok {
		writeNotFound(w)
		return
	}
	base := s.publicURL
	if id, ok := s.poolFromHost(r); ok && id == p.ID {
		// https when the request came over TLS here or the server is
		// published behind a TLS-terminating proxy: never advertise a
		// plain-HTTP endpoint for secrets when clients reach us over TLS.
		scheme := "http"
		if r.TLS != nil || strings.HasPrefix(s.publicURL, "https://") {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(signer.JWKSMaxAge.Seconds())))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// A write error means the client went away: nobody is left to tell.
	_ = json.NewEncoder(w).Encode(newMetadata(s.Issuer(p.ID), base, s.catalog.Scopes(p.ID)))
}
