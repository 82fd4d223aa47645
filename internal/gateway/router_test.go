package gateway_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

func routes(specs ...string) []tollgate.Route {
	out := make([]tollgate.Route, len(specs))
	for i, s := range specs {
		method, path, _ := strings.Cut(s, " ")
		out[i] = tollgate.Route{Method: method, ResourcePath: path, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}}
	}
	return out
}

func mustRouter(tb testing.TB, rs []tollgate.Route) *gateway.Router {
	tb.Helper()
	rt, err := gateway.NewRouter(rs)
	if err != nil {
		tb.Fatal(err)
	}
	return rt
}

// The seed stack: a root MOCK method and ANY /{proxy+} (contract §7).
var seedRoutes = []string{"GET /", "ANY /{proxy+}"}

var petRoutes = []string{
	"GET /pets",
	"POST /pets",
	"GET /pets/{id}",
	"HEAD /pets/{id}",
	"GET /pets/special",
	"ANY /pets/{id}/toys",
	"DELETE /pets/{id}/toys",
	"GET /files/{path+}",
	"ANY /{proxy+}",
}

// backtrackRoutes need backtracking: "/a/c" leaves the literal "a" for
// the variable {x}.
var backtrackRoutes = []string{"GET /a/b", "GET /{x}/c", "GET /{x}/d/{y}"}

func TestRouterMatch(t *testing.T) {
	type want struct {
		Resource string
		Method   string // the route's method
		Params   map[string]string
	}
	tests := []struct {
		name   string
		routes []string
		method string
		path   string
		want   *want // nil: no match
	}{
		{"root", seedRoutes, "GET", "/", &want{"/", "GET", nil}},
		{"stage only", seedRoutes, "GET", "", &want{"/", "GET", nil}},
		{"root, double slash", seedRoutes, "GET", "//", &want{"/", "GET", nil}},
		{"root, other method: proxy needs a segment", seedRoutes, "POST", "/", nil},
		{"proxy", seedRoutes, "GET", "/hello/world", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "hello/world"}}},
		{"proxy, trailing slash dropped", seedRoutes, "GET", "/proxy-value/", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "proxy-value"}}},
		// API Gateway keeps the slashes inside a greedy value as sent
		// (issue fidelity list; contract §5.1: only the leading and
		// trailing slashes are dropped).
		{"proxy, inner slashes kept", seedRoutes, "PATCH", "//a//b///c//", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "a//b///c"}}},
		{"proxy, not decoded", seedRoutes, "DELETE", "/a%2Fb/c%2Bd", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "a%2Fb/c%2Bd"}}},
		{"OPTIONS goes through ANY", seedRoutes, "OPTIONS", "/x", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "x"}}},
		{"HEAD goes through ANY", seedRoutes, "HEAD", "/x", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "x"}}},

		{"literal", petRoutes, "GET", "/pets", &want{"/pets", "GET", nil}},
		{"literal, trailing slash", petRoutes, "GET", "/pets/", &want{"/pets", "GET", nil}},
		{"literal, other method", petRoutes, "POST", "/pets", &want{"/pets", "POST", nil}},
		{"literal without the method falls back to proxy", petRoutes, "PUT", "/pets", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "pets"}}},
		{"param", petRoutes, "GET", "/pets/1", &want{"/pets/{id}", "GET", map[string]string{"id": "1"}}},
		{"param, double slashes", petRoutes, "GET", "//pets//1/", &want{"/pets/{id}", "GET", map[string]string{"id": "1"}}},
		{"param, encoded slash stays in the segment", petRoutes, "GET", "/pets/a%2Fb", &want{"/pets/{id}", "GET", map[string]string{"id": "a%2Fb"}}},
		{"param, encoded braces are not a template", petRoutes, "GET", "/pets/%7Bid%7D", &want{"/pets/{id}", "GET", map[string]string{"id": "%7Bid%7D"}}},
		{"literal beats param", petRoutes, "GET", "/pets/special", &want{"/pets/special", "GET", nil}},
		{"HEAD is its own method", petRoutes, "HEAD", "/pets/1", &want{"/pets/{id}", "HEAD", map[string]string{"id": "1"}}},
		{"GET does not cover HEAD", petRoutes, "HEAD", "/pets/special", &want{"/pets/{id}", "HEAD", map[string]string{"id": "special"}}},
		{"literal, then param, then proxy", petRoutes, "POST", "/pets/special", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "pets/special"}}},
		{"method beats ANY", petRoutes, "DELETE", "/pets/1/toys", &want{"/pets/{id}/toys", "DELETE", map[string]string{"id": "1"}}},
		{"ANY", petRoutes, "GET", "/pets/1/toys/", &want{"/pets/{id}/toys", "ANY", map[string]string{"id": "1"}}},
		{"greedy below a literal", petRoutes, "GET", "/files/a/b/c.txt", &want{"/files/{path+}", "GET", map[string]string{"path": "a/b/c.txt"}}},
		{"greedy needs a segment", petRoutes, "GET", "/files/", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "files"}}},
		{"deeper than the tree", petRoutes, "GET", "/pets/1/toys/2", &want{"/{proxy+}", "ANY", map[string]string{"proxy": "pets/1/toys/2"}}},
		{"no root method", petRoutes, "GET", "/", nil},
		{"no root method, stage only", petRoutes, "GET", "", nil},
		{"unknown method", petRoutes, "TRACE", "/pets", nil},
		{"lower-case method", petRoutes, "get", "/pets", nil},
		{"ANY is not a request method", petRoutes, "ANY", "/pets", nil},
		{"literals are case-sensitive", backtrackRoutes, "GET", "/A/b", nil},

		{"backtracking", backtrackRoutes, "GET", "/a/c", &want{"/{x}/c", "GET", map[string]string{"x": "a"}}},
		{"backtracking, literal kept", backtrackRoutes, "GET", "/a/b", &want{"/a/b", "GET", nil}},
		{"backtracking, two params", backtrackRoutes, "GET", "/a/d/e", &want{"/{x}/d/{y}", "GET", map[string]string{"x": "a", "y": "e"}}},
		{"backtracking, nothing", backtrackRoutes, "GET", "/a/e", nil},
		{"backtracking, too short", backtrackRoutes, "GET", "/a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := mustRouter(t, routes(tt.routes...))
			m, ok := rt.Match(tt.method, tt.path)
			if tt.want == nil {
				if ok {
					t.Fatalf("matched %s %s, want no match", m.Route.Method, m.Resource)
				}
				return
			}
			if !ok {
				t.Fatal("no match")
			}
			got := &want{m.Resource, m.Route.Method, m.Params()}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("match (-want +got):\n%s", d)
			}
			if m.Route.ResourcePath != m.Resource {
				t.Errorf("Route.ResourcePath %q, Resource %q", m.Route.ResourcePath, m.Resource)
			}
			for i := range m.NumParams() {
				n, v := m.Param(i)
				if got, ok := m.Lookup(n); !ok || got != v {
					t.Errorf("Lookup(%q) = %q, %v; want %q", n, got, ok, v)
				}
			}
		})
	}
}

