package config_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// TestBuildHTTPAPIs applies a config with an HTTP API that leaves every
// default to CDK's and checks what the gateway gets: HTTP APIs after the
// REST ones; the $default stage; routes per method, then the
// defaultIntegration's $default route; the default authorizer and scopes
// on routes naming none, none for NONE; a userPool authorizer with the
// pool's id and its clients' ids as the audience; a REQUEST authorizer
// with CDK's HttpLambdaAuthorizer defaults (IAM: payload 1.0, SIMPLE: 2.0
// with simple responses; TTL 300s; $request.header.Authorization);
// payload 2.0 for AWS_PROXY, 1.0 and ANY for HTTP_PROXY; 30s timeouts.
func TestBuildHTTPAPIs(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		cfg := parse(t, `
userPools:
  - id: Pool
    resourceServers:
      - identifier: api
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - {id: M2M, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}}
functions:
  - {id: Fn, functionName: items-fn, runtime: nodejs22.x, handler: index.handler, code: .}
  - {id: Auth, runtime: nodejs22.x, handler: index.handler, code: .}
restApis:
  - id: Rest
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
httpApis:
  - id: Api
    corsPreflight: {allowOrigins: ["https://app.example.com"], maxAge: 10m}
    defaultAuthorizer: Jwt
    defaultAuthorizationScopes: [api/read]
    defaultIntegration: {type: HTTP_PROXY, url: "https://backend.example.com"}
    authorizers:
      - {id: Jwt, type: JWT, userPool: Pool, userPoolClients: [M2M]}
      - {id: Iam, type: REQUEST, function: Auth}
      - {id: Simple, type: REQUEST, function: Auth, responseTypes: [SIMPLE], resultsCacheTtl: 0s, identitySource: [$request.querystring.t]}
      - {id: NoSource, type: REQUEST, function: Auth, resultsCacheTtl: 0s, identitySource: []}
    routes:
      - {path: /items, methods: [GET, POST], integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/items/{id}", authorizer: Iam, integration: {type: AWS_PROXY, function: Fn, payloadFormatVersion: "1.0", timeout: 5s}}
      - {path: /simple, methods: [GET], authorizer: Simple, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /open, methods: [GET], authorizer: NoSource, integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/public/{proxy+}", authorizer: NONE, integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9000/{proxy}", method: GET}}
    stages:
      - {stageName: dev, stageVariables: {v: x}, throttle: {rateLimit: 2.5}, routeThrottles: {"GET /items": {rateLimit: 1, burstLimit: 3}}}
  - id: Bare
    apiName: Bare API
    createDefaultStage: false
    stages: [{stageName: v1}]
    routes: [{path: $default, integration: {type: AWS_PROXY, function: Fn}}]
`)
		res, apis := applyAndBuild(t, st, cfg)
		if len(apis) != 3 || apis[0].IsHTTP() || !apis[1].IsHTTP() || !apis[2].IsHTTP() {
			t.Fatalf("APIs: want the REST API, then the two HTTP APIs; got %d", len(apis))
		}
		poolID, _ := res.PoolID("Pool")
		clientID, _ := res.ClientID("Pool", "M2M")
		jwt := &tollgate.Authorizer{Name: "Jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization",
			JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{PoolID: poolID, Audiences: []string{clientID}}}}}
		iam := &tollgate.Authorizer{Name: "Iam", Type: tollgate.AuthorizerRequest, Function: "Auth", ResultTTL: 300 * time.Second,
			IdentitySources: []string{"$request.header.Authorization"}, PayloadFormatVersion: "1.0"}
		simple := &tollgate.Authorizer{Name: "Simple", Type: tollgate.AuthorizerRequest, Function: "Auth",
			IdentitySources: []string{"$request.querystring.t"}, PayloadFormatVersion: "2.0", SimpleResponses: true}
		lambda := func(version string, timeout time.Duration) tollgate.Integration {
			return tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "items-fn", PayloadFormatVersion: version, Timeout: timeout}
		}
		want := &tollgate.RestAPI{
			ID: tollgate.RestAPIID("Api"), Name: "Api", Region: "us-east-1", Protocol: tollgate.ProtocolHTTP, ConfigKey: "Api",
			CORS: &tollgate.CORSConfiguration{AllowOrigins: []string{"https://app.example.com"}, MaxAge: ptr(600)},
			Stages: []tollgate.Stage{
				{Name: "$default"},
				{Name: "dev", Variables: map[string]string{"v": "x"}, RouteThrottle: tollgate.Throttle{Rate: 2.5, Burst: 3},
					RouteThrottles: map[string]tollgate.Throttle{"GET /items": {Rate: 1, Burst: 3}}},
			},
			Routes: []tollgate.Route{
				{ResourcePath: "/items", Method: "GET", Authorizer: jwt, AuthorizationScopes: []string{"api/read"}, Integration: lambda("2.0", 30*time.Second)},
				{ResourcePath: "/items", Method: "POST", Authorizer: jwt, AuthorizationScopes: []string{"api/read"}, Integration: lambda("2.0", 30*time.Second)},
				{ResourcePath: "/items/{id}", Method: "ANY", Authorizer: iam, Integration: lambda("1.0", 5*time.Second)},
				{ResourcePath: "/simple", Method: "GET", Authorizer: simple, Integration: lambda("2.0", 30*time.Second)},
				{ResourcePath: "/open", Method: "GET", Authorizer: &tollgate.Authorizer{Name: "NoSource", Type: tollgate.AuthorizerRequest, Function: "Auth",
					PayloadFormatVersion: "1.0"}, Integration: lambda("2.0", 30*time.Second)},
				{ResourcePath: "/public/{proxy+}", Method: "ANY", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy,
					URI: "http://127.0.0.1:9000/{proxy}", Method: "GET", PayloadFormatVersion: "1.0", Timeout: 30 * time.Second}},
				{ResourcePath: "$default", Method: "ANY", Authorizer: jwt, AuthorizationScopes: []string{"api/read"}, Integration: tollgate.Integration{
					Type: tollgate.IntegrationHTTPProxy, URI: "https://backend.example.com", Method: "ANY", PayloadFormatVersion: "1.0", Timeout: 30 * time.Second}},
			},
		}
		if diff := cmp.Diff(want, apis[1]); diff != "" {
			t.Errorf("HTTP API (-want +got):\n%s", diff)
		}
		if apis[1].Routes[0].Authorizer != apis[1].Routes[6].Authorizer {
			t.Error("the routes behind one authorizer do not share it")
		}
		bare := &tollgate.RestAPI{ID: tollgate.RestAPIID("Bare"), Name: "Bare API", Region: "us-east-1", Protocol: tollgate.ProtocolHTTP, ConfigKey: "Bare",
			Stages: []tollgate.Stage{{Name: "v1"}},
			Routes: []tollgate.Route{{ResourcePath: "$default", Method: "ANY", Integration: lambda("2.0", 30*time.Second)}}}
		if diff := cmp.Diff(bare, apis[2]); diff != "" {
			t.Errorf("bare HTTP API (-want +got):\n%s", diff)
		}
		for _, api := range apis {
			if probs := apigw.Check(api); probs != nil {
				t.Errorf("the gateway's gate refuses API %s:\n%v", api.ConfigKey, probs)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
