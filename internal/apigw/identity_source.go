package apigw

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The identity sources of a REQUEST authorizer (CreateAuthorizer's
// identitySource; CDK's IdentitySource.header, queryString, stageVariable
// and context write exactly these four prefixes).
const (
	QueryIdentityPrefix   = "method.request.querystring."
	StageVariablePrefix   = "stageVariables."
	ContextIdentityPrefix = "context."
)

// queryNamePattern is a query string parameter name as an identity source
// can name it: what a mapping expression's name may hold.
var queryNamePattern = regexp.MustCompile(`^[A-Za-z0-9._~!$'()*+,;:@-]{1,128}$`)

// ContextIdentityNames are the $context variables a REQUEST authorizer may
// name as identity sources (context.{name}): those the request fixes before
// the authorizer runs. Source: the API Gateway developer guide's
// "$context variables for data models, authorizers, mapping templates,
// and access logging" table.
var ContextIdentityNames = []string{
	"accountId", "apiId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod",
	"identity.sourceIp", "identity.userAgent", "path", "protocol", "requestId", "requestTime",
	"requestTimeEpoch", "resourceId", "resourcePath", "stage",
}

// CheckRequestIdentitySource returns what is wrong with one identity
// source of a REQUEST authorizer, or "": method.request.header.{name},
// method.request.querystring.{name}, stageVariables.{name} or
// context.{name} (a name of ContextIdentityNames). Path parameters reach
// the function but are no identity source.
func CheckRequestIdentitySource(s string) string {
	bad := func(why string) string {
		return fmt.Sprintf("invalid identity source %q: %s", s, why)
	}
	switch {
	case strings.HasPrefix(s, IdentitySourcePrefix):
		if !headerNamePattern.MatchString(s[len(IdentitySourcePrefix):]) {
			return bad("want a header name after " + IdentitySourcePrefix)
		}
	case strings.HasPrefix(s, QueryIdentityPrefix):
		if !queryNamePattern.MatchString(s[len(QueryIdentityPrefix):]) {
			return bad("want a query string parameter name after " + QueryIdentityPrefix)
		}
	case strings.HasPrefix(s, StageVariablePrefix):
		if !StageVariableNamePattern.MatchString(s[len(StageVariablePrefix):]) {
			return bad("want a stage variable name (1 to 64 letters, digits and '_') after " + StageVariablePrefix)
		}
	case strings.HasPrefix(s, ContextIdentityPrefix):
		if !slices.Contains(ContextIdentityNames, s[len(ContextIdentityPrefix):]) {
			return bad("want one of context." + strings.Join(ContextIdentityNames, ", context."))
		}
	case strings.HasPrefix(s, "method.request.path."):
		return bad("a path parameter cannot be an identity source (the function gets it in pathParameters)")
	default:
		return bad("want method.request.header.{name}, method.request.querystring.{name}, stageVariables.{name} or context.{name}")
	}
	return ""
}

// SplitIdentitySources splits a REQUEST authorizer's identitySource, a
// comma-separated list as CloudFormation and CDK write it
// ("method.request.header.A,method.request.querystring.b"), trimming the
// space around each source.
func SplitIdentitySources(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
