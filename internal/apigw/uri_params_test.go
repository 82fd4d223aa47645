package apigw

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIntegrationURIParams checks the placeholders ParseIntegrationURI
// finds in an HTTP_PROXY integration URI, in order.
func TestIntegrationURIParams(t *testing.T) {
	tests := []struct {
		uri  string
		want []string
	}{
		{"http://h", nil},
		{"https://h:8443/fixed?x=1", nil},
		{"http://h/{proxy}", []string{"proxy"}},
		{"HTTP://h/u/{user}/o/{order_id}.json", []string{"user", "order_id"}},
	}
	for _, tt := range tests {
		u, msg := ParseIntegrationURI(tt.uri)
		if msg != "" {
			t.Errorf("ParseIntegrationURI(%q): %s", tt.uri, msg)
			continue
		}
		if diff := cmp.Diff(tt.want, u.Params()); diff != "" {
			t.Errorf("ParseIntegrationURI(%q).Params() (-want +got):\n%s", tt.uri, diff)
		}
	}
	if _, msg := ParseIntegrationURI("http://h/{proxy+}"); !strings.Contains(msg, "write {proxy}") {
		t.Errorf("ParseIntegrationURI with {proxy+}: %q, want a hint to write {proxy}", msg)
	}
}
