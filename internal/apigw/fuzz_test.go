package apigw

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// FuzzParsePath: a path ParsePath accepts is rendered back as written, and
// its parameters are its variable parts.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"/", "/pets/{id}", "/{proxy+}", "/a/{b}/c/{d+}", "//", "/{+}", "/{a}/{a}", "/a:b", "/{a b}", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		parts, err := ParsePath(p)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "resource path ") {
				t.Fatalf("%q: %v", p, err)
			}
			return
		}
		if FormatPath(parts) != p {
			t.Fatalf("%q renders as %q", p, FormatPath(parts))
		}
		if len(Params(parts)) > MaxPathParams {
			t.Fatalf("%q: %d parameters", p, len(Params(parts)))
		}
		for i, pt := range parts {
			if pt.Greedy && i != len(parts)-1 {
				t.Fatalf("%q: greedy part %d is not the last", p, i)
			}
		}
	})
}

// FuzzParseIntegrationURI: a URI ParseIntegrationURI accepts has an http(s)
// scheme, a host, no two placeholders in a row, and a path whose literal
// text is percent-encoded.
func FuzzParseIntegrationURI(f *testing.F) {
	for _, s := range []string{"http://h/{proxy}", "https://h:8443/v1/{a}/x/{b}.json?k=v", "http://h", "http://h/{proxy+}",
		"http://{h}/", "http://h/{a}{b}", "http://h/%zz", "http://h/${stageVariables.x}", "http://[::1]:80/{x}", "http://h/a/../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, msg := ParseIntegrationURI(uri)
		if msg != "" {
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			t.Fatalf("%q: scheme %q, host %q", uri, u.Scheme, u.Host)
		}
		for i, pt := range u.Parts {
			if pt.Param != "" && i > 0 && u.Parts[i-1].Param != "" {
				t.Fatalf("%q: placeholders in a row", uri)
			}
			if pt.Param == "" && !validURIPath(pt.Lit) {
				t.Fatalf("%q: literal %q is not percent-encoded", uri, pt.Lit)
			}
		}
	})
}

// FuzzAuthorizerRules: the rules on a Lambda authorizer's identity
// sources, validation expression and a pool's ARN never panic; an accepted
// ARN gives a pool id of its own region and an accepted expression
// compiles.
func FuzzAuthorizerRules(f *testing.F) {
	for _, s := range []string{"method.request.header.A", "context.httpMethod", "stageVariables.v", "(?=a)",
		"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc", "a,b, c", "[", `\1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = CheckRequestIdentitySource(s)
		for _, src := range SplitIdentitySources(s) {
			if strings.Contains(src, ",") {
				t.Fatalf("%q: source %q holds a comma", s, src)
			}
		}
		if CheckValidationExpression(s) == "" {
			if _, err := regexp.Compile(s); err != nil {
				t.Fatalf("%q accepted but does not compile: %v", s, err)
			}
		}
		if p, msg := ParseCognitoPoolARN(s); msg == "" && !strings.HasPrefix(p.PoolID, p.Region+"_") {
			t.Fatalf("%q: pool %q of region %q", s, p.PoolID, p.Region)
		}
	})
}

// FuzzCheckRouteKey: a route key CheckRouteKey accepts names a method and
// a path the gate accepts; HTTP API identity sources are checked without
// panicking, and one that passes parses.
func FuzzCheckRouteKey(f *testing.F) {
	for _, s := range []string{"GET /pets/{id}", "ANY /{proxy+}", "$default", "GET  /x", "get /x", "GET /x/", "GET", " /", "$request.header.A", "$context.routeKey"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckRouteKey(s) == "" && s != tollgate.DefaultRouteKey {
			m, p, _ := strings.Cut(s, " ")
			if _, err := ParsePath(p); err != nil || MethodIndex(m) < 0 {
				t.Fatalf("%q accepted: %v", s, err)
			}
		}
		if CheckHTTPIdentitySource(s) == "" {
			if _, _, ok := ParseHTTPIdentitySource(s); !ok {
				t.Fatalf("%q passes the check but does not parse", s)
			}
		}
		_ = CheckHTTPTokenSource(s)
		_ = checkOrigin(s)
	})
}
