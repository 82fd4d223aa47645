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
	// Throttle limits the whole stage; ClientThrottle limits each client id
	// (the authorizer's client_id) separately. Zero means unlimited.
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
	// AuthorizationScopes: with a Cognito authorizer, the token must be an
	// access token holding at least one of them.
	AuthorizationScopes []string
	Integration         Integration
}

// Authorizer is a Cognito user pools authorizer: it accepts tokens of the
// local pools it names and of external issuers (a real Cognito pool,
// Keycloak, Auth0…) whose keys it fetches from their JWKS URL.
type Authorizer struct {
	Name    string
	PoolIDs []string
	Issuers []ExternalIssuer
	// IdentitySource is the request header holding the token
	// (default "Authorization").
	IdentitySource string
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
