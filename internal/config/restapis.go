package config

import "time"

// The restApis section: API Gateway REST APIs. Each struct mirrors the
// props of a CDK construct or method, with the construct id as "id":
//
//	new RestApi(this, 'NewRestApi', {restApiName, deployOptions, ...}) → RestAPI
//	new CognitoUserPoolsAuthorizer(this, 'Authorizer', {...})          → Authorizer
//	new TokenAuthorizer(this, 'Auth', {handler, ...})                  → Authorizer (TOKEN)
//	new RequestAuthorizer(this, 'Auth', {handler, identitySources})    → Authorizer (REQUEST)
//	new CfnAuthorizer(this, 'Auth', {type: 'JWT', jwtConfiguration})   → Authorizer (JWT)
//	restApi.root.addResource('{proxy+}')                               → Resource
//	resource.addMethod('ANY', integration, {authorizer, ...})          → Method
//	new LambdaIntegration(fn, {proxy: true})                           → Integration (AWS_PROXY)
//	new HttpIntegration(url, {proxy: true})                            → Integration (HTTP_PROXY)
//	new MockIntegration()                                              → Integration (MOCK)
//	new DomainName(...) with a base path mapping                       → APIDomain
//
// Where CDK builds the resource tree one addResource at a time, a resource
// here is its full path; the tree follows from the paths.
//
// APIs are not stored: they live in memory, built from the config by
// BuildRestAPIs, and their ids derive from their logical ids
// (tollgate.RestAPIID), so their URLs survive restarts.

// RestAPI is an API Gateway REST API.
type RestAPI struct {
	// ID is the logical id, unique among the APIs. The API's id, the
	// {apiId} of its URLs, is tollgate.RestAPIID(ID).
	ID string `yaml:"id"`
	// RestAPIName is the API's name (default ID).
	RestAPIName string `yaml:"restApiName"`
	// EndpointTypes is accepted so that a CDK stack can be copied as is:
	// REGIONAL or EDGE, which Tollgate serves alike. PRIVATE, which needs a
	// VPC endpoint, is refused.
	EndpointTypes []string `yaml:"endpointTypes"`
	// DeployOptions is the API's one stage, "prod" by default as in CDK.
	DeployOptions DeployOptions `yaml:"deployOptions"`
	// ClientThrottling limits each client id (the client_id of the
	// caller's token) on its own: a Tollgate extension. Unset, clients
	// share the stage's limit only.
	ClientThrottling ClientThrottling `yaml:"clientThrottling"`
	// BinaryMediaTypes are the media types served as binary, like
	// image/png or image/*.
	BinaryMediaTypes []string     `yaml:"binaryMediaTypes"`
	Authorizers      []Authorizer `yaml:"authorizers"`
	Resources        []Resource   `yaml:"resources"`
	// DomainNames are custom domain names the API answers on.
	DomainNames []APIDomain `yaml:"domainNames"`
	// APIKeySourceType is where methods that require an API key read it:
	// HEADER (X-API-Key, the default) or AUTHORIZER (the usageIdentifierKey
	// a Lambda authorizer returns).
	APIKeySourceType string `yaml:"apiKeySourceType"`
	// ProtectedResource makes the API an OAuth 2 protected resource beyond
	// API Gateway (tollgate.ProtectedResource).
	ProtectedResource *ProtectedResource `yaml:"protectedResource"`
}

// ProtectedResource is tollgate.ProtectedResource, for REST and HTTP APIs.
type ProtectedResource struct {
	Identifier           string   `yaml:"identifier"`
	Audiences            []string `yaml:"audiences"`
	RequireBinding       string   `yaml:"requireBinding"`
	Metadata             bool     `yaml:"metadata"`
	ResourceName         string   `yaml:"resourceName"`
	AuthorizationServers []string `yaml:"authorizationServers"`
	Scopes               []string `yaml:"scopes"`
	DPoP                 *DPoP    `yaml:"dpop"`
}

