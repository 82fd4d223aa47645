package apigw

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// httpAPI is a valid HTTP API with every kind of route, authorizer and
// integration; the tests of checkHTTP break one thing of it at a time.
func httpAPI() *tollgate.RestAPI {
	maxAge := 300
	jwt := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization",
		JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{PoolID: "us-east-1_Abc", Audiences: []string{"client1"}}}}}
	lambda := &tollgate.Authorizer{Name: "lambda", Type: tollgate.AuthorizerRequest, Function: "auth", ResultTTL: 300 * time.Second,
		IdentitySources: []string{"$request.header.Authorization", "$context.routeKey"}, PayloadFormatVersion: "2.0", SimpleResponses: true}
	return &tollgate.RestAPI{
		ID: "abc", Protocol: tollgate.ProtocolHTTP,
		CORS: &tollgate.CORSConfiguration{AllowOrigins: []string{"https://app.example.com", "http://localhost:3000"},
			AllowMethods: []string{"GET", "*"}, AllowHeaders: []string{"authorization", "*"}, ExposeHeaders: []string{"x-id"},
			AllowCredentials: true, MaxAge: &maxAge},
		Stages: []tollgate.Stage{
			{Name: "$default", RouteThrottle: tollgate.Throttle{Rate: 10, Burst: 10}},
			{Name: "dev", Variables: map[string]string{"v": "1"}, RouteThrottles: map[string]tollgate.Throttle{"GET /items/{id}": {Rate: 1, Burst: 1}, "$default": {Rate: 2, Burst: 2}}},
		},
		Routes: []tollgate.Route{
			{ResourcePath: "/items", Method: "GET", Authorizer: lambda,
				Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "items", PayloadFormatVersion: "2.0", Timeout: 30 * time.Second}},
			{ResourcePath: "/items/{id}", Method: "GET", Authorizer: jwt, AuthorizationScopes: []string{"api/read"},
				Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "items", PayloadFormatVersion: "1.0", Timeout: 50 * time.Millisecond}},
			{ResourcePath: "/public/{proxy+}", Method: "ANY",
				Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://127.0.0.1:9000/p/{proxy}", Method: "ANY", PayloadFormatVersion: "1.0"}},
			{ResourcePath: "$default", Method: "ANY",
				Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "https://backend.example.com"}},
		},
	}
}

func TestCheckHTTPValid(t *testing.T) {
	if probs := Check(httpAPI()); probs != nil {
		t.Fatalf("a valid HTTP API: %v", probs)
	}
	// An external issuer instead of a pool; a 1.0 IAM REQUEST authorizer
	// without caching and identity sources (apigw-beyond §6.3).
	api := httpAPI()
	api.Routes[1].Authorizer.JWT.Issuers[0] = tollgate.JWTIssuer{Issuer: "https://issuer.example.com", Audiences: []string{"a"}}
	api.Routes[0].Authorizer = &tollgate.Authorizer{Name: "l", Type: tollgate.AuthorizerRequest, Function: "f", PayloadFormatVersion: "1.0"}
	api.CORS = nil
	if probs := Check(api); probs != nil {
		t.Fatalf("%v", probs)
	}
}

