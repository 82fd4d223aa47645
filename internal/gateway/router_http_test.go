package gateway_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestHTTPRouterSelection: one matcher, two selections. An HTTP API takes
// a full match before any greedy one, then $default (apigw-beyond §4.1;
// http-api-develop-routes.html "Routing API requests", whose example
// routes and requests are the first four cases); a REST API searches
// depth-first, literal before variable before greedy, at each level, and
// has no $default route.
func TestHTTPRouterSelection(t *testing.T) {
	rs := routes(
		"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}",
		"GET /shop/a/{proxy+}", "GET /shop/{x}/b",
		"ANY $default",
	)
	http, err := gateway.NewHTTPRouter(rs)
	if err != nil {
		t.Fatal(err)
	}
	rest := mustRouter(t, rs[:6])
	tests := []struct {
		method, path string
		http, rest   string // the resource each selects; "" for none
		params       map[string]string
	}{
		{"GET", "/pets/dog/1", "/pets/dog/1", "/pets/dog/1", nil},
		{"GET", "/pets/dog/2", "/pets/dog/{id}", "/pets/dog/{id}", map[string]string{"id": "2"}},
		{"GET", "/pets/cat/1", "/pets/{proxy+}", "/pets/{proxy+}", map[string]string{"proxy": "cat/1"}},
		{"POST", "/test/5", "/{proxy+}", "/{proxy+}", map[string]string{"proxy": "test/5"}},
		// The difference: a full match below a variable beats a greedy
		// one below a literal on an HTTP API only.
		{"GET", "/shop/a/b", "/shop/{x}/b", "/shop/a/{proxy+}", map[string]string{"x": "a"}},
		{"GET", "/shop/a/b/c", "/shop/a/{proxy+}", "/shop/a/{proxy+}", map[string]string{"proxy": "b/c"}},
		// The root matches a root greedy route on an HTTP API (rootGreedy).
		{"GET", "/", "/{proxy+}", "", map[string]string{"proxy": ""}},
		{"GET", "", "/{proxy+}", "", map[string]string{"proxy": ""}},
		{"GET", "/pets/dog", "/pets/{proxy+}", "/pets/{proxy+}", map[string]string{"proxy": "dog"}},
		{"GET", "/shop/a", "/{proxy+}", "/{proxy+}", map[string]string{"proxy": "shop/a"}},
		{"TRACE", "/pets/dog/1", "$default", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			m, ok := http.Match(tt.method, tt.path)
			if got := matched(http, tt.method, tt.path); got != tt.http {
				t.Errorf("HTTP API: %q, want %q", got, tt.http)
			}
			if ok && !cmp.Equal(m.Params(), tt.params) {
				t.Errorf("HTTP API: parameters %v, want %v", m.Params(), tt.params)
			}
			if ok && tt.http == "$default" && (m.Index != 6 || m.Route != &rs[6] || m.NumParams() != 0) {
				t.Errorf("$default: index %d, %d parameters", m.Index, m.NumParams())
			}
			if got := matched(rest, tt.method, tt.path); got != tt.rest {
				t.Errorf("REST API: %q, want %q", got, tt.rest)
			}
		})
	}
	if _, ok := http.Match("ANY", "/x"); ok {
		t.Error(`"ANY" is no request method`)
	}
}

// matched returns the resource of the route rt selects, or "".
func matched(rt *gateway.Router, method, path string) string {
	m, ok := rt.Match(method, path)
	if !ok {
		return ""
	}
	return m.Resource
}

