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
