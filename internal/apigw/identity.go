package apigw

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
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

// ValidContextSource reports whether name (after "context.") is one of
// ContextSources.
func ValidContextSource(name string) bool { return slices.Contains(ContextSources, name) }

// queryNamePattern is a query parameter name as an identity source may
// name it: any visible ASCII but the separators of the source list and of
// a query string.
var queryNamePattern = regexp.MustCompile(`^[!-~]+$`)

// ParseIdentitySource splits a REQUEST authorizer's identity source into
// its kind and the name it reads; ok is false when s is none of the four
// forms or names nothing valid (a header name that is not an HTTP field
// name, a stage variable name outside StageVariableNamePattern, a context
// variable outside ContextSources).
func ParseIdentitySource(s string) (kind SourceKind, name string, ok bool) {
	switch {
	case strings.HasPrefix(s, IdentitySourcePrefix):
		name = s[len(IdentitySourcePrefix):]
		return SourceHeader, name, headerNamePattern.MatchString(name)
	case strings.HasPrefix(s, QueryStringSourcePrefix):
		name = s[len(QueryStringSourcePrefix):]
		return SourceQueryString, name, queryNamePattern.MatchString(name) && !strings.ContainsAny(name, ",&=")
	case strings.HasPrefix(s, StageVariableSourcePrefix):
		name = s[len(StageVariableSourcePrefix):]
		return SourceStageVariable, name, StageVariableNamePattern.MatchString(name)
	case strings.HasPrefix(s, ContextSourcePrefix):
		name = s[len(ContextSourcePrefix):]
		return SourceContext, name, ValidContextSource(name)
	}
	return 0, "", false
}

// TokenHeader returns the header a TOKEN authorizer's identity source
// names: method.request.header.{name}, or Authorization for "" (CDK's
// TokenAuthorizer default); ok is false for anything else.
func TokenHeader(source string) (name string, ok bool) {
	if source == "" {
		return "Authorization", true
	}
	kind, name, ok := ParseIdentitySource(source)
	return name, ok && kind == SourceHeader
}

// checkLambdaAuthorizer checks a TOKEN or REQUEST authorizer: a function,
// a result TTL within 0…1 h, and for TOKEN a header identity source and a
// validation expression that compiles (Go's RE2 syntax: Java's
// backreferences and lookarounds are refused), for REQUEST identity
// sources of the four forms, at least one when results are cached.
func checkLambdaAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	if a.Function == "" {
		probs.Add(route, "Authorizer.Function", "Lambda authorizer %q names no function", a.Name)
	}
	if a.ResultTTL < 0 || a.ResultTTL > tollgate.MaxAuthorizerResultTTL {
		probs.Add(route, "Authorizer.ResultTTL", "result TTL %s is not within 0s and %s", a.ResultTTL, tollgate.MaxAuthorizerResultTTL)
	}
	if a.Kind() == tollgate.AuthorizerToken {
		if _, ok := TokenHeader(a.IdentitySource); !ok {
			probs.Add(route, "Authorizer.IdentitySource", "%q does not name a request header (method.request.header.{name})", a.IdentitySource)
		}
		if a.IdentityValidationExpression != "" {
			if _, err := regexp.Compile(a.IdentityValidationExpression); err != nil {
				probs.Add(route, "Authorizer.IdentityValidationExpression", "%q is not a regular expression Tollgate reads (RE2 syntax): %v", a.IdentityValidationExpression, err)
			}
		}
		return
	}
	for i, s := range a.IdentitySources {
		if _, _, ok := ParseIdentitySource(s); !ok {
			probs.Add(route, fmt.Sprintf("Authorizer.IdentitySources[%d]", i),
				"%q is not an identity source: want method.request.header.{name}, method.request.querystring.{name}, stageVariables.{name} or context.{%s}",
				s, strings.Join(ContextSources, "|"))
		}
	}
	if len(a.IdentitySources) == 0 && a.ResultTTL > 0 {
		probs.Add(route, "Authorizer.IdentitySources", "REQUEST authorizer %q caches its results (TTL %s) but has no identity source to key them by", a.Name, a.ResultTTL)
	}
}
