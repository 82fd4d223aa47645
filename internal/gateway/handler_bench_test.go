package gateway_test

import (
	"net/http"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// BenchmarkHandler serves an HTTP_PROXY method behind the Cognito
// authorizer with a cached token, through an integration that does what
// the server's does before proxying (internal/server's withProxyRequest):
// it reads the invocation's claim strings and scopes into a proxy.Request.
// The upstream exchange itself is left out (see proxy's BenchmarkProxy).
func BenchmarkHandler(b *testing.B) {
	var sink *proxy.Request
	e := newEnv(b, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Observer = nil
		o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (http.Handler, error) {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inv, _ := gateway.FromContext(r.Context())
				sink = &proxy.Request{
					PathParams:   inv.PathParameters(),
					ClientID:     inv.ClientID,
					Scopes:       inv.Scopes(),
					Claims:       inv.ClaimStrings(),
					ClaimsHeader: inv.ClaimsHeader(),
					RequestID:    inv.RequestID,
					Stage:        inv.Stage.Name,
				}
			}), nil
		})
	})
	r := request("GET", execHost+":8080", "/prod/orders/42", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
	w := &discard{h: http.Header{}}
	e.gw.ServeHTTP(w, r)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.gw.ServeHTTP(w, r)
	}
	if st := e.gw.CacheStats(); st.Misses != 1 || len(sink.Claims) == 0 || len(sink.Scopes) == 0 {
		b.Fatalf("cache stats %+v, request %+v", st, sink)
	}
}
