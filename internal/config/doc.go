// Package config owns Tollgate's config-as-code: it reads a YAML file whose
// keys mirror the AWS CDK construct props (UserPool, addResourceServer,
// addClient, addDomain, addTrigger, lambda.Function, RestApi,
// CognitoUserPoolsAuthorizer, TokenAuthorizer, RequestAuthorizer,
// addResource, addMethod, HttpApi, HttpJwtAuthorizer,
// HttpUserPoolAuthorizer, HttpLambdaAuthorizer, addRoutes), validates it
// whole, reconciles the store with the pools it declares and builds the
// REST and HTTP APIs it declares.
//
// The pipeline:
//
//   - Parse (or Load) decodes the YAML syntax tree against the schema
//     structs, fills defaults and checks every rule Cognito, Lambda and API
//     Gateway enforce that matters here. It returns every problem at once,
//     each with its file, line, column and path (see Problems); unknown
//     fields are problems. API Gateway's grammar (resource paths, methods,
//     integration URIs, stage names, throttle bounds, identity sources,
//     scopes) is internal/apigw's; the last step builds each REST and HTTP
//     API as serve does and runs apigw.Check on it, the gate the gateway
//     runs before it serves, reporting its problems at the config's values
//     (restapis_gate.go: gateAPIs; httpapis_gate.go places an HTTP API's).
//     It gates every API whose own checks passed, with those of the
//     functions and pools it names, whatever else the config gets wrong.
//     A rule about the API itself is stated there once; the config's own
//     checks keep what the gate cannot see: logical-id references,
//     defaults, units and YAML shapes. `tollgate validate` prints exactly
//     these, and `tollgate serve` refuses to start with them.
//   - Config is the validated intent: plain data, no store handles.
//   - Apply reconciles a store with a Config: objects the config declares are
//     matched by their ConfigKey ("config:{name}/{logical ids}"), created,
//     updated in place (keeping their ids, secrets and keys) or deleted;
//     objects made by hand (with an empty ConfigKey) and objects of other
//     configs and stacks are left alone. Deleting what holds secrets (a
//     client with secrets, a pool with clients) takes ApplyOptions.Prune.
//     Objects with a bare logical id as ConfigKey, written before configs
//     had names, are adopted by the config that declares their pool.
//     Writers reach it through internal/domain (domain.Service.Apply, and
//     Deploy for a stack), which retries it after a conflict with another
//     writer. Cognito's quotas are the root's (tollgate.MaxClientsPerPool…)
//     and the store enforces them in the writing transaction, for every
//     writer; the domain prefix rule is the root's too.
//   - BuildRestAPIs maps the restApis and httpApis sections to
//     tollgate.RestAPI values,
//     with the pool ids Apply's Result gives. APIs and functions are not
//     stored: they live in memory, rebuilt from the config on every start,
//     and an API's id derives from its logical id (tollgate.RestAPIID), so
//     its URLs stay the same.
//
// The file, with defaults and rules (examples/ holds complete files):
//
//	name: orders                     # default the file's name without extension, or its directory's
//	                                 #   for a tollgate.yaml; up to 128 of [A-Za-z0-9._-]; the owner of
//	                                 #   the config's objects: configs of other names leave them alone
//	region: us-east-1                # default us-east-1; the pools' default region
//	userPools:
//	  - id: UserPool                 # required, unique; the pool's identity across applies
//	    userPoolName: UserPool       # default id; unique
//	    region: us-east-1            # default the top-level region; fixed once the pool exists
//	    resourceServers:             # at most 25
//	      - id: ResourceServer       # default identifier
//	        identifier: default      # required, unique in the pool; 1-256 printable ASCII, no space " \
//	        userPoolResourceServerName: Custom default resource server   # default identifier
//	        scopes:                  # at most 100
//	          - scopeName: default   # required, unique; as identifier, and no /
//	            scopeDescription: Custom default scope   # required, 1-256 characters
//	    clients:
//	      - id: ThirdPartyAppClient  # required, unique in the pool
//	        userPoolClientName: ThirdPartyClientName     # default id; unique in the pool
//	        generateSecret: true     # required by clientCredentials; fixed once the client exists
//	        authFlows: {userSrp: false, userPassword: false, adminUserPassword: false, user: false, custom: false}
//	        oAuth:
//	          flows: {clientCredentials: true}           # authorizationCodeGrant, implicitCodeGrant: false only
//	          scopes: [default/default]                  # at most 50; "identifier/scopeName" of this pool
//	        accessTokenValidity: 60m                     # 5m-1d, default 60m
//	        idTokenValidity: 60m                         # 5m-1d, default 60m
//	        refreshTokenValidity: 30d                    # 60m-3650d, default 30d; not shorter than the others
//	    domains:                     # at most one of each kind per pool; unique across pools
//	      - id: UserPoolDomain       # required, unique in the pool
//	        cognitoDomain: {domainPrefix: my-prefix}     # a DNS label; no "aws", "amazon", "cognito"
//	      - id: UserPoolCustomDomain
//	        customDomain:
//	          domainName: auth.example.com               # a lower-case fully qualified host name
//	          certificate: {certFile: auth.pem, keyFile: auth-key.pem}   # optional; relative to the file
//	    lambdaTriggers:              # triggers.go
//	      preTokenGeneration:        # the pool keeps the function's ARN
//	        function: TokenFn        # required; the id of a function of this file
//	        lambdaVersion: V3_0      # required: V1_0, V2_0 or V3_0; only V3_0 runs for client_credentials
//	    tokenLimits:                 # optional, a Tollgate extension (usageplans.go): the token endpoint's
//	      perHour: 100               #   tokens per client per clock hour (UTC), 0 or absent: no limit
//	      perDay: 1000               #   per UTC day; not less than perHour when both are set
//	      lockout:                   #   pools only: a client id that fails to authenticate maxFailures
//	        maxFailures: 5           #   times within window is refused for duration; 1-1000
//	        window: 5m               #   1s-24h, whole seconds
//	        duration: 15m            #   1s-24h, whole seconds
//	                                 # a client's tokenLimits (perHour, perDay) replace the pool's quotas
//	functions:                       # Lambda functions, run by Tollgate as local processes
//	  - id: ProxyLambda              # required, unique; AWS_PROXY integrations name it
//	    functionName: ProxyLambda    # default id; unique; up to 64 of [A-Za-z0-9_-]
//	    runtime: nodejs22.x          # required: nodejs18.x, nodejs20.x, nodejs22.x, python3.9-3.13,
//	                                 #   provided.al2, provided.al2023
//	    handler: index.handler       # "{module}.{function}"; required but for provided.* (ignored there)
//	    code: app                    # required; a directory, relative to the file
//	    timeout: 10s                 # whole seconds, 1s-900s, default 3s
//	    memorySize: 128              # MB, 128-10240, default 128 (reported to the function, not enforced)
//	    environment: {TABLE: orders} # keys [A-Za-z][A-Za-z0-9_]*, not Lambda's reserved ones; 4 KB in all
//	    reservedConcurrency: 10      # optional, at least 1: the most instances at once (default 10)
//	restApis:
//	  - id: NewRestApi               # required, unique; the API id is tollgate.RestAPIID(id)
//	    restApiName: NewRestApi      # default id
//	    endpointTypes: [REGIONAL]    # optional: REGIONAL or EDGE (served alike); not PRIVATE
//	    deployOptions:               # the one stage
//	      stageName: prod            # default prod; 1-128 of [A-Za-z0-9_]
//	      throttlingRateLimit: 100   # optional, requests per second, > 0; unset: no limit
//	      throttlingBurstLimit: 200  # optional, >= 1, needs a rate; default the rate rounded up
//	      variables: {backend: x}    # names 1-64 of [A-Za-z0-9_]; values 1-512 of [A-Za-z0-9-._~:/?#&=,]
//	    clientThrottling: {rateLimit: 10, burstLimit: 20}   # per client id, same rules; a Tollgate extension
//	    binaryMediaTypes: [image/png]                       # type/subtype, either may be *
//	    apiKeySourceType: HEADER     # HEADER (X-API-Key, default) or AUTHORIZER (usageIdentifierKey)
//	    authorizers:
//	      - id: Authorizer           # required, unique in the API
//	        type: COGNITO_USER_POOLS # default; or TOKEN, REQUEST (Lambda authorizers), JWT
//	        cognitoUserPools:        # COGNITO_USER_POOLS, at least one: ids of userPools of this file,
//	          - UserPool             #   or ARNs of pools on AWS, verified with their JWKS
//	          - arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc
//	        identitySource: method.request.header.Authorization   # default; a request header only
//	                                 # (COGNITO_USER_POOLS, TOKEN and JWT)
//	      - id: TokenAuth
//	        type: TOKEN
//	        function: AuthFn         # TOKEN, REQUEST: a functions id
//	        validationRegex: "^Bearer .+$"                  # TOKEN, optional: Go RE2 syntax
//	        resultsCacheTtl: 300s    # TOKEN, REQUEST: whole seconds, 0s (no caching) to 3600s; default 300s
//	      - id: ReqAuth
//	        type: REQUEST
//	        function: AuthFn
//	        identitySources: [method.request.header.X-Tenant, method.request.querystring.key,
//	                          stageVariables.v, context.httpMethod]   # at least one when caching
//	      - id: JwtAuth
//	        type: JWT
//	        jwtConfiguration:
//	          defaultAlgorithms: [RS256]                    # RS256 RS384 RS512 ES256 ES384 ES512
//	          issuers:               # at least one; keys found by OpenID discovery
//	            - issuer: https://issuer.example.com        # the exact iss; https (http on loopback only)
//	              audiences: [api]   # at least one
//	              additionalClaims:  # optional; not iss aud exp nbf iat scope scp
//	                - {claimName: tenant, expectedValues: [a], format: SINGLE_STRING, required: true}
//	    resources:                   # at least one method in the API
//	      - path: /{proxy+}          # the full path; parts [A-Za-z0-9._-], {name}, {name+} (last only);
//	                                 # one variable part per level across resources; unique
//	        methods:                 # at least one
//	          - httpMethod: ANY      # GET POST PUT DELETE PATCH HEAD OPTIONS ANY; unique in the resource
//	            authorizer: Authorizer                      # optional; absent means NONE
//	            apiKeyRequired: true # optional: a key of a usage plan covering the stage is required
//	            authorizationScopes: [default/default]      # required with a COGNITO_USER_POOLS authorizer,
//	                                 # optional with JWT, refused with TOKEN, REQUEST or none; scopes of
//	                                 # the authorizer's local pools (any scope if it names a pool by ARN)
//	            integration:         # required
//	              type: AWS_PROXY    # AWS_PROXY, HTTP_PROXY or MOCK
//	              function: ProxyLambda                     # AWS_PROXY: a functions id
//	              uri: http://127.0.0.1:9000/{proxy}        # HTTP_PROXY: http(s); {name} names a path parameter
//	              timeout: 29s       # proxy types: 50ms-29s, default 29s
//	              statusCode: 200    # MOCK: 100-599, default 200
//	              responseHeaders: {Access-Control-Allow-Origin: "*"}   # MOCK: static headers
//	              body: '{"ok":true}'                       # MOCK: static body
//	    domainNames:
//	      - domainName: api.example.com                     # unique across pool and API domains
//	        stage: prod              # default the API's stage, the only one allowed
//	        basePath: v1             # optional; parts [A-Za-z0-9._-] joined by /
//	        certificate: {certFile: api.pem, keyFile: api-key.pem}   # optional, as a pool's custom domain
//	apiKeys:                         # API Gateway API keys, for REST APIs (usageplans.go)
//	  - id: PartnerKey               # required, unique; the key's identity across applies
//	    apiKeyName: partner          # default id; up to 1024 characters
//	    value: dev-only-partner-key-0001   # optional: 20-128 printable ASCII, no spaces, unique; absent:
//	                                 #   generated on create and returned once; never changes
//	    enabled: true                # default true
//	    description: A partner
//	    customerId: partner-42
//	usagePlans:
//	  - id: Basic                    # required, unique
//	    name: basic                  # default id
//	    throttle: {rateLimit: 10, burstLimit: 20}   # per key over the plan's stages; as a stage's throttle
//	    quota: {limit: 10000, offset: 0, period: DAY}   # limit > 0; 0 <= offset < limit; DAY, WEEK or MONTH
//	    apiStages:
//	      - api: NewRestApi          # required: a restApis id (not an HTTP API)
//	        stage: prod              # default the API's stage, the only one allowed; once per plan
//	        throttle:                # per key and method; at most 20; a method of the API, once each
//	          - {path: /items, method: GET, rateLimit: 2, burstLimit: 5}   # "/items/GET" in CloudFormation
//	    apiKeys: [PartnerKey]        # apiKeys ids, once each; a key is in one plan per API stage at most
//	httpApis:                        # API Gateway HTTP APIs (v2), as CDK's HttpApi (httpapis.go)
//	  - id: ItemsHttpApi             # required, unique across restApis and httpApis; API id tollgate.RestAPIID(id)
//	    apiName: items               # default id
//	    corsPreflight:               # optional; preflights no route takes answered from it, before authorizers
//	      allowOrigins: ["https://app.example.com"]         # "*" or scheme://host[:port], lower case
//	      allowMethods: [GET, POST]  # "*" or GET POST PUT DELETE PATCH HEAD OPTIONS
//	      allowHeaders: [authorization]                     # "*" or header names; exposeHeaders likewise
//	      allowCredentials: true     # default false; not with the origin "*"
//	      maxAge: 10m                # whole seconds, up to 86400s
//	    createDefaultStage: true     # default true: the $default stage, served without a stage segment
//	    disableExecuteApiEndpoint: false                    # default false
//	    defaultIntegration: {type: AWS_PROXY, function: ItemsFn}   # optional: the $default route
//	    defaultAuthorizer: ItemsJwt  # optional: the authorizer of routes that name none
//	    defaultAuthorizationScopes: [items/items.read]      # their scopes; needs defaultAuthorizer
//	    stages:                      # named stages besides $default ("$default" here configures it)
//	      - stageName: dev           # required, unique; $default or 1-128 of [A-Za-z0-9_-]
//	        autoDeploy: true         # accepted; Tollgate always serves what the file says
//	        stageVariables: {v: x}   # as a REST API's variables
//	        throttle: {rateLimit: 50, burstLimit: 100}      # each route its own bucket (DefaultRouteSettings)
//	        routeThrottles:          # by route key, replacing throttle (RouteSettings); keys name routes
//	          "POST /items": {rateLimit: 5, burstLimit: 10}
//	    authorizers:
//	      - id: ItemsJwt             # required, unique in the API; not NONE
//	        type: JWT                # required: JWT or REQUEST
//	        identitySource: [$request.header.Authorization] # default; JWT: one $request.header.{n} or
//	                                 #   $request.querystring.{n}
//	        userPool: ItemsPool      # JWT (HttpUserPoolAuthorizer): a userPools id, with
//	        userPoolClients: [ItemsM2M]                     #   its clients' ids, the audience; required
//	        # jwtIssuer: https://issuer.example.com         # or (HttpJwtAuthorizer) the exact iss, https,
//	        # jwtAudience: [api]     #   with jwtAudience, required, at most 50
//	      - id: ApiKeyAuth
//	        type: REQUEST            # HttpLambdaAuthorizer
//	        function: AuthorizerFn   # required: a functions id
//	        responseTypes: [SIMPLE]  # default [IAM]: an IAM policy; SIMPLE: {"isAuthorized": ...}
//	        payloadFormatVersion: "2.0"                     # default 2.0 with SIMPLE, else 1.0; SIMPLE needs 2.0
//	        resultsCacheTtl: 300s    # default 300s; whole seconds, 0s-3600s
//	        identitySource: [$request.header.x-api-key]     # default [$request.header.Authorization]:
//	                                 #   $request.header.{n}, $request.querystring.{n}, $stageVariables.{n},
//	                                 #   $context.{n}; at least one unless resultsCacheTtl is 0s
//	    routes:                      # one route per method
//	      - path: /items/{id}        # required: a path as a REST resource's, or $default (then no methods)
//	        methods: [GET]           # default [ANY]; GET POST PUT DELETE PATCH HEAD OPTIONS ANY;
//	                                 #   each "METHOD path" route key unique in the API
//	        authorizer: ItemsJwt     # default defaultAuthorizer; NONE for none
//	        authorizationScopes: [items/items.read]         # JWT authorizers only, at most 10; a userPool
//	                                 #   authorizer's must be its pool's; default defaultAuthorizationScopes
//	                                 #   when the route names no authorizer
//	        integration:             # required
//	          type: AWS_PROXY        # AWS_PROXY (HttpLambdaIntegration) or HTTP_PROXY (HttpUrlIntegration)
//	          function: ItemsFn      # AWS_PROXY: a functions id
//	          payloadFormatVersion: "2.0"                   # AWS_PROXY: default 2.0, or 1.0; HTTP_PROXY: 1.0 only
//	          # url: http://127.0.0.1:9000/{id}             # HTTP_PROXY: http(s); {name} names a path parameter
//	          # method: ANY          # HTTP_PROXY: default ANY, the request's own
//	          timeout: 30s           # 50ms-30s, whole milliseconds, default 30s
//
// Token lifetimes (accessTokenValidity and the like) are a whole number and
// a unit (30s, 60m, 1h, 5d), kept in that unit, or a compound such as 1h30m.
// Timeouts are Go durations (10s, 500ms, 1m30s). Numbers are written as
// numbers, not strings. A number left out takes its default; written as 0 it
// is out of bounds.
//
// A method behind a COGNITO_USER_POOLS authorizer must list
// authorizationScopes: without them API Gateway accepts ID tokens only
// (contract §4.1), and Tollgate issues none, so every request would be
// answered 401. The externalIssuers of earlier versions are refused with
// what to write instead: a pool's ARN in cognitoUserPools, or a JWT
// authorizer.
//
// # Authorizers and triggers, field by field
//
// An authorizer's type says which fields apply; a field of another type is
// a problem. Each field, with its default, rule, CDK prop and
// CloudFormation property (AWS::ApiGateway::Authorizer):
//
//   - id: required, unique in the API. CDK: the construct id; CFN: the
//     logical id.
//   - type: default COGNITO_USER_POOLS; or TOKEN, REQUEST, JWT (upper
//     case). CDK: the construct (CognitoUserPoolsAuthorizer,
//     TokenAuthorizer, RequestAuthorizer; CfnAuthorizer for JWT); CFN:
//     Type.
//   - cognitoUserPools (COGNITO_USER_POOLS): required, at least one: ids of
//     pools of this config, or pool ARNs
//     arn:aws:cognito-idp:{region}:{account}:userpool/{poolId} (the pool
//     id's region must be the ARN's), trusted by their issuer
//     https://cognito-idp.{region}.amazonaws.com/{poolId} and its JWKS.
//     CDK: cognitoUserPools (UserPool.fromUserPoolArn for pools on AWS);
//     CFN: ProviderARNs.
//   - function (TOKEN, REQUEST): required, the id of a function of this
//     config. CDK: handler; CFN: AuthorizerUri
//     (arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations).
//   - identitySource (COGNITO_USER_POOLS, TOKEN, JWT): default
//     method.request.header.Authorization; one request header,
//     method.request.header.{Name}. CDK: identitySource; CFN:
//     IdentitySource.
//   - identitySources (REQUEST): no default; each
//     method.request.header.{name}, method.request.querystring.{name},
//     stageVariables.{name} or context.{name} (accountId, apiId,
//     domainName, domainPrefix, extendedRequestId, httpMethod,
//     identity.sourceIp, identity.userAgent, path, protocol, requestId,
//     resourceId, resourcePath, stage); not a path parameter; no
//     duplicates; at least one unless resultsCacheTtl is 0s. Every one must
//     be present and non-empty for the function to be invoked (else 401),
//     and together they key the cache. CDK: identitySources
//     (IdentitySource.header(…), .queryString(…), .stageVariable(…),
//     .context(…)); CFN: IdentitySource, comma-separated.
//   - validationRegex (TOKEN): no default; the whole token must match it
//     for the function to be invoked (else 401). Go RE2 syntax: Java-only
//     syntax (lookaround, atomic groups, possessive quantifiers,
//     backreferences) is refused with a message saying so. CDK:
//     validationRegex; CFN: IdentityValidationExpression.
//   - resultsCacheTtl (TOKEN, REQUEST): default 300s; whole seconds from
//     0s (no caching) to 3600s. CDK: resultsCacheTtl; CFN:
//     AuthorizerResultTtlInSeconds (absent: 300).
//   - jwtConfiguration (JWT): required. CDK: none (CfnAuthorizer's
//     jwtConfiguration); CFN: JwtConfiguration.
//   - jwtConfiguration.defaultAlgorithms: required; RS256, RS384, RS512,
//     ES256, ES384, ES512, no duplicates. CFN: DefaultAlgorithms.
//   - jwtConfiguration.issuers[].issuer: required; the exact iss, an https
//     URL (http only on a loopback host) without credentials, query or
//     fragment; its keys are found by OpenID discovery. CFN:
//     Issuers[].Issuer.
//   - jwtConfiguration.issuers[].audiences: required, at least one,
//     non-empty, no duplicates; a token's aud must hold one (client_id
//     when it has no aud). CFN: Issuers[].Audiences.
//   - …issuers[].additionalClaims[].claimName: required; not iss, aud,
//     exp, nbf, iat, scope or scp. CFN: AdditionalClaims[].ClaimName.
//   - …additionalClaims[].expectedValues: no default; the claim, when
//     present, must equal one of them. CFN: ExpectedValues.
//   - …additionalClaims[].format: default SINGLE_STRING, the only format.
//     CFN: Format.
//   - …additionalClaims[].required: default false; true refuses a token
//     without the claim. CFN: Required.
//
// A method's authorizationScopes are required with a COGNITO_USER_POOLS
// authorizer, optional with a JWT one (any of them, in the token's scope
// or scp), and refused with a TOKEN or REQUEST authorizer, whose
// function's policy decides. In a template a method behind a Lambda
// authorizer has AuthorizationType CUSTOM, behind a JWT one JWT; a type
// that does not go with its authorizer is a problem. A template's
// AuthorizerCredentials (CDK's assumeRole) and the AWS::Lambda::Permission
// CDK adds for apigateway.amazonaws.com are accepted and ignored: Tollgate
// invokes the function itself.
//
// # HTTP APIs
//
// An HTTP API's fields mirror CDK's aws-apigatewayv2 constructs (HttpApi,
// addStage, HttpJwtAuthorizer, HttpUserPoolAuthorizer,
// HttpLambdaAuthorizer, addRoutes, HttpLambdaIntegration,
// HttpUrlIntegration) and the CloudFormation they synthesize
// (AWS::ApiGatewayV2::Api, Stage, Authorizer, Route, Integration).
// Identity sources are written in v2's spelling ($request.header.X, not
// method.request.header.X). A JWT authorizer trusts one issuer: a pool of
// this file (userPool; its access tokens carry no aud, so their client_id
// must be one of userPoolClients' ids) or any OpenID issuer (jwtIssuer,
// jwtAudience). An HTTP API has no COGNITO_USER_POOLS, TOKEN or MOCK and
// no binaryMediaTypes. Unlike CDK, an HttpUserPoolAuthorizer without
// userPoolClients is refused rather than given a new client. Paths,
// methods, scopes, function references and URLs follow the REST API's
// rules, and the built API passes the same gate (apigw.Check).
// BuildRestAPIs builds the HTTP APIs after the REST ones.
//
// A pool's lambdaTriggers (triggers.go; CFN: AWS::Cognito::UserPool
// LambdaConfig):
//
//   - lambdaTriggers.preTokenGeneration.function: required, the id of a
//     function of this config; the pool keeps its ARN
//     (arn:aws:lambda:{region}:000000000000:function:{functionName}). CDK:
//     userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
//     fn, lambdaVersion); CFN: LambdaConfig.PreTokenGenerationConfig.LambdaArn
//     (or the legacy LambdaConfig.PreTokenGeneration).
//   - lambdaTriggers.preTokenGeneration.lambdaVersion: required, as in
//     CloudFormation: V1_0, V2_0 or V3_0. Only V3_0 runs for
//     client_credentials tokens, the only tokens Tollgate issues; V1_0 and
//     V2_0 are kept and never run. CDK: addTrigger's third argument
//     (LambdaVersion.V3_0); CFN: PreTokenGenerationConfig.LambdaVersion
//     (the legacy PreTokenGeneration alone is V1_0).
//
// Apply sets, changes and removes the trigger of the pools the config
// owns (a change is listed as updated …: lambdaTriggers). From a
// template, every other LambdaConfig trigger (PreSignUp, CustomMessage,
// …) is reported as not supported; KMSKeyID is ignored.
//
// # API keys, usage plans and token limits
//
// API keys and usage plans are API Gateway's, for REST APIs only (an HTTP
// API's route cannot require a key; apigw.Check says so), as CDK's
// addApiKey, addUsagePlan and plan.addApiKey declare them (CFN:
// AWS::ApiGateway::ApiKey, UsagePlan with ApiStages, Throttle and Quota,
// UsagePlanKey; Method.ApiKeyRequired, RestApi.ApiKeySourceType). They are
// stored objects, owned by the config as its pools are: Apply creates,
// updates and deletes its own (ConfigKey "config:{name}/{logical id}"),
// and never writes a key made by hand (`tollgate api-keys create`), except
// that deleting a plan takes it out of every key. A key's value is stored
// as a keyed hash and a sealed copy; a key declared without a value gets a
// generated one, returned once in Result.NewAPIKeys (`tollgate dev` prints
// it). A value cannot change (an edited value is a conflict: give the key
// a new id), and a value another key has is a conflict that does not
// quote it. A value written in a config file is for development: anyone
// who reads the file has it.
//
// tokenLimits are a Tollgate extension of the token endpoint, stored with
// the pool and client (tollgate.TokenLimits).
//
// # OAuth 2 beyond Cognito
//
// Each opt-in; a config declaring none of them gives Cognito's pools,
// clients and tokens, and API Gateway's APIs (oauthext_check.go,
// oauthext_build.go; tollgate.PoolOAuth, ClientOAuth, ProtectedResource):
//
//	userPools:
//	  - id: Pool
//	    signingAlgorithm: ES256        # RS256 (default, Cognito's), ES256 or EdDSA
//	    accessTokenType: at+jwt        # RFC 9068 access tokens; "" Cognito's
//	    resourceIndicators: true       # honour the token endpoint's resource (RFC 8707); without it
//	                                   # resource is ignored, as Cognito ignores it for client_credentials
//	    dpop:                          # DPoP-bound tokens (RFC 9449)
//	      algorithms: [ES256, EdDSA]   # asymmetric only: ES256/384/512, RS256/384/512, PS256/384/512, EdDSA
//	      maxAge: 60s                  # 1s to 10m (default 60s)
//	    mtls: true                     # tls_client_auth, self_signed_tls_client_auth, bound tokens (RFC 8705)
//	    registration:                  # dynamic client registration (RFC 7591), off without it
//	      scopes: [orders/read]        # scopes of the pool's resource servers
//	      authMethods: [private_key_jwt] # of private_key_jwt, tls_client_auth, self_signed_tls_client_auth, client_secret_basic, client_secret_post
//	      initialAccessScope: orders/admin # a scope of the pool; without it registration is open
//	      maxClients: 100              # 0 (100) to 1000
//	    clients:
//	      - id: Jwt
//	        tokenEndpointAuthMethod: private_key_jwt # client_secret_basic|_post (need generateSecret), private_key_jwt,
//	                                   # tls_client_auth, self_signed_tls_client_auth (need the pool's mtls)
//	        jwks: {keys: [...]}        # exactly one of jwks, jwksFile (relative to this file) and jwksUri
//	                                   # (https, or http on loopback); public asymmetric keys only; with x5c
//	                                   # for self_signed_tls_client_auth (jwks or jwksFile)
//	        tlsClientAuth: {subjectDn: "CN=orders"} # tls_client_auth: exactly one of subjectDn, sanDns, sanUri, sanIp, sanEmail
//	        dpopBoundAccessTokens: true              # needs the pool's dpop
//	        tlsClientCertificateBoundAccessTokens: true # needs the pool's mtls
//	restApis:                          # and httpApis
//	  - id: Api
//	    protectedResource:
//	      identifier: https://api.example/orders # absolute https URL (http on loopback), no fragment; empty: derived
//	      audiences: [https://api.example/orders] # the gateway refuses tokens whose aud holds none
//	      requireBinding: dpop         # any, dpop or mtls, on every route
//	      metadata: true               # serve RFC 9728 metadata, resource_metadata in 401 challenges
//	      resourceName: Orders
//	      authorizationServers: [...]  # issuer URLs; default the local pools the authorizers accept
//	      scopes: [...]
//	      dpop: {algorithms: [...], maxAge: 60s} # as the pool's
//	    resources:
//	      - path: /
//	        methods:
//	          - httpMethod: GET
//	            authorizer: Cognito    # requireBinding needs a COGNITO_USER_POOLS or JWT authorizer
//	            requireBinding: mtls   # any, dpop or mtls (a route of an HTTP API likewise)
//
// A key or certificate client (private_key_jwt, tls_client_auth,
// self_signed_tls_client_auth) uses client_credentials without a secret.
// A client's JWKS is stored as compact JSON (Client.ResolvedJWKS). Clients
// created by dynamic registration have no ConfigKey: Apply never updates
// nor deletes them. A development server fills in the keys a client leaves
// to be generated before the checks: see ParseWith and
// Client.NeedsGeneratedKeys (devkeys.go).
//
// Relative paths (certificates, function code) are resolved against the
// config file's directory and left absolute in the Config. When that
// directory does not exist, as for the seed stack embedded in the binary and
// parsed under the name examples/seed/tollgate.yaml wherever it runs, a
// relative code directory cannot be found and is not checked.
//
// The schema lives one file per top-level section: its structs (userpools.go,
// functions.go, restapis.go, httpapis.go, usageplans.go for apiKeys,
// usagePlans and tokenLimits) and its check method (userpools_check.go,
// functions_check.go, restapis_check.go, httpapis_check.go,
// usageplans_check.go). A section of stored objects is also a step in
// Apply (apply.go; apply_apikeys.go for keys and plans); a section that lives in memory, as restApis and httpApis
// do, has a builder instead (restapis_build.go, httpapis_build.go) and a
// gate (restapis_gate.go, httpapis_gate.go).
//
// Package config imports the root package, internal/apigw and
// internal/vault, and nothing else from this module.
package config
