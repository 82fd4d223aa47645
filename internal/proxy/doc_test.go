package proxy

import (
	"testing"

	"github.com/tollgate/tollgate/internal/claimsheader"
)

// TestDocClaimsExample keeps the X-Tollgate-Claims example of the package
// documentation true.
func TestDocClaimsExample(t *testing.T) {
	got := claimsheader.Encode(map[string]string{"scope": "api/read", "client_id": "abc"})
	if want := "eyJjbGllbnRfaWQiOiJhYmMiLCJzY29wZSI6ImFwaS9yZWFkIn0"; got != want {
		t.Errorf("claimsheader.Encode = %s, want %s", got, want)
	}
}

// TestDocPrincipalExample keeps the X-Tollgate-Principal-Id example of the
// package documentation true.
func TestDocPrincipalExample(t *testing.T) {
	if got, want := principalHeader("été"), PrincipalIDEncoded+"w6l0w6k"; got != want {
		t.Errorf("principalHeader(été) = %s, want %s", got, want)
	}
}
