package proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
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

// BenchmarkRewrite measures the whole per-request work of rewrite, the
// upstream path included, on a REST API's route and on the same route of
// an HTTP API (which sends Forwarded and Via, not X-Amzn-Apigateway-Api-Id),
// without the network: what an HTTP API's route costs beyond a REST API's.
// Both pay the same copy of the inbound headers each iteration.
func BenchmarkRewrite(b *testing.B) {
	p := New(Options{})
	route := &tollgate.Route{Method: "ANY", ResourcePath: "/{proxy+}",
		Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://orders.internal:8080/v1/{proxy}"}}
	for _, kind := range []tollgate.APIProtocol{tollgate.ProtocolREST, tollgate.ProtocolHTTP} {
		b.Run(string(kind), func(b *testing.B) {
			api := &tollgate.RestAPI{ID: "abc123defg", Protocol: kind}
			in, err := p.Integration(api, route)
			if err != nil {
				b.Fatal(err)
			}
			h := in.(*handler)
			// Without claims: their header, the same on both kinds, is
			// computed once per token by the gateway but on every call
			// for an invocation built here (benchInvocation), and would
			// drown the difference.
			inv := benchInvocation()
			inv.API, inv.ClientID, inv.Claims = api, "", nil
			r := httptest.NewRequest("GET", "http://abc123defg.execute-api.us-east-1.localhost/prod/orders/42?expand=items", nil)
			r.Header = http.Header{"Authorization": {"Bearer x"}, "Accept": {"application/json"}, "User-Agent": {"bench"}}
			c := &call{Context: context.Background(), in: r, inv: inv}
			pr := &httputil.ProxyRequest{In: r.WithContext(c), Out: r.Clone(context.Background())}
			out := pr.Out.Header
			b.ReportAllocs()
			for b.Loop() {
				clear(out)
				for k, v := range r.Header {
					out[k] = v
				}
				*pr.Out.URL = *r.URL
				if c.path, err = h.path(inv); err != nil {
					b.Fatal(err)
				}
				h.rewrite(pr)
			}
		})
	}
}
