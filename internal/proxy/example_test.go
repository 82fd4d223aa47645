package proxy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/proxy"
)

// The gateway builds one handler per route when it loads the API, and for
// each request it has authorized stores a Request in the context before
// calling the handler.
func ExampleProxy_Handler() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s client=%s scopes=%q", r.Method, r.RequestURI,
			r.Header.Get(proxy.HeaderClientID), r.Header.Get(proxy.HeaderScopes))
	}))
	defer upstream.Close()

	p, err := proxy.New(proxy.Options{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, kind proxy.ErrorKind) {
			w.WriteHeader(kind.Status()) // the gateway writes {"message": ...} here
		},
	})
	if err != nil {
		panic(err)
	}
	h, err := p.Handler(tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: upstream.URL + "/v1/{proxy}"})
	if err != nil {
		panic(err)
	}

	// What the gateway does for GET /prod/orders/42?expand=items on the
	// route "/{proxy+}" once the Cognito authorizer accepted the token.
	r := httptest.NewRequest("GET", "/prod/orders/42?expand=items", nil)
	ctx := proxy.WithRequest(context.Background(), &proxy.Request{
		PathParams: map[string]string{"proxy": "orders/42"},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		Scopes:     []string{"default/default"},
		Stage:      "prod",
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(ctx))
	body, _ := io.ReadAll(w.Result().Body)
	fmt.Println(w.Code, string(body))
	// Output: 200 GET /v1/orders/42?expand=items client=6rupb256qn12tju82occ9eppqr scopes="default/default"
}
