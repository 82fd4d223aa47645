package proxy_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// httpAPI is the HTTP API (API Gateway v2) the routes of these tests
// belong to.
var httpAPI = &tollgate.RestAPI{ID: "a1b2c3d4e5", Protocol: tollgate.ProtocolHTTP}

// httpInvocation is what the gateway hands over for a request to path on
// an HTTP API's route: stage is "$default" (no path segment) or a named
// stage, whose segment RawPath keeps; params are the route's path
// parameters.
func httpInvocation(route *tollgate.Route, stage, path string, params ...gateway.Param) *gateway.Invocation {
	raw := path
	if stage != tollgate.DefaultStageName {
		raw = "/" + stage + path
	}
	return &gateway.Invocation{
		API: httpAPI, Stage: &tollgate.Stage{Name: stage}, Route: route,
		ResourcePath: route.ResourcePath, RouteKey: route.Key(),
		Path: path, RawPath: raw, PathParams: params,
		RequestID: "ZnW3ugQkIAMEb7Q=", DomainName: "a1b2c3d4e5.execute-api.us-east-1.localhost",
	}
}

// serve hands r to h as the gateway does and returns the answer.
func serve(h gateway.Integration, r *http.Request, inv *gateway.Invocation) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.Serve(w, r, inv)
	return w
}

// gatewayAnswer is the gateway response t as inv's API answers it
// (Invocation.WriteResponse): what the proxy must answer its failures with.
func gatewayAnswer(inv *gateway.Invocation, t gateway.ResponseType) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	inv.WriteResponse(w, t)
	return w
}

// sameAnswer fails unless got is the gateway response want.
func sameAnswer(t *testing.T, got, want *httptest.ResponseRecorder) {
	t.Helper()
	if got.Code != want.Code || got.Body.String() != want.Body.String() {
		t.Errorf("answer %d %q, want the gateway response %d %q", got.Code, got.Body, want.Code, want.Body)
	}
	// Request ids are made afresh for each response: compare their
	// presence, and the other headers' values.
	ids := map[string]bool{"X-Amzn-Requestid": true, "X-Amz-Apigw-Id": true, "Apigw-Requestid": true}
	mask := func(h http.Header) http.Header {
		m := h.Clone()
		for k := range m {
			if ids[k] {
				m[k] = []string{"(id)"}
			}
		}
		return m
	}
	if diff := cmp.Diff(mask(want.Header()), mask(got.Header())); diff != "" {
		t.Errorf("answer headers (-want +got):\n%s", diff)
	}
}

