package config

import "time"

// The httpApis section: API Gateway HTTP APIs (v2). Each struct mirrors
// the props of a CDK construct (aws-cdk-lib/aws-apigatewayv2 and its
// -authorizers and -integrations modules), with the construct id as "id":
//
//	new HttpApi(this, 'Api', {apiName, corsPreflight, defaultIntegration, ...}) → HTTPAPI
//	api.addStage('dev', {stageName, autoDeploy, throttle, stageVariables})      → HTTPStage
//	new HttpJwtAuthorizer('Auth', issuer, {jwtAudience, identitySource})       → HTTPAuthorizer (JWT)
//	new HttpUserPoolAuthorizer('Auth', pool, {userPoolClients})                 → HTTPAuthorizer (JWT, userPool)
//	new HttpLambdaAuthorizer('Auth', fn, {responseTypes, resultsCacheTtl})     → HTTPAuthorizer (REQUEST)
//	api.addRoutes({path, methods, integration, authorizer, authorizationScopes}) → HTTPRoute
//	new HttpLambdaIntegration('Int', fn, {payloadFormatVersion, timeout})      → HTTPIntegration (AWS_PROXY)
//	new HttpUrlIntegration('Int', url, {method, timeout})                      → HTTPIntegration (HTTP_PROXY)
//
// They are built into tollgate.RestAPI values with Protocol HTTP by
// BuildRestAPIs, beside the REST APIs; their ids derive from their logical
// ids as REST APIs' do, and logical ids are unique across both sections.

// HTTPAPI is an API Gateway HTTP API.
type HTTPAPI struct {
	// ID is the logical id, unique among the REST and HTTP APIs. The API's
	// id, the {apiId} of its URLs, is tollgate.RestAPIID(ID).
	ID string `yaml:"id"`
	// APIName is the API's name (default ID).
	APIName string `yaml:"apiName"`
	// CORSPreflight is the API's CORS configuration: preflight requests
	// are answered from it, before routes and authorizers.
	CORSPreflight *CORSPreflight `yaml:"corsPreflight"`
	// CreateDefaultStage (default true) gives the API the $default stage,
	// served at the root of its URL without a stage segment.
	CreateDefaultStage *bool `yaml:"createDefaultStage"`
	// DisableExecuteAPIEndpoint turns the execute-api host and the path
	// forms off.
	DisableExecuteAPIEndpoint bool `yaml:"disableExecuteApiEndpoint"`
	// DefaultIntegration, if set, serves the $default route: requests no
	// route matches.
	DefaultIntegration *HTTPIntegration `yaml:"defaultIntegration"`
	// DefaultAuthorizer is the id of the authorizer of routes that name
	// none (and of the $default route); DefaultAuthorizationScopes their
	// scopes.
	DefaultAuthorizer          string   `yaml:"defaultAuthorizer"`
	DefaultAuthorizationScopes []string `yaml:"defaultAuthorizationScopes"`
	// Stages are the API's named stages, besides $default. A stage named
	// "$default" here configures the default stage (its throttle and
	// variables).
	Stages      []HTTPStage      `yaml:"stages"`
	Authorizers []HTTPAuthorizer `yaml:"authorizers"`
	Routes      []HTTPRoute      `yaml:"routes"`
	// ProtectedResource makes the API an OAuth 2 protected resource beyond
	// API Gateway (tollgate.ProtectedResource).
	ProtectedResource *ProtectedResource `yaml:"protectedResource"`
}

// CORSPreflight is CDK's CorsPreflightOptions (CloudFormation's
// CorsConfiguration).
type CORSPreflight struct {
	AllowOrigins     []string `yaml:"allowOrigins"`
	AllowMethods     []string `yaml:"allowMethods"`
	AllowHeaders     []string `yaml:"allowHeaders"`
	ExposeHeaders    []string `yaml:"exposeHeaders"`
	AllowCredentials bool     `yaml:"allowCredentials"`
	// MaxAge is Access-Control-Max-Age: whole seconds up to 86400s.
	MaxAge *time.Duration `yaml:"maxAge"`
}

// HTTPStage is a stage of an HTTP API (CDK's HttpStageOptions).
type HTTPStage struct {
	// StageName is the stage's name, its URL's first path segment:
	// 1 to 128 of [A-Za-z0-9_-]; or "$default".
	StageName string `yaml:"stageName"`
	// AutoDeploy is accepted as CDK writes it: Tollgate serves what the
	// config declares, always.
	AutoDeploy *bool `yaml:"autoDeploy"`
	// StageVariables are the stage's variables.
	StageVariables map[string]string `yaml:"stageVariables"`
	// Throttle limits each route of the stage on its own (the stage's
	// DefaultRouteSettings).
	Throttle *ThrottleSettings `yaml:"throttle"`
	// RouteThrottles replace Throttle for the routes they name, by route
	// key ("GET /pets", "$default"): the stage's RouteSettings.
	RouteThrottles map[string]ThrottleSettings `yaml:"routeThrottles"`
}

