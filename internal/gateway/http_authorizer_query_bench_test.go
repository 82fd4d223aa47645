package gateway

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkQueryTokenSource is the read of a JWT authorizer's
// $request.querystring source on a query of a few parameters.
func BenchmarkQueryTokenSource(b *testing.B) {
	tok := strings.Repeat("x", 800)
	r := httptest.NewRequest("GET", "/q?page=2&sort=name&access_token="+tok+"&lang=en", nil)
	s := &tokenSource{query: "access_token"}
	b.ReportAllocs()
	for b.Loop() {
		if v, why, ok := s.read(r); !ok || v != tok {
			b.Fatal(why)
		}
	}
}