// The paths an HTTP API's HTTP_PROXY integration sends upstream. Sources:
// the $default route "sends the full request path to the integration"
// (/store/checkout → https://petstore-demo-endpoint.execute-api.com/store/checkout),
// query strings "are sent to your integration" (?id=4&type=dog): AWS,
// http-api-develop-routes.html; ANY /parent/{proxy+} with
// https://petstore-demo-endpoint.execute-api.com/petstore/{proxy} and
// /pets/{petID} with /pets/extendedpath/{petID}: AWS,
// http-api-develop-integrations-http.html. A named stage's segment is part
// of the full path: $request.path is "the request path, without the stage
// name" (http-api-parameter-mapping.html), and a route GET /echo on the
// stage dev reached its backend as /dev/echo (a recorded request in
// nguyentrungduc134/EKS-API-Gateway's README).
func TestHTTPAPIUpstreamPath(t *testing.T) {
	up, ch := recorder(t)
	base := up.URL
	tests := []struct {
		name   string
		route  *tollgate.Route
		stage  string
		target string // the path after the stage, and the query
		params []gateway.Param
		want   string // the upstream's request target
	}{
		{"$default route: full path", route("ANY", tollgate.DefaultRouteKey, base, 0), "$default", "/store/checkout", nil, "/store/checkout"},
		{"$default route: root", route("ANY", tollgate.DefaultRouteKey, base, 0), "$default", "/", nil, "/"},
		{"$default route: query passed on", route("ANY", tollgate.DefaultRouteKey, base, 0), "$default", "/pets?id=4&type=dog", nil, "/pets?id=4&type=dog"},
		{"$default route: named stage kept", route("ANY", tollgate.DefaultRouteKey, base, 0), "dev", "/store/checkout", nil, "/dev/store/checkout"},
		{"$default route: URI path first", route("ANY", tollgate.DefaultRouteKey, base+"/api", 0), "$default", "/store/checkout", nil, "/api/store/checkout"},
		{"$default route: URI path's slash", route("ANY", tollgate.DefaultRouteKey, base+"/api/", 0), "$default", "/store", nil, "/api/store"},
		{"$default route: URI query first", route("ANY", tollgate.DefaultRouteKey, base+"/?v=2", 0), "$default", "/x?q=1&v=9", nil, "/x?v=2&q=1"},
		{"$default route: encoded path kept", route("ANY", tollgate.DefaultRouteKey, base, 0), "$default", "/a%2Fb/c%20d", nil, "/a%2Fb/c%20d"},
		{"$default route: double slash kept", route("ANY", tollgate.DefaultRouteKey, base, 0), "$default", "/a//b/", nil, "/a//b/"},
		{"greedy route", route("ANY", "/parent/{proxy+}", base+"/petstore/{proxy}", 0), "$default", "/parent/dogs/1",
			[]gateway.Param{{Name: "proxy", Value: "dogs/1"}}, "/petstore/dogs/1"},
		{"greedy route on a named stage", route("ANY", "/parent/{proxy+}", base+"/petstore/{proxy}", 0), "prod", "/parent/dogs/1?x=1",
			[]gateway.Param{{Name: "proxy", Value: "dogs/1"}}, "/petstore/dogs/1?x=1"},
		{"path variable", route("GET", "/pets/{petID}", base+"/pets/extendedpath/{petID}", 0), "$default", "/pets/6",
			[]gateway.Param{{Name: "petID", Value: "6"}}, "/pets/extendedpath/6"},
		{"URI without placeholders", route("GET", "/pets", base+"/v1/animals", 0), "$default", "/pets?id=4", nil, "/v1/animals?id=4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			h := f.integration(httpAPI, tt.route)
			path, _, _ := strings.Cut(tt.target, "?")
			inv := httpInvocation(tt.route, tt.stage, path, tt.params...)
			w := serve(h, httptest.NewRequest("GET", tt.target, nil), inv)
			if w.Code != 200 || w.Body.String() != "ok" {
				t.Fatalf("got %d %q; log:\n%s", w.Code, w.Body, f.log())
			}
			if got := (<-ch).RequestURI; got != tt.want {
				t.Errorf("upstream request target %q, want %q", got, tt.want)
			}
		})
	}
}

// A $default route's path with a "." or ".." segment is refused, as a
// path parameter with one is: it is not resolved into another route's
// path.
func TestHTTPAPIDefaultRouteRefusesDotSegments(t *testing.T) {
	up, ch := recorder(t)
	rt := route("ANY", tollgate.DefaultRouteKey, up.URL+"/public", 0)
	for _, raw := range []string{"/a/../admin", "/..", "/./x", "/a/%2e%2E/admin", "/x/.%2e"} {
		t.Run(raw, func(t *testing.T) {
			f := newFixture(t)
			inv := httpInvocation(rt, tollgate.DefaultStageName, raw)
			w := serve(f.integration(httpAPI, rt), httptest.NewRequest("GET", "/", nil), inv)
			sameAnswer(t, w, gatewayAnswer(inv, gateway.ResponseMissingAuthenticationToken))
			select {
			case s := <-ch:
				t.Errorf("the upstream got %s", s.RequestURI)
			default:
			}
		})
	}
}

// IntegrationMethod: CDK's HttpUrlIntegration writes "ANY" (the request's
// method), a route may name one (AWS::ApiGatewayV2::Integration's
// IntegrationMethod).
func TestHTTPAPIIntegrationMethod(t *testing.T) {
	up, ch := recorder(t)
	for _, tt := range []struct{ method, request, want string }{
		{"", "DELETE", "DELETE"},
		{"ANY", "PATCH", "PATCH"},
		{"POST", "GET", "POST"},
		{"GET", "POST", "GET"},
	} {
		t.Run(tt.method+" "+tt.request, func(t *testing.T) {
			f := newFixture(t)
			rt := route("ANY", "/orders", up.URL+"/orders", 0)
			rt.Integration.Method = tt.method
			w := serve(f.integration(httpAPI, rt), httptest.NewRequest(tt.request, "/orders", strings.NewReader("b")),
				httpInvocation(rt, tollgate.DefaultStageName, "/orders"))
			if w.Code != 200 {
				t.Fatalf("status %d; log:\n%s", w.Code, f.log())
			}
			if s := <-ch; s.Method != tt.want || s.Body != "b" {
				t.Errorf("upstream got %s with body %q, want %s with the request's", s.Method, s.Body, tt.want)
			}
		})
	}
	// On a REST API the request's method is sent, as before.
	f := newFixture(t)
	rt := route("ANY", "/orders", up.URL+"/orders", 0)
	rt.Integration.Method = "POST"
	serve(f.integration(restAPI, rt), httptest.NewRequest("PUT", "/prod/orders", nil), &gateway.Invocation{API: restAPI})
	if s := <-ch; s.Method != "PUT" {
		t.Errorf("REST upstream got %s, want the request's PUT", s.Method)
	}
}