// DeployOptions mirrors CDK's StageOptions, in the part Tollgate serves.
type DeployOptions struct {
	// StageName is the first segment of the invoke path (default prod):
	// letters, digits and '_'.
	StageName string `yaml:"stageName"`
	// ThrottlingRateLimit is the stage's steady rate in requests per
	// second; 0 means unlimited.
	ThrottlingRateLimit float64 `yaml:"throttlingRateLimit"`
	// ThrottlingBurstLimit is the stage's burst, in requests (default the
	// rate rounded up). It needs a rate.
	ThrottlingBurstLimit int `yaml:"throttlingBurstLimit"`
	// Variables are the stage variables.
	Variables map[string]string `yaml:"variables"`
}

// ClientThrottling is a per-client token bucket, with the same rules as the
// stage's throttling.
type ClientThrottling struct {
	RateLimit  float64 `yaml:"rateLimit"`
	BurstLimit int     `yaml:"burstLimit"`
}

// Authorizer types, as API Gateway names them (AWS::ApiGateway::Authorizer's
// Type).
const (
	AuthorizerCognito = "COGNITO_USER_POOLS"
	AuthorizerToken   = "TOKEN"
	AuthorizerRequest = "REQUEST"
	AuthorizerJWT     = "JWT"
)

// Authorizer protects methods of the API. Its type says which fields
// apply; a field of another type is a problem.
type Authorizer struct {
	// ID is the logical id, unique within the API; methods name their
	// authorizer by it.
	ID string `yaml:"id"`
	// Type is COGNITO_USER_POOLS (the default), TOKEN or REQUEST (a Lambda
	// authorizer: CDK's TokenAuthorizer, RequestAuthorizer) or JWT.
	Type string `yaml:"type"`
	// CognitoUserPools (COGNITO_USER_POOLS) are logical ids of user pools
	// of this config, or ARNs of pools on AWS
	// (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}, as CDK's
	// UserPool.fromUserPoolArn gives), whose tokens are verified with the
	// keys of the pool's JWKS.
	CognitoUserPools []string `yaml:"cognitoUserPools"`
	// Function (TOKEN, REQUEST) is the id of the function of this config
	// that decides (CDK's handler).
	Function string `yaml:"function"`
	// IdentitySource (COGNITO_USER_POOLS, TOKEN, JWT) is the header the
	// token is read from, in CDK's form (default
	// method.request.header.Authorization).
	IdentitySource string `yaml:"identitySource"`
	// IdentitySources (REQUEST) must all be present for the function to be
	// invoked, and key its cache: method.request.header.{name},
	// method.request.querystring.{name}, stageVariables.{name},
	// context.{name}. At least one is needed when results are cached.
	IdentitySources []string `yaml:"identitySources"`
	// ValidationRegex (TOKEN) is a regular expression the token must
	// match for the function to be invoked (CFN's
	// IdentityValidationExpression), in Go's RE2 syntax.
	ValidationRegex string `yaml:"validationRegex"`
	// ResultsCacheTTL (TOKEN, REQUEST) is how long a policy is cached:
	// whole seconds up to 3600s; nil means 300s and 0s caches nothing.
	ResultsCacheTTL *time.Duration `yaml:"resultsCacheTtl"`
	// JWTConfiguration (JWT) names the issuers whose tokens it accepts.
	JWTConfiguration *JWTConfiguration `yaml:"jwtConfiguration"`
}

// JWTConfiguration is a JWT authorizer's JwtConfiguration.
type JWTConfiguration struct {
	// DefaultAlgorithms are the signature algorithms a token may use:
	// RS256, RS384, RS512, ES256, ES384, ES512.
	DefaultAlgorithms []string    `yaml:"defaultAlgorithms"`
	Issuers           []JWTIssuer `yaml:"issuers"`
}

// JWTIssuer is an issuer a JWT authorizer trusts; its keys are found by
// OpenID discovery ({issuer}/.well-known/openid-configuration).
type JWTIssuer struct {
	// Issuer is the exact iss of its tokens: an https URL (http only on a
	// loopback host).
	Issuer string `yaml:"issuer"`
	// Audiences: a token's aud must hold one of them.
	Audiences        []string          `yaml:"audiences"`
	AdditionalClaims []AdditionalClaim `yaml:"additionalClaims"`
}

