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
//     {"message":"..."} bodies and x-amzn-ErrorType headers of §4.2, which
//     the integrations (internal/proxy, internal/function) call for their 502
//     and 504 answers;
//   - the Cognito authorizer (authorizer.go): bearer tokens of the local
//     pools an authorizer names, verified against that pool's keys only, and
//     of external issuers, verified against their JWKS (jwks.go: fetched in
//     the background, refreshed at a bounded rate on an unknown kid); a
//     bounded verification cache (cache.go) keyed by the token's hash and the
//     authorizer's identity, which never outlives the token's exp;
//   - throttling (throttle.go): a token bucket per stage and, optionally, per
//     client id;
//   - the handler (gateway.go): resolving the API and stage from the host or
//     from the path forms /restapis/{id}/{stage}/_user_request_/… and
//     /apis/{id}/{stage}/…, the body limit, routing, authorization,
//     throttling, MOCK integrations, and handing every other request to an
//     injected integration with an *Invocation in its context.
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
//     tokens only, so such a method answers every request 401; Warnings
//     reports it so that `tollgate validate` can say so.
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
// allocation), a scope check and a revocation lookup, and a handful of
// allocations for the request ids, the Invocation and its context: a few
// microseconds in all (BenchmarkGateway). A token not seen before adds one
// RSA verification, about 50 µs (BenchmarkAuthorize/cold). Requests over a
// stage's limit are refused before either.
//
// # Imports
//
// gateway imports the root package, internal/apigw, internal/bearer,
// internal/oauth2, internal/claimsheader, internal/headerpolicy,
// golang.org/x/time/rate, golang.org/x/text/unicode/norm and the standard library. It must not import the store, internal/server, internal/config,
// internal/proxy or internal/function: internal/server wires it to them
// through the interfaces declared here (KeySource, Integrations, Observer)
// and plain functions (Issuer, Revoked). imports_test.go keeps this true.
package gateway
