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
        externalIssuers:
          - issuer: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc
            jwksUrl: https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json
          - issuer: http://127.0.0.1:8080/us-east-1_local
            jwksUrl: http://localhost:8080/us-east-1_local/.well-known/jwks.json
        identitySource: method.request.header.X-Token
      - id: Both
        cognitoUserPools: [Pool]
        externalIssuers: [{issuer: "https://auth.example.com/", jwksUrl: "https://auth.example.com/keys?v=1"}]
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
            authorizationScopes: [api/write]
            integration: {type: AWS_PROXY, function: Fn, timeout: 50ms}
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
        resultsCacheTtl: 5m # want restApis[0].authorizers[0].resultsCacheTtl: unknown field
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
      - id: Nothing # want restApis[1].authorizers[1]: an authorizer needs cognitoUserPools or externalIssuers
      - id: Blank
        externalIssuers:
          - {} # want restApis[1].authorizers[2].externalIssuers[0].issuer: issuer is required # want restApis[1].authorizers[2].externalIssuers[0].jwksUrl: jwksUrl is required
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
        externalIssuers:
          - {issuer: "https://i.example.com", jwksUrl: "https://i.example.com/jwks"}
          - {issuer: "https://i.example.com", jwksUrl: "https://i.example.com/jwks2"} # want restApis[0].authorizers[1].externalIssuers[1].issuer: issuer "https://i.example.com" is already used
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
      - {id: Ext, externalIssuers: [{issuer: "https://i.example.com", jwksUrl: "https://i.example.com/jwks"}]}
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
        externalIssuers:
          - issuer: http://auth.example.com # want restApis[0].authorizers[1].externalIssuers[0].issuer: invalid issuer "http://auth.example.com": want https: http is allowed only on a loopback host
            jwksUrl: ftp://auth.example.com/keys # want restApis[0].authorizers[1].externalIssuers[0].jwksUrl: invalid JWKS URL "ftp://auth.example.com/keys": want an https URL
          - issuer: not a url # want restApis[0].authorizers[1].externalIssuers[1].issuer: want an https URL
            jwksUrl: https://user:pw@auth.example.com/keys # want restApis[0].authorizers[1].externalIssuers[1].jwksUrl: credentials in the URL are not supported
          - issuer: https:///path # want restApis[0].authorizers[1].externalIssuers[2].issuer: the host is missing
            jwksUrl: https://auth.example.com/keys#frag # want restApis[0].authorizers[1].externalIssuers[2].jwksUrl: a fragment is not allowed
          - issuer: http://[::1]:8080/pool
            jwksUrl: http://app.localhost/keys
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
    authorizers: [{id: A, cognitoUserPools: [Pool]}]
    resources:
      - path: /{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: A, authorizationScopes: [api/read], integration: {type: AWS_PROXY, function: Fn}}
          - {httpMethod: GET, integration: {type: MOCK}}
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
		Authorizers:      []Authorizer{{ID: "A", CognitoUserPools: []string{"Pool"}, IdentitySource: "method.request.header.Authorization"}},
		Resources: []Resource{{Path: "/{proxy+}", Methods: []Method{
			{HTTPMethod: "ANY", Authorizer: "A", AuthorizationScopes: []string{"api/read"}, Integration: &Integration{Type: "AWS_PROXY", Function: "Fn", Timeout: 29 * time.Second}},
			{HTTPMethod: "GET", Integration: &Integration{Type: "MOCK", StatusCode: 200}},
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