// AdditionalClaim is a further top-level claim a JWT authorizer checks.
type AdditionalClaim struct {
	// ClaimName is the claim; iss, aud, exp, nbf, iat, scope and scp are
	// checked by the authorizer itself and cannot be named.
	ClaimName string `yaml:"claimName"`
	// ExpectedValues: the claim, when present, must equal one of them.
	ExpectedValues []string `yaml:"expectedValues"`
	// Format is SINGLE_STRING, the default and only format.
	Format string `yaml:"format"`
	// Required: a token without the claim is refused.
	Required bool `yaml:"required"`
}

// Resource is a resource of the API, given by its full path, and its
// methods.
type Resource struct {
	// Path is the resource's path template: "/", "/pets", "/pets/{id}",
	// "/{proxy+}" (a greedy parameter, as the last part only).
	Path    string   `yaml:"path"`
	Methods []Method `yaml:"methods"`
}

// Method is one HTTP method of a resource.
type Method struct {
	// HTTPMethod is GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or ANY.
	HTTPMethod string `yaml:"httpMethod"`
	// Authorizer is the ID of an authorizer of the API; empty means no
	// authorization (NONE).
	Authorizer string `yaml:"authorizer"`
	// AuthorizationScopes: a token must hold at least one of them.
	// Required with a COGNITO_USER_POOLS authorizer, since without them API
	// Gateway accepts ID tokens only, which Tollgate does not issue;
	// optional with a JWT authorizer; refused with a Lambda authorizer,
	// whose function decides.
	AuthorizationScopes []string `yaml:"authorizationScopes"`
	// APIKeyRequired makes the method require an API key of a usage plan
	// that covers the stage.
	APIKeyRequired bool `yaml:"apiKeyRequired"`
	// RequireBinding (any, dpop or mtls) refuses the method's tokens that
	// are not so bound.
	RequireBinding string       `yaml:"requireBinding"`
	Integration    *Integration `yaml:"integration"`
}

// Integration types, as API Gateway names them.
const (
	IntegrationAWSProxy  = "AWS_PROXY"
	IntegrationHTTPProxy = "HTTP_PROXY"
	IntegrationMock      = "MOCK"
)

// Bounds of an integration's timeout: API Gateway's 50 ms to 29 s.
const (
	minIntegrationTimeout = 50 * time.Millisecond
	maxIntegrationTimeout = 29 * time.Second
)

// Integration is the backend of a method.
type Integration struct {
	// Type is AWS_PROXY (a Lambda function), HTTP_PROXY (an HTTP upstream)
	// or MOCK (an answer without a backend).
	Type string `yaml:"type"`
	// Function is the ID of the function of an AWS_PROXY integration.
	Function string `yaml:"function"`
	// URI is the upstream URL of an HTTP_PROXY integration, http or https.
	// Placeholders "{name}" in its path are replaced by the path
	// parameters of the request; each must name a path parameter of the
	// resource ("{proxy}" for "{proxy+}").
	URI string `yaml:"uri"`
	// Timeout bounds a proxy integration: 50ms to 29s (default 29s).
	Timeout time.Duration `yaml:"timeout"`
	// StatusCode is the status a MOCK integration answers with: 100 to
	// 599 (default 200).
	StatusCode int `yaml:"statusCode"`
	// ResponseHeaders and Body are a MOCK integration's static answer,
	// e.g. a CORS preflight's Access-Control-Allow-* headers.
	// Content-Type defaults to application/json.
	ResponseHeaders map[string]string `yaml:"responseHeaders"`
	Body            string            `yaml:"body"`
}

// APIDomain is a custom domain name mapped to the API's stage.
type APIDomain struct {
	// DomainName is a lower-case fully qualified host name, unique across
	// the pools' domains and the APIs' domains.
	DomainName string `yaml:"domainName"`
	// Stage is the stage the domain maps to (default the API's stage,
	// which is the only one it may name).
	Stage string `yaml:"stage"`
	// BasePath is the path under which the domain serves the stage, like
	// "v1" or "orders/v2"; empty maps the domain's root.
	BasePath string `yaml:"basePath"`
	// Certificate is the TLS certificate for the domain, with the rules of
	// a pool's custom domain certificate.
	Certificate *Certificate `yaml:"certificate"`
}
