package tollgate

import (
	"crypto/sha256"
	"math/big"
	"time"
)

// APIProtocol is the kind of an API Gateway API.
type APIProtocol string

// API kinds.
const (
	// ProtocolREST is a REST API (API Gateway v1): resources and methods,
	// Lambda proxy payload 1.0, REST's gateway responses.
	ProtocolREST APIProtocol = "REST"
	// ProtocolHTTP is an HTTP API (API Gateway v2, ProtocolType HTTP):
	// routes keyed "METHOD /path" or "$default", a $default stage served
	// without a path prefix, payload format 1.0 or 2.0, JWT and Lambda
	// (REQUEST) authorizers, a CORS configuration, and HTTP APIs' answers
	// ({"message":"Not Found"}, 500 for a failed Lambda integration, 503
	// for an integration timeout).
	ProtocolHTTP APIProtocol = "HTTP"
)

// DefaultStageName is the name of an HTTP API's stage served at the root
// of the API's URL, without a stage segment.
const DefaultStageName = "$default"

// DefaultRouteKey is the ResourcePath of an HTTP API's $default route: the
// route of requests no other route matches. Its Method is "ANY".
const DefaultRouteKey = "$default"

// RestAPI is an API Gateway API: a REST API (a resource tree whose methods
// are protected by authorizers and served by integrations, deployed to
// stages) or, when Protocol is ProtocolHTTP, an HTTP API (routes,
// authorizers and integrations deployed to stages, $default among them).
// Both kinds share this type, the gateway's route tree, its authorizers
// and its integration seam. APIs are declared in config; their ids are
// derived from the declaration's logical id so that URLs stay the same
// across restarts.
type RestAPI struct {
	ID     string // 10 lowercase alphanumerics: the {apiId} of {apiId}.execute-api.{region}.{base domain}
	Name   string
	Region string
	// Protocol is the API's kind; "" means ProtocolREST.
	Protocol APIProtocol
	// CORS (HTTP APIs) is the API's CORS configuration: API Gateway answers
	// preflight requests from it, before routes and authorizers, and adds
	// its headers to the integrations' answers (replacing theirs). Nil
	// means none.
	CORS *CORSConfiguration
	// DisableExecuteAPIEndpoint (HTTP APIs) turns the execute-api host and
	// the path forms off: only custom domain names serve the API.
	DisableExecuteAPIEndpoint bool
	Stages                    []Stage
	Routes                    []Route
	// DomainNames are custom domain names the API answers on (each with the
	// stage it maps to and a TLS certificate).
	DomainNames []APIDomain
	// BinaryMediaTypes are the media types served as binary (Lambda proxy
	// integrations decode base64 bodies only for these).
	BinaryMediaTypes []string
	// APIKeySource (REST APIs) is where methods that require an API key
	// read it: APIKeySourceHeader ("" means it) or APIKeySourceAuthorizer.
	APIKeySource string
	// Resource, when set, makes the API an OAuth 2 protected resource beyond
	// API Gateway (oauthext.go): audience and binding checks, RFC 9728
	// metadata. Nil: API Gateway's behaviour.
	Resource  *ProtectedResource
	ConfigKey string
}

// IsHTTP reports whether the API is an HTTP API (ProtocolHTTP).
func (a *RestAPI) IsHTTP() bool { return a.Protocol == ProtocolHTTP }

// CORSConfiguration is an HTTP API's CorsConfiguration
// (AWS::ApiGatewayV2::Api's, CDK's corsPreflight).
type CORSConfiguration struct {
	// AllowOrigins are the origins allowed: exact origins
	// ("https://example.com") or "*".
	AllowOrigins []string
	// AllowMethods are the methods a preflight allows ("*" for any).
	AllowMethods []string
	// AllowHeaders are the request headers a preflight allows ("*" for any).
	AllowHeaders []string
	// ExposeHeaders are the response headers a browser may read.
	ExposeHeaders []string
	// AllowCredentials sends Access-Control-Allow-Credentials: true (not
	// with the origin "*").
	AllowCredentials bool
	// MaxAge is Access-Control-Max-Age in seconds (-1 to 86400); nil sends
	// none.
	MaxAge *int
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
	// RouteThrottle (HTTP APIs: DefaultRouteSettings) limits each route of
	// the stage on its own; RouteThrottles (RouteSettings) replace it for
	// the routes they name, by route key ("GET /pets/{id}", "$default").
	// Zero means unlimited.
	RouteThrottle  Throttle
	RouteThrottles map[string]Throttle
}

