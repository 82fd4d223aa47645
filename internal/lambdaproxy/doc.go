// Package lambdaproxy is the AWS_PROXY (Lambda proxy) integration: it
// builds API Gateway's event of a request the gateway has routed and
// authorized (REST API payload format 1.0, contract §5.1: Event), invokes
// the integration's function through an Invoker, and maps the function's
// result to the answer as API Gateway does (§5.2: statusCode as a number
// or a numeric string, headers merged with multiValueHeaders, unknown
// keys refused, base64 bodies decoded only for the API's
// binaryMediaTypes). It writes its own failures as the gateway's
// responses (gateway.WriteResponse): a function error or a malformed
// result is 502, no result within the integration's timeout 504, an
// event over Lambda's 6 MB limit 413.
//
// It does not run functions: the Invoker (tollgate.InvokeFunc) does
// (internal/server passes internal/function's Runner.Invoke, the same
// function the gateway's Lambda authorizers invoke with), on opaque
// payloads, so the contract with API Gateway stays here and the contract
// with Lambda's runtimes in internal/function.
//
// It also builds the event of the gateway's REQUEST authorizers
// (AuthorizerEvent, the gateway's AuthorizerEventFunc, apigw-beyond §1.2):
// the proxy event's request fields, rendered by the same code, after
// "type" and "methodArn", without body, isBase64Encoded and
// requestContext.authorizer. Behind a Lambda authorizer the proxy event's
// requestContext.authorizer holds its context stringified, principalId
// and integrationLatency (§1.3).
//
// HTTP APIs (payload format 2.0) add a second event builder and result
// parser here, chosen per integration when it is built from the route's
// payload format version; the Invoker and the gateway.Invocation stay as
// they are.
//
// lambdaproxy imports the root package, internal/gateway (the Integration
// it implements, the Invocation it is handed, the gateway responses),
// internal/headerpolicy, internal/headercase and the standard library. It
// must not import internal/function, the store or the server.
package lambdaproxy
