package gateway

import (
	"testing"
	"unsafe"
)

// TestExchangeSizeClass: what the gateway allocates per request fits the
// 768-byte size class, with the 8-byte header the runtime puts before an
// object of more than 512 bytes that holds pointers; 8 bytes more would
// make every request allocate 896 (BenchmarkHandler's B/op).
func TestExchangeSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(exchange{}); n+8 > 768 {
		t.Errorf("exchange is %d bytes, %d with its header: over the 768-byte size class", n, n+8)
	}
}
