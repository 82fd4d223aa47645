package gateway_test

import (
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

// BenchmarkAuthorizedProxy is the whole authorized HTTP_PROXY path in
// process, as the server runs it: the gateway (route match, Cognito
// authorizer with a cached token, throttles, header policy, invocation)
// handing the request to internal/proxy's integration, which proxies it
// over loopback to a trivial upstream; beside it, a bare tuned
// ReverseProxy on the same transport, the baseline of bench/gateway.sh.
// The upstream runs in the same process, so its work is counted too.
func BenchmarkAuthorizedProxy(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(up.Close)
	tr := proxy.NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	px := proxy.New(proxy.Options{Transport: tr, Logger: quiet})
	e := newEnv(b, func(api *tollgate.RestAPI, o *gateway.Options) {
		o.Observer = nil
		for i := range api.Routes {
			if api.Routes[i].Integration.Type == tollgate.IntegrationHTTPProxy {
				api.Routes[i].Integration.URI = up.URL + "/{proxy}"
			}
		}
		o.Integrations = px
	})
	tok := mint(b, keyA, keyA.kid, claims(issuerOf(poolA)))
	b.Run("tollgate", func(b *testing.B) {
		serveLoop(b, e.gw, request("GET", execHost+":8080", "/prod/orders/42", tok))
		if st := e.gw.CacheStats(); st.Misses != 1 {
			b.Fatalf("cache stats %+v", st)
		}
	})
	target, _ := url.Parse(up.URL)
	bare := &httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.SetXForwarded() },
		Transport:  tr,
		BufferPool: proxy.NewBufferPool(),
	}
	b.Run("bare", func(b *testing.B) {
		r := request("GET", execHost+":8080", "/orders/42", tok)
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.h)
			bare.ServeHTTP(w, r)
		}
	})
}