func TestRouterIndex(t *testing.T) {
	rs := routes(petRoutes...)
	rt := mustRouter(t, rs)
	m, ok := rt.Match("DELETE", "/pets/1/toys")
	if !ok || m.Index != 6 || m.Route != &rs[6] {
		t.Fatalf("Index %d, Route %p, want 6, %p", m.Index, m.Route, &rs[6])
	}
}

func TestNewRouterProblems(t *testing.T) {
	tests := []struct {
		name   string
		routes []string
		want   []string // substrings of the problems, in order
	}{
		{"no leading slash", []string{"GET pets"}, []string{"must start with /"}},
		{"trailing slash", []string{"GET /pets/"}, []string{"must not end with /"}},
		{"empty part", []string{"GET /pets//x"}, []string{"empty path part"}},
		{"empty template", []string{"GET "}, []string{"must start with /"}},
		{"greedy not last", []string{"GET /{proxy+}/x"}, []string{"must be the last"}},
		{"empty variable", []string{"GET /{}"}, []string{"must be {name} or {name+}"}},
		{"empty greedy variable", []string{"GET /{+}"}, []string{"a variable name"}},
		{"unbalanced brace", []string{"GET /{id"}, []string{"must be {name} or {name+}"}},
		{"brace inside", []string{"GET /a{id}"}, []string{"must be {name} or {name+}"}},
		{"bad variable name", []string{"GET /{a b}"}, []string{"a variable name"}},
		{"bad literal", []string{"GET /pe ts"}, []string{"may only hold"}},
		{"colon", []string{"GET /a:b"}, []string{"may only hold"}},
		{"repeated variable", []string{"GET /{id}/x/{id}"}, []string{"appears twice"}},
		{"too many variables", []string{"GET /" + manyVars(17)}, []string{"more than 16"}},
		{"lower-case method", []string{"get /pets"}, []string{`method "get"`}},
		{"unknown method", []string{"TRACE /pets"}, []string{`method "TRACE"`}},
		{"no method", []string{" /pets"}, []string{`method ""`}},
		{"duplicate method", []string{"GET /pets", "POST /pets", "GET /pets"}, []string{"Routes[2].Method: method GET is defined twice on \"/pets\" (also by route 0)"}},
		{"duplicate ANY", []string{"ANY /{proxy+}", "ANY /{proxy+}"}, []string{"method ANY is defined twice"}},
		{"sibling variables", []string{"GET /pets/{id}", "GET /pets/{name}"}, []string{"{name} conflicts with its sibling {id} under \"/pets\""}},
		{"sibling greedy and variable", []string{"GET /{id}", "ANY /{proxy+}"}, []string{"{proxy+} conflicts with its sibling {id} under \"/\""}},
		{"sibling greedy and variable, deeper", []string{"GET /a/{id}/b", "GET /a/{id+}"}, []string{"{id+} conflicts with its sibling {id}"}},
		{"every problem at once", []string{"GET pets", "get /x", "GET /{a}", "GET /{b}", "GET /{a}"}, []string{"Routes[0]", "Routes[1]", "Routes[3]", "Routes[4]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gateway.NewRouter(routes(tt.routes...))
			var probs gateway.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("err = %v, want Problems", err)
			}
			if len(probs) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(probs), len(tt.want), err)
			}
			for i, w := range tt.want {
				if s := probs[i].String(); !strings.Contains(s, w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, s, w)
				}
			}
		})
	}
	// Legal: the same variable reached twice, variables below literals, 16 variables.
	for _, ok := range [][]string{
		{"GET /pets/{id}", "POST /pets/{id}", "GET /pets/{id}/toys/{toy}", "GET /stores/{id}"},
		{"GET /" + manyVars(16)},
		{"GET /v1.0/a_b/c-d", "ANY /v1.0/{proxy+}", "GET /{x}"},
	} {
		if _, err := gateway.NewRouter(routes(ok...)); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

func manyVars(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("{p%d}", i)
	}
	return strings.Join(parts, "/")
}

