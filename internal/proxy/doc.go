// Package proxy is the HTTP_PROXY integration: it forwards a request the
// gateway has routed and authorized to an upstream HTTP service and streams
// the answer back, as API Gateway's HTTP proxy integration does.
//
// It owns the upstream side of a request: the integration URI template
// ("http://orders.internal:8080/v1/{proxy}"), parsed once per route by
// internal/apigw's ParseIntegrationURI, the parser config validation runs
// too, and expanded per request here; the
// rewrite of the request (httputil.ReverseProxy with Rewrite, never
// Director); the headers that tell the upstream who called; the shared,
// tuned transport and buffer pool; the integration timeout; and its own
// failures, answered as API Gateway answers them through the gateway's one
// writer of gateway responses, in the form of the invocation's API
// (gateway.Invocation.WriteResponse): an unreachable or broken upstream or
// a misconfigured route is ResponseIntegrationFailure (REST 502, HTTP API
// 500), the integration's timeout before the response headers
// ResponseIntegrationTimeout (REST 504, HTTP API 503), a body over the
// gateway's limit (10 MB) 413, a path with a dot segment
// ResponseMissingAuthenticationToken (REST 403). A Proxy is the
// gateway.Integrations of HTTP_PROXY routes: Integration builds one route's
// integration, a gateway.Integration, deciding once what its API's kind
// (REST or HTTP API) changes; the gateway hands it each request with its
// decision, a *gateway.Invocation.
//
// # What the upstream receives
//
//   - The client's method (on an HTTP API, the integration's
//     IntegrationMethod unless it is "ANY"), body (streamed) and headers,
//     less hop-by-hop headers (RFC 9110 §7.6.1) and the names the proxy
//     reserves.
//   - The path built from the URI: each "{name}" is replaced by the path
//     parameter of that name, as the client wrote it (percent-encoded). A
//     value with a "." or ".." segment is refused (errDotSegment: a 500
//     through inv.WriteResponse), never
//     resolved: "/public/../admin" must not reach the upstream's /admin
//     through the route "/{proxy+}" when "/admin" is another route.
//   - On an HTTP API's $default route, the URI's path (without its
//     trailing slash) then the request's whole path as sent, a named
//     stage's segment included: "/dev/store/checkout" on the stage dev
//     with "https://backend" reaches "https://backend/dev/store/checkout".
//     The same dot-segment rule applies. Sources: "When the $default route
//     receives a request, API Gateway sends the full request path to the
//     integration" (http-api-develop-routes.html); the stage is part of it,
//     since parameter mapping's $request.path is "the request path, without
//     the stage name" (http-api-parameter-mapping.html) and a recorded
//     request of the route GET /echo on the stage dev reached its backend
//     as /dev/echo (nguyentrungduc134/EKS-API-Gateway, README). A URI with
//     a path prefixing the request's is our reading of "full path"
//     (unverified); a URI with placeholders is refused, the route having
//     no path parameters.
//   - The URI's query, then the client's query string less the parameters
//     the URI's query names (those keep the URI's values alone).
//   - No request trailers: a client's Trailer declaration and values are
//     dropped.
//   - Host: the upstream's host.
//   - X-Forwarded-For (the client's address), X-Forwarded-Host (the Host
//     the client asked for) and X-Forwarded-Proto ("http" or "https").
//   - On a REST API, X-Amzn-Apigateway-Api-Id (the API's id). On an HTTP
//     API, instead, Forwarded (RFC 7239: for=client;host=the Host asked
//     for;proto=http or https) and Via: HTTP/1.1 AmazonAPIGateway (the
//     client's Via kept before it), as in a request an HTTP API forwarded
//     (the README above: "forwarded: for=…;host=….execute-api.us-east-1.amazonaws.com;proto=https",
//     "via: HTTP/1.1 AmazonAPIGateway", no x-amzn-apigateway-api-id).
//     Whether HTTP APIs also send X-Forwarded-* is not recorded; the
//     proxy sends them on both kinds.
//   - From the gateway, the X-Amzn-Trace-Id of the request, as API Gateway
//     sends it. The gateway has already removed the framing and hop-by-hop
//     headers API Gateway never passes on (headerpolicy.StripRequest).
//   - The authorizer's decision, when the route has one (below).
//
// The authorizer's decision travels in these headers:
//
//	X-Tollgate-Client-Id   the access token's client_id
//	X-Tollgate-Scopes      its scopes, space-separated
//	X-Tollgate-Claims      all its claims: unpadded base64url (RFC 4648 §5)
//	                       of a JSON object of strings, as API Gateway's
//	                       requestContext.authorizer.claims
//	X-Tollgate-Request-Id  the gateway's request id
//	X-Tollgate-Stage       the stage, e.g. "prod"
//
// Behind a Lambda (TOKEN or REQUEST) authorizer, X-Tollgate-Client-Id,
// -Scopes and -Claims are not sent; instead:
//
//	X-Tollgate-Principal-Id        the authorizer's principalId
//	X-Tollgate-Authorizer-Context  its context, stringified as
//	                               $context.authorizer.{key} (null left
//	                               out), encoded as X-Tollgate-Claims
//
// A principalId that is not visible ASCII and spaces (non-ASCII, control
// characters), that starts or ends with a space or tab, or that starts
// with "b64:" is sent as "b64:" and its unpadded base64url: "été" travels
// as X-Tollgate-Principal-Id: b64:w6l0w6k. A value that does not start
// with "b64:" is the principalId as it is.
//
// For example, claims {"client_id":"abc","scope":"api/read"} travel as
// X-Tollgate-Claims: eyJjbGllbnRfaWQiOiJhYmMiLCJzY29wZSI6ImFwaS9yZWFkIn0
// (keys sorted; exp and iat rendered as API Gateway renders them, like
// "Thu May 04 03:50:06 UTC 2023"). On a route without an authorizer only
// X-Tollgate-Request-Id and X-Tollgate-Stage are set. Any other header
// whose value would hold a control character or a byte beyond ASCII is
// left out (and logged), never sent mangled.
//
// A client cannot forge any of these: every header whose name starts with
// "X-Tollgate-" or "X-Forwarded-", and Forwarded and X-Real-Ip, are removed
// before the proxy sets its own, whatever their case and also when spelt
// with '_' for '-' (CGI-style servers read "X_Tollgate_Client_Id" as
// HTTP_X_TOLLGATE_CLIENT_ID). The Authorization header is passed through,
// as API Gateway does.
//
// # What the client receives
//
// The upstream's status (5xx included), headers and body, unchanged except
// for hop-by-hop headers and, on a REST API, those API Gateway remaps: the
// upstream's Date, Server, x-amzn-RequestId and x-amz-apigw-id reach the
// client as x-amzn-Remapped-Date and so on (Content-Length is copied to
// x-amzn-Remapped-Content-Length), so the gateway's own are the only
// ones. An HTTP API remaps nothing: no source shows HTTP APIs remapping
// (their parameter mapping names response headers as the integration
// sent them), so the upstream's headers pass as they are (a choice, not
// verified against a capture). When the request could not be proxied and nothing has been written
// yet, the proxy answers with the gateway response above; after the
// headers have gone out, a failure can only abort the connection. A client
// that goes away is logged at debug level and not answered.
//
// # Imports
//
// proxy imports the root package, internal/apigw (integration URIs),
// internal/gateway (the Integration it
// implements, the Invocation it is handed, whose X-Tollgate-Claims value
// and scopes the gateway computes once per verified token, and the
// authorizer context value once per Lambda authorizer answer, and the
// gateway responses it writes), internal/headerpolicy (API Gateway's
// header rules, shared with the gateway) and the standard library. It must
// not import other internal packages; the gateway does not import it:
// internal/server builds the integrations and hands them to the gateway.
package proxy
