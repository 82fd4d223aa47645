package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// TestClaimsDerivedOnce: on a cache hit the invocation's claim strings,
// scopes and X-Tollgate-Claims value are the ones computed for the first
// request (shared, not recomputed), and equal to what the claims give when
// computed afresh; the header is exactly what the proxy would encode.
func TestClaimsDerivedOnce(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)),
		"cognito:groups", []string{"admins"}, "list", []string{"a", "b"}, "flag", true,
		"html", "<a&b>", "ctl", "x\x01y\n\"\\", "sep", "\u2028\u00e9"))
	var invs []*gateway.Invocation
	for range 2 {
		if w := e.do(request("GET", execHost, "/prod/orders/42", tok)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		inv, _, _ := e.invocation()
		invs = append(invs, inv)
	}
	a, b := invs[0], invs[1]
	fresh := &gateway.Invocation{Claims: a.Claims}
	if !reflect.DeepEqual(a.ClaimStrings(), fresh.ClaimStrings()) || !reflect.DeepEqual(a.Scopes(), fresh.Scopes()) ||
		a.ClaimsHeader() != fresh.ClaimsHeader() {
		t.Fatalf("cached %v %v %q, fresh %v %v %q", a.ClaimStrings(), a.Scopes(), a.ClaimsHeader(),
			fresh.ClaimStrings(), fresh.Scopes(), fresh.ClaimsHeader())
	}
	if reflect.ValueOf(a.ClaimStrings()).UnsafePointer() != reflect.ValueOf(b.ClaimStrings()).UnsafePointer() ||
		&a.Scopes()[0] != &b.Scopes()[0] {
		t.Error("a cache hit recomputed the claim strings or scopes")
	}
	if got := proxyClaimsHeader(t, a.ClaimStrings()); got != a.ClaimsHeader() {
		t.Errorf("proxy encodes %q, gateway %q", got, a.ClaimsHeader())
	}
	if (&gateway.Invocation{}).ClaimsHeader() != "" {
		t.Error("ClaimsHeader without claims")
	}
}

// proxyClaimsHeader returns the X-Tollgate-Claims value the proxy sends
// upstream when it encodes claims itself.
func proxyClaimsHeader(t *testing.T, claims map[string]string) string {
	var got string
	up := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = r.Header.Get(proxy.HeaderClaims)
	}))
	t.Cleanup(up.Close)
	p, err := proxy.New(proxy.Options{ErrorHandler: func(_ http.ResponseWriter, _ *http.Request, kind proxy.ErrorKind) {
		t.Errorf("proxy error %v", kind)
	}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := p.Handler(tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: up.URL + "/x"})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://example.com/x", nil)
	r = r.WithContext(proxy.WithRequest(r.Context(), &proxy.Request{Claims: claims, Stage: "prod"}))
	h.ServeHTTP(httptest.NewRecorder(), r)
	return got
}
