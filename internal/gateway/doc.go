// Package gateway is Tollgate's API Gateway: it serves the REST APIs declared
// in config (tollgate.RestAPI) the way Amazon API Gateway serves a deployed
// REST API with COGNITO_USER_POOLS authorizers. The contract it follows is
// shared/contracts/cognito-apigw.md, §4 (authorizer and gateway responses)
// and §5.1 (paths and path parameters).
//
// It owns:
//
//   - the route tree (router.go): resource path templates with literal,
//     {param} and greedy {proxy+} segments, parsed and validated whole at
//     build time by internal/apigw (the grammar config validation uses
//     too; Validate is apigw.Check) and matched as API Gateway matches them (a literal beats a parameter,
//     which beats a greedy parameter, at each level, with backtracking; a
//     specific method beats ANY; an unknown path or method is 403 Missing
//     Authentication Token);
//   - the one writer of gateway-originated answers (response.go): the
//     {"message":"..."} bodies and x-amzn-ErrorType headers of §4.2
//     (WriteResponse), which the gateway and every integration call;
//   - the Cognito authorizer (authorizer.go): bearer tokens of the local
//     pools an authorizer names, verified against that pool's keys only, and
//     of external issuers, verified against their JWKS (internal/jwks
//     fetches them); a bounded verification cache (cache.go) keyed by the
//     token's hash and the authorizer's identity, which never outlives the
//     token's exp, and which keeps what integrations derive from the claims
//     (verified.go) so that a cache hit derives nothing again;
//   - throttling (throttle.go): a token bucket per stage and, optionally, per
//     client id;
//   - the integration seam (gateway.go, invocation.go): an Integration is
//     Serve(w, r, inv), handed the gateway's decision as an *Invocation
//     argument (no context value); MOCK integrations are the gateway's own;
//     HTTP_PROXY (internal/proxy) and AWS_PROXY (internal/lambdaproxy) are
//     built once per route by the injected Integrations, and write their
//     own failures with WriteResponse;
//   - the handler (gateway.go): resolving the API and stage from the host or
//     from the path forms /restapis/{id}/{stage}/_user_request_/… and
//     /apis/{id}/{stage}/…, the body limit, routing, authorization,
//     throttling, and calling the route's Integration.
//
// # Integrations to come
//
// The Invocation is what any integration needs of a request the gateway
// allowed, whatever decided it and whatever runs it:
//
//   - HTTP APIs (API Gateway v2, payload format 2.0) are another kind of
//     API resolved by the same handler: Invocation.API stays the REST API's
//     declaration today, and an HTTP API's routes would set an HTTPAPI
//     field beside it (routeKey "GET /items/{id}", $default stage,
//     rawPath), while the fields both kinds share (Route, Stage,
//     PathParams, RequestID, RequestTime, DomainName, TraceID, Claims) stay
//     as they are. internal/lambdaproxy then builds a 2.0 event instead of
//     a 1.0 one for such an invocation (chosen when the integration is
//     built, from the route's payload format version); internal/proxy needs
//     nothing new.
//   - Authorizers that invoke a Lambda function (TOKEN and REQUEST
//     authorizers, and HTTP APIs' Lambda authorizers) are another kind of
//     Authorizer here, given the same lambdaproxy.Invoker the server passes
//     to Lambda proxy integrations: what such an authorizer allows with
//     (its principalId and context) would be kept beside Claims in the
//     Invocation, cached with the decision as verified claims are, and
//     requestContext.authorizer is built from whichever is set.
//
// Neither needs a new seam: integrations keep receiving one *Invocation.
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
//     RequestTooLargeException (both unconfirmed, §9.5).
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
// RSA verification, about 50 µs (BenchmarkAuthorize/cold). Requests over a
// stage's limit are refused before either.
//
// # Imports
//
// gateway imports the root package, internal/apigw (API Gateway's
// grammar), internal/bearer, internal/oauth2,
// internal/jwks, internal/claimsheader, internal/headerpolicy,
// golang.org/x/time/rate, golang.org/x/text/unicode/norm and the standard library. It must not
// import the store, internal/server, internal/config, internal/function or
// any integration (internal/proxy, internal/lambdaproxy), which import it:
// internal/server wires them together through the interfaces declared
// here (KeySource, Integrations, Integration, Observer) and plain
// functions (Issuer, Revoked). imports_test.go keeps this true.
package gateway
