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
		io.WriteString(w, "ok")
	}))
	b.Cleanup(up.Close)
	return up
}

// benchRequest is a request as the gateway hands it over after a Cognito
// authorizer accepted a typical M2M access token.
func benchRequest(b *testing.B, authorized bool) *http.Request {
	r := httptest.NewRequest("GET", "http://abc123.execute-api.us-east-1.localhost/prod/orders/42?expand=items", nil)
	r.Header.Set("Authorization", "Bearer eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.e30.c2ln")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", "bench")
	req := &proxy.Request{
		PathParams: map[string]string{"proxy": "orders/42"},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		Scopes:     []string{"default/default"},
		Claims: map[string]string{
			"sub": "6rupb256qn12tju82occ9eppqr", "token_use": "access", "scope": "default/default",
			"auth_time": "1683085806", "iss": "http://127.0.0.1:8080/us-east-1_pxAHZcSSX",
			"exp": "Thu May 04 03:50:06 UTC 2023", "iat": "Wed May 03 03:50:06 UTC 2023", "version": "2",
			"jti": "5d92ca29-677e-40d9-a074-2d86fbcb4023", "client_id": "6rupb256qn12tju82occ9eppqr",
		},
		RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		Stage:     "prod",
	}
	// A cancelable context, like the one net/http's server gives every
	// request: the transport watches it in all three cases.
	if !authorized {
		req = &proxy.Request{PathParams: req.PathParams, RequestID: req.RequestID, Stage: req.Stage}
		r.Header.Del("Authorization")
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return r.WithContext(proxy.WithRequest(ctx, req))
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
	p, err := proxy.New(proxy.Options{
		Transport: tr,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, kind proxy.ErrorKind) {
			b.Errorf("proxy error %v", kind)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	tollgateHandler, err := p.Handler(tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.URL + "/{proxy}"})
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

	for _, bb := range []struct {
		name       string
		h          http.Handler
		authorized bool
	}{
		{"tollgate", tollgateHandler, true},
		{"tollgate-noauth", tollgateHandler, false},
		{"bare", bare, true},
		{"default", def, true},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r := benchRequest(b, bb.authorized)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bb.h.ServeHTTP(w, r)
			}
		})
		b.Run(bb.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := benchRequest(b, bb.authorized)
				w := &discard{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					bb.h.ServeHTTP(w, r)
				}
			})
		})
	}
}
