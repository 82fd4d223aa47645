package proxy_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
	"golang.org/x/text/unicode/norm"
)

// confinedRoutes: the upstream's /admin/ is the guarded route's alone (no
// request here carries a token); the open routes grant the rest of it.
var confinedRoutes = []struct {
	resource, uri string
	guarded       bool
}{
	{"/admin/{proxy+}", "/admin/{proxy}", true},
	{"/public/{proxy+}", "/public/{proxy}", false},
	{"/files/{name}", "/public/files/{name}.json", false},
	{"/{proxy+}", "/{proxy}", false},
}

// noKeys is a key source without keys: the guarded route refuses every
// request of these tests, which carry no token.
type noKeys struct{}

func (noKeys) PublicKeys(context.Context, string) (bearer.Keys, error) {
	return bearer.Keys{}, nil
}

// targets is an upstream that records the raw request targets it gets.
type targets struct {
	url  string
	mu   sync.Mutex
	seen []string
}

// startTargets starts the upstream, and returns it and a quiet Proxy.
func startTargets(tb testing.TB) (*targets, *proxy.Proxy, *slog.Logger) {
	l := &targets{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seen = append(l.seen, r.RequestURI)
		l.mu.Unlock()
	}))
	tb.Cleanup(up.Close)
	l.url = up.URL
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := proxy.New(proxy.Options{Logger: quiet})
	tb.Cleanup(p.CloseIdleConnections)
	return l, p, quiet
}

// during returns the targets the upstream got while serve ran.
func (l *targets) during(serve func()) []string {
	l.mu.Lock()
	l.seen = l.seen[:0]
	l.mu.Unlock()
	serve()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// confinementEnv is the gateway and the proxy wired as the server wires
// them, in front of an upstream that records the raw request targets.
type confinementEnv struct {
	gw *gateway.Gateway
	up *targets
}

func newConfinementEnv(tb testing.TB) *confinementEnv {
	up, p, quiet := startTargets(tb)
	e := &confinementEnv{up: up}
	api := &tollgate.RestAPI{ID: "confine001", Name: "confine", Stages: []tollgate.Stage{{Name: "prod"}}}
	authz := &tollgate.Authorizer{Name: "guard", PoolIDs: []string{"us-east-1_AAAAAAAAA"}, IdentitySource: "method.request.header.Authorization"}
	for _, r := range confinedRoutes {
		route := tollgate.Route{ResourcePath: r.resource, Method: "ANY",
			Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.url + r.uri}}
		if r.guarded {
			route.Authorizer, route.AuthorizationScopes = authz, []string{"api/admin"}
		}
		api.Routes = append(api.Routes, route)
	}
	var err error
	e.gw, err = gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{api}, Logger: quiet,
		Issuer: func(pool string) string { return "http://127.0.0.1/" + pool }, Keys: noKeys{},
		Integrations: p})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// lenientPath is what the most lenient upstream could make of a request
