// Package apigw owns API Gateway's grammar and rules, once: resource path
// templates (ParsePath, Tree), methods and route keys (MethodIndex,
// CheckRouteKey), HTTP_PROXY integration URIs (ParseIntegrationURI) and
// Lambda invocation ARNs (LambdaFunction), stage names and stage variables,
// throttle bounds, and authorizer rules (identity sources, scopes, issuer
// URLs).
//
// Check validates a whole *tollgate.RestAPI, a REST API or an HTTP API
// (check_http.go: $default stages and route, route throttles, CORS, JWT
// and REQUEST authorizers in the v2 spelling, payload format versions,
// HTTP API timeouts), with those rules: it is the one gate before an API
// is served. The gateway runs it in New, and
// internal/config runs it on the APIs a config or template builds, so
// `tollgate validate` refuses exactly what `serve` would refuse. Problems
// come back as Problems: each Problem is positioned within the API (the
// route's index and the field), which each front end renders in its own
// terms — file:line:col for a config, the logical resource for a template.
//
// Package apigw imports only the standard library and the root package.
package apigw