// What an HTTP API sends upstream besides the request: a request an HTTP
// API forwarded (a recorded one, nguyentrungduc134/EKS-API-Gateway's
// README) carried "forwarded: for=123.16.133.126;host=vl01c9gt7i.execute-api.us-east-1.amazonaws.com;proto=https",
// "via: HTTP/1.1 AmazonAPIGateway" and x-amzn-trace-id, and no
// x-amzn-apigateway-api-id. The X-Forwarded-* and X-Tollgate-* headers are
// Tollgate's, as on REST APIs.
func TestHTTPAPIHeaders(t *testing.T) {
	up, ch := recorder(t)
	rt := route("ANY", "/{proxy+}", up.URL+"/{proxy}", 0)
	rt.Authorizer = &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT}
	rt.AuthorizationScopes = []string{"orders/read"}
	f := newFixture(t)
	h := f.integration(httpAPI, rt)

	base := func(remote, host string) (*http.Request, *gateway.Invocation) {
		r := httptest.NewRequest("POST", "/prod/orders/1", strings.NewReader("payload"))
		r.RemoteAddr, r.Host = remote, host
		r.Header.Set("Authorization", "Bearer eyJ.x.y")
		r.Header.Set("Forwarded", "for=6.6.6.6;host=evil.example")
		r.Header.Set("X-Tollgate-Client-Id", "evil")
		inv := httpInvocation(rt, "prod", "/orders/1", gateway.Param{Name: "proxy", Value: "orders/1"})
		inv.ClientID = "6rupb256qn12tju82occ9eppqr"
		inv.Claims = &bearer.Claims{ClientID: inv.ClientID, Scope: "orders/read", Raw: []byte(`{"client_id":"6rupb256qn12tju82occ9eppqr","scope":"orders/read"}`)}
		return r, inv
	}
	tests := []struct {
		name, remote, host string
		via                []string // the client's Via
		want               map[string][]string
	}{
		{"IPv4 client, execute-api host", "198.51.100.7:50432", "a1b2c3d4e5.execute-api.us-east-1.localhost", nil, map[string][]string{
			"Forwarded":         {"for=198.51.100.7;host=a1b2c3d4e5.execute-api.us-east-1.localhost;proto=http"},
			"Via":               {proxy.ViaHTTPAPI},
			"X-Forwarded-For":   {"198.51.100.7"},
			"X-Forwarded-Host":  {"a1b2c3d4e5.execute-api.us-east-1.localhost"},
			"X-Forwarded-Proto": {"http"},
		}},
		// RFC 7239 §6: an IPv6 node is bracketed and quoted; §4: a
		// value that is not a token (host:port) is quoted.
		{"IPv6 client, host with a port", "[2001:db8::7]:50432", "127.0.0.1:8080", nil, map[string][]string{
			"Forwarded":         {`for="[2001:db8::7]";host="127.0.0.1:8080";proto=http`},
			"Via":               {proxy.ViaHTTPAPI},
			"X-Forwarded-For":   {"2001:db8::7"},
			"X-Forwarded-Host":  {"127.0.0.1:8080"},
			"X-Forwarded-Proto": {"http"},
		}},
		// RFC 9110 §7.6.3: each intermediary appends its Via.
		{"client's Via kept", "198.51.100.7:1", "h.example", []string{"1.1 corp-proxy"}, map[string][]string{
			"Forwarded":         {"for=198.51.100.7;host=h.example;proto=http"},
			"Via":               {"1.1 corp-proxy", proxy.ViaHTTPAPI},
			"X-Forwarded-For":   {"198.51.100.7"},
			"X-Forwarded-Host":  {"h.example"},
			"X-Forwarded-Proto": {"http"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, inv := base(tt.remote, tt.host)
			if tt.via != nil {
				r.Header["Via"] = tt.via
			}
			if w := serve(h, r, inv); w.Code != 200 {
				t.Fatalf("status %d; log:\n%s", w.Code, f.log())
			}
			s := <-ch
			for k, v := range tt.want {
				if diff := cmp.Diff(v, s.Header.Values(k)); diff != "" {
					t.Errorf("upstream %s (-want +got):\n%s", k, diff)
				}
			}
			if v := s.Header.Values(proxy.HeaderAPIID); v != nil {
				t.Errorf("upstream %s = %q; an HTTP API does not send it", proxy.HeaderAPIID, v)
			}
			if got := s.Header.Get(proxy.HeaderClientID); got != "6rupb256qn12tju82occ9eppqr" {
				t.Errorf("upstream %s = %q, want the token's", proxy.HeaderClientID, got)
			}
			if got := s.Header.Get(proxy.HeaderScopes); got != "orders/read" {
				t.Errorf("upstream %s = %q", proxy.HeaderScopes, got)
			}
			if s.Header.Get(proxy.HeaderClaims) == "" || s.Header.Get(proxy.HeaderStage) != "prod" ||
				s.Header.Get(proxy.HeaderRequestID) != "ZnW3ugQkIAMEb7Q=" || s.Header.Get("Authorization") != "Bearer eyJ.x.y" {
				t.Errorf("upstream headers lack the decision or the request's: %v", s.Header)
			}
		})
	}

	// A REST API's route sends X-Amzn-Apigateway-Api-Id, and neither
	// Forwarded nor Via.
	restRoute := route("ANY", "/{proxy+}", up.URL+"/{proxy}", 0)
	r, _ := base("198.51.100.7:1", "h.example")
	serve(f.integration(restAPI, restRoute), r, &gateway.Invocation{API: restAPI, PathParams: []gateway.Param{{Name: "proxy", Value: "x"}}})
	s := <-ch
	if s.Header.Get(proxy.HeaderAPIID) != restAPI.ID || s.Header.Get("Forwarded") != "" || s.Header.Get("Via") != "" {
		t.Errorf("REST upstream headers: %v", s.Header)
	}
}

