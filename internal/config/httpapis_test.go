package config

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate/internal/apigw"
)

// httpBase declares what the httpApis cases refer to: a pool with scopes
// and two clients, and two functions.
const httpBase = `userPools:
  - id: Pool
    resourceServers:
      - identifier: api
        scopes:
          - {scopeName: read, scopeDescription: Read}
          - {scopeName: write, scopeDescription: Write}
    clients:
      - id: M2M
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
      - id: Web
functions:
  - {id: Fn, runtime: nodejs22.x, handler: index.handler, code: .}
  - {id: Auth, runtime: nodejs22.x, handler: index.handler, code: .}
`

func TestParseHTTPAPIProblems(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{name: "valid", src: `
httpApis:
  - id: Api
    apiName: Items
    corsPreflight:
      allowOrigins: ["https://app.example.com"]
      allowMethods: [GET, POST, "*"]
      allowHeaders: [authorization, content-type]
      exposeHeaders: [x-request-id]
      allowCredentials: true
      maxAge: 1h
    disableExecuteApiEndpoint: false
    defaultAuthorizer: Jwt
    defaultAuthorizationScopes: [api/read]
    defaultIntegration: {type: HTTP_PROXY, url: "https://backend.example.com/base"}
    authorizers:
      - {id: Jwt, type: JWT, userPool: Pool, userPoolClients: [M2M, Web]}
      - {id: Ext, type: JWT, jwtIssuer: "https://issuer.example.com/", jwtAudience: [a, b], identitySource: [$request.querystring.token]}
      - {id: Simple, type: REQUEST, function: Auth, responseTypes: [SIMPLE], identitySource: [$request.header.Authorization, $context.routeKey]}
      - {id: Iam, type: REQUEST, function: Auth, resultsCacheTtl: 0s, identitySource: []}
      - {id: Iam2, type: REQUEST, function: Auth, payloadFormatVersion: "2.0", resultsCacheTtl: 1h, identitySource: [$stageVariables.v]}
    routes:
      - {path: /items, methods: [GET, POST], integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/items/{id}", methods: [GET], authorizationScopes: [api/write], integration: {type: AWS_PROXY, function: Fn, payloadFormatVersion: "1.0", timeout: 50ms}}
      - {path: "/items/{id}", methods: [DELETE], authorizer: Ext, authorizationScopes: [any/scope], integration: {type: AWS_PROXY, function: Fn, timeout: 30s}}
      - {path: /simple, authorizer: Simple, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /iam, methods: [PUT, PATCH], authorizer: Iam, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /iam2, authorizer: Iam2, integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/public/{proxy+}", authorizer: NONE, integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9000/p/{proxy}", method: GET, payloadFormatVersion: "1.0"}}
    stages:
      - stageName: $default
        throttle: {rateLimit: 100, burstLimit: 200}
      - stageName: dev-1
        autoDeploy: true
        stageVariables: {v: x}
        routeThrottles:
          "GET /items": {rateLimit: 1}
          $default: {rateLimit: 2, burstLimit: 4}
  - id: Bare
    createDefaultStage: false
    stages: [{stageName: v1}]
    routes:
      - {path: $default, integration: {type: AWS_PROXY, function: Fn}}
restApis:
  - id: Rest
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "unknown fields and wrong types", src: `
httpApis:
  - id: Api
    protocolType: HTTP # want httpApis[0].protocolType: unknown field "protocolType"
    corsPreflight: {allowOrigins: "*"} # want httpApis[0].corsPreflight.allowOrigins: want a list
    stages:
      - stageName: dev
        routeThrottles: {"GET /x": 5} # want httpApis[0].stages[0].routeThrottles.GET /x: want a mapping, got the number 5
    routes:
      - path: /x
        integration: {type: AWS_PROXY, function: Fn, requestParameters: {}} # want httpApis[0].routes[0].integration.requestParameters: unknown field "requestParameters"
`},
		{name: "ids", src: `
restApis:
  - id: Api
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
httpApis:
  - id: Api # want httpApis[0].id: API id "Api" is already used at restApis[0].id (line 17)
  - apiName: Nameless # want httpApis[1].id: id is required
  - id: Auth
    authorizers:
      - {id: A, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [x]}
      - {id: A, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [x]} # want httpApis[2].authorizers[1].id: authorizer id "A" is already used at httpApis[2].authorizers[0].id (line 24)
      - {id: NONE, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [x]} # want httpApis[2].authorizers[2].id: NONE names no authorizer: routes write authorizer: NONE to opt out of the defaultAuthorizer; choose another id
`},
		{name: "authorizers", src: `
httpApis:
  - id: Api
    defaultAuthorizer: Nope # want httpApis[0].defaultAuthorizer: "Nope" is not an authorizer of this API
    authorizers:
      - {id: NoType} # want httpApis[0].authorizers[0].type: type is required: JWT (HttpJwtAuthorizer, HttpUserPoolAuthorizer) or REQUEST (HttpLambdaAuthorizer)
      - {id: Lower, type: jwt} # want httpApis[0].authorizers[1].type: invalid authorizer type "jwt" (write it in upper case: JWT)
      - {id: Cognito, type: COGNITO_USER_POOLS} # want httpApis[0].authorizers[2].type: unknown authorizer type "COGNITO_USER_POOLS": want JWT or REQUEST (an HTTP API has no COGNITO_USER_POOLS or TOKEN authorizer: a JWT authorizer with userPool trusts a pool)
      - {id: Both, type: JWT, jwtIssuer: "https://i.example.com", userPool: Pool, userPoolClients: [M2M]} # want httpApis[0].authorizers[3].userPool: a JWT authorizer trusts jwtIssuer or userPool, not both
      - {id: Jwt, type: JWT} # want httpApis[0].authorizers[4]: a JWT authorizer needs jwtIssuer (with jwtAudience) or userPool (with userPoolClients)
      - {id: Issuer, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [a, a]} # want httpApis[0].authorizers[5].jwtAudience[1]: audience "a" is already used at httpApis[0].authorizers[5].jwtAudience[0]
      - id: NoAud # want httpApis[0].authorizers[6].jwtAudience: jwtAudience is required with jwtIssuer: a token's aud (or, without aud, its client_id) must be one of them
        type: JWT
        jwtIssuer: "https://i.example.com"
      - id: NoClients # want httpApis[0].authorizers[7].userPoolClients: userPoolClients is required with userPool: the ids of its clients, whose client ids are the audience (want one of M2M, Web)
        type: JWT
        userPool: Pool
      - {id: Stranger, type: JWT, userPool: Pool, userPoolClients: [M2M, Other]} # want httpApis[0].authorizers[8].userPoolClients[1]: "Other" is not the id of a client of user pool Pool (want one of M2M, Web)
      - {id: Unknown, type: JWT, userPool: Nope, userPoolClients: [M2M]} # want httpApis[0].authorizers[9].userPool: "Nope" is not the id of a user pool of this config (want one of Pool)
      - id: TwoSources
        type: JWT
        jwtIssuer: "https://i.example.com"
        jwtAudience: [a]
        identitySource: [$request.header.A, $request.header.B] # want httpApis[0].authorizers[10].identitySource: a JWT authorizer reads its token from one identity source, got 2: like [$request.header.Authorization]
      - {id: OneSource, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [a], identitySource: [$request.querystring.t]}
      - {id: Mixed, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [a], function: Auth, resultsCacheTtl: 1s} # want httpApis[0].authorizers[12].function: function applies to REQUEST authorizers only, and this one is JWT # want httpApis[0].authorizers[12].resultsCacheTtl: resultsCacheTtl applies to REQUEST authorizers only, and this one is JWT
      - id: Lambda
        type: REQUEST
        function: Nope # want httpApis[0].authorizers[13].function: "Nope" is not the id of a function of this config (want one of Auth, Fn)
        responseTypes: [SIMPLE, POLICY] # want httpApis[0].authorizers[13].responseTypes[1]: invalid response type "POLICY": want IAM or SIMPLE
        resultsCacheTtl: 1.5s # want httpApis[0].authorizers[13].resultsCacheTtl: resultsCacheTtl must be whole seconds from 0s (no caching) to 3600s, got 1.5s
      - id: Iam # want httpApis[0].authorizers[14].function: function is required: the id of the function that decides (its Lambda authorizer handler)
        type: REQUEST
        jwtIssuer: "https://i.example.com" # want httpApis[0].authorizers[14].jwtIssuer: jwtIssuer applies to JWT authorizers only, and this one is REQUEST
      - {id: Quiet, type: REQUEST, function: Auth, resultsCacheTtl: 3601s} # want httpApis[0].authorizers[15].resultsCacheTtl: got 1h0m1s
      - {id: NoTypes, type: REQUEST, function: Auth, responseTypes: []} # want httpApis[0].authorizers[16].responseTypes: responseTypes needs IAM or SIMPLE (leave it out for IAM)
`},
		{name: "routes", src: `
httpApis:
  - id: Api
    defaultAuthorizationScopes: [api/read] # want httpApis[0].defaultAuthorizationScopes: defaultAuthorizationScopes need a defaultAuthorizer (a JWT authorizer)
    defaultIntegration: {type: AWS_PROXY, function: Fn} # want httpApis[0].defaultIntegration: route "$default" is already used at httpApis[0].routes[0].path
    authorizers:
      - {id: Jwt, type: JWT, userPool: Pool, userPoolClients: [M2M]}
      - {id: Lambda, type: REQUEST, function: Auth}
    routes:
      - {path: $default, methods: [GET], integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[0].methods: the $default route has no methods
      - {integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[1].path: path is required
      - {path: "pets", integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[2].path: invalid path "pets": it must start with /
      - {path: "/{a+}/b", integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[3].path: invalid path "/{a+}/b": the greedy path part "{a+}" must be the last
      - {path: /x, methods: [GET, get, TRACE, GET], integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[4].methods[1]: invalid method "get" (write it in upper case) # want httpApis[0].routes[4].methods[2]: invalid method "TRACE" # want httpApis[0].routes[4].methods[3]: route "GET /x" is already used at httpApis[0].routes[4].methods[0]
      - {path: /y} # want httpApis[0].routes[5].integration: integration is required: AWS_PROXY (a function) or HTTP_PROXY (a URL)
      - {path: /z, authorizer: Nope, integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[6].authorizer: "Nope" is not an authorizer of this API (want one of Jwt, Lambda, NONE)
      - {path: /s, authorizer: Lambda, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /n, authorizer: NONE, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /o, integration: {type: AWS_PROXY, function: Fn}}
      - path: /j
        authorizer: Jwt
        authorizationScopes: [api/read, api/nope, "a b", api/read] # want httpApis[0].routes[10].authorizationScopes[1]: scope "api/nope" is not a scope of user pool Pool: want one of api/read, api/write # want httpApis[0].routes[10].authorizationScopes[2]: scope "a b" is not a scope of user pool Pool # want httpApis[0].routes[10].authorizationScopes[3]: scope "api/read" is already used at httpApis[0].routes[10].authorizationScopes[0]
        integration: {type: AWS_PROXY, function: Fn}
      - {path: /w, methods: [], authorizer: NONE, integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[11].methods: a route needs at least one method (leave methods out for ANY)
`},
		{name: "integrations", src: `
httpApis:
  - id: Api
    routes:
      - path: /a
        integration: {function: Fn} # want httpApis[0].routes[0].integration.type: type is required: AWS_PROXY (a function) or HTTP_PROXY (a URL)
      - path: /b
        integration: {type: MOCK} # want httpApis[0].routes[1].integration.type: unsupported integration type "MOCK": want AWS_PROXY or HTTP_PROXY (an HTTP API has no MOCK integration)
      - path: /c
        integration:
          type: AWS_PROXY # want httpApis[0].routes[2].integration.function: function is required: the id of the function that serves the route
          url: "http://h" # want httpApis[0].routes[2].integration.url: url applies to HTTP_PROXY integrations only, and this one is AWS_PROXY
      - path: /d
        integration:
          type: AWS_PROXY
          function: Nope # want httpApis[0].routes[3].integration.function: "Nope" is not the id of a function of this config (want one of Auth, Fn)
      - path: "/e/{id}"
        integration:
          type: HTTP_PROXY # want httpApis[0].routes[4].integration.url: url is required
          function: Fn # want httpApis[0].routes[4].integration.function: function applies to AWS_PROXY integrations only, and this one is HTTP_PROXY
`},
		{name: "stages", src: `
httpApis:
  - id: Api
    corsPreflight: {maxAge: 1500ms} # want httpApis[0].corsPreflight.maxAge: maxAge must be whole seconds (Access-Control-Max-Age), got 1.5s
    routes:
      - {path: /items, methods: [GET], integration: {type: AWS_PROXY, function: Fn}}
      - {path: /zero, integration: {type: AWS_PROXY, function: Fn, timeout: 0s}} # want httpApis[0].routes[1].integration.timeout: invalid duration "0s": must be positive
    stages:
      - {autoDeploy: true} # want httpApis[0].stages[0].stageName: stageName is required
      - {stageName: "dev.1"} # want httpApis[0].stages[1].stageName: invalid stage name "dev.1": want $default or 1 to 128 letters, digits, '-' and '_'
      - {stageName: dev}
      - stageName: dev # want httpApis[0].stages[3].stageName: stage "dev" is already used at httpApis[0].stages[2].stageName
        stageVariables: {"a-b": x} # want httpApis[0].stages[3].stageVariables.a-b: invalid stage variable name "a-b"
        throttle: {burstLimit: 5} # want httpApis[0].stages[3].throttle.burstLimit: a burst needs a rate: set rateLimit too
        routeThrottles:
          "GET /items": {rateLimit: -1} # want httpApis[0].stages[3].routeThrottles.GET /items.rateLimit: the rate must be more than 0 requests per second, got -1
      # Written zeros are not "no limit": a bucket of 0 would refuse all.
      - stageName: zero
        throttle:
          rateLimit: 0 # want httpApis[0].stages[4].throttle.rateLimit: the rate must be more than 0 requests per second, got 0
          burstLimit: 0 # want httpApis[0].stages[4].throttle.burstLimit: the burst must be at least 1 request, got 0
        routeThrottles:
          "GET /items": {rateLimit: 0} # want httpApis[0].stages[4].routeThrottles.GET /items.rateLimit: the rate must be more than 0 requests per second, got 0
`},
		// What apigw.Check, the gateway's gate, finds once the config's
		// own rules pass, placed at the values it was built from.
		{name: "gate authorizers", src: `
httpApis:
  - id: Api
    defaultAuthorizer: Issuer
    defaultAuthorizationScopes: [a, "a b"] # want httpApis[0].defaultAuthorizationScopes[1]: invalid scope "a b"
    authorizers:
      - {id: Issuer, type: JWT, jwtIssuer: "http://i.example.com", jwtAudience: [""]} # want httpApis[0].authorizers[0].jwtIssuer: invalid issuer "http://i.example.com": want https: http is allowed only on a loopback host (localhost, 127.0.0.1, ::1) # want httpApis[0].authorizers[0].jwtAudience[0]: an audience must not be empty
      - {id: OneSource, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [a], identitySource: [$context.routeKey]} # want httpApis[0].authorizers[1].identitySource[0]: invalid identity source "$context.routeKey": a JWT authorizer reads the token from one $request.header.{name} or $request.querystring.{name}, like $request.header.Authorization
      - id: Lambda
        type: REQUEST
        function: Auth
        responseTypes: [SIMPLE]
        payloadFormatVersion: "1.0" # want httpApis[0].authorizers[2].payloadFormatVersion: simple responses need payload format version 2.0, and authorizer "Lambda"'s is 1.0
        identitySource: [$request.header.A, "method.request.header.B", $request.header.A] # want httpApis[0].authorizers[2].identitySource[1]: invalid identity source "method.request.header.B": that is a REST API's spelling # want httpApis[0].authorizers[2].identitySource[2]: identity source "$request.header.A" is listed twice
      - id: Iam
        type: REQUEST
        function: Auth
        payloadFormatVersion: "3.0" # want httpApis[0].authorizers[3].payloadFormatVersion: authorizer "Iam": payload format version "3.0": want 1.0 or 2.0
        identitySource: [] # want httpApis[0].authorizers[3].identitySource: REQUEST authorizer "Iam" caches (TTL 5m0s) but has no identity source to key its cache by
      # No route uses it: it is checked at its declaration all the same.
      - id: Unused
        type: REQUEST
        function: Auth
        payloadFormatVersion: "3.0" # want httpApis[0].authorizers[4].payloadFormatVersion: authorizer "Unused": payload format version "3.0": want 1.0 or 2.0
        identitySource: [bogus] # want httpApis[0].authorizers[4].identitySource[0]: invalid identity source "bogus"
    routes:
      - {path: /a, methods: [GET, POST], integration: {type: AWS_PROXY, function: Fn}}
      - {path: /b, authorizer: OneSource, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /c, authorizer: Lambda, authorizationScopes: [x], integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[2].authorizationScopes: authorization scopes apply to JWT authorizers only: "Lambda" is a REQUEST authorizer, whose function decides
      - {path: /d, authorizer: Iam, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /n, authorizer: NONE, authorizationScopes: [x], integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[4].authorizationScopes: authorization scopes need a JWT authorizer: without one the route is open to anyone
`},
		{name: "gate integrations", src: `
httpApis:
  - id: Api
    routes:
      - path: /c
        integration:
          type: AWS_PROXY
          function: Fn
          payloadFormatVersion: "3" # want httpApis[0].routes[0].integration.payloadFormatVersion: payload format version "3": an AWS_PROXY integration's is 1.0 or 2.0
          timeout: 49ms # want httpApis[0].routes[0].integration.timeout: timeout 49ms: want whole milliseconds from 50ms to 30s
      - {path: /d, integration: {type: AWS_PROXY, function: Fn, timeout: 31s}} # want httpApis[0].routes[1].integration.timeout: timeout 31s
      - path: "/e/{id}"
        integration:
          type: HTTP_PROXY
          url: "http://h/{id}"
          method: get # want httpApis[0].routes[2].integration.method: invalid integration method "get" (write it in upper case)
          payloadFormatVersion: "2.0" # want httpApis[0].routes[2].integration.payloadFormatVersion: payload format version "2.0": an HTTP_PROXY integration's is 1.0
      - path: "/f/{id}"
        integration: {type: HTTP_PROXY, url: "http://h/{id}/{name}"} # want httpApis[0].routes[3].integration.url: placeholder {name} is not a path parameter of ANY /f/{id} (want one of id)
      - path: "/g"
        integration: {type: HTTP_PROXY, url: "ftp://h/"} # want httpApis[0].routes[4].integration.url: invalid uri "ftp://h/": scheme "ftp" is not supported: want http or https
      - path: $default
        integration: {type: HTTP_PROXY, url: "http://h/{proxy}"} # want httpApis[0].routes[5].integration.url: placeholder {proxy}: the $default route has no path parameters; it sends the request's full path after the URI's
    stages:
      - stageName: dev
        routeThrottles:
          "POST /c": {rateLimit: 1} # want httpApis[0].stages[0].routeThrottles.POST /c: route "POST /c" is not a route of this API (want one of $default, ANY /c, ANY /d, ANY /e/{id}, ANY /f/{id}, ANY /g)
          "GET c": {rateLimit: 1} # want httpApis[0].stages[0].routeThrottles.GET c: resource path "c": must start with /
`},
		{name: "gate", src: `
httpApis:
  - id: Api
    corsPreflight:
      allowOrigins: ["*", "https://App.example.com"] # want httpApis[0].corsPreflight.allowOrigins[1]: invalid origin "https://App.example.com": write it in lower case, as a browser sends it
      allowMethods: [ANY] # want httpApis[0].corsPreflight.allowMethods[0]: invalid method "ANY": want * or one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS
      allowHeaders: ["a b"] # want httpApis[0].corsPreflight.allowHeaders[0]: invalid header name "a b": want * or a header name
      allowCredentials: true # want httpApis[0].corsPreflight.allowCredentials: allowCredentials is not supported when allowOrigins is '*': list the origins
    authorizers:
      - id: Many
        type: JWT
        jwtIssuer: "https://i.example.com"
        jwtAudience: [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51] # want httpApis[0].authorizers[0].jwtAudience: an issuer lists at most 50 audiences, got 51
    routes:
      - path: /x
        authorizer: Many
        authorizationScopes: [s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11] # want httpApis[0].routes[0].authorizationScopes: a route lists at most 10 authorization scopes, got 11
        integration: {type: AWS_PROXY, function: Fn}
      - {path: "/{a}/x", integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/{b}/y", integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[2].path: path part {b} conflicts with its sibling {a} under "/": API Gateway allows one variable path part per level
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, "test.yaml", httpBase+strings.TrimPrefix(tc.src, "\n"))
		})
	}
}

// TestHTTPGatePath: a problem apigw.Check finds in a built HTTP API is
// placed at the config value it was built from.
func TestHTTPGatePath(t *testing.T) {
	a := &HTTPAPI{
		DefaultAuthorizer: "Jwt",
		Authorizers: []HTTPAuthorizer{
			{ID: "Jwt", Type: HTTPAuthorizerJWT, UserPool: "Pool"},
			{ID: "L", Type: HTTPAuthorizerRequest},
		},
		Stages: []HTTPStage{{StageName: "dev"}},
		Routes: []HTTPRoute{
			{Path: "/a", Methods: []string{"GET", "POST"}},
			{Path: "$default", Authorizer: "L"},
			{Path: "/b", Authorizer: "NONE"},
		},
		DefaultIntegration: &HTTPIntegration{},
	}
	ap := "httpApis[2]"
	r := newReport("")
	r.pos.values["httpApis[2].routes[0].authorizationScopes"] = position{line: 1, col: 1}
	for _, tc := range []struct {
		p    apigw.Problem
		want string
	}{
		{apigw.Problem{Route: -1, Field: "ID"}, "httpApis[2].id"},
		{apigw.Problem{Route: -1, Field: "CORS.AllowOrigins[3]"}, "httpApis[2].corsPreflight.allowOrigins[3]"},
		{apigw.Problem{Route: -1, Field: "Stages[0].Name"}, "httpApis[2].createDefaultStage"},
		{apigw.Problem{Route: -1, Field: "Stages[1].RouteThrottle.Rate"}, "httpApis[2].stages[0].throttle.rateLimit"},
		{apigw.Problem{Route: -1, Field: `Stages[1].RouteThrottles["GET /a.b"].Burst`}, "httpApis[2].stages[0].routeThrottles.GET /a.b.burstLimit"},
		{apigw.Problem{Route: -1, Field: `Stages[1].RouteThrottles["GET /a"]`}, "httpApis[2].stages[0].routeThrottles.GET /a"},
		{apigw.Problem{Route: -1, Field: "Stages[2].Name"}, "httpApis[2].stages"},
		{apigw.Problem{Route: -1, Field: "BinaryMediaTypes"}, "httpApis[2]"},
		{apigw.Problem{Route: 1, Field: "Method"}, "httpApis[2].routes[0].methods[1]"},
		{apigw.Problem{Route: 1, Field: "ResourcePath"}, "httpApis[2].routes[0].path"},
		{apigw.Problem{Route: 0, Field: "AuthorizationScopes[2]"}, "httpApis[2].routes[0].authorizationScopes[2]"},
		{apigw.Problem{Route: 0, Field: "Integration.URI"}, "httpApis[2].routes[0].integration.url"},
		{apigw.Problem{Route: 0, Field: "Authorizer.JWT.Issuers[0].Audiences"}, "httpApis[2].authorizers[0].userPoolClients"},
		{apigw.Problem{Route: 0, Field: "Authorizer.JWT.Issuers[0].PoolID"}, "httpApis[2].authorizers[0].userPool"},
		{apigw.Problem{Route: 2, Field: "Method"}, "httpApis[2].routes[1].path"},
		{apigw.Problem{Route: 2, Field: "Authorizer.IdentitySources[1]"}, "httpApis[2].authorizers[1].identitySource[1]"},
		{apigw.Problem{Route: 2, Field: "Authorizer.SimpleResponses"}, "httpApis[2].authorizers[1].responseTypes"},
		{apigw.Problem{Route: 3, Field: "Authorizer.Type"}, "httpApis[2]"},
		{apigw.Problem{Route: 4, Field: "Integration.Timeout"}, "httpApis[2].defaultIntegration.timeout"},
		{apigw.Problem{Route: 4, Field: "Authorizer.IdentitySource"}, "httpApis[2].authorizers[0].identitySource[0]"},
		{apigw.Problem{Route: 5, Field: "Method"}, "httpApis[2]"},
		// Scopes a route takes from the API's default are placed there.
		{apigw.Problem{Route: 3, Field: "AuthorizationScopes[1]"}, "httpApis[2].routes[2].authorizationScopes[1]"},
		{apigw.Problem{Route: 4, Field: "AuthorizationScopes"}, "httpApis[2].defaultAuthorizationScopes"},
	} {
		if got := httpGatePath(r, a, ap, tc.p); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.p, got, tc.want)
		}
	}
}

// TestParseHTTPAPIDefaults: Parse fills the defaults the struct docs
// name, and Validate after Parse changes nothing.
func TestParseHTTPAPIDefaults(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte(httpBase+`httpApis:
  - id: Api
    authorizers:
      - {id: Jwt, type: JWT, jwtIssuer: "https://i.example.com", jwtAudience: [a]}
      - {id: Iam, type: REQUEST, function: Auth}
      - {id: Simple, type: REQUEST, function: Auth, responseTypes: [SIMPLE]}
    routes:
      - {path: /a, integration: {type: AWS_PROXY, function: Fn}}
      - {path: /b, integration: {type: HTTP_PROXY, url: "http://h"}}
    stages: [{stageName: dev, throttle: {rateLimit: 1.5}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	ttl := 300 * time.Second
	want := []HTTPAPI{{
		ID: "Api", APIName: "Api", CreateDefaultStage: ptr(true),
		Authorizers: []HTTPAuthorizer{
			{ID: "Jwt", Type: "JWT", IdentitySource: []string{"$request.header.Authorization"}, JWTIssuer: "https://i.example.com", JWTAudience: []string{"a"}},
			{ID: "Iam", Type: "REQUEST", IdentitySource: []string{"$request.header.Authorization"}, Function: "Auth",
				ResponseTypes: []string{"IAM"}, PayloadFormatVersion: "1.0", ResultsCacheTTL: &ttl},
			{ID: "Simple", Type: "REQUEST", IdentitySource: []string{"$request.header.Authorization"}, Function: "Auth",
				ResponseTypes: []string{"SIMPLE"}, PayloadFormatVersion: "2.0", ResultsCacheTTL: &ttl},
		},
		Routes: []HTTPRoute{
			{Path: "/a", Methods: []string{"ANY"}, Integration: &HTTPIntegration{Type: "AWS_PROXY", Function: "Fn", PayloadFormatVersion: "2.0", Timeout: 30 * time.Second}},
			{Path: "/b", Methods: []string{"ANY"}, Integration: &HTTPIntegration{Type: "HTTP_PROXY", URL: "http://h", Method: "ANY", Timeout: 30 * time.Second}},
		},
		Stages: []HTTPStage{{StageName: "dev", Throttle: &ThrottleSettings{RateLimit: 1.5, BurstLimit: 2}}},
	}}
	if diff := cmp.Diff(want, cfg.HTTPAPIs); diff != "" {
		t.Errorf("httpApis (-want +got):\n%s", diff)
	}
	before := cfg.HTTPAPIs[0]
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, cfg.HTTPAPIs[0]); diff != "" {
		t.Errorf("Validate changed the API (-before +after):\n%s", diff)
	}
}

// TestHTTPAPIReference: every field the reference (doc.go) shows for the
// httpApis section is a field of the schema, with a value of its type.
func TestHTTPAPIReference(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	in := false
	for _, line := range strings.Split(string(doc), "\n") {
		yaml, ok := strings.CutPrefix(line, "//\t")
		switch {
		case ok && strings.HasPrefix(yaml, "httpApis:"):
			in = true
		case !ok || !strings.HasPrefix(yaml, " "):
			in = false
		}
		if in {
			b.WriteString(strings.ReplaceAll(yaml, "# jwt", "jwt") + "\n") // the commented alternative too
		}
	}
	if !strings.Contains(b.String(), "routeThrottles:") {
		t.Fatalf("no httpApis section in doc.go:\n%s", b.String())
	}
	_, err = Parse("doc.yaml", []byte(b.String()))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want problems (the section names pools and functions it does not declare), got %v", err)
	}
	for _, p := range ps {
		if strings.Contains(p.Message, "unknown field") || strings.Contains(p.Message, "want a") {
			t.Errorf("%s", p)
		}
	}
}
