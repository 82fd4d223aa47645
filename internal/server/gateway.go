package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// newGateway builds the API gateway of apis: Cognito authorizers verify
// tokens with the signer's keys of the local pools and the catalog's
// revocation set; HTTP_PROXY integrations go through one shared proxy,
// AWS_PROXY integrations through the function runner r. Each integration
// writes its own gateway responses. The verification cache and the
// metrics are the server's, kept across reloads.
func (s *Server) newGateway(apis []*tollgate.RestAPI, r *function.Runner) (*gateway.Gateway, error) {
	return gateway.New(gateway.Options{
		APIs:       apis,
		BaseDomain: s.opts.BaseDomain,
		Integrations: gateway.IntegrationsFunc(func(_ *tollgate.RestAPI, route *tollgate.Route) (gateway.Integration, error) {
			return s.integration(route, r)
		}),
		Issuer:      s.Issuer,
		Keys:        s.signer,
		Revoked:     s.catalog.IsRevoked,
		Unavailable: s.stale,
		Cache:       s.gwCache,
		Observer:    s.gwMetrics,
		Now:         s.opts.Now,
		Logger:      s.opts.Logger,
	})
}

// integration builds a route's HTTP_PROXY or AWS_PROXY integration, the
// latter over the runner r.
func (s *Server) integration(route *tollgate.Route, r *function.Runner) (gateway.Integration, error) {
	switch in := route.Integration; in.Type {
	case tollgate.IntegrationHTTPProxy:
		return s.proxy.Integration(in)
	case tollgate.IntegrationAWSProxy:
		if !r.Has(in.Function) {
			return nil, fmt.Errorf("AWS_PROXY integration of %s %s: no function is named %q", route.Method, route.ResourcePath, in.Function)
		}
		invoke := func(ctx context.Context, name, traceID string, event []byte) ([]byte, bool, error) {
			return s.invokeFunction(ctx, r, name, traceID, event)
		}
		return lambdaproxy.New(in, invoke, s.opts.Logger), nil
	default:
		return nil, fmt.Errorf("%s %s: unsupported integration type %q", route.Method, route.ResourcePath, in.Type)
	}
}

// invokeFunction is the Lambda proxy integrations' Invoker: the function
// runner r.
func (s *Server) invokeFunction(ctx context.Context, r *function.Runner, name, traceID string, event []byte) ([]byte, bool, error) {
	if traceID != "" {
		ctx = function.WithTraceID(ctx, traceID)
	}
	res, err := r.Invoke(ctx, name, event)
	if errors.Is(err, function.ErrPayloadTooLarge) {
		return nil, false, lambdaproxy.ErrEventTooLarge
	}
	if err != nil {
		return nil, false, err
	}
	s.fnMetrics.observe(name, res)
	return res.Payload, res.FunctionError != "", nil
}
