// Package gateway is Tollgate's API Gateway: it serves the REST APIs and
// HTTP APIs declared in config (tollgate.RestAPI, whose Protocol tells the
// kind) the way Amazon API Gateway serves a deployed REST API with
// COGNITO_USER_POOLS, Lambda (TOKEN, REQUEST) and JWT authorizers, and an
// HTTP API with JWT and Lambda (REQUEST) authorizers. The contracts it
// follows are shared/contracts/cognito-apigw.md, §4 (the Cognito authorizer
// and gateway responses) and §5.1 (paths and path parameters), and
// apigw-beyond.md §1.1–1.5 (Lambda authorizers), §1.6 (JWT authorizers)
// and §4 (HTTP APIs).
//
// It owns:
//
//   - the route tree (router.go): resource path templates with literal,
//     {param} and greedy {proxy+} segments, parsed and validated whole at
//     build time by internal/apigw (the grammar config validation uses
//     too; Validate is apigw.Check) and matched as API Gateway matches them (a literal beats a parameter,
//     which beats a greedy parameter, at each level, with backtracking; a
//     specific method beats ANY; an unknown path or method is 403 Missing
//     Authentication Token). An HTTP API's routes are the same tree, built
//     by the same constructor and searched by the same matcher
//     (NewHTTPRouter): every full match beats every greedy one, the root
//     path matches a root {proxy+} with the empty value, and the $default
//     route, kept beside the tree, takes what nothing else does; with no
//     $default route, that is 404 Not Found. On both kinds a case-variant
//     of a known method ("get") matches nothing, $default included;
//   - the one writer of gateway-originated answers (response.go): the
//     {"message":"..."} bodies and x-amzn-ErrorType headers of §4.2
//     (WriteResponse), and an HTTP API's forms of the same types
//     (WriteHTTPResponse: apigw-requestid, no x-amzn-ErrorType, 404 Not
//     Found, 500 Internal Server Error, 503 Service Unavailable), which the
//     gateway and every integration call (Invocation.WriteResponse picks
//     the invocation's API's form);
//   - an HTTP API's CORS configuration (cors.go), compiled once: preflights
//     answered before authorizers, and the Access-Control-*
//     headers of every other answer set from it, the integration's own
//     dropped;
//   - the Cognito authorizer (authorizer.go): bearer tokens of the local
//     pools an authorizer names, verified against that pool's keys only, and
//     of pools on AWS it names by ARN, verified against their JWKS
//     (internal/jwks fetches them); a bounded verification cache (cache.go)
//     keyed by the token's hash and the authorizer's identity, which never
//     outlives the token's exp, and which keeps what integrations derive
//     from the claims (verified.go) so that a cache hit derives nothing
//     again; what the Cognito and the JWT authorizer share (the token read
//     from its header, looked up in that cache, verified and kept:
//     verifiedToken; a local pool's keys: poolKeys) is token.go;
//   - the JWT authorizer (jwt_authorizer.go): tokens of any issuer its
//     JwtConfiguration names, verified by bearer.VerifyJWT (its algorithms,
//     iss exactly the issuer, aud one of the issuer's audiences, exp, nbf,
//     iat, the additional claims) with that issuer's keys only: a pool of
//     this Tollgate's from the KeySource (Options.LocalIssuer), any other's
//     found by internal/jwks through OpenID discovery; then the method's
//     scopes, any of them, in scope or scp. It shares the Cognito
//     authorizer's token lookup and verification cache; both are a
//     routeAuthorizer, built by newAuthorizer;
//   - the Lambda authorizers (lambda_authorizer.go): TOKEN and REQUEST
//     authorizers that invoke a function through the injected
//     tollgate.InvokeFunc (Options.Invoke, the one the server passes to
//     Lambda proxy integrations) with API Gateway's events (a TOKEN event
//     built here; a REQUEST event by the injected AuthorizerEventFunc,
//     internal/lambdaproxy's, so that the proxy event's request fields are
//     rendered in one place), and evaluate the IAM policy it answers
//     against the request's methodArn (policy.go). Answers are cached as
//     policies, not decisions, per authorizer, stage and identity
//     (PolicyCache), and evaluated again for each request's methodArn (the
//     caching trap of apigw-beyond §1.4); a burst of requests with one
//     uncached identity invokes the function once (singleflight), on a
//     context no caller's departure ends. What the authorizer allowed with
//     (principalId, context) is kept in the Invocation, with its string
//     forms computed once per answer;
//   - HTTP APIs' authorizers (http_authorizer.go), the same JWT and Lambda
//     authorizers, cache and verification with an HTTP API's rules
//     (apigw-beyond §4.3, §4.4): a JWT authorizer's v2 identity source
//     (a header or a query string parameter), RSA algorithms only, local
//     pools by PoolID, and AWS's www-authenticate on every refusal; a
//     REQUEST authorizer's identity sources all required, its 1.0 or 2.0
//     event by the injected HTTPAuthorizerEventFunc, a simple or IAM answer
//     whose context may hold any JSON, evaluated against the routeArn of
//     the request (REST's methodArn), cached under the identity values alone (every
//     route of the API shares an answer unless $context.routeKey is a
//     source); refusals 401, 403 or 500 in an HTTP API's form;
//   - throttling (throttle.go): a token bucket per stage, per route (an HTTP
//     API's DefaultRouteSettings and RouteSettings) and, optionally, per
//     client id;
//   - API keys and usage plans of REST APIs (plans.go, apikeys.go;
//     apigw-beyond §3): a method with APIKeyRequired takes the key from
//     X-API-Key or, with an AUTHORIZER source, from the Lambda
//     authorizer's usageIdentifierKey, after the authorizer; a missing,
//     unknown or disabled key, or one in no plan of the stage, is 403
//     INVALID_API_KEY; the plan's throttle (per key over its stages), the
//     stage's per-method throttle ("/path/METHOD") and the quota are
//     counted in one limit.Limiter Take (429 Too Many Requests, 429 Limit
//     Exceeded), admitted requests recorded (UsageRecorder) and observed
//     (PlanObserver); the Invocation carries the key's value and id
//     (APIKey, APIKeyID) for the Lambda event's identity;
//   - shared limits (plans.go): with Options.Limiter (Redis) the stage,
//     route and client throttles join that one Take, so that authorized
//     requests are counted once across nodes; the node's own stage and
//     route buckets still count, before the authorizer, every request
//     that reaches it: a node alone over the limit is refused there, and
//     requests the authorizer or key check refuses are throttled per node
//     only. A failing limiter answers 503, or with
//     Options.LimiterFailOpen has each node count alone in its local
//     limiter (the client's throttle, the plan's throttles and quota from
//     QuotaUsed), logged once per outage (LimiterErrors,
//     LimiterObserver);
//   - the integration seam (gateway.go, invocation.go): an Integration is
//     Serve(w, r, inv), handed the gateway's decision as an *Invocation
//     argument (no context value); MOCK integrations are the gateway's own;
//     HTTP_PROXY (internal/proxy) and AWS_PROXY (internal/lambdaproxy) are
//     built once per route by the injected Integrations, and write their
//     own failures with Invocation.WriteResponse, in the form of the
//     invocation's API;
//   - the handler (gateway.go): resolving the API and stage from the host or
//     from the path forms /restapis/{id}/{stage}/_user_request_/… and
//     /apis/{id}/{stage}/… (an HTTP API's: /apis/{id}/… with its stage
//     selected as on its host), the body limit, routing, authorization,
//     throttling, and calling the route's Integration;
//   - sender-constrained tokens and protected resources (binding.go,
//     resource.go, resource_metadata.go): after a COGNITO_USER_POOLS or
//     JWT authorizer allowed a token, on every request and every API, a
//     token bound by cnf.jkt needs the DPoP scheme and a proof of its key
//     (RFC 9449 §7.1), one bound by cnf.x5t#S256 the client certificate
//     (RFC 8705 §3); a token sent with the DPoP scheme without cnf.jkt is
//     refused (§7.2): with a DPoP challenge where a binding is declared,
//     else as API Gateway refuses a value that is no token. An API's ProtectedResource adds its binding
//     requirement (Route.RequireBinding per route), its audiences (RFC
//     8707), WWW-Authenticate challenges on its 401s (Bearer and DPoP,
//     with resource_metadata) and RFC 9728 metadata
//     (ServeResourceMetadata). Refusals keep API Gateway's bodies; a
//     replay cache that cannot answer is a 503. An unbound token on an API
//     declaring nothing costs a nil check.
//
// # Integrations and authorizers
//
// The Invocation is what any integration needs of a request the gateway
// allowed, whatever decided it and whatever runs it: Claims (and their
// derivations) behind a Cognito or JWT authorizer (JWTClaims gives a JWT
// authorizer's JSON-typed), PrincipalID and AuthorizerContext behind a
// Lambda authorizer. internal/lambdaproxy builds requestContext.authorizer
// from whichever is set (claims as strings; claims JSON-typed; the
// context's values as strings with principalId and integrationLatency),
// internal/proxy its X-Tollgate-* decision headers (X-Tollgate-Client-Id,
// -Scopes and -Claims; or X-Tollgate-Principal-Id and
// X-Tollgate-Authorizer-Context, whose value is computed once per answer).
//
// # HTTP APIs
//
// An HTTP API (API Gateway v2) is resolved by the same handler, routed by
// the same tree, authorized by the same authorizers and served by the same
// integrations. What differs is mostly decided once, when the gateway is
// built (apiState.http and write, routeState.http and key, the router's
// greedyLast and $default); the handler branches on the kind only where
// AWS's behaviour does (stage selection, request ids, CORS, the form of
// its answers), and the authorizers where an HTTP API's rules differ
// (http_authorizer.go):
//
//   - Stages (apigw-beyond §4.1): on the execute-api host and at
//     /apis/{id}/…, a first path segment naming a stage other than
//     $default selects it and is stripped for routing; any other path is
//     the $default stage's, whole; no such stage is 404. The segment is
//     read as routes read the path ("/%64ev/x" is the stage dev's), and
//     one whose lenient reading names a stage its own does not
//     ("/dev%2Fx") is 404, so that no request reaches $default with a
//     path that starts with a named stage. LocalStack's form
//     names the stage, "$default" included. Invocation.RawPath is the path
//     as sent, with the named stage's segment ("/dev/pets/1") and none for
//     $default ("/pets/1"); Invocation.RouteKey the route's key.
//     DisableExecuteAPIEndpoint makes these forms answer as for an unknown
//     API.
//   - Answers: 404 {"message":"Not Found"} for no stage or route, whether or
//     not the request has an Authorization header; every gateway response
//     in the HTTP form (WriteHTTPResponse), with one request id,
//     apigw-requestid, shaped as the extended id is (16 characters of
//     padded URL-safe base64: "LV7fzho-PHcEJPw=" in aws-lambda-go's
//     recorded events), which is also Invocation.RequestID and
//     ExtendedRequestID.
//   - CORS (http-api-cors.md): with a CORS configuration, OPTIONS with
//     Origin and Access-Control-Request-Method is answered 204 from it,
//     whatever the path and the route's authorizer, before any authorizer
//     runs; but a preflight that a route takes as an OPTIONS request (an
//     OPTIONS or ANY route, or $default, which "catches ... OPTIONS
//     requests"; an authorized ANY /{proxy+} refuses preflights on AWS,
//     dev.to/aws-builders "Fixing up CORS errors in HTTP API") is routed
//     to that route, not answered. Without a CORS
//     configuration, OPTIONS is routed as any method.
//   - Throttling: each route its own bucket (Stage.RouteThrottle,
//     RouteThrottles by route key), after the stage's.
//
// An unknown API is answered as REST's (403 Missing Authentication Token):
// its kind is unknown then.
//
// # Choices where the contract is silent or unsure
//
//   - Routing merges runs of slashes and ignores a trailing slash, so
//     "//a//b/" routes as "/a/b"; path parameters come from that normalized
//     path, raw (never percent-decoded): pathParameters.proxy of "/a//b/" is
//     "a/b". Invocation.Path keeps the path as sent (§5.1).
//   - A route whose path matches but whose method does not is skipped, and
//     matching backtracks to less specific resources (a {proxy+} sibling
//     with ANY serves "POST /pets/1" when "/pets/{id}" has only GET), as
//     LocalStack's AWS-validated router does. Nothing matching is 403.
//   - Two variable siblings ("{a}" and "{b}", or "{id}" and "{proxy+}") are
//     a build error, as API Gateway refuses to create them.
//   - A method without AuthorizationScopes behind a Cognito authorizer wants
//     an ID token (§4.1). Tollgate issues none and bearer verifies access
//     tokens only, so such a method answers every request 401; config
//     validation refuses to declare one.
//   - The stage throttle is applied before the authorizer, so that requests
//     over the stage's limit cost no signature verification; the per-client
//     throttle, which needs the client id, after it.
//   - 413 answers {"message":"Request Too Long"} with x-amzn-ErrorType
//     RequestTooLargeException (both unconfirmed, §9.5); an HTTP API's 413
//     {"message":"Request Entity Too Large"} and 429 {"message":"Too Many
//     Requests"} (unverified, apigw-beyond §5 item 9).
//   - An HTTP API's preflight is 204 No Content (unverified, §4.5): with
//     the configured headers when its origin (compared without case), its
//     Access-Control-Request-Method and every Access-Control-Request-Headers
//     name are allowed, and with none otherwise. AllowOrigins "*" is
//     answered "*", unless AllowCredentials (which config refuses with "*")
//     makes the origin echoed; "*" methods or headers are answered "*", or
//     echo what was asked with credentials, the Fetch standard taking "*"
//     literally then. A request method no HTTP API route can name goes to
//     the $default route, unless it is a case-variant of one that can.
//   - A case-variant of a known method ("get", "Post", "any") matches no
//     route on either kind and is answered as no route is (REST's 403,
//     an HTTP API's 404): methods are case-sensitive (RFC 9110 §9.1), but
//     upstreams that upper-case them would serve "get" as the GET its
//     route guards, and $default may guard less. What AWS does with them
//     is not documented or recorded that we found.
//   - An HTTP API's "/" matches a "/{proxy+}" route with proxy "" (two
//     recorded events: routeKey "ANY /{proxy+}", rawPath "/" on $default
//     and "/dev/" on a stage dev, pathParameters {"proxy": ""}); a deeper
//     greedy route still needs a segment, as nothing recorded says
//     otherwise, and a REST API's "/{proxy+}" needs one (§5.1).
//   - Lambda authorizers: the validation expression must match the whole
//     token (Java's String.matches, which API Gateway's examples imply:
//     SAM's "Bearer.*"); it is Go's RE2 syntax, so Java's backreferences
//     and lookarounds are refused when the config is loaded. An
//     "Unauthorized" answer and failures are not cached (§1.4 leaves it
//     open). The function is given at most LambdaAuthorizerTimeout (29 s)
//     over its own timeout (§5 item 2). A methodArn over 1,600 bytes is
//     414 {"message":"Request-URI Too Long"}, x-amzn-ErrorType
//     RequestURITooLongException (body and type unconfirmed). The deny
//     bodies have the capital "Message" of §5 item 1. The policy must
//     allow the methodArn of every form the request can be served as: the
//     path as sent (which the event's methodArn keeps), that path without
//     repeated and trailing slashes, and its lenient reading (an encoded
//     slash) and that reading's canonical form; a Deny matching any of
//     them is the explicit deny. A REQUEST authorizer's header and query
//     identity sources are read as the event shows them
//     (EventHeaderValues: Host and X-Forwarded-* included, the last value
//     of a repeated header or parameter; an empty last value is missing).
//     Cached answers are keyed by authorizer, API, stage and identity. At
//     most 64 invocations per authorizer go on after their callers have
//     left; beyond that an invocation ends with its first caller. A policy
//     holds at most 1,000 Resources in all (Tollgate's bound; more is
//     AuthorizerConfigurationException). A stale catalog
//     (Options.Unavailable) makes COGNITO_USER_POOLS routes and methods
//     that require an API key answer 503, no other Lambda route. On a
//     method that requires an API key from X-API-Key, a REQUEST event's
//     requestContext.identity.apiKey is the header's value, unchecked.
//     The request's X-Amzn-Trace-Id is set, and the headers no
//     integration sees are removed, before the function is invoked, so
//     a REQUEST event's headers are the integration's. A REQUEST
//     authorizer may name the $context variables apigw.ContextSources.
//     The policy cache is the gateway's: a config change starts it afresh.
//     A policy element that cannot be evaluated exactly as IAM would
//     (Condition, NotAction, NotResource, Principal, policy variables)
//     makes the answer invalid, 500, rather than being ignored (policy.go).
//   - JWT authorizers: an expired token is 401 {"message":"Unauthorized"},
//     not the Cognito authorizer's "The incoming token has expired" (REST's
//     answer is unrecorded; the HTTP API's documented answer to any invalid
//     token is Unauthorized); a valid token without a scope of the method
//     is 403 {"message":"Forbidden"}, x-amzn-ErrorType ForbiddenException
//     (rest-api-jwt-authorizer-methods.html gives the status, not the
//     body). A token without aud is checked by its client_id, as Cognito's
//     access tokens need. Neither token_use nor revocation is checked, as
//     on AWS. An issuer whose keys cannot be had is 500 AUTHORIZER_FAILURE,
//     as for the Cognito authorizer.
//   - An unknown API, stage, resource or method is 403 Missing
//     Authentication Token, except when the request has an Authorization
//     header: API Gateway then takes it for a malformed SigV4 signature and
//     answers 403 IncompleteSignatureException, quoting the header back
//     (§4.2); so does Tollgate. Size limits are checked first, so the
//     header quoted is at most 10,240 bytes.
//
// # Hot path
//
// A request to a method with a Cognito authorizer, whose token was seen
// before, costs a route match (tens of nanoseconds, no allocation), a
// SHA-256 of the token and a sharded map lookup (under a microsecond, no
// allocation), a scope check and a revocation lookup, one allocation for
// what the request needs (the answer's recorder, the Invocation, its path
// parameters and the header values the gateway sets: exchange) and two for
// the strings of the request ids and the trace id: a few microseconds in
// all (BenchmarkHandler). What integrations derive from the claims (claim
// strings, scopes, the X-Tollgate-Claims value) is computed once per
// verified token and kept with the cache entry. A token not seen before adds one
// RSA verification and the claims read by exact name, about 65 µs
// (BenchmarkAuthorize/cold). Requests over a
// stage's limit are refused before either.
//
// A request to a method with a Lambda authorizer whose answer is cached
// costs the same, but for the token's check: a SHA-256 of the stage and
// the token (or identity-source values), a sharded map lookup, the
// methodArn (one allocation) and the policy's evaluation
// (BenchmarkHandler/lambda). The principal id and the X-Tollgate-
// Authorizer-Context value are computed once per answer. An answer not
// cached adds the function's invocation, once for a burst of requests with
// the same identity (TestOneInvocationPerColdIdentity: 100 concurrent
// requests, one invocation).
//
// As measured on a quiet 2-core machine (go test -run='^$'
// -bench='^BenchmarkHandler$' -benchmem -count 3 ./internal/gateway): a
// cached Cognito decision 2.7–2.9 µs, 1,200 B, 4 allocations; a cached
// Lambda authorizer decision 3.0–3.2 µs, 1,280 B, 5 allocations.
// The same request to a REST and to an HTTP API (-bench HandlerKinds,
// -cpu 1, best of six on a busy machine) costs the same, 1,200 B in 4
// allocations for each: a cached JWT decision 2.3 µs for both, no
// authorizer 1.3 µs for both; an HTTP API's stage selection, $default
// fallback and route key are decided without allocating (the key is the
// route's, built once).
// A method that requires an API key (-bench HandlerAPIKey) adds the
// key's lookup, its plan's checks in one Take and two allocations (the
// checks with the key's use, and the counters' names in one string):
// 1,584 B in 5 allocations and 2.05 µs against 880 B in 3 and 1.35 µs
// without (-cpu 1, count 3); under a shared limiter that answers at once,
// a keyless request with a stage throttle adds one allocation (its
// checks). Without a shared limiter a plan's three checks are one Take of
// the server's limit.Local, 156 ns with no allocation
// (BenchmarkLocalTake/checks=3 in internal/limit).
// Requests to methods without a key allocate nothing more.
// Evaluating a policy (-bench PolicyEvaluate) takes 24–60 ns with no
// allocation; a JWT authorizer's cached decision (-bench
// JWTAuthorizerCached) 411–419 ns with no allocation. A JWT not seen
// before adds its verification (-bench VerifyJWT ./internal/bearer):
// RS256 44 µs, ES256 81–86 µs, ES384 0.56–0.59 ms, ES512 1.8 ms.
// A DPoP-bound token (-bench Binding) adds its proof's check, ES256, and
// its jti recorded: 0.16–0.36 ms with a replay.Local, 0.35–0.84 ms with
// replay.Redis on a shared 2-core machine (a bearer token: 2.2 µs, 3
// allocations, as without bindings).
//
// # Imports
//
// gateway imports the root package, internal/apigw (API Gateway's
// grammar), internal/bearer, internal/oauth2,
// internal/jwks, internal/claimsheader, internal/headerpolicy,
// internal/limit, internal/replay, internal/dpop, internal/mtls,
// golang.org/x/time/rate, golang.org/x/text/unicode/norm,
// golang.org/x/sync/singleflight and the standard library. It must not
// import the store, internal/server, internal/config, internal/function or
// any integration (internal/proxy, internal/lambdaproxy), which import it:
// internal/server wires them together through the interfaces declared
// here (KeySource, Integrations, Integration, Observer) and plain
// functions (Issuer, Revoked, tollgate.InvokeFunc, AuthorizerEventFunc). imports_test.go keeps this true.
package gateway
