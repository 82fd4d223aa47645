package gateway

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/bearer"
)

// TestRenderHTTPClaims holds how an HTTP API's JWT authorizer hands the
// claims to integrations: every value a string, keys sorted (apigw-beyond
// §4.2, §6 fact 13; the capture in
// awsdocs/amazon-api-gateway-developer-guide#113 has "exp":"1612061676";
// arrays as "[a b]", the contract's YULIN and guidance-for-claude-code
// sources).
func TestRenderHTTPClaims(t *testing.T) {
	for raw, want := range map[string]string{
		`{"exp":1612061676,"aud":"some.api"}`:               `{"aud":"some.api","exp":"1612061676"}`,
		`{"b":true,"f":false,"n":-1.5e3,"s":"a\"b"}`:        `{"b":"true","f":"false","n":"-1.5e3","s":"a\"b"}`,
		`{"groups":["a","b"],"o":{"k":"v"},"z":null}`:       `{"groups":"[a b]","o":"map[k:v]","z":"\u003cnil\u003e"}`,
		` { "sp" : "x" } `:                                  `{"sp":"x"}`,
		`not json`:                                          `{}`,
		`{"cognito:groups":["admin"],"scope":"a/b c/d"}`:    `{"cognito:groups":"[admin]","scope":"a/b c/d"}`,
		`{"version":2,"auth_time":1785672000,"iat":17856}`:  `{"auth_time":"1785672000","iat":"17856","version":"2"}`,
		`{"client_id":"4qg1","token_use":"access","x":"é"}`: `{"client_id":"4qg1","token_use":"access","x":"é"}`,
	} {
		if got := string(renderHTTPClaims(json.RawMessage(raw))); got != want {
			t.Errorf("%s: rendered %s, want %s", raw, got, want)
		}
	}
}

// TestHTTPClaimsCached: the rendering is done once per verified token,
// shared by the requests presenting it, and charged to its cache entry;
// an invocation without the gateway's derivations renders anew.
func TestHTTPClaimsCached(t *testing.T) {
	c := NewCache(CacheOptions{Now: func() time.Time { return benchNow }})
	v := testVerified(t, 1)
	c.put(testKey(1), v, benchNow)
	v.load()
	before := c.Stats().Bytes
	inv := &Invocation{Claims: v.claims, verified: v}
	a, b := inv.HTTPClaims(), (&Invocation{Claims: v.claims, verified: v}).HTTPClaims()
	if string(a) != string(renderHTTPClaims(v.claims.Raw)) || &a[0] != &b[0] {
		t.Fatalf("rendered %s and %s, not one shared rendering", a, b)
	}
	if got, want := c.Stats().Bytes, before+httpClaimsSize(a); got != want || httpClaimsSize(a) < 200 {
		t.Errorf("charged %d bytes, want %d (rendering %d)", got, want, httpClaimsSize(a))
	}
	if v.charged != c.Stats().Bytes {
		t.Errorf("entry charged %d, shard %d", v.charged, c.Stats().Bytes)
	}
	other := &Invocation{Claims: &bearer.Claims{Raw: v.claims.Raw}, verified: v} // claims replaced
	if o := other.HTTPClaims(); string(o) != string(a) || &o[0] == &a[0] {
		t.Errorf("replaced claims: %s, shared %t", o, &o[0] == &a[0])
	}
	if (&Invocation{}).HTTPClaims() != nil {
		t.Error("claims without a token")
	}
}

// BenchmarkHTTPClaims is what a request's JWT claims cost an HTTP API's
// Lambda event: rendered on every request (as before they were cached),
// and cached with the verified token.
func BenchmarkHTTPClaims(b *testing.B) {
	v := testVerified(b, 1)
	b.Run("rendered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			renderHTTPClaims(v.claims.Raw)
		}
	})
	b.Run("cached", func(b *testing.B) {
		inv := &Invocation{Claims: v.claims, verified: v}
		b.ReportAllocs()
		for b.Loop() {
			inv.HTTPClaims()
		}
	})
}
