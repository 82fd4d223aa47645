package proxy

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
)

// benchInvocation is the invocation the gateway hands over after a
// Cognito authorizer accepted a typical M2M access token. It is not one the
// gateway built, so its claims header and scopes are computed on every
// call, where the gateway computes them once per verified token: an upper
// bound.
func benchInvocation() *gateway.Invocation {
	raw := []byte(`{"sub":"6rupb256qn12tju82occ9eppqr","token_use":"access","scope":"default/default",` +
		`"auth_time":1683085806,"iss":"http://127.0.0.1:8080/us-east-1_pxAHZcSSX","exp":1683172206,"iat":1683085806,` +
		`"version":2,"jti":"5d92ca29-677e-40d9-a074-2d86fbcb4023","client_id":"6rupb256qn12tju82occ9eppqr"}`)
	return &gateway.Invocation{
		API:        &tollgate.RestAPI{ID: "abc123defg"},
		Stage:      &tollgate.Stage{Name: "prod"},
		PathParams: []gateway.Param{{Name: "proxy", Value: "orders/42"}},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		Claims:     &bearer.Claims{ClientID: "6rupb256qn12tju82occ9eppqr", Scope: "default/default", Raw: raw},
		RequestID:  "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
	}
}

// BenchmarkRewriteWork measures the per-request work the proxy adds to a
// bare ReverseProxy, without the network: building the path from the
// template, dropping reserved headers and setting the authorizer's (see
// benchInvocation).
func BenchmarkRewriteWork(b *testing.B) {
	tmpl, err := parseTemplate("http://orders.internal:8080/v1/{proxy}")
	if err != nil {
		b.Fatal(err)
	}
	inv := benchInvocation()
	in := http.Header{"Authorization": {"Bearer x"}, "Accept": {"application/json"}, "User-Agent": {"bench"}}
	h := make(http.Header, 16)
	u := &url.URL{}
	b.ReportAllocs()
	for b.Loop() {
		clear(h)
		for k, v := range in {
			h[k] = v
		}
		p, err := tmpl.expand(inv.PathParameter)
		if err != nil {
			b.Fatal(err)
		}
		setPath(u, p)
		dropForged(h)
		setDecision(h, inv)
	}
}
