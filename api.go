package tollgate

import (
	"crypto/sha256"
	"math/big"
	"time"
)

// RestAPI is an API Gateway REST API: a resource tree whose methods are
// protected by authorizers and served by integrations, deployed to stages.
// APIs are declared in config; their ids are derived from the declaration's
// logical id so that URLs stay the same across restarts.
type RestAPI struct {
	ID     string // 10 lowercase alphanumerics: the {apiId} of {apiId}.execute-api.{region}.{base domain}
	Name   string
	Region string
	Stages []Stage
	Routes []Route
	// DomainNames are custom domain names the API answers on (each with the
	// stage it maps to and a TLS certificate).
	DomainNames []APIDomain
	// BinaryMediaTypes are the media types served as binary (Lambda proxy
	// integrations decode base64 bodies only for these).
	BinaryMediaTypes []string
	ConfigKey        string
}

// APIDomain is a custom domain name mapped to a stage of an API.
type APIDomain struct {
	DomainName string
	Stage      string
	BasePath   string // "" maps the domain's root
	CertFile   string
	KeyFile    string
}

// Stage is a deployment of an API, the first segment of its invoke path.
type Stage struct {
	Name      string // e.g. "prod"
	Variables map[string]string
	// Throttle limits the whole stage; ClientThrottle limits each client
	// separately: a token's issuer and client_id (or sub, for a JWT
	// authorizer's token without client_id). Requests whose token has
	// neither, and those a Lambda authorizer allowed, share no per-client
	// bucket. Zero means unlimited.
	Throttle       Throttle
	ClientThrottle Throttle
}

// Throttle is a token bucket: Rate requests per second, bursts of Burst.
type Throttle struct {
	Rate  float64
	Burst int
}

// Enabled reports whether the throttle limits anything.
func (t Throttle) Enabled() bool { return t.Rate > 0 }

// Route is one method of one resource: what API Gateway calls a Method.
type Route struct {
	// ResourcePath is the resource's path template: "/", "/pets",
	// "/pets/{id}", "/{proxy+}" (a greedy parameter, last segment only).
	ResourcePath string
	// Method is an HTTP method or "ANY".
	Method string
	// Authorizer protects the method; nil means no authorization (NONE).
	Authorizer *Authorizer
	// AuthorizationScopes: with a Cognito or JWT authorizer, the token must
	// hold at least one of them (a Cognito authorizer wants an access
	// token).
	AuthorizationScopes []string
	Integration         Integration
}

// AuthorizerType is the kind of an authorizer, named as API Gateway names
// it (AWS::ApiGateway::Authorizer's Type).
type AuthorizerType string

// Authorizer types.
const (
	// AuthorizerCognito verifies access tokens of Cognito user pools (the
	// local pools it names, and pools on AWS by their JWKS).
	AuthorizerCognito AuthorizerType = "COGNITO_USER_POOLS"
	// AuthorizerToken is a Lambda authorizer given the token of one header.
	AuthorizerToken AuthorizerType = "TOKEN"
	// AuthorizerRequest is a Lambda authorizer given the request's headers,
	// query string, path, stage variables and context.
	AuthorizerRequest AuthorizerType = "REQUEST"
	// AuthorizerJWT verifies JWTs of the OpenID issuers it names
	// (JwtConfiguration).
	AuthorizerJWT AuthorizerType = "JWT"
)

// DefaultAuthorizerResultTTL is how long API Gateway caches a Lambda
// authorizer's policy when the declaration does not say (300 s); 0 turns
// caching off.
const DefaultAuthorizerResultTTL = 300 * time.Second

// MaxAuthorizerResultTTL is API Gateway's largest result TTL: an hour.
const MaxAuthorizerResultTTL = time.Hour

