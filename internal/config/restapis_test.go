package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
)

// apiBase declares what the restApis cases refer to: two pools with scopes
// and a function.
const apiBase = `
userPools:
  - id: Pool
    resourceServers:
      - identifier: api
        scopes:
          - {scopeName: read, scopeDescription: Read}
          - {scopeName: write, scopeDescription: Write}
  - id: Other
    resourceServers:
      - identifier: other
        scopes: [{scopeName: all, scopeDescription: All}]
  - id: Empty
functions:
  - {id: Fn, runtime: nodejs22.x, handler: index.handler, code: .}
`

func TestParseRestAPIProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		own       bool // the case declares its own pools: no apiBase
	}{
		{name: "valid", src: `
restApis:
  - id: Api
    restApiName: My API
    endpointTypes: [REGIONAL]
    deployOptions:
      stageName: prod_2
      throttlingRateLimit: 0.5
      throttlingBurstLimit: 1
      variables: {backend: "http://h:1/a?b=c&d=e,f", v_2: x}
    clientThrottling: {rateLimit: 10, burstLimit: 20}
    binaryMediaTypes: [image/png, "image/*", "*/*", application/vnd.api+json]
    authorizers:
      - id: Local
        cognitoUserPools: [Pool, Other]
      - id: External
        type: COGNITO_USER_POOLS
        cognitoUserPools: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc]
        identitySource: method.request.header.X-Token
      - id: Both
        cognitoUserPools: [Pool, "arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Z9"]
      - id: Token
        type: TOKEN
        function: Fn
        validationRegex: "^Bearer [-0-9a-zA-Z._~+/]+=*$"
        resultsCacheTtl: 3600s
      - id: Request
        type: REQUEST
        function: Fn
        identitySources: [method.request.header.X-Tenant, method.request.querystring.key, stageVariables.v, context.httpMethod, context.identity.sourceIp]
        resultsCacheTtl: 1m
      - id: Uncached
        type: REQUEST
        function: Fn
        resultsCacheTtl: 0s
      - id: Jwt
        type: JWT
        identitySource: method.request.header.X-Jwt
        jwtConfiguration:
          defaultAlgorithms: [RS256, RS384, RS512, ES256, ES384, ES512]
          issuers:
            - issuer: https://issuer.example.com/
              audiences: [api, other]
              additionalClaims:
                - {claimName: tenant, expectedValues: [a, b], format: SINGLE_STRING, required: true}
                - {claimName: "custom:plan"}
            - {issuer: "http://127.0.0.1:8080/us-east-1_local", audiences: [x]}
    resources:
      - path: /
        methods:
          - httpMethod: GET
            integration: {type: MOCK}
      - path: /pets
        methods:
          - httpMethod: GET
            authorizer: Local
            authorizationScopes: [api/read, other/all]
            integration: {type: HTTP_PROXY, uri: "https://pets.internal:8443/v1/pets?source=gw"}
          - httpMethod: POST
            authorizer: Both
            authorizationScopes: [api/write, remote/scope]
            integration: {type: AWS_PROXY, function: Fn, timeout: 50ms}
          - {httpMethod: PUT, authorizer: Token, integration: {type: MOCK}}
          - {httpMethod: PATCH, authorizer: Request, integration: {type: MOCK}}
          - {httpMethod: DELETE, authorizer: Uncached, integration: {type: MOCK}}
          - {httpMethod: OPTIONS, authorizer: Jwt, integration: {type: MOCK}}
          - {httpMethod: HEAD, authorizer: Jwt, authorizationScopes: [any/scope], integration: {type: MOCK}}
      - path: /pets/{id}
        methods:
          - httpMethod: ANY
            authorizer: External
            authorizationScopes: [anything/goes, openid]
            integration: {type: HTTP_PROXY, uri: "http://127.0.0.1:9000/pets/{id}.json", timeout: 29s}
      - path: /pets/{id}/toys/{toy.name-1_x}
        methods:
          - {httpMethod: DELETE, integration: {type: MOCK, statusCode: 204}}
      - path: /{proxy+}
        methods:
          - httpMethod: ANY
            integration: {type: HTTP_PROXY, uri: "http://127.0.0.1:9000/{proxy}"}
          - {httpMethod: HEAD, integration: {type: MOCK, statusCode: 599}}
          - {httpMethod: OPTIONS, integration: {type: MOCK, statusCode: 100}}
          - {httpMethod: PUT, integration: {type: AWS_PROXY, function: Fn}}
          - {httpMethod: PATCH, integration: {type: AWS_PROXY, function: Fn}}
    domainNames:
      - domainName: api.example.com
      - domainName: api2.example.com
        stage: prod_2
        basePath: orders/v2
  - id: Second
    endpointTypes: [EDGE]
    resources:
      - path: /pets/{petId}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
`},
		{name: "unknown fields and wrong types", src: `
restApis:
  - id: Api
    policy: {} # want restApis[0].policy: unknown field "policy"
    deployOptions:
      stageName: prod
      throttlingRateLimit: fast # want restApis[0].deployOptions.throttlingRateLimit: want a number, got the string "fast"
      throttlingBurstLimit: 1.5 # want restApis[0].deployOptions.throttlingBurstLimit: want a whole number, got the number 1.5
      variables: [a] # want restApis[0].deployOptions.variables: want a mapping, got a list
      tracingEnabled: true # want restApis[0].deployOptions.tracingEnabled: unknown field
    clientThrottling: {rateLimit: .inf} # want restApis[0].clientThrottling.rateLimit: want a number, got the number .inf
    authorizers:
      - id: A
        cognitoUserPools: Pool # want restApis[0].authorizers[0].cognitoUserPools: want a list
        resultsCacheTtl: 5m # want restApis[0].authorizers[0].resultsCacheTtl: resultsCacheTtl applies to TOKEN and REQUEST authorizers only, and this one is COGNITO_USER_POOLS
        jwksUrl: x # want restApis[0].authorizers[0].jwksUrl: unknown field
    resources:
      - path: /
        methods:
          - httpMethod: GET
            authorizationType: NONE # want restApis[0].resources[0].methods[0].authorizationType: unknown field
            integration:
              type: MOCK
              requestTemplates: {} # want restApis[0].resources[0].methods[0].integration.requestTemplates: unknown field
              statusCode: "200" # want restApis[0].resources[0].methods[0].integration.statusCode: want a whole number, got the string "200"
`},
		{name: "required fields", src: `
restApis:
  - restApiName: Nameless # want restApis[0].id: id is required # want restApis[0].resources: an API needs at least one method
  - id: Api
    authorizers:
      - cognitoUserPools: [Pool] # want restApis[1].authorizers[0].id: id is required
      - id: Nothing # want restApis[1].authorizers[1]: a COGNITO_USER_POOLS authorizer needs cognitoUserPools: ids of user pools of this config, or ARNs of pools on AWS
      - id: Blank
        externalIssuers: # want restApis[1].authorizers[2].externalIssuers: externalIssuers is no longer supported: name a Cognito pool on AWS by its ARN in cognitoUserPools
          - {}
      - {id: NoFunction, type: TOKEN} # want restApis[1].authorizers[3].function: function is required
      - {id: NoSources, type: REQUEST, function: Fn} # want restApis[1].authorizers[4]: a REQUEST authorizer that caches its results (resultsCacheTtl 5m0s) needs identitySources
      - id: NoJwt # want restApis[1].authorizers[5].jwtConfiguration: jwtConfiguration is required
        type: JWT
      - id: EmptyJwt
        type: JWT
        jwtConfiguration: {} # want restApis[1].authorizers[6].jwtConfiguration.defaultAlgorithms: defaultAlgorithms is required # want restApis[1].authorizers[6].jwtConfiguration.issuers: issuers is required
      - id: EmptyIssuer
        type: JWT
        jwtConfiguration:
          defaultAlgorithms: [RS256]
          issuers:
            - additionalClaims: [{}] # want restApis[1].authorizers[7].jwtConfiguration.issuers[0].issuer: issuer is required # want restApis[1].authorizers[7].jwtConfiguration.issuers[0].audiences: audiences is required # want restApis[1].authorizers[7].jwtConfiguration.issuers[0].additionalClaims[0].claimName: claimName is required
    resources:
      - methods: # want restApis[1].resources[0].path: path is required
          - integration: {type: MOCK} # want restApis[1].resources[0].methods[0].httpMethod: httpMethod is required
      - path: /none # want restApis[1].resources[1].methods: a resource needs at least one method
      - path: /a
        methods:
          - httpMethod: GET # want restApis[1].resources[2].methods[0].integration: integration is required
          - httpMethod: POST
            integration: {timeout: 1s} # want restApis[1].resources[2].methods[1].integration.type: type is required
          - httpMethod: PUT
            integration: {type: AWS_PROXY} # want restApis[1].resources[2].methods[2].integration.function: function is required
          - httpMethod: PATCH
            integration: {type: HTTP_PROXY} # want restApis[1].resources[2].methods[3].integration.uri: uri is required
`},
		{name: "duplicates", src: `
restApis:
  - id: Api
    binaryMediaTypes: [image/png, IMAGE/PNG] # want restApis[0].binaryMediaTypes[1]: media type "image/png" is already used
    authorizers:
      - {id: A, cognitoUserPools: [Pool, Pool]} # want restApis[0].authorizers[0].cognitoUserPools[1]: user pool "Pool" is already used
      - id: A # want restApis[0].authorizers[1].id: authorizer id "A" is already used
        type: JWT
        jwtConfiguration:
          defaultAlgorithms: [RS256, RS256] # want restApis[0].authorizers[1].jwtConfiguration.defaultAlgorithms[1]: algorithm "RS256" is already used
          issuers:
            - issuer: "https://i.example.com"
              audiences: [a, a] # want restApis[0].authorizers[1].jwtConfiguration.issuers[0].audiences[1]: audience "a" is already used
              additionalClaims: [{claimName: t}, {claimName: t}] # want restApis[0].authorizers[1].jwtConfiguration.issuers[0].additionalClaims[1].claimName: claim "t" is already used
            - {issuer: "https://i.example.com", audiences: [a]} # want restApis[0].authorizers[1].jwtConfiguration.issuers[1].issuer: issuer "https://i.example.com" is already used
      - id: R
        type: REQUEST
        function: Fn
        identitySources: [context.stage, context.stage] # want restApis[0].authorizers[2].identitySources[1]: identity source "context.stage" is already used
      - id: P
        cognitoUserPools:
          - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a
          - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a # want restApis[0].authorizers[3].cognitoUserPools[1]: user pool "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a" is already used
    resources:
      - path: /a
        methods:
          - {httpMethod: GET, integration: {type: MOCK}}
          - {httpMethod: GET, integration: {type: MOCK}} # want restApis[0].resources[0].methods[1].httpMethod: method "GET" is already used
          - httpMethod: POST
            authorizer: A
            authorizationScopes: [api/read, api/read] # want restApis[0].resources[0].methods[2].authorizationScopes[1]: scope "api/read" is already used
            integration: {type: MOCK}
      - path: /a # want restApis[0].resources[1].path: resource path "/a" is already used at restApis[0].resources[0].path
        methods: [{httpMethod: PUT, integration: {type: MOCK}}]
  - id: Api # want restApis[1].id: API id "Api" is already used
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "resource paths", src: `
restApis:
  - id: Api
    resources:
      - path: pets # want restApis[0].resources[0].path: invalid path "pets": it must start with /
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/ # want restApis[0].resources[1].path: it must not end with /
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /a//b # want restApis[0].resources[2].path: empty path part
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /a b # want restApis[0].resources[3].path: path part "a b" may only hold
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{proxy+}/more # want restApis[0].resources[4].path: the greedy path part "{proxy+}" must be the last
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{a b} # want restApis[0].resources[5].path: a parameter name may only hold
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /x{id} # want restApis[0].resources[6].path: path part "x{id}" must be {name} or {name+}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{} # want restApis[0].resources[7].path: path part "{}" must be {name} or {name+}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{+} # want restApis[0].resources[8].path: a parameter name may only hold
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{id}/x/{id} # want restApis[0].resources[9].path: the path parameter "id" appears twice
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: ` + manyParams(17) + ` # want restApis[0].resources[10].path: more than 16 path parameters
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: ` + manyParams(16) + `
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
`},
		{name: "sibling variables", src: `
restApis:
  - id: Api
    resources:
      - path: /pets/{id}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/{petId} # want restApis[0].resources[1].path: path part {petId} conflicts with its sibling {id} under /pets (from restApis[0].resources[0].path, line 18)
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/{id}/toys
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/{proxy+} # want restApis[0].resources[3].path: path part {proxy+} conflicts with its sibling {id} under /pets
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/{id+} # want restApis[0].resources[4].path: path part {id+} conflicts with its sibling {id}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /pets/literal
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{proxy+}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
      - path: /{other}/x # want restApis[0].resources[7].path: path part {other} conflicts with its sibling {proxy+} under /
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
  - id: OtherApi
    resources:
      - path: /pets/{petId}
        methods: [{httpMethod: GET, integration: {type: MOCK}}]
`},
		{name: "methods and authorization", src: `
restApis:
  - id: Api
    authorizers:
      - {id: Local, cognitoUserPools: [Pool]}
      - {id: Ext, cognitoUserPools: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x"]}
      - {id: NoScopes, cognitoUserPools: [Empty]}
    resources:
      - path: /a
        methods:
          - {httpMethod: get, integration: {type: MOCK}} # want restApis[0].resources[0].methods[0].httpMethod: invalid httpMethod "get" (write it in upper case)
          - {httpMethod: CONNECT, integration: {type: MOCK}} # want restApis[0].resources[0].methods[1].httpMethod: invalid httpMethod "CONNECT": want one of GET, POST
          - httpMethod: POST
            authorizationScopes: [api/read] # want restApis[0].resources[0].methods[2].authorizationScopes: authorizationScopes need an authorizer
            integration: {type: MOCK}
          - httpMethod: PUT
            authorizer: Nope # want restApis[0].resources[0].methods[3].authorizer: "Nope" is not an authorizer of this API (want one of Ext, Local, NoScopes)
            authorizationScopes: [api/read]
            integration: {type: MOCK}
          - httpMethod: DELETE # want restApis[0].resources[0].methods[4].authorizationScopes: DELETE /a has authorizer "Local" but no authorizationScopes: API Gateway then accepts ID tokens only, and Tollgate issues none
            authorizer: Local
            integration: {type: MOCK}
          - httpMethod: PATCH # want restApis[0].resources[0].methods[5].authorizationScopes: PATCH /a has authorizer "Ext" but no authorizationScopes
            authorizer: Ext
            integration: {type: MOCK}
          - httpMethod: HEAD
            authorizer: Local
            authorizationScopes:
              - api/read
              - other/all # want restApis[0].resources[0].methods[6].authorizationScopes[1]: scope "other/all" is not a scope of the authorizer's user pools (Pool): want one of api/read, api/write
              - api/admin # want restApis[0].resources[0].methods[6].authorizationScopes[2]: scope "api/admin" is not a scope
              - "has space" # want restApis[0].resources[0].methods[6].authorizationScopes[3]: invalid scope "has space"
            integration: {type: MOCK}
          - httpMethod: OPTIONS
            authorizer: Ext
            authorizationScopes: [any/thing, 'bad"quote'] # want restApis[0].resources[0].methods[7].authorizationScopes[1]: invalid scope
            integration: {type: MOCK}
          - httpMethod: ANY
            authorizer: NoScopes
            authorizationScopes: [api/read] # want restApis[0].resources[0].methods[8].authorizationScopes[0]: they define no scope
            integration: {type: MOCK}
  - id: NoAuthorizers
    resources:
      - path: /
        methods:
          - httpMethod: GET
            authorizer: Local # want restApis[1].resources[0].methods[0].authorizer: "Local" is not an authorizer of this API: the API declares no authorizer
            authorizationScopes: [api/read]
            integration: {type: MOCK}
`},
		{name: "authorizers", src: `
restApis:
  - id: Api
    authorizers:
      - id: A
        cognitoUserPools: [Nope] # want restApis[0].authorizers[0].cognitoUserPools[0]: "Nope" is not the id of a user pool of this config (want one of Empty, Other, Pool)
      - id: B
        type: JWT
        jwtConfiguration:
          defaultAlgorithms: [RS256, HS256, none] # want restApis[0].authorizers[1].jwtConfiguration.defaultAlgorithms[1]: unsupported algorithm "HS256": want one of RS256, RS384, RS512, ES256, ES384, ES512 # want restApis[0].authorizers[1].jwtConfiguration.defaultAlgorithms[2]: unsupported algorithm "none"
          issuers:
            - issuer: http://auth.example.com # want restApis[0].authorizers[1].jwtConfiguration.issuers[0].issuer: invalid issuer "http://auth.example.com": want https: http is allowed only on a loopback host
              audiences: [""] # want restApis[0].authorizers[1].jwtConfiguration.issuers[0].audiences[0]: an audience must not be empty
            - issuer: not a url # want restApis[0].authorizers[1].jwtConfiguration.issuers[1].issuer: want an https URL
              audiences: [a]
            - issuer: https://user:pw@auth.example.com # want restApis[0].authorizers[1].jwtConfiguration.issuers[2].issuer: credentials in the URL are not supported
              audiences: [a]
            - issuer: https:///path # want restApis[0].authorizers[1].jwtConfiguration.issuers[3].issuer: the host is missing
              audiences: [a]
            - issuer: https://auth.example.com/#frag # want restApis[0].authorizers[1].jwtConfiguration.issuers[4].issuer: a fragment is not allowed
              audiences: [a]
            - issuer: https://auth.example.com/?tenant=a # want restApis[0].authorizers[1].jwtConfiguration.issuers[5].issuer: a query is not allowed
              audiences: [a]
            - issuer: http://[::1]:8080/pool
              audiences: [a]
              additionalClaims:
                - {claimName: iss} # want restApis[0].authorizers[1].jwtConfiguration.issuers[6].additionalClaims[0].claimName: claim "iss" cannot be an additional claim: the authorizer checks iss, aud, exp, nbf, iat, scope, scp itself
                - {claimName: scp} # want restApis[0].authorizers[1].jwtConfiguration.issuers[6].additionalClaims[1].claimName: claim "scp" cannot be an additional claim
                - {claimName: groups, format: STRING_ARRAY} # want restApis[0].authorizers[1].jwtConfiguration.issuers[6].additionalClaims[2].format: unsupported format "STRING_ARRAY": want SINGLE_STRING
      - id: C
        cognitoUserPools: [Pool]
        identitySource: method.request.querystring.token # want restApis[0].authorizers[2].identitySource: invalid identity source "method.request.querystring.token": want a request header
      - id: D
        cognitoUserPools: [Pool]
        identitySource: Authorization # want restApis[0].authorizers[3].identitySource: invalid identity source "Authorization"
      - id: E
        cognitoUserPools: [Pool]
        identitySource: "method.request.header.A, method.request.header.B" # want restApis[0].authorizers[4].identitySource: invalid identity source
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "authorizer types and their fields", src: `
restApis:
  - id: Api
    authorizers:
      - {id: A, type: token, function: Fn} # want restApis[0].authorizers[0].type: invalid authorizer type "token" (write it in upper case: TOKEN)
      - {id: B, type: AWS_IAM} # want restApis[0].authorizers[1].type: unknown authorizer type "AWS_IAM": want one of COGNITO_USER_POOLS, TOKEN, REQUEST, JWT
      - id: C
        type: TOKEN
        function: Fn
        cognitoUserPools: [Pool] # want restApis[0].authorizers[2].cognitoUserPools: cognitoUserPools applies to COGNITO_USER_POOLS authorizers only, and this one is TOKEN
        identitySources: [context.stage] # want restApis[0].authorizers[2].identitySources: identitySources applies to REQUEST authorizers only: this one reads the token from the one header of identitySource
        jwtConfiguration: {} # want restApis[0].authorizers[2].jwtConfiguration: jwtConfiguration applies to JWT authorizers only, and this one is TOKEN
      - id: D
        type: REQUEST
        function: Fn
        identitySource: method.request.header.Authorization # want restApis[0].authorizers[3].identitySource: identitySource applies to COGNITO_USER_POOLS and TOKEN and JWT authorizers only: a REQUEST authorizer lists identitySources
        identitySources: [method.request.header.Authorization]
        validationRegex: ".*" # want restApis[0].authorizers[3].validationRegex: validationRegex applies to TOKEN authorizers only, and this one is REQUEST
      - id: E
        cognitoUserPools: [Pool]
        function: Fn # want restApis[0].authorizers[4].function: function applies to TOKEN and REQUEST authorizers only, and this one is COGNITO_USER_POOLS
      - id: F
        type: JWT
        resultsCacheTtl: 0s # want restApis[0].authorizers[5].resultsCacheTtl: resultsCacheTtl applies to TOKEN and REQUEST authorizers only, and this one is JWT
        jwtConfiguration: {defaultAlgorithms: [ES256], issuers: [{issuer: "https://i.example.com", audiences: [a]}]}
    resources:
      - path: /
        methods:
          - {httpMethod: GET, integration: {type: MOCK}}
          - {httpMethod: POST, authorizer: A, integration: {type: MOCK}} # no problem here: A's own problem says what is wrong
          - {httpMethod: PUT, authorizer: B, integration: {type: MOCK}}
`},
		{name: "lambda authorizers", src: `
restApis:
  - id: Api
    authorizers:
      - {id: A, type: TOKEN, function: Nope} # want restApis[0].authorizers[0].function: "Nope" is not the id of a function of this config (want one of Fn)
      - {id: B, type: TOKEN, function: Fn, resultsCacheTtl: 3601s} # want restApis[0].authorizers[1].resultsCacheTtl: resultsCacheTtl must be whole seconds from 0s (no caching) to 3600s, got 1h0m1s
      - {id: C, type: TOKEN, function: Fn, resultsCacheTtl: 1500ms} # want restApis[0].authorizers[2].resultsCacheTtl: resultsCacheTtl must be whole seconds from 0s (no caching) to 3600s, got 1.5s
      - {id: D, type: TOKEN, function: Fn, resultsCacheTtl: -1s} # want restApis[0].authorizers[3].resultsCacheTtl: invalid duration "-1s": must be positive
      - {id: E, type: TOKEN, function: Fn, resultsCacheTtl: 300} # want restApis[0].authorizers[4].resultsCacheTtl: invalid duration "300": want a unit: write 300s (whole seconds)
      - {id: F, type: TOKEN, function: Fn, resultsCacheTtl: 0} # a bare 0 is no caching, as 0s
      - {id: G, type: TOKEN, function: Fn, validationRegex: "^Bearer (?=x).+$"} # want restApis[0].authorizers[6].validationRegex: invalid regular expression "^Bearer (?=x).+$": "(?=" is Java syntax that Go's RE2 does not have
      - {id: H, type: TOKEN, function: Fn, validationRegex: "^(a)\\1$"} # want restApis[0].authorizers[7].validationRegex: "\\1" is Java syntax
      - {id: I, type: TOKEN, function: Fn, validationRegex: "^a++$"} # want restApis[0].authorizers[8].validationRegex: "++" is Java syntax
      - {id: J, type: TOKEN, function: Fn, validationRegex: "[a-"} # want restApis[0].authorizers[9].validationRegex: invalid regular expression "[a-": missing closing ]
      - {id: K, type: TOKEN, function: Fn, identitySource: method.request.querystring.token} # want restApis[0].authorizers[10].identitySource: invalid identity source "method.request.querystring.token": want a request header
      - id: L
        type: REQUEST
        function: Fn
        identitySources:
          - method.request.header.X-Tenant
          - method.request.header.Bad Header # want restApis[0].authorizers[11].identitySources[1]: invalid identity source "method.request.header.Bad Header": want a header name
          - method.request.querystring. # want restApis[0].authorizers[11].identitySources[2]: want a query string parameter name
          - stageVariables.no-dash # want restApis[0].authorizers[11].identitySources[3]: want a stage variable name
          - context.authorizer.principalId # want restApis[0].authorizers[11].identitySources[4]: want one of context.accountId
          - method.request.path.id # want restApis[0].authorizers[11].identitySources[5]: a path parameter cannot be an identity source
          - "method.request.header.A,method.request.querystring.b" # want restApis[0].authorizers[11].identitySources[6]: invalid identity source "method.request.header.A,method.request.querystring.b": one source per list item
          - header.Authorization # want restApis[0].authorizers[11].identitySources[7]: want method.request.header.{name}, method.request.querystring.{name}, stageVariables.{name} or context.{name}
      - {id: M, type: REQUEST, function: Fn, resultsCacheTtl: 300s, identitySources: []} # want restApis[0].authorizers[12]: a REQUEST authorizer that caches its results (resultsCacheTtl 5m0s) needs identitySources: they key the cache; set resultsCacheTtl: 0s to cache nothing
    resources:
      - path: /
        methods:
          - httpMethod: GET
            authorizer: F
            authorizationScopes: [api/read] # want restApis[0].resources[0].methods[0].authorizationScopes: authorizationScopes apply to COGNITO_USER_POOLS and JWT authorizers only: "F" is a TOKEN authorizer, whose function's policy decides
            integration: {type: MOCK}
          - {httpMethod: POST, authorizer: F, integration: {type: MOCK}}
`},
		{name: "pools on AWS by ARN", src: `
restApis:
  - id: Api
    authorizers:
      - id: A
        cognitoUserPools:
          - arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-1_abc # want restApis[0].authorizers[0].cognitoUserPools[0]: invalid user pool ARN "arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-1_abc": the pool id eu-west-1_abc is of region eu-west-1, not the ARN's us-east-1
          - arn:aws:cognito-idp:us-east-1:1234:userpool/us-east-1_abc # want restApis[0].authorizers[0].cognitoUserPools[1]: invalid user pool ARN "arn:aws:cognito-idp:us-east-1:1234:userpool/us-east-1_abc": want arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}
          - arn:aws:lambda:us-east-1:123456789012:function:f # want restApis[0].authorizers[0].cognitoUserPools[2]: invalid user pool ARN
          - us-east-1_abc # want restApis[0].authorizers[0].cognitoUserPools[3]: "us-east-1_abc" is not the id of a user pool of this config (want one of Empty, Other, Pool); a pool on AWS is named by its ARN, arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "externalIssuers replaced", src: `
restApis:
  - id: Api
    authorizers:
      - id: A
        cognitoUserPools: [Pool]
        externalIssuers: # want restApis[0].authorizers[0].externalIssuers: externalIssuers is no longer supported: add to cognitoUserPools of a COGNITO_USER_POOLS authorizer arn:aws:cognito-idp:us-east-1:{account}:userpool/us-east-1_abc (with your AWS account id for {account}); and declare an authorizer of type JWT with jwtConfiguration: {defaultAlgorithms: [RS256], issuers: [{issuer: "https://auth.example.com/", audiences: [{audience}]}]} (its keys are found by OpenID discovery; jwksUrl goes; for tokens without aud, like Cognito's access tokens, an audience is the client id); a method has one authorizer, so each method must then name one authorizer or the other
          - issuer: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc
            jwksUrl: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json
          - {issuer: "https://auth.example.com/", jwksUrl: "https://auth.example.com/keys"}
      - id: B
        externalIssuers: [] # want restApis[0].authorizers[1].externalIssuers: externalIssuers is no longer supported: name a Cognito pool on AWS by its ARN in cognitoUserPools of a COGNITO_USER_POOLS authorizer
      - id: C
        type: TOKEN
        function: Fn
        externalIssuers: [{issuer: "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_x"}] # want restApis[0].authorizers[2].externalIssuers: externalIssuers is no longer supported: add to cognitoUserPools of a COGNITO_USER_POOLS authorizer arn:aws:cognito-idp:eu-west-1:{account}:userpool/eu-west-1_x (with your AWS account id for {account}); the issuer "https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_x" is inconsistent: its pool eu-west-1_x is of region eu-west-1, not us-east-1
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "integrations", src: `
restApis:
  - id: Api
    resources:
      - path: /items/{itemId}
        methods:
          - httpMethod: GET
            integration: {type: LAMBDA} # want restApis[0].resources[0].methods[0].integration.type: unsupported integration type "LAMBDA": want one of AWS_PROXY, HTTP_PROXY, MOCK
          - httpMethod: POST
            integration:
              type: AWS_PROXY
              function: Nope # want restApis[0].resources[0].methods[1].integration.function: "Nope" is not the id of a function of this config (want one of Fn)
              uri: http://h/ # want restApis[0].resources[0].methods[1].integration.uri: uri applies to HTTP_PROXY integrations only, and this one is AWS_PROXY
              statusCode: 200 # want restApis[0].resources[0].methods[1].integration.statusCode: statusCode applies to MOCK integrations only
          - httpMethod: PUT
            integration:
              type: HTTP_PROXY
              uri: http://h/items/{id} # want restApis[0].resources[0].methods[2].integration.uri: placeholder {id} is not a path parameter of /items/{itemId} (want one of itemId)
              function: Fn # want restApis[0].resources[0].methods[2].integration.function: function applies to AWS_PROXY integrations only
          - httpMethod: PATCH
            integration:
              type: MOCK
              statusCode: 600 # want restApis[0].resources[0].methods[3].integration.statusCode: statusCode must be an HTTP status, 100 to 599, got 600
              timeout: 1s # want restApis[0].resources[0].methods[3].integration.timeout: timeout applies to AWS_PROXY and HTTP_PROXY integrations only
              function: Fn # want restApis[0].resources[0].methods[3].integration.function: function applies to AWS_PROXY
              uri: http://h/ # want restApis[0].resources[0].methods[3].integration.uri: uri applies to HTTP_PROXY
          - httpMethod: DELETE
            integration: {type: MOCK, statusCode: 99} # want restApis[0].resources[0].methods[4].integration.statusCode: got 99
          - httpMethod: HEAD
            integration: {type: AWS_PROXY, function: Fn, timeout: 49ms} # want restApis[0].resources[0].methods[5].integration.timeout: between 50ms and 29s, got 49ms
          - httpMethod: OPTIONS
            integration: {type: HTTP_PROXY, uri: "http://h/", timeout: 30s} # want restApis[0].resources[0].methods[6].integration.timeout: got 30s
          - httpMethod: ANY
            integration:
              type: AWS_PROXY
              function: Fn
              responseHeaders: {X-A: b} # want restApis[0].resources[0].methods[7].integration.responseHeaders: responseHeaders applies to MOCK integrations only
              body: hi # want restApis[0].resources[0].methods[7].integration.body: body applies to MOCK integrations only
      - path: /
        methods:
          - httpMethod: GET
            integration: {type: HTTP_PROXY, uri: "http://h/{proxy}"} # want restApis[0].resources[1].methods[0].integration.uri: placeholder {proxy} is not a path parameter of /, which has none
          - httpMethod: OPTIONS
            integration:
              type: MOCK
              responseHeaders:
                Bad Name: x # want restApis[0].resources[1].methods[1].integration.responseHeaders.Bad Name: "Bad Name" is not a valid header name
                X-Ok: "a\nb" # want restApis[0].resources[1].methods[1].integration.responseHeaders.X-Ok: the value of header X-Ok holds a control character
`},
		{name: "integration URIs", src: `
restApis:
  - id: Api
    resources:
      - path: /{proxy+}
        methods:
          - {httpMethod: GET, integration: {type: HTTP_PROXY, uri: "h/{proxy}"}} # want restApis[0].resources[0].methods[0].integration.uri: want an absolute http:// or https:// URL
          - {httpMethod: POST, integration: {type: HTTP_PROXY, uri: "ftp://h/{proxy}"}} # want restApis[0].resources[0].methods[1].integration.uri: scheme "ftp" is not supported
          - {httpMethod: PUT, integration: {type: HTTP_PROXY, uri: "http://h/{proxy+}"}} # want restApis[0].resources[0].methods[2].integration.uri: write {proxy}, not {proxy+}
          - {httpMethod: PATCH, integration: {type: HTTP_PROXY, uri: "http://{proxy}/"}} # want restApis[0].resources[0].methods[3].integration.uri: placeholders are allowed only in the path
          - {httpMethod: DELETE, integration: {type: HTTP_PROXY, uri: "http://h/?q={proxy}"}} # want restApis[0].resources[0].methods[4].integration.uri: placeholders are allowed only in the path
          - {httpMethod: HEAD, integration: {type: HTTP_PROXY, uri: "http://u:p@h/"}} # want restApis[0].resources[0].methods[5].integration.uri: credentials in the URI are not supported
          - {httpMethod: OPTIONS, integration: {type: HTTP_PROXY, uri: "http://h/a#f"}} # want restApis[0].resources[0].methods[6].integration.uri: a fragment is not allowed
          - {httpMethod: ANY, integration: {type: HTTP_PROXY, uri: "http://h/{proxy"}} # want restApis[0].resources[0].methods[7].integration.uri: unbalanced '{'
      - path: /a/{proxy+}
        methods:
          - {httpMethod: GET, integration: {type: HTTP_PROXY, uri: "http://h/proxy}"}} # want restApis[0].resources[1].methods[0].integration.uri: unbalanced '}'
          - {httpMethod: POST, integration: {type: HTTP_PROXY, uri: "http://h/${stageVariables.x}"}} # want restApis[0].resources[1].methods[1].integration.uri: stage variables are not supported
          - {httpMethod: PUT, integration: {type: HTTP_PROXY, uri: "http://h/{}"}} # want restApis[0].resources[1].methods[2].integration.uri: empty placeholder
          - {httpMethod: PATCH, integration: {type: HTTP_PROXY, uri: "http://h/a b"}} # want restApis[0].resources[1].methods[3].integration.uri: must be percent-encoded
          - {httpMethod: DELETE, integration: {type: HTTP_PROXY, uri: "http://h/../x/{proxy}"}} # want restApis[0].resources[1].methods[4].integration.uri: must not contain "." or ".." segments
          - {httpMethod: HEAD, integration: {type: HTTP_PROXY, uri: "http://h/{proxy}{proxy}"}} # want restApis[0].resources[1].methods[5].integration.uri: must be separated by literal text
          - {httpMethod: OPTIONS, integration: {type: HTTP_PROXY, uri: "http:///x"}} # want restApis[0].resources[1].methods[6].integration.uri: the host is missing
          - {httpMethod: ANY, integration: {type: HTTP_PROXY, uri: "HTTPS://h:8443/%2Fa/{proxy}.json?x=1"}}
`},
		{name: "stages, throttles and media types", src: `
restApis:
  - id: Api
    endpointTypes: [PRIVATE, edge] # want restApis[0].endpointTypes: an API has one endpoint type, got 2 # want restApis[0].endpointTypes[0]: PRIVATE is not supported # want restApis[0].endpointTypes[1]: unknown endpoint type "edge"
    deployOptions:
      stageName: prod.1 # want restApis[0].deployOptions.stageName: invalid stage name "prod.1"
      throttlingRateLimit: 0 # want restApis[0].deployOptions.throttlingRateLimit: the rate must be more than 0 requests per second, got 0
      throttlingBurstLimit: 0 # want restApis[0].deployOptions.throttlingBurstLimit: the burst must be at least 1 request, got 0
      variables:
        bad-name: x # want restApis[0].deployOptions.variables.bad-name: invalid stage variable name "bad-name"
        spaced: "a b" # want restApis[0].deployOptions.variables.spaced: invalid value "a b" of stage variable spaced
        empty: "" # want restApis[0].deployOptions.variables.empty: invalid value ""
    clientThrottling:
      rateLimit: -1 # want restApis[0].clientThrottling.rateLimit: got -1
      burstLimit: -1 # want restApis[0].clientThrottling.burstLimit: got -1
    binaryMediaTypes: [png, "image/png; q=1", "/*"] # want restApis[0].binaryMediaTypes[0]: invalid media type "png" # want restApis[0].binaryMediaTypes[1]: invalid media type # want restApis[0].binaryMediaTypes[2]: invalid media type
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
  - id: BurstOnly
    deployOptions:
      throttlingBurstLimit: 5 # want restApis[1].deployOptions.throttlingBurstLimit: a burst needs a rate: set throttlingRateLimit too
      stageName: "" # want restApis[1].deployOptions.stageName: invalid stage name ""
    clientThrottling:
      rateLimit: 2000000000 # want restApis[1].clientThrottling.rateLimit: the rate must be at most 1e+09
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
`},
		{name: "domain names", src: `
userPools:
  - id: DomainPool
    domains:
      - {id: D, customDomain: {domainName: auth.example.com}}
      - {id: P, cognitoDomain: {domainPrefix: prefix}}
restApis:
  - id: Api
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
    domainNames:
      - domainName: auth.example.com # want restApis[0].domainNames[0].domainName: domain "auth.example.com" is already used at userPools[0].domains[0].customDomain.domainName
      - domainName: API.example.com # want restApis[0].domainNames[1].domainName: write it in lower case
      - domainName: api.example.com
        stage: dev # want restApis[0].domainNames[2].stage: stage "dev" is not the API's stage: want "prod"
        basePath: /v1 # want restApis[0].domainNames[2].basePath: without leading or trailing '/'
      - domainName: api2.example.com
        basePath: "a b" # want restApis[0].domainNames[3].basePath: invalid base path "a b"
      - domainName: api3.example.com
        basePath: v1/../x # want restApis[0].domainNames[4].basePath: invalid base path
      - domainName: api4.example.com
        certificate: {certFile: nope.pem, keyFile: nope-key.pem} # want restApis[0].domainNames[5].certificate.certFile: nope.pem: no such file # want restApis[0].domainNames[5].certificate.keyFile: nope-key.pem: no such file
      - {} # want restApis[0].domainNames[6].domainName: domainName is required
  - id: Api2
    resources: [{path: /, methods: [{httpMethod: GET, integration: {type: MOCK}}]}]
    domainNames:
      - domainName: api.example.com # want restApis[1].domainNames[0].domainName: domain "api.example.com" is already used at restApis[0].domainNames[2].domainName
`, own: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.TrimPrefix(tc.src, "\n")
			if !tc.own {
				src = strings.TrimPrefix(apiBase, "\n") + src
			}
			checkProblems(t, "test.yaml", src)
		})
	}
}

