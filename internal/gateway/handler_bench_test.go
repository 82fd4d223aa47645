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

// BenchmarkHandlerKinds serves the same request to a REST API and to an
// HTTP API, with figures meant side by side: the HTTP API's must be no
// higher than REST's.
//
//   - {rest,http}-jwt: an HTTP_PROXY route behind a JWT authorizer
//     trusting a local pool, with a cached token; the integration reads
//     the path parameters, the scopes and the claims header.
//   - {rest,http}-none: an HTTP_PROXY route without authorizer; the
//     integration reads the path parameters.
func BenchmarkHandlerKinds(b *testing.B) {
	jwtAuthorizer := func(source string) *tollgate.Authorizer {
		return &tollgate.Authorizer{
			Name: "jwt", Type: tollgate.AuthorizerJWT,
			IdentitySource: source,
			JWT: &tollgate.JWTConfiguration{
				Algorithms: []string{"RS256"},
				Issuers:    []tollgate.JWTIssuer{{Issuer: issuerOf(poolA), Audiences: []string{clientA}}},
			},
		}
	}
	upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
	tok := func(b *testing.B) string { return mint(b, keyA, keyA.kid, claims(issuerOf(poolA))) }
	for _, kind := range []struct {
		name, host, path string
		source           string // the JWT authorizer's identity source, as each kind spells it
		api              func() *tollgate.RestAPI
	}{
		{"rest", execHost + ":8080", "/prod/orders/42", "method.request.header.Authorization", func() *tollgate.RestAPI {
			return &tollgate.RestAPI{ID: apiID, Name: "rest", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}}}
		}},
		{"http", httpExecHost + ":8080", "/orders/42", "$request.header.Authorization", func() *tollgate.RestAPI {
			return &tollgate.RestAPI{ID: httpAPIID, Name: "http", Region: "us-east-1", Protocol: tollgate.ProtocolHTTP, Stages: []tollgate.Stage{{Name: tollgate.DefaultStageName}}}
		}},
	} {
		for _, guarded := range []bool{true, false} {
			name := kind.name + "-none"
			if guarded {
				name = kind.name + "-jwt"
			}
			b.Run(name, func(b *testing.B) {
				var params map[string]string
				var scopes string
				e := newEnv(b, func(api *tollgate.RestAPI, o *gateway.Options) {
					*api = *kind.api()
					route := tollgate.Route{ResourcePath: "/orders/{id}", Method: "GET", Integration: upstream}
					if guarded {
						route.Authorizer, route.AuthorizationScopes = jwtAuthorizer(kind.source), []string{scope}
					}
					api.Routes = []tollgate.Route{route}
					o.Observer = nil
					o.LocalIssuer = func(iss string) (string, bool) { return poolA, iss == issuerOf(poolA) }
					o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
						return integrationFunc(func(w http.ResponseWriter, r *http.Request, inv *gateway.Invocation) {
							params, scopes = inv.PathParameters(), inv.ScopeList()
							if inv.Claims != nil {
								_ = inv.ClaimsHeader()
							}
						}), nil
					})
				})
				token := ""
				if guarded {
					token = tok(b)
				}
				r := request("GET", kind.host, kind.path, token)
				if w := e.do(r); w.Code != 200 {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
				serveLoop(b, e.gw, r)
				if len(params) == 0 || guarded != (scopes != "") {
					b.Fatalf("params %v, scopes %q", params, scopes)
				}
			})
		}
	}
}
