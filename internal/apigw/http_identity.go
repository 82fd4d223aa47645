package apigw

import (
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