// manyParams returns a resource path with n path parameters.
func manyParams(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "/{p%d}", i)
	}
	return b.String()
}

func TestParseRestAPIDefaults(t *testing.T) {
	src := strings.TrimPrefix(apiBase, "\n") + `
restApis:
  - id: Api
    deployOptions: {throttlingRateLimit: 2.5}
    clientThrottling: {rateLimit: 1}
    authorizers:
      - {id: A, cognitoUserPools: [Pool]}
      - {id: T, type: TOKEN, function: Fn}
      - {id: R, type: REQUEST, function: Fn, resultsCacheTtl: 0s}
      - {id: J, type: JWT, jwtConfiguration: {defaultAlgorithms: [RS256], issuers: [{issuer: "https://i.example.com", audiences: [a], additionalClaims: [{claimName: c}]}]}}
    resources:
      - path: /{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: A, authorizationScopes: [api/read], integration: {type: AWS_PROXY, function: Fn}}
          - {httpMethod: GET, integration: {type: MOCK}}
          - {httpMethod: PUT, authorizer: T, integration: {type: MOCK}}
          - {httpMethod: POST, authorizer: R, integration: {type: MOCK}}
          - {httpMethod: PATCH, authorizer: J, integration: {type: MOCK}}
    domainNames: [{domainName: api.example.com}]
`
	cfg, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []RestAPI{{
		ID: "Api", RestAPIName: "Api",
		DeployOptions:    DeployOptions{StageName: "prod", ThrottlingRateLimit: 2.5, ThrottlingBurstLimit: 3},
		ClientThrottling: ClientThrottling{RateLimit: 1, BurstLimit: 1},
		Authorizers: []Authorizer{
			{ID: "A", Type: AuthorizerCognito, CognitoUserPools: []string{"Pool"}, IdentitySource: "method.request.header.Authorization"},
			// CDK's TokenAuthorizer: resultsCacheTtl defaults to
			// Duration.minutes(5), identitySource to
			// IdentitySource.header('Authorization')
			// (aws-apigateway/lib/authorizers/lambda.ts).
			{ID: "T", Type: AuthorizerToken, Function: "Fn", IdentitySource: "method.request.header.Authorization", ResultsCacheTTL: ptr(300 * time.Second)},
			{ID: "R", Type: AuthorizerRequest, Function: "Fn", ResultsCacheTTL: ptr(time.Duration(0))},
			{ID: "J", Type: AuthorizerJWT, IdentitySource: "method.request.header.Authorization", JWTConfiguration: &JWTConfiguration{
				DefaultAlgorithms: []string{"RS256"},
				Issuers: []JWTIssuer{{Issuer: "https://i.example.com", Audiences: []string{"a"},
					AdditionalClaims: []AdditionalClaim{{ClaimName: "c", Format: "SINGLE_STRING"}}}},
			}},
		},
		Resources: []Resource{{Path: "/{proxy+}", Methods: []Method{
			{HTTPMethod: "ANY", Authorizer: "A", AuthorizationScopes: []string{"api/read"}, Integration: &Integration{Type: "AWS_PROXY", Function: "Fn", Timeout: 29 * time.Second}},
			{HTTPMethod: "GET", Integration: &Integration{Type: "MOCK", StatusCode: 200}},
			{HTTPMethod: "PUT", Authorizer: "T", Integration: &Integration{Type: "MOCK", StatusCode: 200}},
			{HTTPMethod: "POST", Authorizer: "R", Integration: &Integration{Type: "MOCK", StatusCode: 200}},
			{HTTPMethod: "PATCH", Authorizer: "J", Integration: &Integration{Type: "MOCK", StatusCode: 200}},
		}}},
		DomainNames: []APIDomain{{DomainName: "api.example.com", Stage: "prod"}},
	}}
	if diff := cmp.Diff(want, cfg.RestAPIs); diff != "" {
		t.Errorf("restApis (-want +got):\n%s", diff)
	}
	// Validate after Parse changes nothing: the defaults are in place.
	before := cfg.RestAPIs[0]
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, cfg.RestAPIs[0]); diff != "" {
		t.Errorf("Validate changed the API (-before +after):\n%s", diff)
	}
}

