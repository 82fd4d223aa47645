package server

import (
	"context"

	"github.com/tollgate/tollgate/internal/console"
)

// Try gets a token for a client and calls a route with it, through this
// server's token endpoint and gateway (console.Backend).
func (s *Server) Try(ctx context.Context, req console.TryRequest) console.TryResult {
	return console.TryResult{Token: console.TryStep{Err: "not available yet"}}
}
