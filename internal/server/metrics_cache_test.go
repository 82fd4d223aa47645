package server

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestCacheMetrics: the verification cache's gauges are served. (e2e's
// TestVerifyCacheSize sees them move with the cache.)
func TestCacheMetrics(t *testing.T) {
	m := newMetrics()
	m.registerCache(gateway.NewCache(gateway.CacheOptions{}))
	w := httptest.NewRecorder()
	m.handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{"tollgate_gateway_verification_cache_bytes 0\n", "tollgate_gateway_verification_cache_entries 0\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
