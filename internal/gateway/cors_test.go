package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

const appOrigin = "https://app.example.com"

// corsAPI edits httpAPI: a CORS configuration, and a route behind a JWT
// authorizer that would refuse a request without a token.
func corsAPI(c *tollgate.CORSConfiguration) func(*tollgate.RestAPI, *gateway.Options) {
	return func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.CORS = c
		api.Routes = append(api.Routes, tollgate.Route{
			ResourcePath: "/private", Method: "PUT",
			Authorizer: &tollgate.Authorizer{
				Name: "jwt", Type: tollgate.AuthorizerJWT,
				IdentitySource: "$request.header.Authorization",
				JWT: &tollgate.JWTConfiguration{
					Algorithms: []string{"RS256"},
					Issuers:    []tollgate.JWTIssuer{{Issuer: issuerOf(poolA), JWKSURL: issuerOf(poolA) + "/.well-known/jwks.json", Audiences: []string{clientA}}},
				},
			},
			Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"},
		})
	}
}

func maxAge(n int) *int { return &n }

func preflight(target, origin, method, headers string) *http.Request {
	r := request("OPTIONS", httpExecHost, target, "")
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		r.Header.Set("Access-Control-Request-Headers", headers)
	}
	return r
}

// corsHeaders returns the Access-Control-* headers of an answer.
func corsHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if len(k) > 15 && k[:15] == "Access-Control-" {
			out[k] = v[0]
		}
	}
	return out
}

// TestCORSPreflight: API Gateway answers an HTTP API's preflight from its
// CORS configuration, before authorizers, even without an OPTIONS route
// (apigw-beyond §4.5; http-api-cors.md), but for one an OPTIONS route or
// only the $default route takes, with the
// configured Access-Control-Allow-* headers when the origin, method and
// headers are allowed, and none otherwise. The status, 204, is unverified
// (§4.5 "Preflight status U (204 expected)").
func TestCORSPreflight(t *testing.T) {
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, opts *gateway.Options) {
		corsAPI(&tollgate.CORSConfiguration{
			AllowOrigins:     []string{appOrigin, "https://other.example.com"},
			AllowMethods:     []string{"GET", "PUT"},
			AllowHeaders:     []string{"Authorization", "Content-Type"},
			ExposeHeaders:    []string{"X-Trace"},
			AllowCredentials: true,
			MaxAge:           maxAge(300),
		})(api, opts)
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/opts/{proxy+}", Method: "OPTIONS", Integration: api.Routes[0].Integration})
	})
	allowed := map[string]string{
		"Access-Control-Allow-Origin":      appOrigin,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET,PUT",
		"Access-Control-Allow-Headers":     "Authorization,Content-Type",
		"Access-Control-Max-Age":           "300",
	}
	none := map[string]string{}
	tests := []struct {
		name string
		r    *http.Request
		want map[string]string
	}{
		{"allowed, on a route with an authorizer", preflight("/private", appOrigin, "PUT", "authorization, content-type"), allowed},
		{"allowed, no route", preflight("/nowhere/at/all", appOrigin, "PUT", ""), allowed},
		{"allowed, named stage", preflight("/dev/private", appOrigin, "GET", ""), allowed},
		{"origin in another case", preflight("/private", "HTTPS://APP.example.com", "PUT", ""), map[string]string{
			"Access-Control-Allow-Origin":      "HTTPS://APP.example.com",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods":     "GET,PUT",
			"Access-Control-Allow-Headers":     "Authorization,Content-Type",
			"Access-Control-Max-Age":           "300",
		}},
		{"origin not allowed", preflight("/private", "https://evil.example.com", "PUT", ""), none},
		{"origin a prefix of an allowed one", preflight("/private", "https://app.example.co", "PUT", ""), none},
		{"method not allowed", preflight("/private", appOrigin, "DELETE", ""), none},
		{"header not allowed", preflight("/private", appOrigin, "PUT", "content-type, x-secret"), none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.r)
			if w.Code != 204 || w.Body.Len() != 0 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			checkHTTPAnswer(t, w)
			if got := corsHeaders(w.Header()); !cmp.Equal(got, tt.want) {
				t.Errorf("headers %v, want %v", got, tt.want)
			}
			if inv, _, _ := e.invocation(); inv != nil {
				t.Errorf("the integration was called (%s)", inv.RouteKey)
			}
		})
	}

	// A preflight that only the $default route would take goes to it, and
	// so does one an OPTIONS route takes (http-api-cors.md: "The $default
	// route catches requests for all methods and routes that you haven't
	// explicitly defined, including OPTIONS requests"; its remedy, an
	// OPTIONS /{proxy+} route, takes them from it).
	for target, key := range map[string]string{"/": "$default", "/opts/a": "OPTIONS /opts/{proxy+}"} {
		w := e.do(preflight(target, appOrigin, "PUT", ""))
		if w.Code != 200 {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
		if inv, _, _ := e.invocation(); inv == nil || inv.RouteKey != key {
			t.Errorf("%s: routed to %+v, want %s", target, inv, key)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != appOrigin {
			t.Errorf("%s: Access-Control-Allow-Origin %q", target, got)
		}
	}

	// Not a preflight: routed (OPTIONS goes to ANY /{proxy+}).
	r := request("OPTIONS", httpExecHost, "/pets/dog/1", "")
	r.Header.Set("Origin", appOrigin)
	if w := e.do(r); w.Code != 200 {
		t.Errorf("OPTIONS without Access-Control-Request-Method: %d", w.Code)
	}
	if inv, _, _ := e.invocation(); inv == nil || inv.RouteKey != "ANY /{proxy+}" {
		t.Errorf("OPTIONS without Access-Control-Request-Method: %+v", inv)
	}
}

// TestCORSWildcards: "*" origins are answered "*" (a recorded answer of
// an HTTP API: "Access-Control-Allow-Origin: *", code-index file
// 27491341443); "*" methods and headers allow any.
func TestCORSWildcards(t *testing.T) {
	e := newHTTPEnv(t, corsAPI(&tollgate.CORSConfiguration{
		AllowOrigins: []string{"*"},
		AllowMethods: []string{"*"},
		AllowHeaders: []string{"*"},
	}))
	w := e.do(preflight("/private", "https://anyone.example.net", "PATCH", "x-anything"))
	want := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "*",
		"Access-Control-Allow-Headers": "*",
	}
	if got := corsHeaders(w.Header()); w.Code != 204 || !cmp.Equal(got, want) {
		t.Errorf("%d %v, want %v", w.Code, got, want)
	}
}