// The Forwarded element leaves out what it cannot carry, and never sends a
// value a client made up.
func TestHTTPAPIForwardedEdges(t *testing.T) {
	up, ch := recorder(t)
	rt := route("ANY", tollgate.DefaultRouteKey, up.URL, 0)
	f := newFixture(t)
	h := f.integration(httpAPI, rt)
	for _, tt := range []struct{ remote, host, want string }{
		{"not-an-address", "h.example", "for=unknown;host=h.example;proto=http"},
		{"", "h.example", "for=unknown;host=h.example;proto=http"},
		{"198.51.100.7:1", `h"x`, "for=198.51.100.7;proto=http"},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.RemoteAddr, r.Host = tt.remote, tt.host
		serve(h, r, httpInvocation(rt, tollgate.DefaultStageName, "/x"))
		s := <-ch
		if got := s.Header.Get("Forwarded"); got != tt.want {
			t.Errorf("RemoteAddr %q, Host %q: Forwarded %q, want %q", tt.remote, tt.host, got, tt.want)
		}
		// X-Forwarded-For names a client only when there is one
		// (httputil.ProxyRequest.SetXForwarded's rule).
		if _, _, err := net.SplitHostPort(tt.remote); err != nil && s.Header.Values("X-Forwarded-For") != nil {
			t.Errorf("RemoteAddr %q: X-Forwarded-For %q", tt.remote, s.Header.Values("X-Forwarded-For"))
		}
	}
}