func ptr[T any](v T) *T { return &v }

// TestValidateRestAPIs checks a config built in code: zero values are
// defaults, and problems have paths.
func TestValidateRestAPIs(t *testing.T) {
	cfg := &Config{
		UserPools: []UserPool{{ID: "P", ResourceServers: []ResourceServer{{Identifier: "api", Scopes: []Scope{{ScopeName: "read", ScopeDescription: "Read"}}}}}},
		RestAPIs: []RestAPI{{
			ID:          "Api",
			Authorizers: []Authorizer{{ID: "A", CognitoUserPools: []string{"P"}}},
			Resources: []Resource{{Path: "/", Methods: []Method{
				{HTTPMethod: "GET", Authorizer: "A", AuthorizationScopes: []string{"api/read"}, Integration: &Integration{Type: IntegrationHTTPProxy, URI: "http://h/"}},
			}}},
		}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := cfg.RestAPIs[0]
	if a.DeployOptions.StageName != "prod" || a.Authorizers[0].IdentitySource != DefaultIdentitySource || a.Resources[0].Methods[0].Integration.Timeout != 29*time.Second {
		t.Errorf("defaults not filled: %+v", a)
	}
	cfg.RestAPIs[0].Resources[0].Methods[0].AuthorizationScopes = []string{"api/write"}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `restApis[0].resources[0].methods[0].authorizationScopes[0]: scope "api/write" is not a scope`) {
		t.Errorf("Validate = %v", err)
	}
}

func TestSeedCodeResolvesAgainstTheExample(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "examples", "seed", "tollgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs(filepath.Join("..", "..", "examples", "seed", "app"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Functions) != 1 || cfg.Functions[0].Code != want {
		t.Errorf("functions = %+v, want code %s", cfg.Functions, want)
	}
}

