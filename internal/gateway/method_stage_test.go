package gateway_test

import (
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestCaseVariantMethods: "get" is not "GET" (RFC 9110 §9.1), but an
// upstream that upper-cases methods would serve it as GET, so a
// case-variant of a known method matches no route on either kind — not
// the HTTP API's open $default route, which guards less than the route
// "GET" takes — and is answered as the kind answers no route. Methods
// no route knows and that spell no known method still go to $default.
func TestCaseVariantMethods(t *testing.T) {
	guard := func(api *tollgate.RestAPI, _ *gateway.Options) {
		// /admin/{proxy+} stands for a guarded route: "get" must not
		// dodge it by falling to $default.
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/admin/{proxy+}", Method: "ANY", Integration: api.Routes[0].Integration})
	}
	h := newHTTPEnv(t, guard)
	r := newEnv(t, nil)
	for _, m := range []string{"get", "Get", "post", "head", "gET", "any", "Options"} {
		w := h.do(request(m, httpExecHost, "/admin/secret", ""))
		if w.Code != 404 || w.Body.String() != notFoundBody {
			t.Errorf("HTTP API, %s /admin/secret: %d %s", m, w.Code, w.Body)
		}
		if inv, _, _ := h.invocation(); inv != nil {
			t.Errorf("HTTP API, %s: routed to %s", m, inv.RouteKey)
		}
		w = r.do(request(m, execHost, "/prod/open/1", ""))
		if w.Code != 403 || w.Body.String() != `{"message":"Missing Authentication Token"}` {
			t.Errorf("REST API, %s /prod/open/1: %d %s", m, w.Code, w.Body)
		}
		if inv, _, _ := r.invocation(); inv != nil {
			t.Errorf("REST API, %s: routed", m)
		}
	}
	for m, key := range map[string]string{"GET": "ANY /admin/{proxy+}", "PROPFIND": "$default", "TRACE": "$default"} {
		if w := h.do(request(m, httpExecHost, "/admin/secret", "")); w.Code != 200 {
			t.Errorf("%s: %d %s", m, w.Code, w.Body)
		}
		if inv, _, _ := h.invocation(); inv == nil || inv.RouteKey != key {
			t.Errorf("%s: %+v, want %s", m, inv, key)
		}
	}
	if w := r.do(request("GET", execHost, "/prod/open/1", "")); w.Code != 200 {
		t.Errorf("REST GET: %d %s", w.Code, w.Body)
	}
}

// TestHTTPAPIStageSegment: an HTTP API's stage is selected on the first
// segment as routes read it ("%64ev" is "dev"), so that a request cannot
// reach the $default stage with a path that starts with a named stage's
// segment; a segment whose lenient reading names a stage its own reading
// does not ("dev%2Fpets") is refused.
func TestHTTPAPIStageSegment(t *testing.T) {
	e := newHTTPEnv(t, nil)
	for target, want := range map[string]string{
		"/%64ev/pets/dog/1":   "dev",
		"/d%65v/pets/dog/1":   "dev",
		"/dev/pets/dog/1":     "dev",
		"/pets/dog/1":         tollgate.DefaultStageName,
		"/%70ets/dog/1":       tollgate.DefaultStageName,
		"/dev%2Fpets/dog/1":   "",
		"/dev%2fpets/dog/1":   "",
		"/dev%5Cpets/dog/1":   "",
		"/dev%252Fpets/dog/1": "",
		"/dev;x/pets/dog/1":   "",
	} {
		w := e.do(request("GET", httpExecHost, target, ""))
		inv, _, _ := e.invocation()
		if want == "" {
			if w.Code != 404 || inv != nil {
				t.Errorf("%s: %d %s, want 404", target, w.Code, w.Body)
			}
			continue
		}
		if w.Code != 200 || inv == nil || inv.Stage.Name != want || inv.RouteKey != "GET /pets/dog/1" {
			t.Errorf("%s: %d %+v, want stage %s", target, w.Code, inv, want)
		}
	}
}
