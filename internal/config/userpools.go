package config

import (
	"time"

	"github.com/tollgate/tollgate"
)

// The userPools section. Each struct mirrors the props of one CDK construct
// or method, with the construct id as "id":
//
//	new UserPool(this, 'UserPool', {userPoolName})         → UserPool
//	userPool.addResourceServer('ResourceServer', {...})    → ResourceServer
//	new ResourceServerScope({scopeName, scopeDescription}) → Scope
//	userPool.addClient('ThirdPartyAppClient', {...})       → Client
//	userPool.addDomain('UserPoolDomain', {...})            → Domain
//	userPool.addTrigger(PRE_TOKEN_GENERATION_CONFIG, fn, LambdaVersion.V3_0)
//	                                                        → LambdaTriggers.PreTokenGeneration
//
// Props of those constructs that Tollgate has no use for are not accepted:
// an unknown field is a problem, never silently ignored.

// UserPool is a Cognito user pool: an OAuth 2 authorization server.
type UserPool struct {
	// ID is the logical id, like a CDK construct id. It is the pool's
	// identity across applies (its ConfigKey): renaming the pool keeps its
	// physical id, while changing ID makes a new pool.
	ID string `yaml:"id"`
	// UserPoolName is the pool's name, unique among pools (default ID).
	UserPoolName string `yaml:"userPoolName"`
	// Region is the region the pool id starts with (default the top-level
	// region). It cannot change once the pool exists.
	Region string `yaml:"region"`

	ResourceServers []ResourceServer `yaml:"resourceServers"`
	Clients         []Client         `yaml:"clients"`
	Domains         []Domain         `yaml:"domains"`

	// LambdaTriggers are the pool's Lambda triggers (triggers.go).
	LambdaTriggers *LambdaTriggers `yaml:"lambdaTriggers"`

	// TokenLimits are the token endpoint's limits for the pool's clients
	// (usageplans.go).
	TokenLimits *TokenLimits `yaml:"tokenLimits"`

	// Extensions beyond Cognito (oauthext.go), each opt-in:
	// SigningAlgorithm is RS256 (default), ES256 or EdDSA.
	SigningAlgorithm string `yaml:"signingAlgorithm"`
	// AccessTokenType "at+jwt" issues RFC 9068 access tokens.
	AccessTokenType string `yaml:"accessTokenType"`
	// ResourceIndicators honours the token endpoint's resource parameter
	// (RFC 8707); without it the parameter is ignored, as Cognito ignores
	// it in client_credentials requests.
	ResourceIndicators bool `yaml:"resourceIndicators"`
	// DPoP enables DPoP-bound tokens (RFC 9449) at the token endpoint.
	DPoP *DPoP `yaml:"dpop"`
	// MTLS enables mutual-TLS client authentication and
	// certificate-bound tokens (RFC 8705).
	MTLS bool `yaml:"mtls"`
	// Registration opens dynamic client registration (RFC 7591).
	Registration *Registration `yaml:"registration"`
}

// DPoP is a DPoP proof policy (tollgate.DPoPPolicy).
type DPoP struct {
	// Algorithms a proof may be signed with (default ES256, ES384, ES512,
	// RS256, PS256, EdDSA).
	Algorithms []string `yaml:"algorithms"`
	// MaxAge is how old a proof's iat may be, e.g. "60s" (the default).
	MaxAge time.Duration `yaml:"maxAge"`
}

// Registration is a dynamic client registration policy
// (tollgate.RegistrationPolicy).
type Registration struct {
	Scopes             []string `yaml:"scopes"`
	AuthMethods        []string `yaml:"authMethods"`
	InitialAccessScope string   `yaml:"initialAccessScope"`
	MaxClients         int      `yaml:"maxClients"`
}

// ResourceServer is an API the pool issues tokens for, with its scopes.
type ResourceServer struct {
	// ID is the logical id (default Identifier).
	ID string `yaml:"id"`
	// Identifier names the API in scope strings ("{identifier}/{scope}");
	// it is the resource server's identity within its pool.
	Identifier string `yaml:"identifier"`
	// UserPoolResourceServerName is a friendly name (default Identifier,
	// as in CDK).
	UserPoolResourceServerName string  `yaml:"userPoolResourceServerName"`
	Scopes                     []Scope `yaml:"scopes"`
}

// Scope is a custom scope of a resource server.
type Scope struct {
	ScopeName        string `yaml:"scopeName"`
	ScopeDescription string `yaml:"scopeDescription"`
}