// Authorizer protects methods of a REST API. Which fields apply depends on
// its Type.
type Authorizer struct {
	Name string
	// Type is the authorizer's kind; "" means AuthorizerCognito.
	Type AuthorizerType

	// PoolIDs (COGNITO_USER_POOLS) are the local pools whose access tokens
	// it accepts; Issuers are pools outside Tollgate (a Cognito pool on
	// AWS) whose tokens it verifies with the keys of their JWKS URL.
	PoolIDs []string
	Issuers []ExternalIssuer

	// IdentitySource is where a COGNITO_USER_POOLS, TOKEN or JWT authorizer
	// reads the token: method.request.header.{Name} (default
	// "Authorization" for COGNITO_USER_POOLS).
	IdentitySource string
	// IdentitySources (REQUEST) are the values that must all be present and
	// that key its cache: method.request.header.{n},
	// method.request.querystring.{n}, stageVariables.{n}, context.{n}.
	IdentitySources []string

	// Function (TOKEN, REQUEST) is the name of the Lambda function that
	// decides.
	Function string
	// IdentityValidationExpression (TOKEN) is a regular expression the
	// token must match for the function to be invoked; "" means any.
	IdentityValidationExpression string
	// ResultTTL (TOKEN, REQUEST) is how long a policy is cached for the
	// same token or identity-source values; 0 means no caching.
	ResultTTL time.Duration

	// JWT is the configuration of a JWT authorizer.
	JWT *JWTConfiguration
}

// Kind returns the authorizer's type, AuthorizerCognito when Type is "".
func (a *Authorizer) Kind() AuthorizerType {
	if a.Type == "" {
		return AuthorizerCognito
	}
	return a.Type
}

// JWTConfiguration is a JWT authorizer's JwtConfiguration.
type JWTConfiguration struct {
	// Algorithms are the signature algorithms a token may use
	// (DefaultAlgorithms): RS256, RS384, RS512, ES256, ES384, ES512.
	Algorithms []string
	Issuers    []JWTIssuer
}

// JWTIssuer is an issuer a JWT authorizer trusts.
type JWTIssuer struct {
	// Issuer is the exact iss of its tokens; its keys are found through
	// {Issuer}/.well-known/openid-configuration's jwks_uri, unless JWKSURL
	// is set.
	Issuer string
	// JWKSURL, if set, is where its keys are, without discovery (a local
	// pool's own JWKS).
	JWKSURL string
	// Audiences: the token's aud must hold one of them.
	Audiences []string
	// Claims are further claims the token must (Required) or may carry, with
	// one of ExpectedValues when present.
	Claims []JWTClaim
}

// JWTClaim is a JWT authorizer's AdditionalClaim: a top-level claim
// compared as a single string, exactly.
type JWTClaim struct {
	Name           string
	ExpectedValues []string
	Required       bool
}

// ExternalIssuer is a token issuer outside Tollgate.
type ExternalIssuer struct {
	Issuer  string // the exact iss claim
	JWKSURL string
}

// IntegrationType is how a method's requests are served.
type IntegrationType string

// Integration types, named as API Gateway names them.
const (
	IntegrationHTTPProxy IntegrationType = "HTTP_PROXY" // forward to an HTTP upstream
	IntegrationAWSProxy  IntegrationType = "AWS_PROXY"  // Lambda proxy integration
	IntegrationMock      IntegrationType = "MOCK"       // answer without a backend
)

// DefaultIntegrationTimeout is API Gateway's default (and maximum) 29 s.
const DefaultIntegrationTimeout = 29 * time.Second

// Integration is the backend of a route.
type Integration struct {
	Type IntegrationType
	// URI is the upstream URL of an HTTP_PROXY integration; "{proxy}" and
	// "{name}" are replaced by the request's path parameters.
	URI string
	// Function names the function of an AWS_PROXY integration.
	Function string
	// Timeout bounds the integration (default DefaultIntegrationTimeout).
	Timeout time.Duration
	// MockStatus is the status a MOCK integration answers with (default 200).
	MockStatus int
	// MockHeaders and MockBody are a MOCK integration's static response
	// headers and body (API Gateway's integration response parameters with
	// literal values, and a mapping template without VTL): what CDK's CORS
	// preflight methods answer with. Content-Type defaults to
	// application/json.
	MockHeaders map[string]string
	MockBody    string
}

// RestAPIID derives a stable API id from a logical id: 10 lowercase
// alphanumerics, like API Gateway's.
func RestAPIID(logicalID string) string {
	sum := sha256.Sum256([]byte("tollgate/restapi/" + logicalID))
	s := new(big.Int).SetBytes(sum[:8]).Text(36)
	for len(s) < 10 {
		s = "0" + s
	}
	return s[len(s)-10:]
}
