package gateway_test

import (
	"context"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// BenchmarkLambdaProxy is the gateway's share of a Lambda proxy request
// with a cached token: routing, the authorizer, building the event and
// mapping a typical result (the function itself answers at once).
func BenchmarkLambdaProxy(b *testing.B) {
	result := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`)
	e := newEnv(b, func(api *tollgate.RestAPI, o *gateway.Options) {
		o.Observer = nil
		o.Integrations = gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
			in := tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "fn"}
			return lambdaproxy.New(api, in, func(context.Context, string, string, []byte) ([]byte, bool, error) { return result, false, nil }, quiet), nil
		})
	})
	r := request("GET", execHost+":8080", "/prod/orders/42?expand=items", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
	r.Header.Set("User-Agent", "bench/1")
	serveLoop(b, e.gw, r)
}

// BenchmarkLambdaProxyHTTP is BenchmarkLambdaProxy on an HTTP API ($default
// stage) behind a JWT authorizer trusting local pool A, in each payload
// format: its claims reach the event as strings (Invocation.HTTPClaims).
func BenchmarkLambdaProxyHTTP(b *testing.B) {
	result := []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`)
	for _, version := range []string{"1.0", "2.0"} {
		b.Run(version, func(b *testing.B) {
			e := newEnv(b, func(api *tollgate.RestAPI, o *gateway.Options) {
				*api = tollgate.RestAPI{ID: httpAPIID, Name: "http", Region: "us-east-1", Protocol: tollgate.ProtocolHTTP, Stages: []tollgate.Stage{{Name: tollgate.DefaultStageName}}}
				api.Routes = []tollgate.Route{{
					ResourcePath: "/orders/{id}", Method: "GET", AuthorizationScopes: []string{scope},
					Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "fn", PayloadFormatVersion: version},
					Authorizer: &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization",
						JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: issuerOf(poolA), Audiences: []string{clientA}}}}},
				}}
				o.Observer = nil
				o.LocalIssuer = func(iss string) (string, bool) { return poolA, iss == issuerOf(poolA) }
				o.Integrations = gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
					return lambdaproxy.New(api, r.Integration, func(context.Context, string, string, []byte) ([]byte, bool, error) { return result, false, nil }, quiet), nil
				})
			})
			r := request("GET", httpExecHost+":8080", "/orders/42?expand=items", mint(b, keyA, keyA.kid, claims(issuerOf(poolA))))
			r.Header.Set("User-Agent", "bench/1")
			if w := e.do(r); w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			serveLoop(b, e.gw, r)
		})
	}
}
