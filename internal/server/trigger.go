package server

import (
	"context"
	"fmt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
)

// preTokenGeneration is the token endpoint's trigger lookup: the pre token
// generation trigger of a client's pool as the catalog holds it, false
// when the client or its pool is gone (map lookups, no allocation, no
// store access).
func (s *Server) preTokenGeneration(client *tollgate.Client) (*tollgate.LambdaTrigger, bool) {
	return s.catalog.PreTokenGeneration(client)
}

// invokeTrigger is the token endpoint's Invoke: it runs a pool trigger's
// function on the runner of the deployment in service when the request
// came, held until the invocation returns, so that a reload never pulls
// the runner from under it. A name no function of that deployment has is
// token.ErrFunctionNotFound.
func (s *Server) invokeTrigger(ctx context.Context, name, traceID string, event []byte) ([]byte, bool, error) {
	d := s.acquire()
	defer d.release()
	if !d.runner.Has(name) {
		return nil, false, fmt.Errorf("%w: %s", token.ErrFunctionNotFound, name)
	}
	return s.invokeFunction(ctx, d.runner, name, traceID, event)
}
