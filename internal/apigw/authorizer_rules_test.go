package apigw

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestCheckRequestIdentitySource: the four prefixes CDK's IdentitySource
// writes (header, queryString, stageVariable, context; aws-apigateway
// lib/authorizers/identity-source.ts) with a valid name each; anything else
// is refused, a path parameter with its own reason (contract
// apigw-beyond.md §1.1: "Path parameters reach the function but cannot be
// identity sources").
func TestCheckRequestIdentitySource(t *testing.T) {
	for _, tc := range []struct{ source, want string }{
		{"method.request.header.X-Tenant", ""},
		{"method.request.header.Authorization", ""},
		{"method.request.querystring.key", ""},
		{"method.request.querystring.a.b~c", ""},
		{"stageVariables.v_1", ""},
		{"context.httpMethod", ""},
		{"context.identity.sourceIp", ""},
		{"method.request.header.", "want a header name"},
		{"method.request.header.A B", "want a header name"},
		{"method.request.querystring.", "want a query string parameter name"},
		{"method.request.querystring.a&b", "want a query string parameter name"},
		{"stageVariables.a-b", "want a stage variable name"},
		{"context.authorizer.claims.sub", "want one of context.accountId"},
		{"context.", "want one of context."},
		{"method.request.path.id", "a path parameter cannot be an identity source"},
		{"method.request.multivalueheader.A", "want method.request.header.{name}"},
		{"Authorization", "want method.request.header.{name}"},
		{"", "want method.request.header.{name}"},
	} {
		got := CheckRequestIdentitySource(tc.source)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("CheckRequestIdentitySource(%q) = %q, want %q", tc.source, got, tc.want)
		}
	}
}

