package gateway_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// A spelling of a guarded path that routes to a weaker route is refused
// when a lenient upstream would read it as the guarded path (%2F, %5C,
// ";params", double encoding, compatibility forms), and served when the
// route it would reach guards nothing more.
func TestRouteConfusion(t *testing.T) {
	authzFor := func(api *tollgate.RestAPI) *tollgate.Authorizer {
		for _, r := range api.Routes {
			if r.Authorizer != nil {
				return r.Authorizer
			}
		}
		t.Fatal("no authorizer")
		return nil
	}
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		a := authzFor(api)
		up := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://up/{proxy}"}
		api.Routes = []tollgate.Route{
			{ResourcePath: "/{proxy+}", Method: "ANY", Integration: up},
			{ResourcePath: "/admin/{proxy+}", Method: "ANY", Authorizer: a, AuthorizationScopes: []string{scope}, Integration: up},
			{ResourcePath: "/files/{key}", Method: "GET", Authorizer: a, AuthorizationScopes: []string{scope}, Integration: up},
			{ResourcePath: "/files/{key}/{rest+}", Method: "GET", Authorizer: a, AuthorizationScopes: []string{scope, "other/read"}, Integration: up},
			{ResourcePath: "/strict/{key}", Method: "GET", Authorizer: a, AuthorizationScopes: []string{scope, "other/read"}, Integration: up},
			{ResourcePath: "/strict/{key}/{rest+}", Method: "GET", Authorizer: a, AuthorizationScopes: []string{scope}, Integration: up},
		}
	})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for _, tt := range []struct {
		target, token string
		status        int
	}{
		{"/prod/admin/x", "", 401},
		{"/prod/elsewhere/x", "", 200},
		{"/prod/admin%2Fx", "", 403},
		{"/prod/admin%2fx", "", 403},
		{"/prod/admin%5Cx", "", 403},
		{"/prod/admin%252Fx", "", 403},
		{"/prod/admin;x/y", "", 403},
		{"/prod/admin%3Bx/y", "", 403},
		{"/prod/%EF%BD%81dmin/x", "", 403},
		{"/prod/admin%2Fx", tok, 403},
		// /files/{key} allows a token with scope; its lenient reading's
		// route allows the same tokens: an encoded slash in a key is
		// served.
		{"/prod/files/a%2Fb", tok, 200},
		// /strict/{key} allows tokens with "other/read" that the route the
		// lenient reading selects does not: refused.
		{"/prod/strict/a%2Fb", tok, 403},
	} {
		w := e.do(request("GET", execHost, tt.target, tt.token))
		if w.Code != tt.status {
			t.Errorf("GET %s (token %v): %d %s, want %d", tt.target, tt.token != "", w.Code, w.Body, tt.status)
		}
	}

	// Routes of the same authorizer and scopes differing by their binding
	// requirement (none < any < dpop | mtls, dpop and mtls incomparable):
	// a spelling served by a route requiring less than the route its
	// lenient reading selects is refused, or a bearer token would reach
	// what only a DPoP-bound token may (RFC 9449 §7.2: a bound token sent
	// as a bearer token is refused; RFC 8705 §3 alike for certificates).
	e = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		a := authzFor(api)
		up := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://up/{proxy}"}
		route := func(path, require string) tollgate.Route {
			return tollgate.Route{ResourcePath: path, Method: "ANY", Authorizer: a, AuthorizationScopes: []string{scope}, Integration: up, RequireBinding: require}
		}
		api.Routes = []tollgate.Route{
			route("/{proxy+}", ""),
			route("/admin/{proxy+}", tollgate.BindingDPoP),
			route("/any/{proxy+}", tollgate.BindingAny),
			route("/any/dpop/{proxy+}", tollgate.BindingDPoP),
			route("/mtls/{proxy+}", tollgate.BindingMTLS),
			route("/mtls/dpop/{proxy+}", tollgate.BindingDPoP),
			route("/mtls/open/{proxy+}", ""),
		}
		o.Replay = &memReplay{}
	})
	for _, tt := range []struct {
		target string
		status int
	}{
		{"/prod/elsewhere/x", 200},
		{"/prod/admin/x", 401},       // a plain bearer token where DPoP is required
		{"/prod/admin%2Fx", 403},     // none serves, dpop guards the lenient reading
		{"/prod/any%2Fx", 403},       // none < any
		{"/prod/any/dpop%2Fx", 403},  // any < dpop
		{"/prod/mtls/dpop%2Fx", 403}, // mtls and dpop incomparable
		// mtls serves, the lenient reading's route requires nothing: the
		// request is judged by the stricter route, which refuses a plain
		// bearer token.
		{"/prod/mtls/open%2Fx", 401},
	} {
		w := e.do(request("GET", execHost, tt.target, tok))
		if w.Code != tt.status {
			t.Errorf("GET %s (bearer token): %d %s, want %d", tt.target, w.Code, w.Body, tt.status)
		}
	}
}