// target: percent-decoding repeated, Unicode compatibility forms folded
// (NFKC), '\' and the overlong and fullwidth forms of '/' and '.' folded, ";params" cut from each segment, dot
// segments resolved (RFC 3986 §5.2.4) and runs of slashes merged.
func lenientPath(target string) string {
	p, _, _ := strings.Cut(target, "?")
	for range 8 {
		dec := percentDecodeAll(p)
		if dec == p {
			break
		}
		p = dec
	}
	p = norm.NFKC.String(p)
	p = strings.NewReplacer("\\", "/", "\xc0\xaf", "/", "\xc1\x9c", "/", "\uff0f", "/", "\uff3c", "/",
		"\xc0\xae", ".", "\xe0\x80\xae", ".", "\uff0e", ".").Replace(p)
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		seg, _, _ = strings.Cut(seg, ";")
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

func percentDecodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && apigw.IsHex(s[i+1]) && apigw.IsHex(s[i+2]) {
			b.WriteByte(unhexDigit(s[i+1])<<4 | unhexDigit(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhexDigit(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// FuzzPathConfinement holds the gateway's path invariant: whatever an
// upstream would normalize the forwarded path to stays inside what the
// routes a request without a token can pass grant: never the guarded
// /admin/, for every request path, however encoded.
func FuzzPathConfinement(f *testing.F) {
	for _, s := range []string{"x", "a/b/c", "../admin", "admin%2Fx", "admin%5cx", "admin;x/y", "%61dmin%2Fx",
		"admin%252Fx", "admin%3Bx/y", "%EF%BD%81dmin/x", "public/..%e0%80%afadmin", "..%2fadmin", "..%2Fadmin", "%2e%2e/admin", "%2E%2e%2fadmin",
		"..%5cadmin", "..\\admin", "%252e%252e%252fadmin", "..;/admin", "%c0%ae%c0%ae/admin", "%ef%bc%8e%ef%bc%8e/admin",
		"public/..%2f..%2fadmin", "files/..%2f..%2fadmin", "files/..", "files/%2e%2e", "a//..//b", "%2f%2e%2e%2f",
		"public/x%00/../../admin", "%25252e%25252e/admin", "..%c0%afadmin", "x/.%2e/.%2e/admin"} {
		f.Add(s)
	}
	e := newConfinementEnv(f)
	f.Fuzz(func(t *testing.T, rest string) {
		target := "/prod/" + rest
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
			"GET " + target + " HTTP/1.1\r\nHost: confine001.execute-api.us-east-1.localhost\r\n\r\n")))
		if err != nil {
			return // not a request net/http would serve
		}
		e.check(t, r)
	})
}

// check serves r and fails if the upstream got a path outside /public/.
func (e *confinementEnv) check(t *testing.T, r *http.Request) (reached bool) {
	t.Helper()
	seen := e.up.during(func() { e.gw.ServeHTTP(httptest.NewRecorder(), r) })
	for _, got := range seen {
		// The guarded route grants /admin/{proxy+}: /admin/ and more.
		if p := lenientPath(got); strings.HasPrefix(p, "/admin/") && len(p) > len("/admin/") {
			t.Fatalf("GET %q reached the upstream as %q, which resolves to %q: the guarded route's", r.RequestURI, got, p)
		}
	}
	return len(seen) > 0
}

// The fuzz target's harness forwards ordinary paths: an invariant that
// held because nothing reached the upstream would hold nothing.
func TestPathConfinementForwards(t *testing.T) {
	e := newConfinementEnv(t)
	for _, target := range []string{"/prod/x", "/prod/public/a/b", "/prod/files/report", "/prod/a%2Fb", "/prod/files/a%2Fb"} {
		r := httptest.NewRequest("GET", target, nil)
		r.Host = "confine001.execute-api.us-east-1.localhost"
		if !e.check(t, r) {
			t.Errorf("GET %s did not reach the upstream", target)
		}
	}
}

// defaultRouteEnv is an HTTP API's $default route, whose integration sends
// the request's whole path after its URI's path (/public), in front of an
// upstream that records the raw request targets; and the gateway's path
// rules, which refuse an ambiguous path (an encoded dot segment, "..%2f",
// overlong forms…) before any route, of either kind of API, is chosen. Those
// rules are the gateway's: here a REST API's open route "/{proxy+}" tells
// and "/" tell which paths they let through, until the gateway routes
// HTTP APIs.
type defaultRouteEnv struct {
	h     gateway.Integration
	route *tollgate.Route
	gw    *gateway.Gateway
	up    *targets
}

func newDefaultRouteEnv(tb testing.TB) *defaultRouteEnv {
	up, p, quiet := startTargets(tb)
	e := &defaultRouteEnv{up: up}
	api := &tollgate.RestAPI{ID: "confine002", Protocol: tollgate.ProtocolHTTP}
	e.route = &tollgate.Route{Method: "ANY", ResourcePath: tollgate.DefaultRouteKey,
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.url + "/public"}}
	var err error
	if e.h, err = p.Integration(api, e.route); err != nil {
		tb.Fatal(err)
	}
	open := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://unused/"}
	rest := &tollgate.RestAPI{ID: "confine003", Stages: []tollgate.Stage{{Name: "prod"}}, Routes: []tollgate.Route{
		{ResourcePath: "/", Method: "ANY", Integration: open}, {ResourcePath: "/{proxy+}", Method: "ANY", Integration: open}}}
	e.gw, err = gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{rest}, Logger: quiet,
		Integrations: gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, _ *http.Request, _ *gateway.Invocation) { w.WriteHeader(http.StatusTeapot) }), nil
		})})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// accepted reports whether the gateway's path rules let the path of target