// HTTP APIs pass the upstream's answer headers as they are: no
// x-amzn-Remapped-* (REST APIs remap Date, Server and the request ids;
// contract apigw-beyond §4.5 has no such rule for HTTP APIs, and the
// parameter-mapping page's response mappings name the headers as the
// integration sent them).
func TestHTTPAPIAnswerHeadersNotRemapped(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "upstream/1.0")
		w.Header().Set("X-Amzn-Requestid", "upstream-id")
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	}))
	defer up.Close()
	f := newFixture(t)
	rt := route("GET", "/x", up.URL+"/x", 0)
	w := serve(f.integration(httpAPI, rt), httptest.NewRequest("GET", "/x", nil), httpInvocation(rt, "$default", "/x"))
	if w.Header().Get("Server") != "upstream/1.0" || w.Header().Get("X-Amzn-Requestid") != "upstream-id" {
		t.Errorf("answer headers %v, want the upstream's as they are", w.Header())
	}
	for k := range w.Header() {
		if strings.HasPrefix(strings.ToLower(k), "x-amzn-remapped-") {
			t.Errorf("answer has %s on an HTTP API", k)
		}
	}
	// The same upstream behind a REST API's route: remapped.
	w = serve(f.integration(restAPI, rt), httptest.NewRequest("GET", "/x", nil), &gateway.Invocation{API: restAPI})
	if w.Header().Get("X-Amzn-Remapped-Server") != "upstream/1.0" || w.Header().Get("Server") != "" {
		t.Errorf("REST answer headers %v, want Server remapped", w.Header())
	}
}

// An HTTP API's failures are the gateway responses of its kind
// (Invocation.WriteResponse): an unreachable upstream is
// ResponseIntegrationFailure (500 {"message":"Internal Server Error"} on
// an HTTP API), the timeout ResponseIntegrationTimeout (503 {"message":
// "Service Unavailable"}, cortexlabs/cortex#1225's capture), a body over the
// limit ResponseRequestTooLarge. Contract apigw-beyond §4.5.
func TestHTTPAPIFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	slow, _, release := blocking(t, nothingFirst)
	defer close(release)
	up, _ := recorder(t)

	t.Run("unreachable", func(t *testing.T) {
		f := newFixture(t)
		rt := route("ANY", tollgate.DefaultRouteKey, down, 0)
		inv := httpInvocation(rt, tollgate.DefaultStageName, "/x")
		sameAnswer(t, serve(f.integration(httpAPI, rt), httptest.NewRequest("GET", "/x", nil), inv),
			gatewayAnswer(inv, gateway.ResponseIntegrationFailure))
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFixture(t)
		rt := route("ANY", tollgate.DefaultRouteKey, slow.URL, 100*time.Millisecond)
		inv := httpInvocation(rt, tollgate.DefaultStageName, "/x")
		sameAnswer(t, serve(f.integration(httpAPI, rt), httptest.NewRequest("GET", "/x", nil), inv),
			gatewayAnswer(inv, gateway.ResponseIntegrationTimeout))
	})
	t.Run("body too large", func(t *testing.T) {
		f := newFixture(t)
		rt := route("ANY", tollgate.DefaultRouteKey, up.URL, 0)
		inv := httpInvocation(rt, tollgate.DefaultStageName, "/x")
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/x", io.MultiReader(bytes.NewReader(make([]byte, 1<<20))))
		r.Body = http.MaxBytesReader(w, r.Body, 1<<10)
		f.integration(httpAPI, rt).Serve(w, r, inv)
		sameAnswer(t, w, gatewayAnswer(inv, gateway.ResponseRequestTooLarge))
	})
}

// A route's timeout of zero is its API kind's default: 29 s on a REST API,
// 30 s on an HTTP API (AWS::ApiGatewayV2::Integration TimeoutInMillis:
// 50–30,000, default 30,000; contract apigw-beyond §4.5).
func TestDefaultTimeouts(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		api     *tollgate.RestAPI
		timeout time.Duration
		want    time.Duration
	}{
		{restAPI, 0, tollgate.DefaultIntegrationTimeout},
		{httpAPI, 0, tollgate.DefaultHTTPIntegrationTimeout},
		{restAPI, 5 * time.Second, 5 * time.Second},
		{httpAPI, 5 * time.Second, 5 * time.Second},
	} {
		h := f.integration(tt.api, route("GET", "/x", "http://h/x", tt.timeout))
		if got := proxy.Timeout(h); got != tt.want {
			t.Errorf("%s API, timeout %s: %s, want %s", tt.api.Protocol, tt.timeout, got, tt.want)
		}
	}
	if tollgate.DefaultHTTPIntegrationTimeout != 30*time.Second || tollgate.DefaultIntegrationTimeout != 29*time.Second {
		t.Errorf("default timeouts %s and %s, want AWS's 30 s and 29 s", tollgate.DefaultHTTPIntegrationTimeout, tollgate.DefaultIntegrationTimeout)
	}
}