// normalize is the path routing sees: runs of slashes merged, no trailing
// slash, "/" at least.
func normalize(p string) string {
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return "/" + strings.Join(segs, "/")
}

// substitute puts a match's parameters back into its resource path.
func substitute(m *gateway.Match) string {
	p := m.Resource
	for i := range m.NumParams() {
		n, v := m.Param(i)
		p = strings.Replace(p, "{"+n+"+}", v, 1)
		p = strings.Replace(p, "{"+n+"}", v, 1)
	}
	return p
}

var fuzzRoutes = append(append([]string{}, petRoutes...),
	"GET /",
	"GET /pets/{id}/toys/{toy}",
	"PUT /pets/{id}/toys/{toy}/{rest+}",
	"GET /stores/{store}/{item}",
	"POST /stores/{store}/checkout",
)

// FuzzMatch: the router never panics, and a match's parameters put back
// into its resource path give the request path (runs of slashes aside:
// they are kept inside a greedy value and count as one elsewhere).
func FuzzMatch(f *testing.F) {
	rt := mustRouter(f, routes(fuzzRoutes...))
	for _, s := range []string{"", "/", "//", "/pets", "/pets/1", "//pets//1//", "/pets/1/toys/2/a/b/", "/files/a%2Fb/c",
		"/stores/s1/checkout", "/stores/s1/i1", "/a/b/c/d/e/f/g", "/pets/special/", "/%2F/%00", "/pets/{id}"} {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE"} {
			f.Add(m, s)
		}
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		m, ok := rt.Match(method, path)
		if !ok {
			return
		}
		if m.Route == nil || (m.Route.Method != method && m.Route.Method != "ANY") {
			t.Fatalf("%s %q matched route %+v", method, path, m.Route)
		}
		if got, want := normalize(substitute(&m)), normalize(path); got != want {
			t.Fatalf("%s %q matched %s with params %v: substituted %q, want %q", method, path, m.Resource, m.Params(), got, want)
		}
		for i := range m.NumParams() {
			if _, v := m.Param(i); v == "" || strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/") {
				t.Fatalf("%s %q: bad parameter value %q", method, path, v)
			}
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	rt := mustRouter(b, routes(fuzzRoutes...))
	for _, c := range []struct{ method, path string }{
		{"GET", "/pets"},
		{"GET", "/pets/1234"},
		{"GET", "/pets/1234/toys/99"},
		{"POST", "/hello/world/and/more"},
		{"POST", "/pets/special"}, // backtracks twice
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
