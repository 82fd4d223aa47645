package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// The gateway builds one integration per route when it loads the API, and
// hands each request it has authorized to it with its Invocation.
func ExampleProxy_Integration() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s client=%s stage=%s", r.Method, r.RequestURI,
			r.Header.Get(proxy.HeaderClientID), r.Header.Get(proxy.HeaderStage))
	}))
	defer upstream.Close()

	p := proxy.New(proxy.Options{})
	api := &tollgate.RestAPI{ID: "abc123defg", Name: "orders"}
	route := &tollgate.Route{Method: "ANY", ResourcePath: "/{proxy+}",
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: upstream.URL + "/v1/{proxy}"}}
	in, err := p.Integration(api, route)
	if err != nil {
		panic(err)
	}

	// What the gateway decided for GET /prod/orders/42?expand=items on the
	// route "/{proxy+}".
	r := httptest.NewRequest("GET", "/prod/orders/42?expand=items", nil)
	inv := &gateway.Invocation{
		API:        api,
		Route:      route,
		Stage:      &tollgate.Stage{Name: "prod"},
		PathParams: []gateway.Param{{Name: "proxy", Value: "orders/42"}},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		RequestID:  "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
	}
	w := httptest.NewRecorder()
	in.Serve(w, r, inv)
	body, _ := io.ReadAll(w.Result().Body)
	fmt.Println(w.Code, string(body))
	// Output: 200 GET /v1/orders/42?expand=items client=6rupb256qn12tju82occ9eppqr stage=prod
}

// On an HTTP API, the $default route sends the request's whole path, a
// named stage's segment included, after the URI's path; the upstream also
// gets Forwarded and Via.
func ExampleProxy_Integration_httpAPIDefaultRoute() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s via=%q", r.Method, r.RequestURI, r.Header.Get("Via"))
	}))
	defer upstream.Close()

	p := proxy.New(proxy.Options{})
	api := &tollgate.RestAPI{ID: "a1b2c3d4e5", Protocol: tollgate.ProtocolHTTP}
	route := &tollgate.Route{Method: "ANY", ResourcePath: tollgate.DefaultRouteKey,
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: upstream.URL + "/api", Method: "ANY"}}
	in, err := p.Integration(api, route)
	if err != nil {
		panic(err)
	}

	// What the gateway decided for POST /dev/store/checkout?cart=7 on the
	// stage dev.
	r := httptest.NewRequest("POST", "/dev/store/checkout?cart=7", nil)
	inv := &gateway.Invocation{
		API: api, Route: route, Stage: &tollgate.Stage{Name: "dev"},
		RouteKey: tollgate.DefaultRouteKey, Path: "/store/checkout", RawPath: "/dev/store/checkout",
	}
	w := httptest.NewRecorder()
	in.Serve(w, r, inv)
	body, _ := io.ReadAll(w.Result().Body)
	fmt.Println(w.Code, string(body))
	// Output: 200 POST /api/dev/store/checkout?cart=7 via="HTTP/1.1 AmazonAPIGateway"
}