// Client is an app client of the pool.
type Client struct {
	// ID is the logical id, unique within the pool; with the pool's it is
	// the client's identity across applies, so the client keeps its client
	// id and secret while its other settings change.
	ID string `yaml:"id"`
	// UserPoolClientName is the client's name, unique within the pool
	// (default ID).
	UserPoolClientName string `yaml:"userPoolClientName"`
	// GenerateSecret gives the client a secret when it is created. It
	// cannot change afterwards, as in Cognito.
	GenerateSecret bool `yaml:"generateSecret"`
	// AuthFlows are the user sign-in flows. Tollgate has no users, so they
	// are accepted only as false, which lets a CDK stack be copied as is.
	AuthFlows AuthFlows `yaml:"authFlows"`
	OAuth     OAuth     `yaml:"oAuth"`

	// Token lifetimes, written "60m", "1h", "5d" or "1h30m". Parse fills
	// the Cognito defaults: 60 minutes, 60 minutes and 30 days.
	AccessTokenValidity  tollgate.Validity `yaml:"accessTokenValidity"`
	IDTokenValidity      tollgate.Validity `yaml:"idTokenValidity"`
	RefreshTokenValidity tollgate.Validity `yaml:"refreshTokenValidity"`

	// TokenLimits replace the pool's token quotas for this client.
	TokenLimits *TokenLimits `yaml:"tokenLimits"`

	// Extensions beyond Cognito (tollgate.ClientOAuth), each opt-in:
	// TokenEndpointAuthMethod is client_secret_basic or client_secret_post
	// (a secret: the default), private_key_jwt, tls_client_auth or
	// self_signed_tls_client_auth.
	TokenEndpointAuthMethod string `yaml:"tokenEndpointAuthMethod"`
	// JWKS (inline), JWKSFile (a file holding a JWKS, relative to the
	// config file) or JWKSURI: the client's public keys; at most one.
	JWKS     map[string]any `yaml:"jwks"`
	JWKSFile string         `yaml:"jwksFile"`
	JWKSURI  string         `yaml:"jwksUri"`
	// TLSClientAuth names the certificate of a tls_client_auth client.
	TLSClientAuth *TLSClientAuth `yaml:"tlsClientAuth"`
	// DPoPBoundAccessTokens requires a DPoP proof on every token request.
	DPoPBoundAccessTokens bool `yaml:"dpopBoundAccessTokens"`
	// TLSClientCertificateBoundAccessTokens binds the client's tokens to
	// its TLS client certificate.
	TLSClientCertificateBoundAccessTokens bool `yaml:"tlsClientCertificateBoundAccessTokens"`

	// ResolvedJWKS is the client's JWKS as compact JSON, from jwks or
	// jwksFile: Check fills it once they pass.
	ResolvedJWKS string `yaml:"-"`
}

// TLSClientAuth is the one name a tls_client_auth client's certificate
// carries (RFC 8705 §2.1.2); exactly one field is set.
type TLSClientAuth struct {
	SubjectDN string `yaml:"subjectDn"`
	SANDNS    string `yaml:"sanDns"`
	SANURI    string `yaml:"sanUri"`
	SANIP     string `yaml:"sanIp"`
	SANEmail  string `yaml:"sanEmail"`
}

// AuthFlows mirrors CDK's AuthFlows; every flow must be false.
type AuthFlows struct {
	UserSRP           bool `yaml:"userSrp"`
	UserPassword      bool `yaml:"userPassword"`
	AdminUserPassword bool `yaml:"adminUserPassword"`
	User              bool `yaml:"user"`
	Custom            bool `yaml:"custom"`
}

// OAuth mirrors CDK's OAuthSettings. Unlike CDK, no flow is enabled by
// default: CDK's defaults (authorization code and implicit grants) need
// users, which Tollgate does not have.
type OAuth struct {
	Flows OAuthFlows `yaml:"flows"`
	// Scopes are full scope names, "{identifier}/{scopeName}", each naming
	// a scope of one of the pool's resource servers.
	Scopes []string `yaml:"scopes"`
}

// OAuthFlows mirrors CDK's OAuthFlows. Only ClientCredentials may be true.
type OAuthFlows struct {
	ClientCredentials      bool `yaml:"clientCredentials"`
	AuthorizationCodeGrant bool `yaml:"authorizationCodeGrant"`
	ImplicitCodeGrant      bool `yaml:"implicitCodeGrant"`
}

// Domain is a host name for the pool's OAuth endpoints: exactly one of
// CognitoDomain and CustomDomain is set. A pool has at most one of each.
type Domain struct {
	// ID is the logical id, unique within the pool.
	ID            string         `yaml:"id"`
	CognitoDomain *CognitoDomain `yaml:"cognitoDomain"`
	CustomDomain  *CustomDomain  `yaml:"customDomain"`
}

// CognitoDomain is a prefix domain: "{prefix}.auth.{region}.{base domain}".
type CognitoDomain struct {
	DomainPrefix string `yaml:"domainPrefix"`
}

// CustomDomain is a fully qualified host name of the operator's own.
type CustomDomain struct {
	DomainName string `yaml:"domainName"`
	// Certificate is the TLS certificate to serve the domain with. Without
	// it the domain is served with the listener's own TLS setup (or behind
	// a proxy that terminates TLS).
	Certificate *Certificate `yaml:"certificate"`
}

// Certificate names PEM files: a certificate chain and its private key.
// Where CDK takes an ACM certificate ARN, Tollgate takes files. Parse
// resolves relative paths against the config file's directory and leaves
// absolute paths here.
type Certificate struct {
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// Name returns the domain as the store keys it: the prefix of a Cognito
// domain or the host name of a custom one.
func (d *Domain) Name() string {
	switch {
	case d.CognitoDomain != nil:
		return d.CognitoDomain.DomainPrefix
	case d.CustomDomain != nil:
		return d.CustomDomain.DomainName
	}
	return ""
}