// TestHTTPRouterWithoutDefault: without a $default route, what matches
// nothing is not found.
func TestHTTPRouterWithoutDefault(t *testing.T) {
	rt, err := gateway.NewHTTPRouter(routes("GET /pets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"POST", "/pets"}, {"GET", "/"}, {"TRACE", "/pets"}} {
		if m, ok := rt.Match(c[0], c[1]); ok {
			t.Errorf("%v matched %s", c, m.Resource)
		}
	}
}

// TestNewHTTPRouterProblems: the $default route once; the positions of
// the tree's problems are the routes' own.
func TestNewHTTPRouterProblems(t *testing.T) {
	for _, tt := range []struct {
		routes []string
		want   string
	}{
		{[]string{"ANY $default", "GET /x", "ANY $default"}, "Routes[2].ResourcePath: the $default route is defined twice (also by route 0)"},
		{[]string{"ANY $default", "GET /pets/{id}", "GET /pets/{name}"}, "Routes[2].ResourcePath: path part {name} conflicts"},
	} {
		_, err := gateway.NewHTTPRouter(routes(tt.routes...))
		var probs gateway.Problems
		if !errors.As(err, &probs) || len(probs) != 1 || !strings.Contains(probs[0].String(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.routes, err, tt.want)
		}
	}
}

// FuzzHTTPMatch: an HTTP API's router never panics; it selects a route of
// the tree exactly when a REST API's router over the same routes does
// (both searches see every match), otherwise $default; a match's
// parameters give the request path back, as in FuzzMatch; and when the
// REST router finds a full match, the HTTP router's is full too.
func FuzzHTTPMatch(f *testing.F) {
	tree := routes(fuzzRoutes...)
	rest := mustRouter(f, tree)
	rt, err := gateway.NewHTTPRouter(append(routes(fuzzRoutes...), routes("ANY $default")...))
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "/", "//", "/pets", "/pets/1", "//pets//1//", "/pets/1/toys/2/a/b/", "/files/a%2Fb/c",
		"/stores/s1/checkout", "/stores/s1/i1", "/a/b/c/d/e/f/g", "/pets/special/", "/%2F/%00", "/pets/{id}"} {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "ANY"} {
			f.Add(m, s)
		}
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		m, ok := rt.Match(method, path)
		rm, rok := rest.Match(method, path)
		if method == "ANY" {
			if ok {
				t.Fatalf(`"ANY" matched %s`, m.Resource)
			}
			return
		}
		if !ok {
			t.Fatalf("%s %q: no route, not even $default", method, path)
		}
		if m.Resource == "$default" {
			if rok || m.NumParams() != 0 || m.Route.Key() != "$default" {
				t.Fatalf("%s %q: $default (%d parameters), but REST matched %v %s", method, path, m.NumParams(), rok, rm.Resource)
			}
			return
		}
		if !rok && m.Resource == "/{proxy+}" && strings.Trim(path, "/") == "" {
			return // rootGreedy, on HTTP APIs only
		}
		if !rok {
			t.Fatalf("%s %q matched %s, REST nothing", method, path, m.Resource)
		}
		if m.Route.Method != method && m.Route.Method != "ANY" {
			t.Fatalf("%s %q matched route %+v", method, path, m.Route)
		}
		if got, want := normalize(substitute(&m)), normalize(path); got != want {
			t.Fatalf("%s %q matched %s with params %v: substituted %q, want %q", method, path, m.Resource, m.Params(), got, want)
		}
		if !strings.Contains(rm.Resource, "+}") && strings.Contains(m.Resource, "+}") {
			t.Fatalf("%s %q: REST's full match %s, HTTP's greedy %s", method, path, rm.Resource, m.Resource)
		}
	})
}

func BenchmarkHTTPMatch(b *testing.B) {
	rt, err := gateway.NewHTTPRouter(append(routes(fuzzRoutes...), routes("ANY $default")...))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/pets/1234"},
		{"POST", "/hello/world/and/more"}, // a greedy match: two passes
		{"TRACE", "/pets"},                // $default
	} {
		b.Run(c.method+c.path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := rt.Match(c.method, c.path); !ok {
					b.Fatal("no match")
				}
			}
		})
	}
}

// TestRouterCaseVariantMethods: a case-variant of a known method matches
// nothing on either kind, not even the HTTP API's $default route; a method
// no route can name still goes to $default.
func TestRouterCaseVariantMethods(t *testing.T) {
	rs := routes("ANY /admin/{proxy+}", "GET /pets", "ANY $default")
	http, err := gateway.NewHTTPRouter(rs)
	if err != nil {
		t.Fatal(err)
	}
	rest := mustRouter(t, rs[:2])
	for _, m := range []string{"get", "Get", "post", "head", "any", "oPTIONS"} {
		for _, p := range []string{"/admin/secret", "/pets", "/other"} {
			if got, ok := http.Match(m, p); ok {
				t.Errorf("HTTP: %s %s matched %s", m, p, got.Resource)
			}
			if got, ok := rest.Match(m, p); ok {
				t.Errorf("REST: %s %s matched %s", m, p, got.Resource)
			}
		}
	}
	if got := matched(http, "PROPFIND", "/admin/secret"); got != "$default" {
		t.Errorf("PROPFIND: %q, want $default", got)
	}
	if got := matched(http, "GET", "/admin/secret"); got != "/admin/{proxy+}" {
		t.Errorf("GET: %q", got)
	}
	if _, err := gateway.NewRouter(rs); err == nil || !strings.Contains(err.Error(), "a REST API has no $default route") {
		t.Errorf("a REST API's $default route: %v", err)
	}
}
