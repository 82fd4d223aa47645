package server

import (
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestGatewayMetricsAllocations: observing a request or a decision whose
// series exist allocates nothing: the gateway calls both on every request.
func TestGatewayMetricsAllocations(t *testing.T) {
	g := newMetrics().newGatewayMetrics()
	g.ObserveRequest("api1", "prod", "/{proxy+}", "ANY", 200, time.Millisecond)
	g.ObserveAuthorizer("Auth", gateway.Allow, true)
	if n := testing.AllocsPerRun(100, func() {
		g.ObserveRequest("api1", "prod", "/{proxy+}", "ANY", 200, time.Millisecond)
	}); n != 0 {
		t.Errorf("ObserveRequest: %v allocations", n)
	}
	if n := testing.AllocsPerRun(100, func() { g.ObserveAuthorizer("Auth", gateway.Allow, true) }); n != 0 {
		t.Errorf("ObserveAuthorizer: %v allocations", n)
	}
}