// Throttle is a token bucket: Rate requests per second, bursts of Burst.
type Throttle struct {
	Rate  float64
	Burst int
}

// Enabled reports whether the throttle limits anything.
func (t Throttle) Enabled() bool { return t.Rate > 0 }

// Route is one method of one resource: what a REST API calls a Method and
// an HTTP API a route.
type Route struct {
	// ResourcePath is the resource's path template: "/", "/pets",
	// "/pets/{id}", "/{proxy+}" (a greedy parameter, last segment only);
	// or, on an HTTP API, DefaultRouteKey for the $default route.
	ResourcePath string
	// Method is an HTTP method or "ANY" ("ANY" for the $default route).
	Method string
	// Authorizer protects the method; nil means no authorization (NONE).
	Authorizer *Authorizer
	// AuthorizationScopes: with a Cognito or JWT authorizer, the token must
	// hold at least one of them (a Cognito authorizer wants an access
	// token).
	AuthorizationScopes []string
	// APIKeyRequired (REST APIs) makes the method require an API key of a
	// usage plan that covers the stage: without it the key is not read and
	// usage plans neither throttle nor count the method's requests.
	APIKeyRequired bool
	// RequireBinding (BindingAny, BindingDPoP or BindingMTLS) refuses tokens
	// of the route that are not so bound, whatever the API's
	// ProtectedResource says; empty: the API's rule.
	RequireBinding string
	Integration    Integration
}

// IsDefault reports whether the route is an HTTP API's $default route.
func (r *Route) IsDefault() bool { return r.ResourcePath == DefaultRouteKey }

// Key returns the route's key as API Gateway writes it: "GET /pets/{id}",
// "ANY /{proxy+}", or "$default".
func (r *Route) Key() string {
	if r.IsDefault() {
		return DefaultRouteKey
	}
	return r.Method + " " + r.ResourcePath
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

	// PayloadFormatVersion (an HTTP API's REQUEST authorizer) is the event
	// format the function gets: "1.0" or "2.0" (apigw-beyond §4.4).
	PayloadFormatVersion string
	// SimpleResponses (an HTTP API's REQUEST authorizer, payload 2.0): the
	// function answers {"isAuthorized": bool, "context": {...}} rather
	// than an IAM policy.
	SimpleResponses bool
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
	// PoolID, if set, names a local pool (an HTTP API's
	// HttpUserPoolAuthorizer): Issuer is then "" and the gateway uses the
	// pool's issuer URL (Options.Issuer) and the signer's keys.
	PoolID string
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

// DefaultHTTPIntegrationTimeout is an HTTP API's default (and maximum)
// integration timeout, 30 s (AWS::ApiGatewayV2::Integration's
// TimeoutInMillis).
const DefaultHTTPIntegrationTimeout = 30 * time.Second

// HTTPLambdaAuthorizerTimeout is how long an HTTP API waits for its Lambda
// authorizer: 10 s (apigw-beyond §4.4, limits.md).
const HTTPLambdaAuthorizerTimeout = 10 * time.Second

// Integration is the backend of a route.
type Integration struct {
	Type IntegrationType
	// URI is the upstream URL of an HTTP_PROXY integration; "{proxy}" and
	// "{name}" are replaced by the request's path parameters.
	URI string
	// Function names the function of an AWS_PROXY integration.
	Function string
	// Timeout bounds the integration (default DefaultIntegrationTimeout;
	// DefaultHTTPIntegrationTimeout on an HTTP API).
	Timeout time.Duration
	// PayloadFormatVersion is the event format of an AWS_PROXY integration
	// on an HTTP API: "1.0" or "2.0" ("" on a REST API, which has 1.0 only).
	PayloadFormatVersion string
	// Method (HTTP_PROXY on an HTTP API: IntegrationMethod) is the method
	// sent upstream; "" or "ANY" sends the request's own.
	Method string
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
