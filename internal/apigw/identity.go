package apigw

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Identity sources of a REST API Lambda authorizer (CreateAuthorizer's
// identitySource; CDK's IdentitySource.header/queryString/stageVariable/
// context write exactly these four prefixes).
const (
	// QueryStringSourcePrefix names a query string parameter (its name is
	// case-sensitive).
	QueryStringSourcePrefix = "method.request.querystring."
	// StageVariableSourcePrefix names a stage variable.
	StageVariableSourcePrefix = "stageVariables."
	// ContextSourcePrefix names a $context variable (ContextSources).
	ContextSourcePrefix = "context."
)

// SourceKind is where an identity source reads its value.
type SourceKind int

// Identity source kinds.
const (
	SourceHeader        SourceKind = iota + 1 // method.request.header.{name}
	SourceQueryString                         // method.request.querystring.{name}
	SourceStageVariable                       // stageVariables.{name}
	SourceContext                             // context.{name}
)

// ContextSources are the $context variables a REQUEST authorizer may name
// as identity sources (context.{name}): those of API Gateway's
// $context reference (api-gateway-mapping-template-reference.md) that
// Tollgate knows before the authorizer runs. Others (authorizer.*,
// error.*, integration.*, the response's) are refused.
var ContextSources = []string{
	"accountId",
	"apiId",
	"domainName",
	"domainPrefix",
	"extendedRequestId",
	"httpMethod",
	"identity.sourceIp",
	"identity.userAgent",
	"path",
	"protocol",
	"requestId",
	"resourceId",
	"resourcePath",
	"stage",
}

// queryNamePattern is a query parameter name as an identity source may
// name it: any visible ASCII but the separators of the source list and of
// a query string.
var queryNamePattern = regexp.MustCompile(`^[!-~]+$`)

// sourceSyntax is how one kind of API spells the four kinds of identity
// source: REST's method.request.header.{name}, HTTP's
// $request.header.{name}, and so on. Both are read by one parser.
type sourceSyntax struct {
	header, query, stage, context string
	contexts                      []string // the $context variables a source may name
	path                          string   // the path parameters' prefix, which names no source
}

var (
	restSources = sourceSyntax{IdentitySourcePrefix, QueryStringSourcePrefix, StageVariableSourcePrefix, ContextSourcePrefix, ContextSources, "method.request.path."}
	httpSources = sourceSyntax{HTTPHeaderSourcePrefix, HTTPQueryStringSourcePrefix, HTTPStageVariableSourcePrefix, HTTPContextSourcePrefix, HTTPContextSources, "$request.path."}
)

// parse splits s into its kind and the name it reads; ok is false when s
// is none of the four forms or names nothing valid.
func (x *sourceSyntax) parse(s string) (kind SourceKind, name string, ok bool) {
	switch {
	case strings.HasPrefix(s, x.header):
		name = s[len(x.header):]
		return SourceHeader, name, headerNamePattern.MatchString(name)
	case strings.HasPrefix(s, x.query):
		name = s[len(x.query):]
		return SourceQueryString, name, queryNamePattern.MatchString(name) && !strings.ContainsAny(name, ",&=")
	case strings.HasPrefix(s, x.stage):
		name = s[len(x.stage):]
		return SourceStageVariable, name, StageVariableNamePattern.MatchString(name)
	case strings.HasPrefix(s, x.context):
		name = s[len(x.context):]
		return SourceContext, name, slices.Contains(x.contexts, name)
	}
	return 0, "", false
}

// problem returns what is wrong with s, or "": why it is not one of the
// four forms, or names nothing valid. other, if not "", is what to say of
// a source in the other kind of API's spelling (told by isOther).
func (x *sourceSyntax) problem(s string, isOther func(string) bool, other string) string {
	if _, _, ok := x.parse(s); ok {
		return ""
	}
	bad := func(why string) string { return fmt.Sprintf("invalid identity source %q: %s", s, why) }
	switch {
	case strings.HasPrefix(s, x.header):
		return bad("want a header name after " + x.header)
	case strings.HasPrefix(s, x.query):
		return bad("want a query string parameter name after " + x.query)
	case strings.HasPrefix(s, x.stage):
		return bad("want a stage variable name (1 to 64 letters, digits and '_') after " + x.stage)
	case strings.HasPrefix(s, x.context):
		return bad("want one of " + x.context + strings.Join(x.contexts, ", "+x.context))
	case strings.HasPrefix(s, x.path):
		return bad("a path parameter cannot be an identity source (the function gets it in pathParameters)")
	case isOther != nil && isOther(s):
		return bad(other)
	}
	return bad("want " + x.header + "{name}, " + x.query + "{name}, " + x.stage + "{name} or " + x.context + "{name}")
}

// ParseIdentitySource splits a REQUEST authorizer's identity source into
// its kind and the name it reads; ok is false when s is none of the four
// forms or names nothing valid (a header name that is not an HTTP field
// name, a stage variable name outside StageVariableNamePattern, a context
// variable outside ContextSources).
func ParseIdentitySource(s string) (kind SourceKind, name string, ok bool) {
	return restSources.parse(s)
}

// TokenHeader returns the header the identity source of a
// COGNITO_USER_POOLS, TOKEN or JWT authorizer names, the one rule of the
// three: method.request.header.{name}, a bare header name (what config
// builds), or Authorization for "" (API Gateway's and CDK's default); ok
// is false for anything else, another kind of identity source included
// (method.request.querystring.t is no header named so).
func TokenHeader(source string) (name string, ok bool) {
	if source == "" {
		return "Authorization", true
	}
	if strings.HasPrefix(source, IdentitySourcePrefix) {
		kind, name, ok := ParseIdentitySource(source)
		return name, ok && kind == SourceHeader
	}
	if _, _, other := ParseIdentitySource(source); other || strings.HasPrefix(source, "method.request.") {
		return "", false
	}
	return source, headerNamePattern.MatchString(source)
}

// CheckRequestIdentitySource returns what is wrong with one identity
// source of a REQUEST authorizer, or "": method.request.header.{name},
// method.request.querystring.{name}, stageVariables.{name} or
// context.{name} (a name of ContextSources). Path parameters reach
// the function but are no identity source.
func CheckRequestIdentitySource(s string) string {
	return restSources.problem(s, nil, "")
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
