package proxy

import (
	"time"

	"github.com/tollgate/tollgate/internal/gateway"
)

// BenchInvocation is benchInvocation, for the benchmarks of proxy_test.
var BenchInvocation = benchInvocation

// Timeout returns the timeout of an integration Integration built.
func Timeout(in gateway.Integration) time.Duration { return in.(*handler).timeout }
