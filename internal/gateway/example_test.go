package gateway_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// The seed stack's routes: a root MOCK method and ANY /{proxy+}.
func ExampleRouter_Match() {
	rt, err := gateway.NewRouter([]tollgate.Route{
		{ResourcePath: "/", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationMock}},
		{ResourcePath: "/{proxy+}", Method: "ANY", Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy}},
	})
	if err != nil {
		panic(err)
	}
	for _, p := range []string{"", "/hello//world/", "/a%2Fb"} {
		m, _ := rt.Match("GET", p)
		proxy, _ := m.Lookup("proxy")
		fmt.Printf("%q -> %s %q\n", p, m.Resource, proxy)
	}
	_, ok := rt.Match("POST", "/")
	fmt.Println("POST / matches:", ok)
	// Output:
	// "" -> / ""
	// "/hello//world/" -> /{proxy+} "hello//world"
	// "/a%2Fb" -> /{proxy+} "a%2Fb"
	// POST / matches: false
}

// An integration answers its failures through WriteResponse, so that the
// body and headers are API Gateway's.
func ExampleWriteResponse() {
	w := httptest.NewRecorder()
	gateway.WriteResponse(w, gateway.ResponseIntegrationTimeout)
	fmt.Println(w.Code, w.Header().Get("x-amzn-ErrorType"), w.Body)
	// Output: 504 InternalServerErrorException {"message": "Endpoint request timed out"}
}

// A gateway with one MOCK method, invoked through Tollgate's path form.
func ExampleNew() {
	gw, err := gateway.New(gateway.Options{APIs: []*tollgate.RestAPI{{
		ID:     "abc123defg",
		Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{ResourcePath: "/health", Method: "GET",
			Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: http.StatusNoContent}}},
	}}})
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/apis/abc123defg/prod/health", "/apis/abc123defg/prod/other"} {
		w := httptest.NewRecorder()
		gw.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Printf("%s -> %d %q\n", path, w.Code, w.Body)
	}
	// Output:
	// /apis/abc123defg/prod/health -> 204 ""
	// /apis/abc123defg/prod/other -> 403 "{\"message\":\"Missing Authentication Token\"}"
}