// TestCORSAnswers: every other answer of an API with a CORS configuration
// carries Access-Control-Allow-Origin (-Credentials, -Expose-Headers) when
// its origin is allowed, the integration's and the gateway's alike, and
// the integration's own Access-Control-* headers are dropped: API
// Gateway ignores them (http-api-cors.md; apigw-beyond §4.5).
func TestCORSAnswers(t *testing.T) {
	e := newHTTPEnv(t, func(api *tollgate.RestAPI, opts *gateway.Options) {
		corsAPI(&tollgate.CORSConfiguration{
			AllowOrigins:     []string{appOrigin},
			AllowMethods:     []string{"GET"},
			ExposeHeaders:    []string{"X-Trace", "X-Other"},
			AllowCredentials: true,
		})(api, opts)
		opts.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, _ *http.Request, _ *gateway.Invocation) {
				w.Header().Set("Access-Control-Allow-Origin", "https://evil.example.com")
				w.Header()["access-control-max-age"] = []string{"9999"} // as a Lambda's headers may be keyed
				w.Header().Set("X-Trace", "t")
				w.Write([]byte("ok"))
			}), nil
		})
	})
	allowed := map[string]string{
		"Access-Control-Allow-Origin":      appOrigin,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Expose-Headers":    "X-Trace,X-Other",
	}
	tests := []struct {
		name, origin, target string
		status               int
		want                 map[string]string
	}{
		{"integration, allowed origin", appOrigin, "/pets/dog/1", 200, allowed},
		{"integration, other origin", "https://evil.example.com", "/pets/dog/1", 200, map[string]string{}},
		{"integration, no origin", "", "/pets/dog/1", 200, map[string]string{}},
		{"gateway's 401, allowed origin", appOrigin, "/private", 401, allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "GET"
			if tt.status == 401 {
				method = "PUT"
			}
			r := request(method, httpExecHost, tt.target, "")
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			w := e.do(r)
			if w.Code != tt.status {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			got := corsHeaders(w.Header())
			for k := range w.Header() {
				if strings.EqualFold(k, "Access-Control-Max-Age") {
					got[k] = "present"
				}
			}
			if !cmp.Equal(got, tt.want) {
				t.Errorf("headers %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCORSNone: without a CORS configuration, a preflight is routed like
// any OPTIONS request, and the integration's CORS headers are its own.
func TestCORSNone(t *testing.T) {
	e := newHTTPEnv(t, nil)
	w := e.do(preflight("/pets/dog/1", appOrigin, "PUT", ""))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if inv, _, _ := e.invocation(); inv == nil || inv.RouteKey != "ANY /{proxy+}" {
		t.Errorf("the preflight was not routed: %+v", inv)
	}
}
