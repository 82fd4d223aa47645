package apigw

import (
	"fmt"
	"strings"
)

// CheckRequestIdentitySource returns what is wrong with one identity
// source of a REQUEST authorizer, or "": method.request.header.{name},
// method.request.querystring.{name}, stageVariables.{name} or
// context.{name} (a name of ContextSources). Path parameters reach
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
	case strings.HasPrefix(s, QueryStringSourcePrefix):
		if _, _, ok := ParseIdentitySource(s); !ok {
			return bad("want a query string parameter name after " + QueryStringSourcePrefix)
		}
	case strings.HasPrefix(s, StageVariableSourcePrefix):
		if !StageVariableNamePattern.MatchString(s[len(StageVariableSourcePrefix):]) {
			return bad("want a stage variable name (1 to 64 letters, digits and '_') after " + StageVariableSourcePrefix)
		}
	case strings.HasPrefix(s, ContextSourcePrefix):
		if !ValidContextSource(s[len(ContextSourcePrefix):]) {
			return bad("want one of context." + strings.Join(ContextSources, ", context."))
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
