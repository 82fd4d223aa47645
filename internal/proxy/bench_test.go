package proxy_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// discard is a ResponseWriter that keeps nothing, so that benchmarks
// measure the proxy rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}

// trivialUpstream answers every request with a two-byte body.
func trivialUpstream(b *testing.B) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(up.Close)
	return up
}

// caller is who a benchmark's requests come from.
type caller int

const (
	authorized     caller = iota // a client with a token the authorizer allowed
	anonymous                    // a route without authorizer
	authorizedHTTP               // authorized, on an HTTP API's route
)

// benchAPI is the API of the benchmarks' routes, of the given kind.
func benchAPI(p tollgate.APIProtocol) *tollgate.RestAPI {
	return &tollgate.RestAPI{ID: "abc123defg", Protocol: p}
}

// benchRequest is a request as the gateway hands it over, with its
// invocation: after a Cognito authorizer accepted a typical M2M access
// token (proxy's benchInvocation), or on a route without authorizer.
func benchRequest(b *testing.B, who caller) (*http.Request, *gateway.Invocation) {
	r := httptest.NewRequest("GET", "http://abc123.execute-api.us-east-1.localhost/prod/orders/42?expand=items", nil)
	r.Header.Set("Authorization", "Bearer eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.e30.c2ln")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", "bench")
	inv := proxy.BenchInvocation()
	switch who {
	case authorizedHTTP:
		// What the gateway hands over on an HTTP API's route "ANY
		// /{proxy+}" of the stage "prod", behind a JWT authorizer.
		inv.API = benchAPI(tollgate.ProtocolHTTP)
		inv.RouteKey, inv.RawPath = "ANY /{proxy+}", "/prod/orders/42"
	case anonymous:
		inv.ClientID, inv.Claims = "", nil
		r.Header.Del("Authorization")
	}
	// A cancelable context, like the one net/http's server gives every
	// request: the transport watches it in all three cases.
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return r.WithContext(ctx), inv
}

// BenchmarkProxy compares one proxied request over loopback through
// Tollgate's handler with a bare ReverseProxy on the same tuned transport
// and buffer pool (the difference is the proxy's own work: the URI
// template, the header hygiene, the authorizer headers, the timeout) and
// with a default one (NewSingleHostReverseProxy, DefaultTransport, no
// buffer pool). tollgate-noauth is a route without authorizer: no token,
// no X-Tollgate-Client-Id, -Scopes or -Claims. The upstream runs in the
// same process, so its work (parsing the extra headers) is counted too.
func BenchmarkProxy(b *testing.B) {
	up := trivialUpstream(b)
	target, _ := url.Parse(up.URL)

	tr := proxy.NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	p := proxy.New(proxy.Options{Transport: tr})
	route := &tollgate.Route{Method: "ANY", ResourcePath: "/{proxy+}",
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.URL + "/{proxy}"}}
	tollgateIntegration, err := p.Integration(benchAPI(tollgate.ProtocolREST), route)
	if err != nil {
		b.Fatal(err)
	}
	httpIntegration, err := p.Integration(benchAPI(tollgate.ProtocolHTTP), route)
	if err != nil {
		b.Fatal(err)
	}
	bare := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport:  tr,
		BufferPool: proxy.NewBufferPool(),
	}
	def := httputil.NewSingleHostReverseProxy(target)

	handler := func(h http.Handler) gateway.Integration {
		return integrationFunc(func(w http.ResponseWriter, r *http.Request, _ *gateway.Invocation) { h.ServeHTTP(w, r) })
	}
	for _, bb := range []struct {
		name string
		in   gateway.Integration
		who  caller
	}{
		{"tollgate", tollgateIntegration, authorized},
		{"tollgate-http", httpIntegration, authorizedHTTP},
		{"tollgate-noauth", tollgateIntegration, anonymous},
		{"bare", handler(bare), authorized},
		{"default", handler(def), authorized},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r, inv := benchRequest(b, bb.who)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bb.in.Serve(w, r, inv)
			}
		})
		b.Run(bb.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r, inv := benchRequest(b, bb.who)
				w := &discard{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					bb.in.Serve(w, r, inv)
				}
			})
		})
	}
}
