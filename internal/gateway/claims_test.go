package gateway_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/claimsheader"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestClaimsDerivedOnce: on a cache hit the invocation's claim strings,
// scopes and X-Tollgate-Claims value are the ones computed for the first
// request (shared, not recomputed), and equal to what the claims give when
// computed afresh; the header is exactly what claimsheader encodes.
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
	if got := claimsheader.Encode(a.ClaimStrings()); got != a.ClaimsHeader() {
		t.Errorf("claimsheader encodes %q, gateway %q", got, a.ClaimsHeader())
	}
	if a.ScopeList() != fresh.ScopeList() || a.ScopeList() != strings.Join(a.Scopes(), " ") || a.ScopeList() == "" {
		t.Errorf("scope list %q, fresh %q, scopes %q", a.ScopeList(), fresh.ScopeList(), a.Scopes())
	}
	if (&gateway.Invocation{}).ClaimsHeader() != "" {
		t.Error("ClaimsHeader without claims")
	}
}