// through.
func (e *defaultRouteEnv) accepted(target string) bool {
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
		"GET /prod" + target + " HTTP/1.1\r\nHost: confine003.execute-api.us-east-1.localhost\r\n\r\n")))
	if err != nil {
		return false
	}
	w := httptest.NewRecorder()
	e.gw.ServeHTTP(w, r)
	return w.Code == http.StatusTeapot
}

// check serves r on the $default stage, its path as sent being the
// invocation's RawPath, and fails if the upstream got a path that resolves
// outside /public.
func (e *defaultRouteEnv) check(t *testing.T, r *http.Request) (reached bool) {
	t.Helper()
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	inv := &gateway.Invocation{Route: e.route, ResourcePath: e.route.ResourcePath, RouteKey: tollgate.DefaultRouteKey,
		Stage: &tollgate.Stage{Name: tollgate.DefaultStageName}, Path: raw, RawPath: raw, RequestID: "r"}
	seen := e.up.during(func() { e.h.Serve(httptest.NewRecorder(), r, inv) })
	for _, got := range seen {
		if p := lenientPath(got); p != "/public" && !strings.HasPrefix(p, "/public/") {
			t.Fatalf("GET %q reached the upstream as %q, which resolves to %q: outside the URI's /public", r.RequestURI, got, p)
		}
	}
	return len(seen) > 0
}

// FuzzDefaultRouteConfinement holds the $default route's path invariant:
// the request's whole path is sent after the URI's path, and whatever an
// upstream would normalize it to stays under that path, however encoded,
// for every path the gateway's rules let through.
func FuzzDefaultRouteConfinement(f *testing.F) {
	for _, s := range []string{"x", "store/checkout", "", "a//b/", "..", "../admin", "%2e%2e/admin", "%2E%2e%2fadmin",
		"..%2fadmin", "..%5cadmin", "..\\admin", "..;/admin", "%252e%252e%252fadmin", "%c0%ae%c0%ae/admin",
		"%ef%bc%8e%ef%bc%8e/admin", "a/b/../../..", "x/.%2e/.%2e/admin", ".%2e", "%2e", "public/x%00/../../admin",
		"..%c0%afadmin", "a%2F..%2F..%2Fadmin", "%25252e%25252e/admin", "a;/../..", "?q=../x", "%2e%2e", "a/%2e"} {
		f.Add(s)
	}
	e := newDefaultRouteEnv(f)
	f.Fuzz(func(t *testing.T, rest string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
			"GET /" + rest + " HTTP/1.1\r\nHost: confine002.execute-api.us-east-1.localhost\r\n\r\n")))
		if err != nil || !e.accepted(r.RequestURI) {
			return // not a request net/http would serve, or one the gateway refuses
		}
		e.check(t, r)
	})
}

// The $default fuzz target's harness forwards ordinary paths, and its
// filter refuses the ambiguous ones.
func TestDefaultRouteConfinementForwards(t *testing.T) {
	e := newDefaultRouteEnv(t)
	for _, target := range []string{"/", "/x", "/store/checkout?x=1", "/a%2Fb", "/a//b/", "/v1.2/.x/a..b"} {
		if !e.accepted(target) {
			t.Errorf("the gateway refuses %s", target)
		}
		if r := httptest.NewRequest("GET", target, nil); !e.check(t, r) {
			t.Errorf("GET %s did not reach the upstream", target)
		}
	}
	for _, target := range []string{"/..%2fadmin", "/a%2F..%2F..%2Fadmin", "/%252e%252e%252fadmin"} {
		if e.accepted(target) {
			t.Errorf("the gateway lets %s through", target)
		}
	}
}
