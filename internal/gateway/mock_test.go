package gateway_test

import (
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// A MOCK integration answers with its static headers and body: a CORS
// preflight, for one.
func TestMockStaticAnswer(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/cors", Method: "OPTIONS", Integration: tollgate.Integration{
			Type: tollgate.IntegrationMock, MockStatus: 204,
			MockHeaders: map[string]string{"Access-Control-Allow-Origin": "*", "access-control-allow-methods": "GET,POST"},
		}}, tollgate.Route{ResourcePath: "/hello", Method: "GET", Integration: tollgate.Integration{
			Type: tollgate.IntegrationMock, MockHeaders: map[string]string{"Content-Type": "text/plain"}, MockBody: "hello",
		}})
	})
	w := e.do(request("OPTIONS", execHost, "/prod/cors", ""))
	if w.Code != 204 || w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Allow-Methods") != "GET,POST" ||
		w.Header().Get("Content-Type") != "application/json" || w.Body.Len() != 0 {
		t.Errorf("preflight: %d %v %q", w.Code, w.Header(), w.Body)
	}
	w = e.do(request("GET", execHost, "/prod/hello", ""))
	if w.Code != 200 || w.Body.String() != "hello" || w.Header().Get("Content-Type") != "text/plain" || w.Header().Get("Content-Length") != "5" {
		t.Errorf("body: %d %v %q", w.Code, w.Header(), w.Body)
	}
	// Invalid static headers are refused when the gateway is built.
	api := testAPI(newFixture(t))
	api.Routes = append(api.Routes, tollgate.Route{ResourcePath: "/bad", Method: "GET", Integration: tollgate.Integration{
		Type: tollgate.IntegrationMock, MockHeaders: map[string]string{"X-A": "a\r\nX-Injected: 1"}}})
	if _, err := gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{api}, Integrations: gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
		return notFound, nil
	})}); err == nil || !strings.Contains(err.Error(), "MockHeaders") {
		t.Errorf("a header with CR LF: %v", err)
	}
}
