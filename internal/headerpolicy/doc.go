// Package headerpolicy is API Gateway's header policy for REST APIs, in
// one place for the gateway (Lambda proxy events, MOCK answers) and the
// proxy (HTTP_PROXY requests and responses): the request headers it never
// passes to an integration, the integration response headers it renames to
// x-amzn-Remapped-*, the X-Tollgate-* names Tollgate reserves for its own
// decision headers, and the X-Amzn-Trace-Id it sends along. Besides the
// standard library it imports internal/apigw only.
package headerpolicy
