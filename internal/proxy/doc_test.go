package proxy

import "testing"

// TestDocClaimsExample keeps the X-Tollgate-Claims example of the package
// documentation true.
func TestDocClaimsExample(t *testing.T) {
	got := encodeClaims(map[string]string{"scope": "api/read", "client_id": "abc"})
	if want := "eyJjbGllbnRfaWQiOiJhYmMiLCJzY29wZSI6ImFwaS9yZWFkIn0"; got != want {
		t.Errorf("encodeClaims = %s, want %s", got, want)
	}
}