// TestBuildRestAPIDomains checks that an API domain's certificate paths
// reach the domain absolute, and that pool ids come from the Result.
func TestBuildRestAPIDomains(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, filepath.Join(dir, "certs"), "api", "api.example.com")
	src := `
userPools:
  - id: Pool
    resourceServers: [{identifier: api, scopes: [{scopeName: read, scopeDescription: Read}]}]
restApis:
  - id: Api
    deployOptions: {stageName: live}
    authorizers: [{id: A, cognitoUserPools: [Pool]}]
    resources:
      - path: /
        methods: [{httpMethod: GET, authorizer: A, authorizationScopes: [api/read], integration: {type: MOCK, statusCode: 204}}]
    domainNames:
      - domainName: api.example.com
        basePath: v1
        certificate: {certFile: certs/api.pem, keyFile: certs/api-key.pem}
`
	cfg, err := Parse(filepath.Join(dir, "tollgate.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{pools: map[string]string{"Pool": "eu-west-1_abcdefghi"}}
	apis, err := cfg.BuildRestAPIs(res)
	if err != nil {
		t.Fatal(err)
	}
	want := []tollgate.APIDomain{{
		DomainName: "api.example.com", Stage: "live", BasePath: "v1",
		CertFile: filepath.Join(dir, "certs", "api.pem"), KeyFile: filepath.Join(dir, "certs", "api-key.pem"),
	}}
	if diff := cmp.Diff(want, apis[0].DomainNames); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	r := apis[0].Routes[0]
	if !slices.Equal(r.Authorizer.PoolIDs, []string{"eu-west-1_abcdefghi"}) || r.Integration.MockStatus != 204 || r.Integration.Timeout != 0 {
		t.Errorf("route = %+v, authorizer %+v", r, r.Authorizer)
	}
}