// TestCheckHTTP breaks one rule at a time and wants exactly its problem,
// as Problem.String writes it.
func TestCheckHTTP(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *tollgate.RestAPI)
		want   string
	}{
		{"unknown protocol", func(a *tollgate.RestAPI) { a.Protocol = "WEBSOCKET" },
			`Protocol: unknown API protocol "WEBSOCKET": want REST or HTTP`},
		{"binary media types", func(a *tollgate.RestAPI) { a.BinaryMediaTypes = []string{"image/png"} },
			"BinaryMediaTypes: binary media types are a REST API's: an HTTP API sends a Lambda function a body that is not text base64-encoded, whatever its type"},
		// Stages: $default or AWS::ApiGatewayV2::Stage's StageName rule.
		{"stage name", func(a *tollgate.RestAPI) { a.Stages[1].Name = "de v" },
			`Stages[1].Name: stage name "de v": want $default or 1 to 128 of a-zA-Z0-9_-`},
		{"stage twice", func(a *tollgate.RestAPI) { a.Stages[1].Name = "$default" },
			`Stages[1].Name: stage "$default" is declared twice`},
		{"no stage", func(a *tollgate.RestAPI) { a.Stages = nil },
			"Stages: the API has no stage, so it cannot be invoked"},
		{"stage throttle", func(a *tollgate.RestAPI) { a.Stages[0].Throttle = tollgate.Throttle{Rate: 1, Burst: 1} },
			"Stages[0].Throttle: a stage-wide throttle is a REST API stage's: an HTTP API's stage limits each route (RouteThrottle, its DefaultRouteSettings)"},
		{"client throttle", func(a *tollgate.RestAPI) { a.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 1, Burst: 1} },
			"Stages[0].ClientThrottle: per-client throttling is a REST API stage's"},
		{"route throttle", func(a *tollgate.RestAPI) { a.Stages[0].RouteThrottle.Rate = -1 },
			"Stages[0].RouteThrottle.Rate: rate -1 is negative"},
		{"route throttle key", func(a *tollgate.RestAPI) { a.Stages[1].RouteThrottles["POST /items"] = tollgate.Throttle{Rate: 1} },
			`Stages[1].RouteThrottles["POST /items"]: route "POST /items" is not a route of this API (want one of $default, ANY /public/{proxy+}, GET /items, GET /items/{id})`},
		{"malformed route throttle key", func(a *tollgate.RestAPI) { a.Stages[1].RouteThrottles["GET items"] = tollgate.Throttle{Rate: 1} },
			`Stages[1].RouteThrottles["GET items"]: resource path "items": must start with /`},
		// CORS.
		{"credentials with *", func(a *tollgate.RestAPI) { a.CORS.AllowOrigins = append(a.CORS.AllowOrigins, "*") },
			"CORS.AllowCredentials: allowCredentials is not supported when allowOrigins is '*': list the origins"},
		{"origin with a path", func(a *tollgate.RestAPI) { a.CORS.AllowOrigins[0] = "https://app.example.com/" },
			`CORS.AllowOrigins[0]: invalid origin "https://app.example.com/": want * or scheme://host[:port], like https://app.example.com`},
		{"origin upper case", func(a *tollgate.RestAPI) { a.CORS.AllowOrigins[0] = "https://App.example.com" },
			`CORS.AllowOrigins[0]: invalid origin "https://App.example.com": write it in lower case, as a browser sends it`},
		{"CORS method ANY", func(a *tollgate.RestAPI) { a.CORS.AllowMethods[0] = "ANY" },
			`CORS.AllowMethods[0]: invalid method "ANY": want * or one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS`},
		{"CORS header", func(a *tollgate.RestAPI) { a.CORS.AllowHeaders[0] = "a b" },
			`CORS.AllowHeaders[0]: invalid header name "a b": want * or a header name`},
		{"CORS expose header", func(a *tollgate.RestAPI) { a.CORS.ExposeHeaders[0] = "" },
			`CORS.ExposeHeaders[0]: invalid header name "": want * or a header name`},
		{"max age", func(a *tollgate.RestAPI) { m := 86401; a.CORS.MaxAge = &m },
			"CORS.MaxAge: max age 86401 is not between -1 and 86400 seconds"},
		{"max age -2", func(a *tollgate.RestAPI) { m := -2; a.CORS.MaxAge = &m },
			"CORS.MaxAge: max age -2 is not between -1 and 86400 seconds"},
		// Routes.
		{"greedy not last", func(a *tollgate.RestAPI) { a.Routes[2].ResourcePath = "/{proxy+}/x" },
			`Routes[2].ResourcePath: resource path "/{proxy+}/x": the greedy path part "{proxy+}" must be the last`},
		{"route key twice", func(a *tollgate.RestAPI) { a.Routes[0].ResourcePath, a.Routes[0].Method = "/public/{proxy+}", "ANY" },
			`Routes[2].Method: method ANY is defined twice on "/public/{proxy+}" (also by route 0)`},
		{"$default twice", func(a *tollgate.RestAPI) { a.Routes = append(a.Routes, a.Routes[3]) },
			"Routes[4].ResourcePath: the $default route is defined twice (also by route 3)"},
		{"$default method", func(a *tollgate.RestAPI) { a.Routes[3].Method = "GET" },
			`Routes[3].Method: the $default route's method is ANY, got "GET"`},
		{"method", func(a *tollgate.RestAPI) { a.Routes[0].Method = "TRACE" },
			`Routes[0].Method: invalid method "TRACE": want one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY`},
		// Scopes.
		{"eleven scopes", func(a *tollgate.RestAPI) {
			for range 10 {
				a.Routes[1].AuthorizationScopes = append(a.Routes[1].AuthorizationScopes, "api/x")
			}
		}, "Routes[1].AuthorizationScopes: a route lists at most 10 authorization scopes, got 11"},
		{"scope without authorizer", func(a *tollgate.RestAPI) { a.Routes[2].AuthorizationScopes = []string{"a"} },
			"Routes[2].AuthorizationScopes: authorization scopes need a JWT authorizer: without one the route is open to anyone"},
		{"scope with REQUEST", func(a *tollgate.RestAPI) { a.Routes[0].AuthorizationScopes = []string{"a"} },
			`Routes[0].AuthorizationScopes: authorization scopes apply to JWT authorizers only: "lambda" is a REQUEST authorizer, whose function decides`},
		{"bad scope", func(a *tollgate.RestAPI) { a.Routes[1].AuthorizationScopes = []string{"a b"} },
			`Routes[1].AuthorizationScopes[0]: invalid scope "a b": want printable ASCII characters other than space, '"' and '\'`},
		// Authorizers.
		{"Cognito authorizer", func(a *tollgate.RestAPI) {
			a.Routes[1].Authorizer = &tollgate.Authorizer{Name: "c", PoolIDs: []string{"us-east-1_A"}}
		},
			`Routes[1].Authorizer.Type: authorizer "c" has type "COGNITO_USER_POOLS": an HTTP API's authorizers are JWT or REQUEST (COGNITO_USER_POOLS is a JWT authorizer trusting the pool; TOKEN is a REQUEST authorizer)`},
		{"TOKEN authorizer", func(a *tollgate.RestAPI) {
			a.Routes[0].Authorizer = &tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f"}
		}, `Routes[0].Authorizer.Type: authorizer "t" has type "TOKEN": an HTTP API's authorizers are JWT or REQUEST (COGNITO_USER_POOLS is a JWT authorizer trusting the pool; TOKEN is a REQUEST authorizer)`},
		{"JWT source path", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.IdentitySource = "$request.path.id" },
			`Routes[1].Authorizer.IdentitySource: invalid identity source "$request.path.id": a JWT authorizer reads the token from one $request.header.{name} or $request.querystring.{name}, like $request.header.Authorization`},
		{"JWT source REST spelling", func(a *tollgate.RestAPI) {
			a.Routes[1].Authorizer.IdentitySource = "method.request.header.Authorization"
		},
			`Routes[1].Authorizer.IdentitySource: invalid identity source "method.request.header.Authorization": a JWT authorizer reads the token from one $request.header.{name} or $request.querystring.{name}, like $request.header.Authorization`},
		{"JWT sources", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.IdentitySources = []string{"$request.header.A"} },
			`Routes[1].Authorizer.IdentitySources: JWT authorizer "jwt" reads its token from its one IdentitySource; IdentitySources are a REQUEST authorizer's`},
		{"JWT with a function", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.Function = "f" },
			`Routes[1].Authorizer.Function: JWT authorizer "jwt": a function, result TTL, payload format version and simple responses are a REQUEST authorizer's`},
		{"JWT two issuers", func(a *tollgate.RestAPI) {
			c := a.Routes[1].Authorizer.JWT
			c.Issuers = append(c.Issuers, c.Issuers[0])
		}, `Routes[1].Authorizer.JWT: JWT authorizer "jwt" needs one issuer (JwtConfiguration's Issuer and Audience)`},
		{"JWT pool and issuer", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Issuers[0].Issuer = "https://i.example.com" },
			"Routes[1].Authorizer.JWT.Issuers[0].PoolID: the issuer is a local pool (us-east-1_Abc) or an issuer URL (https://i.example.com), not both"},
		{"JWT neither", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Issuers[0].PoolID = "" },
			"Routes[1].Authorizer.JWT.Issuers[0].Issuer: the issuer is empty: name an issuer URL or a local pool"},
		{"JWT pool id", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Issuers[0].PoolID = "pool" },
			`Routes[1].Authorizer.JWT.Issuers[0].PoolID: "pool" is not a user pool id ({region}_{alphanumerics})`},
		{"JWT http issuer", func(a *tollgate.RestAPI) {
			a.Routes[1].Authorizer.JWT.Issuers[0] = tollgate.JWTIssuer{Issuer: "http://i.example.com", Audiences: []string{"a"}}
		}, `Routes[1].Authorizer.JWT.Issuers[0].Issuer: invalid issuer "http://i.example.com": want https: http is allowed only on a loopback host (localhost, 127.0.0.1, ::1)`},
		{"JWT no audience", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Issuers[0].Audiences = nil },
			`Routes[1].Authorizer.JWT.Issuers[0].Audiences: issuer "us-east-1_Abc" has no audience, so no token can match`},
		{"JWT 51 audiences", func(a *tollgate.RestAPI) {
			iss := &a.Routes[1].Authorizer.JWT.Issuers[0]
			for len(iss.Audiences) < 51 {
				iss.Audiences = append(iss.Audiences, "a")
			}
		}, "Routes[1].Authorizer.JWT.Issuers[0].Audiences: an issuer lists at most 50 audiences, got 51"},
		{"JWT empty audience", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Issuers[0].Audiences[0] = "" },
			"Routes[1].Authorizer.JWT.Issuers[0].Audiences[0]: an audience must not be empty"},
		{"JWT claims", func(a *tollgate.RestAPI) {
			a.Routes[1].Authorizer.JWT.Issuers[0].Claims = []tollgate.JWTClaim{{Name: "tenant"}}
		}, "Routes[1].Authorizer.JWT.Issuers[0].Claims: additional claims are a REST API JWT authorizer's"},
		{"JWT algorithm", func(a *tollgate.RestAPI) { a.Routes[1].Authorizer.JWT.Algorithms = []string{"HS256"} },
			`Routes[1].Authorizer.JWT.Algorithms[0]: unsupported algorithm "HS256": want one of RS256, RS384, RS512, ES256, ES384, ES512`},
		{"REQUEST no function", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.Function = "" },
			`Routes[0].Authorizer.Function: authorizer "lambda" names no function`},
		{"REQUEST TTL", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.ResultTTL = 3601 * time.Second },
			"Routes[0].Authorizer.ResultTTL: the result TTL must be between 0s (no caching) and 3600s, got 1h0m1s"},
		{"REQUEST caches without sources", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentitySources = nil },
			`Routes[0].Authorizer.IdentitySources: REQUEST authorizer "lambda" caches (TTL 5m0s) but has no identity source to key its cache by`},
		{"REQUEST REST spelling", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentitySources[0] = "method.request.header.A" },
			`Routes[0].Authorizer.IdentitySources[0]: invalid identity source "method.request.header.A": that is a REST API's spelling: an HTTP API writes $request.header.{name}, $request.querystring.{name}, $stageVariables.{name} or $context.{name}`},
		{"REQUEST context", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentitySources[1] = "$context.authorizer.x" },
			`Routes[0].Authorizer.IdentitySources[1]: invalid identity source "$context.authorizer.x": want one of $context.accountId, $context.apiId, $context.domainName, $context.domainPrefix, $context.httpMethod, $context.identity.sourceIp, $context.identity.userAgent, $context.path, $context.protocol, $context.requestId, $context.routeKey, $context.stage`},
		{"REQUEST source twice", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentitySources[1] = "$request.header.Authorization" },
			`Routes[0].Authorizer.IdentitySources[1]: identity source "$request.header.Authorization" is listed twice`},
		{"REQUEST IdentitySource", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentitySource = "$request.header.A" },
			`Routes[0].Authorizer.IdentitySource: REQUEST authorizer "lambda" lists its identity sources in IdentitySources`},
		{"REQUEST payload", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.PayloadFormatVersion = "" },
			`Routes[0].Authorizer.PayloadFormatVersion: authorizer "lambda": payload format version "": want 1.0 or 2.0`},
		{"simple responses with 1.0", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.PayloadFormatVersion = "1.0" },
			`Routes[0].Authorizer.PayloadFormatVersion: simple responses need payload format version 2.0, and authorizer "lambda"'s is 1.0`},
		{"validation expression", func(a *tollgate.RestAPI) { a.Routes[0].Authorizer.IdentityValidationExpression = "x" },
			`Routes[0].Authorizer.IdentityValidationExpression: authorizer "lambda": an identity validation expression is a REST API TOKEN authorizer's`},
		// Integrations.
		{"MOCK", func(a *tollgate.RestAPI) {
			a.Routes[0].Integration = tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: 200}
		},
			"Routes[0].Integration.Type: integration type \"MOCK\": an HTTP API's integrations are AWS_PROXY or HTTP_PROXY\nRoutes[0].Integration.MockStatus: a static status, headers and body are a REST API MOCK integration's"},
		{"AWS_PROXY payload", func(a *tollgate.RestAPI) { a.Routes[0].Integration.PayloadFormatVersion = "3.0" },
			`Routes[0].Integration.PayloadFormatVersion: payload format version "3.0": an AWS_PROXY integration's is 1.0 or 2.0`},
		{"AWS_PROXY function", func(a *tollgate.RestAPI) { a.Routes[0].Integration.Function = "" },
			"Routes[0].Integration.Function: the AWS_PROXY integration names no function"},
		{"AWS_PROXY URI", func(a *tollgate.RestAPI) { a.Routes[0].Integration.URI = "http://h" },
			"Routes[0].Integration.URI: a URI and a method are an HTTP_PROXY integration's"},
		{"HTTP_PROXY payload 2.0", func(a *tollgate.RestAPI) { a.Routes[2].Integration.PayloadFormatVersion = "2.0" },
			`Routes[2].Integration.PayloadFormatVersion: payload format version "2.0": an HTTP_PROXY integration's is 1.0`},
		{"HTTP_PROXY method", func(a *tollgate.RestAPI) { a.Routes[2].Integration.Method = "get" },
			`Routes[2].Integration.Method: invalid integration method "get" (write it in upper case): want one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY`},
		// A method the proxy could send but API Gateway does not know.
		{"HTTP_PROXY method not API Gateway's", func(a *tollgate.RestAPI) { a.Routes[2].Integration.Method = "FOO" },
			`Routes[2].Integration.Method: invalid integration method "FOO": want one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY`},
		{"HTTP_PROXY method with a space", func(a *tollgate.RestAPI) { a.Routes[2].Integration.Method = "GE T" },
			`Routes[2].Integration.Method: invalid integration method "GE T": want one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY`},
		{"HTTP_PROXY URI", func(a *tollgate.RestAPI) { a.Routes[2].Integration.URI = "ftp://h/{proxy}" },
			`Routes[2].Integration.URI: invalid uri "ftp://h/{proxy}": scheme "ftp" is not supported: want http or https`},
		{"HTTP_PROXY placeholder", func(a *tollgate.RestAPI) { a.Routes[2].Integration.URI = "http://h/{id}" },
			"Routes[2].Integration.URI: placeholder {id} is not a path parameter of ANY /public/{proxy+} (want one of proxy)"},
		{"$default placeholder", func(a *tollgate.RestAPI) { a.Routes[3].Integration.URI = "http://h/{proxy}" },
			"Routes[3].Integration.URI: placeholder {proxy}: the $default route has no path parameters; it sends the request's full path after the URI's"},
		{"timeout 30s+1ms", func(a *tollgate.RestAPI) { a.Routes[0].Integration.Timeout = 30*time.Second + time.Millisecond },
			"Routes[0].Integration.Timeout: timeout 30.001s: want whole milliseconds from 50ms to 30s"},
		{"timeout 49ms", func(a *tollgate.RestAPI) { a.Routes[0].Integration.Timeout = 49 * time.Millisecond },
			"Routes[0].Integration.Timeout: timeout 49ms: want whole milliseconds from 50ms to 30s"},
		{"timeout µs", func(a *tollgate.RestAPI) { a.Routes[0].Integration.Timeout = 50*time.Millisecond + time.Microsecond },
			"Routes[0].Integration.Timeout: timeout 50.001ms: want whole milliseconds from 50ms to 30s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := httpAPI()
			tc.mutate(api)
			if got := Check(api).Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestCheckRESTRefusesHTTPFields: an HTTP API's fields on a REST API, and
// the $default route, are refused.
func TestCheckRESTRefusesHTTPFields(t *testing.T) {
	maxAge := 1
	api := &tollgate.RestAPI{ID: "a", CORS: &tollgate.CORSConfiguration{MaxAge: &maxAge}, DisableExecuteAPIEndpoint: true,
		Stages: []tollgate.Stage{{Name: "prod", RouteThrottles: map[string]tollgate.Throttle{"GET /": {Rate: 1}}}},
		Routes: []tollgate.Route{
			{ResourcePath: "/", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "f", PayloadFormatVersion: "2.0"},
				Authorizer: &tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f", PayloadFormatVersion: "2.0", SimpleResponses: true}},
			{ResourcePath: "/x", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://h", Method: "GET"},
				Authorizer: &tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"},
					Issuers: []tollgate.JWTIssuer{{Issuer: "https://i", PoolID: "us-east-1_A", Audiences: []string{"a"}}}}}},
			{ResourcePath: "$default", Method: "ANY", Integration: tollgate.Integration{Type: tollgate.IntegrationMock}},
		}}
	want := []string{
		"CORS: a CORS configuration is an HTTP API's: a REST API answers preflights with OPTIONS methods (MOCK integrations)",
		"DisableExecuteAPIEndpoint: DisableExecuteAPIEndpoint is supported on HTTP APIs only",
		"Stages[0].RouteThrottles: route throttles (DefaultRouteSettings, RouteSettings) are an HTTP API's stage's: a REST API's stage has Throttle",
		"Routes[0].Integration.PayloadFormatVersion: a REST API's Lambda proxy integration has payload format 1.0 only: leave PayloadFormatVersion empty",
		`Routes[0].Authorizer.PayloadFormatVersion: authorizer "r": a payload format version and simple responses are an HTTP API's REQUEST authorizer's`,
		"Routes[1].Integration.Method: an integration method is an HTTP API's HTTP_PROXY integration's: a REST API's sends the request's",
		`Routes[1].Authorizer.JWT.Issuers: authorizer "j": an issuer named by a local pool id is an HTTP API's JWT authorizer's (a REST API names its pools with a COGNITO_USER_POOLS authorizer)`,
		"Routes[2].ResourcePath: a REST API has no $default route: that is an HTTP API's (a REST API catches the rest with ANY /{proxy+})",
	}
	if got := Check(api).Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// TestCheckHTTPIdentitySource: the four v2 spellings