// ThrottleSettings is CDK's ThrottleSettings: a steady rate in requests
// per second and a burst.
type ThrottleSettings struct {
	RateLimit  float64 `yaml:"rateLimit"`
	BurstLimit int     `yaml:"burstLimit"`
}

// HTTP API authorizer types (AWS::ApiGatewayV2::Authorizer's
// AuthorizerType).
const (
	HTTPAuthorizerJWT     = "JWT"
	HTTPAuthorizerRequest = "REQUEST"
)

// HTTPAuthorizer is an authorizer of an HTTP API.
type HTTPAuthorizer struct {
	// ID is the logical id, unique within the API; routes name their
	// authorizer by it.
	ID string `yaml:"id"`
	// Type is JWT (HttpJwtAuthorizer, HttpUserPoolAuthorizer) or REQUEST
	// (HttpLambdaAuthorizer).
	Type string `yaml:"type"`
	// IdentitySource is where the token (JWT: one entry) or the identity
	// values (REQUEST) are read: $request.header.{name},
	// $request.querystring.{name}, and for REQUEST $stageVariables.{name}
	// and $context.{name}. Default [$request.header.Authorization]; [] (a
	// REQUEST authorizer that does not cache) is none.
	IdentitySource []string `yaml:"identitySource"`

	// JWTIssuer and JWTAudience (JWT, HttpJwtAuthorizer): the exact iss of
	// the tokens, and the audiences one of which the token's aud (or, when
	// it has none, its client_id) must be.
	JWTIssuer   string   `yaml:"jwtIssuer"`
	JWTAudience []string `yaml:"jwtAudience"`
	// UserPool and UserPoolClients (JWT, HttpUserPoolAuthorizer): the
	// logical id of a pool of this config, whose issuer the authorizer
	// trusts, and the logical ids of its clients, whose ids are the
	// audience.
	UserPool        string   `yaml:"userPool"`
	UserPoolClients []string `yaml:"userPoolClients"`

	// Function (REQUEST) is the id of the function of this config that
	// decides.
	Function string `yaml:"function"`
	// ResponseTypes (REQUEST) are CDK's HttpLambdaResponseType: IAM (the
	// default: an IAM policy, payload 1.0) or SIMPLE ({"isAuthorized":
	// …}, payload 2.0).
	ResponseTypes []string `yaml:"responseTypes"`
	// PayloadFormatVersion (REQUEST) is the event's format, "1.0" or
	// "2.0"; by default 2.0 with SIMPLE, else 1.0.
	PayloadFormatVersion string `yaml:"payloadFormatVersion"`
	// ResultsCacheTTL (REQUEST) is how long an answer is cached for the
	// same identity values: whole seconds up to 3600s; nil means 300s (as
	// CDK) and 0s caches nothing.
	ResultsCacheTTL *time.Duration `yaml:"resultsCacheTtl"`
}

// HTTPRoute is one or more routes of the API: a path and its methods.
type HTTPRoute struct {
	// Path is the route's path template: "/", "/pets", "/pets/{id}",
	// "/{proxy+}"; or "$default" (then Methods is empty).
	Path string `yaml:"path"`
	// Methods are GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or ANY
	// (default [ANY]): one route per method.
	Methods     []string         `yaml:"methods"`
	Integration *HTTPIntegration `yaml:"integration"`
	// Authorizer is the id of an authorizer of the API; empty means the
	// API's defaultAuthorizer, "NONE" no authorization.
	Authorizer string `yaml:"authorizer"`
	// AuthorizationScopes (JWT): the token must hold at least one of them.
	AuthorizationScopes []string `yaml:"authorizationScopes"`
	// RequireBinding (any, dpop or mtls) refuses the route's tokens that
	// are not so bound.
	RequireBinding string `yaml:"requireBinding"`
}

// HTTPIntegration is the backend of an HTTP API's route.
type HTTPIntegration struct {
	// Type is AWS_PROXY (HttpLambdaIntegration) or HTTP_PROXY
	// (HttpUrlIntegration).
	Type string `yaml:"type"`
	// Function (AWS_PROXY) is the id of a function of this config.
	Function string `yaml:"function"`
	// PayloadFormatVersion (AWS_PROXY) is "2.0" (the default) or "1.0";
	// an HTTP_PROXY integration's is "1.0", which may be written (as
	// CloudFormation requires and CDK writes it).
	PayloadFormatVersion string `yaml:"payloadFormatVersion"`
	// URL (HTTP_PROXY) is the upstream URL, http or https; "{proxy}" and
	// "{name}" in its path are replaced by the request's path parameters.
	// A $default route's upstream gets the request's full path appended.
	URL string `yaml:"url"`
	// Method (HTTP_PROXY) is the method sent upstream (default ANY: the
	// request's).
	Method string `yaml:"method"`
	// Timeout bounds the integration: 50ms to 30s (default 30s).
	Timeout time.Duration `yaml:"timeout"`
}
