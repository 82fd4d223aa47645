package apigw

import (
	"fmt"
	"strings"
)

// Identity sources of an HTTP API's authorizers (AWS::ApiGatewayV2::
// Authorizer's IdentitySource, apigw-beyond §4.3 and §4.4): the same four
// kinds as a REST API's, in v2's spelling.
const (
	HTTPHeaderSourcePrefix        = "$request.header."
	HTTPQueryStringSourcePrefix   = "$request.querystring."
	HTTPStageVariableSourcePrefix = "$stageVariables."
	HTTPContextSourcePrefix       = "$context."
)

// HTTPContextSources are the $context variables an HTTP API's REQUEST
// authorizer may name as identity sources ($context.{name}): those of the
// HTTP API $context reference (http-api-logging-variables.md) that
// Tollgate knows before the authorizer runs. $context.routeKey makes the
// authorizer's cache per route (apigw-beyond §4.4).
var HTTPContextSources = []string{
	"accountId",
	"apiId",
	"domainName",
	"domainPrefix",
	"httpMethod",
	"identity.sourceIp",
	"identity.userAgent",
	"path",
	"protocol",
	"requestId",
	"routeKey",
	"stage",
}

// ParseHTTPIdentitySource splits an HTTP API authorizer's identity source
// into its kind and the name it reads; ok is false when s is none of the
// four forms or names nothing valid.
func ParseHTTPIdentitySource(s string) (kind SourceKind, name string, ok bool) {
	return httpSources.parse(s)
}

// CheckHTTPIdentitySource returns what is wrong with one identity source
// of an HTTP API's REQUEST authorizer, or "": $request.header.{name},
// $request.querystring.{name}, $stageVariables.{name} or $context.{name}
// (a name of HTTPContextSources), as ParseHTTPIdentitySource reads them.
func CheckHTTPIdentitySource(s string) string {
	return httpSources.problem(s, isRESTSource, "that is a REST API's spelling: an HTTP API writes $request.header.{name}, $request.querystring.{name}, $stageVariables.{name} or $context.{name}")
}

// isRESTSource reports whether s is spelled as a REST API's identity
// source.
func isRESTSource(s string) bool {
	return strings.HasPrefix(s, "method.request.") || strings.HasPrefix(s, StageVariableSourcePrefix) || strings.HasPrefix(s, ContextSourcePrefix)
}

// CheckHTTPTokenSource returns what is wrong with the identity source of an
// HTTP API's JWT authorizer, or "": one $request.header.{name} or
// $request.querystring.{name}, where the token is (apigw-beyond §4.3, from
// the apigatewayv2 CreateAuthorizer reference: a JWT authorizer's
// IdentitySource is one entry, a header or a query string parameter).
func CheckHTTPTokenSource(s string) string {
	kind, _, ok := ParseHTTPIdentitySource(s)
	if ok && (kind == SourceHeader || kind == SourceQueryString) {
		return ""
	}
	return fmt.Sprintf("invalid identity source %q: a JWT authorizer reads the token from one $request.header.{name} or $request.querystring.{name}, like %s", s, HTTPDefaultIdentitySource)
}

// HTTPDefaultIdentitySource is where an HTTP API's authorizers read the
// token or identity when the declaration names nothing: CDK's default for
// HttpJwtAuthorizer, HttpUserPoolAuthorizer and HttpLambdaAuthorizer.
const HTTPDefaultIdentitySource = HTTPHeaderSourcePrefix + "Authorization"
