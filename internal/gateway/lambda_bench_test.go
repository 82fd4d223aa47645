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
