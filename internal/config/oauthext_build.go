package config

import (
	"slices"

	"github.com/tollgate/tollgate"
)

// poolOAuth maps a pool's extensions beyond Cognito.
func poolOAuth(p *UserPool) tollgate.PoolOAuth {
	o := tollgate.PoolOAuth{SigningAlgorithm: p.SigningAlgorithm, AccessTokenJWT: p.AccessTokenType == tollgate.AccessTokenJWTType,
		ResourceIndicators: p.ResourceIndicators, MTLS: p.MTLS}
	if o.SigningAlgorithm == tollgate.AlgRS256 {
		o.SigningAlgorithm = "" // the default, stored as Cognito's
	}
	if p.DPoP != nil {
		o.DPoP = dpopPolicy(p.DPoP)
	}
	if reg := p.Registration; reg != nil {
		o.Registration = &tollgate.RegistrationPolicy{Scopes: slices.Clone(reg.Scopes), AuthMethods: slices.Clone(reg.AuthMethods),
			InitialAccessScope: reg.InitialAccessScope, MaxClients: reg.MaxClients}
	}
	return o
}

func dpopPolicy(d *DPoP) *tollgate.DPoPPolicy {
	return &tollgate.DPoPPolicy{Algorithms: slices.Clone(d.Algorithms), MaxAge: d.MaxAge}
}

// clientOAuth maps a client's extensions beyond Cognito; registered is
// the stored client's Registered, which a config never sets.
func clientOAuth(c *Client) tollgate.ClientOAuth {
	o := tollgate.ClientOAuth{AuthMethod: c.TokenEndpointAuthMethod, JWKS: c.ResolvedJWKS, JWKSURI: c.JWKSURI,
		RequireDPoP: c.DPoPBoundAccessTokens, CertificateBound: c.TLSClientCertificateBoundAccessTokens}
	if o.AuthMethod == tollgate.AuthClientSecretBasic || o.AuthMethod == tollgate.AuthClientSecretPost {
		o.AuthMethod = "" // a secret's, as Cognito's clients
	}
	if t := c.TLSClientAuth; t != nil {
		o.TLS = tollgate.TLSClientAuth{SubjectDN: t.SubjectDN, SANDNS: t.SANDNS, SANURI: t.SANURI, SANIP: t.SANIP, SANEmail: t.SANEmail}
	}
	return o
}

// samePoolOAuth reports whether two pools' extensions are the same.
func samePoolOAuth(a, b tollgate.PoolOAuth) bool {
	if a.SigningAlgorithm != b.SigningAlgorithm || a.AccessTokenJWT != b.AccessTokenJWT || a.ResourceIndicators != b.ResourceIndicators || a.MTLS != b.MTLS {
		return false
	}
	if (a.DPoP == nil) != (b.DPoP == nil) || (a.Registration == nil) != (b.Registration == nil) {
		return false
	}
	if a.DPoP != nil && (!slices.Equal(a.DPoP.Algorithms, b.DPoP.Algorithms) || a.DPoP.MaxAge != b.DPoP.MaxAge) {
		return false
	}
	if r, s := a.Registration, b.Registration; r != nil && (!slices.Equal(r.Scopes, s.Scopes) ||
		!slices.Equal(r.AuthMethods, s.AuthMethods) || r.InitialAccessScope != s.InitialAccessScope || r.MaxClients != s.MaxClients) {
		return false
	}
	return true
}

// buildProtectedResource maps an API's protectedResource; nil for none.
func buildProtectedResource(pr *ProtectedResource) *tollgate.ProtectedResource {
	if pr == nil {
		return nil
	}
	out := &tollgate.ProtectedResource{
		Identifier: pr.Identifier, Audiences: slices.Clone(pr.Audiences), RequireBinding: pr.RequireBinding,
		Metadata: pr.Metadata, Name: pr.ResourceName, AuthorizationServers: slices.Clone(pr.AuthorizationServers),
		Scopes: slices.Clone(pr.Scopes),
	}
	if pr.DPoP != nil {
		out.DPoPAlgorithms, out.DPoPMaxAge = slices.Clone(pr.DPoP.Algorithms), pr.DPoP.MaxAge
	}
	return out
}

// poolOAuthFields names the config fields of a pool's extensions that
// differ between was and is.
func poolOAuthFields(was, is tollgate.PoolOAuth) []string {
	var f fields
	compare(&f, "signingAlgorithm", was.Algorithm(), is.Algorithm())
	compare(&f, "accessTokenType", was.AccessTokenJWT, is.AccessTokenJWT)
	compare(&f, "resourceIndicators", was.ResourceIndicators, is.ResourceIndicators)
	compare(&f, "mtls", was.MTLS, is.MTLS)
	if !samePoolOAuth(tollgate.PoolOAuth{DPoP: was.DPoP}, tollgate.PoolOAuth{DPoP: is.DPoP}) {
		f = append(f, "dpop")
	}
	if !samePoolOAuth(tollgate.PoolOAuth{Registration: was.Registration}, tollgate.PoolOAuth{Registration: is.Registration}) {
		f = append(f, "registration")
	}
	return f
}

// clientExtensionFields names the config fields beyond Cognito's that
// differ between the stored client cur and next (its token limits and
// OAuth 2 extensions), and keeps cur's Registered in next: dynamic
// registration's, never a config's.
func clientExtensionFields(cur, next *tollgate.Client) []string {
	var f fields
	if !sameClientLimits(cur.TokenLimits, next.TokenLimits) {
		f = append(f, "tokenLimits")
	}
	next.OAuth.Registered = cur.OAuth.Registered
	return append(f, clientOAuthFields(cur.OAuth, next.OAuth)...)
}

// clientOAuthFields names the config fields of a client's extensions that
// differ between was and is.
func clientOAuthFields(was, is tollgate.ClientOAuth) []string {
	var f fields
	compare(&f, "tokenEndpointAuthMethod", was.AuthMethod, is.AuthMethod)
	compare(&f, "jwks", was.JWKS, is.JWKS)
	compare(&f, "jwksUri", was.JWKSURI, is.JWKSURI)
	compare(&f, "tlsClientAuth", was.TLS, is.TLS)
	compare(&f, "dpopBoundAccessTokens", was.RequireDPoP, is.RequireDPoP)
	compare(&f, "tlsClientCertificateBoundAccessTokens", was.CertificateBound, is.CertificateBound)
	return f
}
