// Package server is the one place where Tollgate's adapters are wired
// together: the store, the catalog (the hot path's in-memory view of it),
// the signer, the token endpoint and the discovery documents, the API
// gateway and its integrations, the function runner and the Lambda Invoke
// API, the Cognito management API, metrics and the access log, the HTTP
// and TLS listeners, and graceful shutdown.
//
// The gateway's integrations are built here, once per route
// (gateway.go): HTTP_PROXY routes get an integration of the one shared
// proxy.Proxy, AWS_PROXY routes a lambdaproxy.Integration whose Invoker is
// the function runner (a function whose Runtime is tollgate.EchoRuntime,
// as dev sets for one whose interpreter is missing, runs on the built-in
// echo runtime). The integrations receive the gateway's decision
// and write their own gateway responses: nothing passes through the server
// per request but the access log's fields and the metrics.
//
// The token endpoint runs a pool's pre token generation trigger through
// the function runner of the deployment in service when the request came
// (trigger.go), held like a gateway request's, so that a reload never
// takes the runner from under an invocation.
//
// Limits and usage (limits.go, plan_metrics.go): the gateway finds API
// keys by the keyed hash of the presented value under each master key
// (the catalog's APIKeyByHash), and counts throttles, usage plans' quotas
// and the token endpoint's quotas and lockouts in Options.Limiter, shared
// by every node (Redis), or else in this process: Options.LocalLimiter
// (one limit.Local) for usage plans, Options.TokenLocalLimiter (another,
// also while Redis fails open) for the token endpoint, the gateway's own
// buckets for stage, route and client throttles. The limiters and
// the usage recorder are the server's, kept across reloads; Serve runs the
// recorder and flushes it once the listeners have shut down. Metrics:
// tollgate_usage_plan_requests_total (key labels bounded),
// tollgate_limiter_errors_total, tollgate_token_lockouts_total and
// tollgate_token_quota_refusals_total.
//
// Routing by host: a request whose Host is one of a pool's domains (the
// Cognito-style "{prefix}.auth.{region}.{base domain}" or a custom domain)
// is served as that pool's auth domain. Every pool is also reachable without
// DNS on any host, by path: /{poolId}/.well-known/jwks.json and
// /{poolId}/.well-known/openid-configuration, with /oauth2/token picking the
// pool by the authenticated client. The issuer of a pool's tokens is
// "{issuer URL}/{poolId}": the issuer base stored in the store, the same on
// every node, or by default the public URL, so the issuer's JWKS is
// reachable at the address the server prints.
package server
