// Package lambdaproxy is the AWS_PROXY (Lambda proxy) integration: it
// builds API Gateway's event of a request the gateway has routed and
// authorized, invokes the integration's function through an Invoker, and
// maps the function's result to the answer as API Gateway does. It speaks
// both payload formats, chosen once per route from its API's kind and
// its integration (New), never per request:
//
//   - REST APIs: payload format 1.0 (contract §5.1: Event; §5.2: the
//     result's statusCode as a number or a numeric string, headers merged
//     with multiValueHeaders, unknown keys refused, base64 bodies decoded
//     only for the API's binaryMediaTypes); requestContext.identity has
//     apiKey and apiKeyId, after caller, only when the method took an API
//     key (gateway.Invocation.APIKey, APIKeyID). Failures are the REST
//     gateway responses: a function error or a malformed result 502, no
//     result within the integration's timeout 504, an event over Lambda's
//     6 MB limit 413.
//   - HTTP APIs, payload format 2.0 (apigw-beyond §4.2: HTTPEvent,
//     parseHTTPResult): routeKey, rawPath (percent-decoded, as are
//     pathParameters) and rawQueryString (as sent), cookies[],
//     lower-cased comma-joined headers, empty fields left out, bodies
//     base64 unless text, JWT claims all strings (rendered once per
//     verified token: gateway.Invocation.HTTPClaims), a Lambda
//     authorizer's context as it returned it; a result with a statusCode
//     is the response (cookies[] become Set-Cookie headers; without a
//     Content-Type, text/plain; charset=utf-8), any other JSON the body
//     of a 200 application/json answer. An HTTP API's answer carries the
//     gateway's apigw-requestid alone and no X-Amzn-Trace-Id.
//   - HTTP APIs, payload format 1.0: Event's HTTP API form (version
//     "1.0", lower-cased headers, resourceId null, the path with its
//     stage, percent-decoded), the same 1.0 rendering with those differences as
//     parameters, and the result mapped as a REST API's but for base64
//     bodies, always decoded.
//
// Every failure is written by the invocation (gateway.Invocation's
// WriteResponse), in its API's form: on an HTTP API a failed or
// malformed invocation is 500 {"message":"Internal Server Error"} and a
// timeout 503.
//
// It does not run functions: the Invoker (tollgate.InvokeFunc) does
// (internal/server passes internal/function's Runner.Invoke, the same
// function the gateway's Lambda authorizers invoke with), on opaque
// payloads, so the contract with API Gateway stays here and the contract
// with Lambda's runtimes in internal/function.
//
// It also builds the events of the gateway's REQUEST authorizers, with the
// code that renders the proxy events: a REST API's (AuthorizerEvent, the
// gateway's AuthorizerEventFunc, apigw-beyond §1.2: the 1.0 event's
// request fields after "type" and "methodArn", without body,
// isBase64Encoded and requestContext.authorizer) and an HTTP API's
// (HTTPAuthorizerEvent, its HTTPAuthorizerEventFunc, §4.4: in 2.0 the 2.0
// event's request fields after "type", routeArn and the identitySource
// list; in 1.0 the REST one's with version, identitySource and
// authorizationToken). Behind a REST API's Lambda authorizer the proxy
// event's requestContext.authorizer holds its context stringified,
// principalId and integrationLatency (§1.3); behind an HTTP API's, its
// context unstringified under "lambda".
//
// lambdaproxy imports the root package, internal/gateway (the Integration
// it implements, the Invocation it is handed, the gateway responses),
// internal/headerpolicy, internal/headercase and the standard library. It
// must not import internal/function, the store or the server.
package lambdaproxy
