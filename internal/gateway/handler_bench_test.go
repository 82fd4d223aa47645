package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// BenchmarkHandler serves an HTTP_PROXY method behind an authorizer whose
// decision is cached, through an integration that reads what
// internal/proxy reads of the invocation for its decision headers. The
// upstream exchange itself is left out (see proxy's BenchmarkProxy).
//
//   - cognito: the Cognito authorizer with a cached token; the integration
//     reads the path parameters, the scopes and the claims header.
//   - lambda: a TOKEN authorizer with a cached policy (evaluated again
//     for the request's methodArn); the integration reads the path
//     parameters, the principal id and the context header.
func BenchmarkHandler(b *testing.B) {
	b.Run("cognito", func(b *testing.B) {
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
	})
	b.Run("lambda", func(b *testing.B) {
		var params map[string]string
		var principal, contextHeader string
		fn := &fakeFunction{answer: allowAll}
		e := newEnv(b, func(api *tollgate.RestAPI, o *gateway.Options) {
			authz := tokenAuthorizer(time.Hour)
			for i := range api.Routes {
				if api.Routes[i].Authorizer != nil {
					api.Routes[i].Authorizer, api.Routes[i].AuthorizationScopes = authz, nil
				}
			}
			o.Observer = nil
			o.Invoke = fn.invoke
			o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
				return integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
					params, principal, contextHeader = inv.PathParameters(), inv.PrincipalID, inv.AuthorizerContextHeader()
				}), nil
			})
		})
		// The token of the Cognito case: the same bytes to hash.
		r := request("GET", execHost+":8080", "/prod/orders/42", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
		serveLoop(b, e.gw, r)
		if n := len(fn.taken()); n != 1 || len(params) == 0 || principal == "" || contextHeader == "" {
			b.Fatalf("%d invocations, params %v, principal %q, context %q", n, params, principal, contextHeader)
		}
	})
}
