package gateway_test

import (
	"net/http"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// BenchmarkHandler serves an HTTP_PROXY method behind the Cognito
// authorizer with a cached token, through an integration that reads what
// internal/proxy reads of the invocation for its decision headers: the
// path parameters, the scopes and the claims header. The upstream
// exchange itself is left out (see proxy's BenchmarkProxy).
func BenchmarkHandler(b *testing.B) {
	var params map[string]string
	var scopes, claimsHeader string
	e := newEnv(b, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Observer = nil
		o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
			return integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
				params, scopes, claimsHeader = inv.PathParameters(), inv.ScopeList(), inv.ClaimsHeader()
			}), nil
		})
	})
	r := request("GET", execHost+":8080", "/prod/orders/42", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
	serveLoop(b, e.gw, r)
	if st := e.gw.CacheStats(); st.Misses != 1 || len(params) == 0 || scopes == "" || claimsHeader == "" {
		b.Fatalf("cache stats %+v, params %v, scopes %q, claims %q", st, params, scopes, claimsHeader)
	}
}
