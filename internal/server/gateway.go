package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
	"github.com/tollgate/tollgate/internal/proxy"
)

// newGateway builds the API gateway for the configured APIs: Cognito
// authorizers verify tokens with the signer's keys of the local pools and
// the catalog's revocation set; HTTP_PROXY integrations go through one
// shared proxy, AWS_PROXY integrations through the function runner. Each
// integration writes its own gateway responses.
func (s *Server) newGateway() (*gateway.Gateway, error) {
	s.proxy = proxy.New(proxy.Options{Logger: s.opts.Logger})
	s.gwCache = gateway.NewCache(gateway.CacheOptions{Now: s.opts.Now})
	return gateway.New(gateway.Options{
		APIs:         s.opts.APIs,
		BaseDomain:   s.opts.BaseDomain,
		Integrations: gateway.IntegrationsFunc(s.integration),
		Issuer:       s.Issuer,
		Keys:         s.signer,
		Revoked:      s.catalog.IsRevoked,
		Unavailable:  s.stale,
		Cache:        s.gwCache,
		Observer:     s.metrics.newGatewayMetrics(),
		Now:          s.opts.Now,
		Logger:       s.opts.Logger,
	})
}

// integration builds a route's HTTP_PROXY or AWS_PROXY integration.
func (s *Server) integration(_ *tollgate.RestAPI, route *tollgate.Route) (gateway.Integration, error) {
	switch in := route.Integration; in.Type {
	case tollgate.IntegrationHTTPProxy:
		return s.proxy.Integration(in)
	case tollgate.IntegrationAWSProxy:
		if !s.runner.Has(in.Function) {
			return nil, fmt.Errorf("AWS_PROXY integration of %s %s: no function is named %q", route.Method, route.ResourcePath, in.Function)
		}
		return lambdaproxy.New(in, s.invokeFunction, s.opts.Logger), nil
	default:
		return nil, fmt.Errorf("%s %s: unsupported integration type %q", route.Method, route.ResourcePath, in.Type)
	}
}

// newRunner prepares the configured functions (none start until their
// first invocation).
func (s *Server) newRunner() error {
	r, err := function.New(function.Options{
		Functions:   s.opts.Functions,
		IdleTimeout: s.opts.FunctionIdleTimeout,
		User:        s.opts.FunctionUser,
		Now:         s.opts.Now,
		Logger:      s.opts.Logger,
	})
	if err != nil {
		return err
	}
	s.runner = r
	s.fnMetrics = s.metrics.newFunctionMetrics()
	return nil
}

// invokeFunction is the Lambda proxy integrations' Invoker: the function
// runner.
func (s *Server) invokeFunction(ctx context.Context, name, traceID string, event []byte) ([]byte, bool, error) {
	if traceID != "" {
		ctx = function.WithTraceID(ctx, traceID)
	}
	res, err := s.runner.Invoke(ctx, name, event)
	if errors.Is(err, function.ErrPayloadTooLarge) {
		return nil, false, lambdaproxy.ErrEventTooLarge
	}
	if err != nil {
		return nil, false, err
	}
	s.fnMetrics.observe(name, res)
	return res.Payload, res.FunctionError != "", nil
}