// (http-api-lambda-authorizer.md: $request.header.name,
// $request.querystring.name, $context.variableName,
// $stageVariables.variableName); anything else is refused with its reason.
func TestCheckHTTPIdentitySource(t *testing.T) {
	for _, tc := range []struct{ source, want string }{
		{"$request.header.Authorization", ""},
		{"$request.querystring.token", ""},
		{"$stageVariables.v_1", ""},
		{"$context.routeKey", ""},
		{"$request.header.", "want a header name after $request.header."},
		{"$request.querystring.a&b", "want a query string parameter name"},
		{"$stageVariables.a-b", "want a stage variable name"},
		{"$context.resourcePath", "want one of $context.accountId"},
		{"$request.path.id", "a path parameter cannot be an identity source"},
		{"context.routeKey", "that is a REST API's spelling"},
		{"Authorization", "want $request.header.{name}"},
		{"", "want $request.header.{name}"},
	} {
		got := CheckHTTPIdentitySource(tc.source)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("CheckHTTPIdentitySource(%q) = %q, want %q", tc.source, got, tc.want)
		}
	}
	for s, ok := range map[string]bool{"$request.header.Authorization": true, "$request.querystring.t": true, "$context.routeKey": false, "$stageVariables.x": false, "": false} {
		if got := CheckHTTPTokenSource(s) == ""; got != ok {
			t.Errorf("CheckHTTPTokenSource(%q) ok = %v, want %v", s, got, ok)
		}
	}
}
