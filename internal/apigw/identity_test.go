package apigw

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestParseIdentitySource: the four prefixes of a REQUEST authorizer's
// identity sources (BOTO apigateway Authorizer.identitySource; CDK's
// identity-source.ts writes exactly these), with what each names checked.
func TestParseIdentitySource(t *testing.T) {
	for _, tc := range []struct {
		src  string
		kind SourceKind
		name string
		ok   bool
	}{
		{"method.request.header.X-Tenant", SourceHeader, "X-Tenant", true},
		{"method.request.header.", SourceHeader, "", false},
		{"method.request.header.X Tenant", SourceHeader, "X Tenant", false},
		{"method.request.querystring.key", SourceQueryString, "key", true},
		{"method.request.querystring.a,b", SourceQueryString, "a,b", false},
		{"method.request.querystring.", SourceQueryString, "", false},
		{"stageVariables.backend", SourceStageVariable, "backend", true},
		{"stageVariables.back-end", SourceStageVariable, "back-end", false},
		{"context.httpMethod", SourceContext, "httpMethod", true},
		{"context.identity.sourceIp", SourceContext, "identity.sourceIp", true},
		{"context.authorizer.principalId", SourceContext, "authorizer.principalId", false},
		{"method.request.path.id", 0, "", false}, // path parameters cannot be sources (§1.1)
		{"$request.header.X", 0, "", false},      // an HTTP API's form
	} {
		kind, name, ok := ParseIdentitySource(tc.src)
		if kind != tc.kind || name != tc.name || ok != tc.ok {
			t.Errorf("%q: got %d %q %v, want %d %q %v", tc.src, kind, name, ok, tc.kind, tc.name, tc.ok)
		}
	}
}

// TestCheckLambdaAuthorizer: Check refuses what a Lambda authorizer cannot
// run with (apigw-beyond §1.1): no function, a TTL over an hour or
// negative, a TOKEN source that is not a header, a validation expression
// RE2 does not read (Java's lookarounds), REQUEST sources of no known form,
// and caching without a source.
func TestCheckLambdaAuthorizer(t *testing.T) {
	ok := func(a *tollgate.Authorizer) {}
	for _, tc := range []struct {
		name  string
		edit  func(a *tollgate.Authorizer)
		field string // "" for no problem
	}{
		{"token", ok, ""},
		{"no function", func(a *tollgate.Authorizer) { a.Function = "" }, "Authorizer.Function"},
		{"ttl too long", func(a *tollgate.Authorizer) { a.ResultTTL = time.Hour + time.Second }, "Authorizer.ResultTTL"},
		{"negative ttl", func(a *tollgate.Authorizer) { a.ResultTTL = -time.Second }, "Authorizer.ResultTTL"},
		{"query token", func(a *tollgate.Authorizer) { a.IdentitySource = "method.request.querystring.t" }, "Authorizer.IdentitySource"},
		{"lookahead", func(a *tollgate.Authorizer) { a.IdentityValidationExpression = "(?=Bearer).*" }, "Authorizer.IdentityValidationExpression"},
		{"request", func(a *tollgate.Authorizer) {
			a.Type, a.IdentitySources = tollgate.AuthorizerRequest, []string{"method.request.header.X", "context.stage"}
		}, ""},
		{"request without sources, ttl 0", func(a *tollgate.Authorizer) { a.Type, a.ResultTTL = tollgate.AuthorizerRequest, 0 }, ""},
		{"request without sources, cached", func(a *tollgate.Authorizer) { a.Type = tollgate.AuthorizerRequest }, "Authorizer.IdentitySources"},
		{"request bad source", func(a *tollgate.Authorizer) {
			a.Type, a.IdentitySources = tollgate.AuthorizerRequest, []string{"context.error.message"}
		}, "Authorizer.IdentitySources[0]"},
	} {
		a := &tollgate.Authorizer{Name: "auth", Type: tollgate.AuthorizerToken, Function: "fn", ResultTTL: tollgate.DefaultAuthorizerResultTTL}
		tc.edit(a)
		api := &tollgate.RestAPI{ID: "abc123defg", Stages: []tollgate.Stage{{Name: "prod"}},
			Routes: []tollgate.Route{{ResourcePath: "/", Method: "GET", Authorizer: a, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}}}
		probs := Check(api)
		var fields []string
		for _, p := range probs {
			fields = append(fields, p.Field)
		}
		got := strings.Join(fields, ",")
		if got != tc.field {
			t.Errorf("%s: problems %v, want field %q", tc.name, probs, tc.field)
		}
	}
}

// TestTokenHeader: the one rule of the header a COGNITO_USER_POOLS, TOKEN
// or JWT authorizer reads. Another kind of identity source is no header
// named after it, whatever its characters (a dot is a header name's).
func TestTokenHeader(t *testing.T) {
	for _, tc := range []struct {
		source, name string
		ok           bool
	}{
		{"", "Authorization", true},  // API Gateway's and CDK's default
		{"X-Token", "X-Token", true}, // the bare name config builds
		{"method.request.header.X-Token", "X-Token", true},
		{"method.request.querystring.t", "", false},
		{"method.request.path.id", "", false},
		{"stageVariables.v", "", false},
		{"context.httpMethod", "", false},
		{"method.request.header.", "", false},
		{"a b", "", false},
	} {
		name, ok := TokenHeader(tc.source)
		if ok != tc.ok || (ok && name != tc.name) {
			t.Errorf("TokenHeader(%q) = %q, %v; want %q, %v", tc.source, name, ok, tc.name, tc.ok)
		}
	}
}