// Base path mappings are chosen on the path as routes see it: "/%76%31/x"
// and "//v1/x" are "/v1/x".
func TestBasePathSpelling(t *testing.T) {
	mock := func(body string) tollgate.Integration {
		return tollgate.Integration{Type: tollgate.IntegrationMock, MockBody: body}
	}
	v1 := &tollgate.RestAPI{ID: "v1api00001", Name: "v1", Stages: []tollgate.Stage{{Name: "prod"}},
		DomainNames: []tollgate.APIDomain{{DomainName: "api.example.com", Stage: "prod", BasePath: "v1"}},
		Routes:      []tollgate.Route{{ResourcePath: "/{proxy+}", Method: "ANY", Integration: mock("v1")}}}
	root := &tollgate.RestAPI{ID: "rootapi001", Name: "root", Stages: []tollgate.Stage{{Name: "prod"}},
		DomainNames: []tollgate.APIDomain{{DomainName: "api.example.com", Stage: "prod"}},
		Routes:      []tollgate.Route{{ResourcePath: "/{proxy+}", Method: "ANY", Integration: mock("root")}}}
	gw, err := gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{v1, root}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{"/v1/x": "v1", "/%76%31/x": "v1", "//v1/x": "v1", "/v%31/x": "v1", "/other/x": "root"} {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, httptest.NewRequest("GET", "http://api.example.com"+target, nil))
		if w.Code != 200 || w.Body.String() != want {
			t.Errorf("GET %s: %d %q, want the %s mapping", target, w.Code, w.Body, want)
		}
	}
	// An ambiguous path is refused, not mapped to the root.
	w := httptest.NewRecorder()
	gw.ServeHTTP(w, httptest.NewRequest("GET", "http://api.example.com/v1/..%2Fx", nil))
	if w.Code != 403 {
		t.Errorf("GET /v1/..%%2Fx: %d %s", w.Code, w.Body)
	}
}

// An identity source header and a twin that CGI-style upstreams read as
// the same variable (X_Api_Token for X-Api-Token) are ambiguous
// credentials: refused.
func TestIdentitySourceTwin(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		for i := range api.Routes {
			if a := api.Routes[i].Authorizer; a != nil {
				a.IdentitySource = "method.request.header.X-Api-Token"
			}
		}
	})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	r := request("GET", execHost, "/prod/x", "")
	r.Header["X-Api-Token"] = []string{tok}
	if w := e.do(r); w.Code != 200 {
		t.Fatalf("one header: %d %s", w.Code, w.Body)
	}
	for _, twin := range []string{"X_Api_Token", "x_api_token", "x-api-token"} {
		r := request("GET", execHost, "/prod/x", "")
		r.Header["X-Api-Token"] = []string{tok}
		r.Header[twin] = []string{"other"}
		if w := e.do(r); w.Code != 401 {
			t.Errorf("with %s: %d %s, want 401", twin, w.Code, w.Body)
		}
	}
}