// TestSplitIdentitySources: CDK joins with "," (lambda.ts,
// RequestAuthorizer); space around a source is trimmed.
func TestSplitIdentitySources(t *testing.T) {
	for in, want := range map[string]string{
		"":        "",
		"  ":      "",
		"a":       "a",
		"a,b":     "a|b",
		"a, b ,c": "a|b|c",
		",":       "|",
	} {
		if got := strings.Join(SplitIdentitySources(in), "|"); got != want {
			t.Errorf("SplitIdentitySources(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckValidationExpression(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"^Bearer [-0-9a-zA-Z._~+/]+=*$", ""},
		{".*", ""},
		{`^(?i)bearer\s+\S+$`, ""},
		{"^(?=Bearer)", `"(?=" is Java syntax`},
		{"^(?!x)", `"(?!" is Java syntax`},
		{"(?<=a)b", `"(?<=" is Java syntax`},
		{"(?<!a)b", `"(?<!" is Java syntax`},
		{"(?>a)", `"(?>" is Java syntax`},
		{"a*+", `"*+" is Java syntax`},
		{"a{2}+", `"}+" is Java syntax`},
		{`(a)\1`, `"\\1" is Java syntax`},
		{`(?<n>a)\k<n>`, `"\\k<" is Java syntax`},
		{"[a-", "missing closing ]"},
		{"(", "missing closing )"},
	} {
		got := CheckValidationExpression(tc.expr)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("CheckValidationExpression(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestCheckResultTTL: AuthorizerResultTtlInSeconds is 0 to 3600 (contract
// apigw-beyond.md §1.1), in whole seconds.
func TestCheckResultTTL(t *testing.T) {
	for ttl, ok := range map[time.Duration]bool{
		0: true, time.Second: true, 300 * time.Second: true, time.Hour: true,
		-time.Second: false, time.Hour + time.Second: false, 1500 * time.Millisecond: false,
	} {
		if got := CheckResultTTL(ttl) == ""; got != ok {
			t.Errorf("CheckResultTTL(%s) = %q", ttl, CheckResultTTL(ttl))
		}
	}
}

// TestParseCognitoPoolARN: a user pool ARN as CDK's
// UserPool.fromUserPoolArn takes it; the issuer and JWKS URL are
// Cognito's (https://cognito-idp.{region}.amazonaws.com/{poolId}, its
// /.well-known/jwks.json: contract cognito-apigw.md §2).
func TestParseCognitoPoolARN(t *testing.T) {
	p, msg := ParseCognitoPoolARN("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123")
	if msg != "" || p.Issuer() != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123" ||
		p.JWKSURL() != "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json" {
		t.Errorf("ParseCognitoPoolARN = %+v, %q", p, msg)
	}
	if _, msg := ParseCognitoPoolARN("arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_x"); msg != "" {
		t.Errorf("aws-cn partition: %q", msg)
	}
	for arn, want := range map[string]string{
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-1_x":  "is of region eu-west-1, not the ARN's us-east-1",
		"arn:aws:cognito-idp:us-east-1:12345:userpool/us-east-1_x":         "want arn:aws:cognito-idp:",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_":   "want arn:aws:cognito-idp:",
		"arn:aws:cognito-idp:us-east-1:123456789012:pool/us-east-1_x":      "want arn:aws:cognito-idp:",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x/": "want arn:aws:cognito-idp:",
	} {
		if _, msg := ParseCognitoPoolARN(arn); !strings.Contains(msg, want) {
			t.Errorf("ParseCognitoPoolARN(%q) = %q, want %q", arn, msg, want)
		}
	}
}

// TestCheckAuthorizerTypes: the gate checks each type's own fields.
func TestCheckAuthorizerTypes(t *testing.T) {
	route := func(a *tollgate.Authorizer) tollgate.Route {
		return tollgate.Route{ResourcePath: "/", Method: "GET", Authorizer: a, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}
	}
	api := &tollgate.RestAPI{ID: "a", Stages: []tollgate.Stage{{Name: "prod"}}}
	for _, tc := range []struct {
		a    *tollgate.Authorizer
		want string // "" for none
	}{
		{&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f", ResultTTL: time.Minute}, ""},
		{&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, ResultTTL: time.Minute}, "Authorizer.Function: authorizer \"t\" names no function"},
		{&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f", ResultTTL: 2 * time.Hour}, "Authorizer.ResultTTL"},
		{&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f", IdentityValidationExpression: "(?=a)"}, "Authorizer.IdentityValidationExpression"},
		{&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f", IdentitySource: "A B"}, "Authorizer.IdentitySource"},
		{&tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f"}, ""},
		{&tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f", ResultTTL: time.Minute}, "Authorizer.IdentitySources: REQUEST authorizer \"r\" caches"},
		{&tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f", IdentitySources: []string{"x"}}, "Authorizer.IdentitySources[0]"},
		{&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"},
			Issuers: []tollgate.JWTIssuer{{Issuer: "https://i", Audiences: []string{"a"}}}}}, ""},
		{&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT}, "Authorizer.JWT: JWT authorizer \"j\" needs algorithms and issuers"},
		{&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"HS256"},
			Issuers: []tollgate.JWTIssuer{{Issuer: "http://i", JWKSURL: "ftp://k", Claims: []tollgate.JWTClaim{{Name: "aud"}}}}}},
			"Authorizer.JWT.Algorithms[0]|Authorizer.JWT.Issuers[0].Issuer|Authorizer.JWT.Issuers[0].JWKSURL|Authorizer.JWT.Issuers[0].Audiences|Authorizer.JWT.Issuers[0].Claims[0].Name"},
		{&tollgate.Authorizer{Name: "x", Type: "AWS_IAM"}, "Authorizer.Type"},
	} {
		api.Routes = []tollgate.Route{route(tc.a)}
		probs := Check(api)
		var got []string
		for _, p := range probs {
			got = append(got, p.Field)
		}
		if tc.want == "" {
			if len(probs) > 0 {
				t.Errorf("%+v: %v", tc.a, probs)
			}
			continue
		}
		for _, w := range strings.Split(tc.want, "|") {
			field, _, _ := strings.Cut(w, ":")
			if !regexp.MustCompile(`(^|\n)Routes\[0\]\.` + regexp.QuoteMeta(w)).MatchString(probs.Error()) {
				t.Errorf("%+v: problems %v lack %s", tc.a, got, field)
			}
		}
		if n := len(strings.Split(tc.want, "|")); len(probs) != n {
			t.Errorf("%+v: %d problems, want %d: %v", tc.a, len(probs), n, probs)
		}
	}
}
