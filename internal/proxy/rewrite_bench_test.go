package proxy

import (
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkRewriteWork measures the per-request work the proxy adds to a
// bare ReverseProxy, without the network: building the path from the
// template, dropping reserved headers and setting the authorizer's.
func BenchmarkRewriteWork(b *testing.B) {
	tmpl, err := parseTemplate("http://orders.internal:8080/v1/{proxy}")
	if err != nil {
		b.Fatal(err)
	}
	req := &Request{
		PathParams: map[string]string{"proxy": "orders/42"},
		ClientID:   "6rupb256qn12tju82occ9eppqr",
		Scopes:     []string{"default/default"},
		Claims: map[string]string{
			"sub": "6rupb256qn12tju82occ9eppqr", "token_use": "access", "scope": "default/default",
			"auth_time": "1683085806", "iss": "http://127.0.0.1:8080/us-east-1_pxAHZcSSX",
			"exp": "Thu May 04 03:50:06 UTC 2023", "iat": "Wed May 03 03:50:06 UTC 2023", "version": "2",
			"jti": "5d92ca29-677e-40d9-a074-2d86fbcb4023", "client_id": "6rupb256qn12tju82occ9eppqr",
		},
		RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		Stage:     "prod",
	}
	in := http.Header{"Authorization": {"Bearer x"}, "Accept": {"application/json"}, "User-Agent": {"bench"}}
	h := make(http.Header, 16)
	u := &url.URL{}
	b.ReportAllocs()
	for b.Loop() {
		clear(h)
		for k, v := range in {
			h[k] = v
		}
		p, err := tmpl.expand(req.PathParams)
		if err != nil {
			b.Fatal(err)
		}
		setPath(u, p)
		dropForged(h)
		setDecision(h, req)
	}
}
