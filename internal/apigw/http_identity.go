package apigw

import (
	"fmt"
	"slices"
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
	switch {
	case strings.HasPrefix(s, HTTPHeaderSourcePrefix):
		name = s[len(HTTPHeaderSourcePrefix):]
		return SourceHeader, name, headerNamePattern.MatchString(name)
	case strings.HasPrefix(s, HTTPQueryStringSourcePrefix):
		name = s[len(HTTPQueryStringSourcePrefix):]
		return SourceQueryString, name, queryNamePattern.MatchString(name) && !strings.ContainsAny(name, ",&=")
	case strings.HasPrefix(s, HTTPStageVariableSourcePrefix):
		name = s[len(HTTPStageVariableSourcePrefix):]
		return SourceStageVariable, name, StageVariableNamePattern.MatchString(name)
	case strings.HasPrefix(s, HTTPContextSourcePrefix):
		name = s[len(HTTPContextSourcePrefix):]
		return SourceContext, name, slices.Contains(HTTPContextSources, name)
	}
	return 0, "", false
}

// CheckHTTPIdentitySource returns what is wrong with one identity source
// of an HTTP API's REQUEST authorizer, or "": $request.header.{name},
// $request.querystring.{name}, $stageVariables.{name} or $context.{name}
// (a name of HTTPContextSources), as ParseHTTPIdentitySource reads them.
func CheckHTTPIdentitySource(s string) string {
	if _, _, ok := ParseHTTPIdentitySource(s); ok {
		return ""
	}
	bad := func(why string) string { return fmt.Sprintf("invalid identity source %q: %s", s, why) }
	switch {
	case strings.HasPrefix(s, HTTPHeaderSourcePrefix):
		return bad("want a header name after " + HTTPHeaderSourcePrefix)
	case strings.HasPrefix(s, HTTPQueryStringSourcePrefix):
		return bad("want a query string parameter name after " + HTTPQueryStringSourcePrefix)
	case strings.HasPrefix(s, HTTPStageVariableSourcePrefix):
		return bad("want a stage variable name (1 to 64 letters, digits and '_') after " + HTTPStageVariableSourcePrefix)
	case strings.HasPrefix(s, HTTPContextSourcePrefix):
		return bad("want one of $context." + strings.Join(HTTPContextSources, ", $context."))
	case strings.HasPrefix(s, "$request.path."):
		return bad("a path parameter cannot be an identity source (the function gets it in pathParameters)")
	case strings.HasPrefix(s, "method.request.") || strings.HasPrefix(s, StageVariableSourcePrefix) || strings.HasPrefix(s, ContextSourcePrefix):
		return bad("that is a REST API's spelling: an HTTP API writes $request.header.{name}, $request.querystring.{name}, $stageVariables.{name} or $context.{name}")
	}
	return bad("want $request.header.{name}, $request.querystring.{name}, $stageVariables.{name} or $context.{name}")
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
