package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// newGateway builds the API gateway of apis: Cognito authorizers verify
// tokens with the signer's keys of the local pools and the catalog's
// revocation set; HTTP_PROXY integrations go through one shared proxy,
// AWS_PROXY integrations through the function runner r. Each integration
// writes its own gateway responses. The verification cache and the
// metrics are the server's, kept across reloads.
func (s *Server) newGateway(apis []*tollgate.RestAPI, r *function.Runner) (*gateway.Gateway, error) {
	if err := authorizerFunctions(apis, r); err != nil {
		return nil, err
	}
	return gateway.New(gateway.Options{
		APIs:       apis,
		BaseDomain: s.opts.BaseDomain,
		Integrations: gateway.IntegrationsFunc(func(api *tollgate.RestAPI, route *tollgate.Route) (gateway.Integration, error) {
			return s.integration(api, route, r)
		}),
		// Lambda authorizers run on the same runner as Lambda proxy
		// integrations; REQUEST events are built by lambdaproxy, the one
		// renderer of the proxy event's request fields.
		Invoke: func(ctx context.Context, name, traceID string, event []byte) ([]byte, bool, error) {
			return s.invokeFunction(ctx, r, name, traceID, event)
		},
		AuthorizerEvent:     lambdaproxy.AuthorizerEvent,
		HTTPAuthorizerEvent: lambdaproxy.HTTPAuthorizerEvent,
		Issuer:              s.Issuer,
		// A JWT authorizer's issuer under this server's issuer base is a
		// local pool's: its keys are the signer's, never fetched over HTTP.
		LocalIssuer: s.localIssuer,
		Keys:        s.signer,
		Revoked:     s.catalog.IsRevoked,
		Unavailable: s.stale,
		Cache:       s.gwCache,
		JWKS:        jwks.Options{Previous: s.previousJWKS()},
		Observer:    gatewayObserver{s.gwMetrics, s.planMetrics},
		// API keys and usage plans: the catalog's keys, the server's
		// recorder and limiter, kept across reloads.
		APIKeys:         s.gatewayAPIKeys(),
		Usage:           s.gatewayUsage(),
		Limiter:         s.limiterFor(s.opts.Limiter, "gateway"),
		LocalLimiter:    s.opts.LocalLimiter,
		QuotaUsed:       s.quotaUsage.used,
		LimiterFailOpen: s.opts.LimiterFailOpen,
		// Bound tokens' proofs and certificates (oauthext.go).
		Replay:      s.opts.Replay,
		// A pool's auth domain (prefix or custom) never serves an API's
		// protected resource metadata.
		AuthDomain: func(host string) bool { _, ok := s.catalog.DomainForHost(host); return ok },
		ClientCert:  s.clientCert(),
		ExternalURL: s.externalURL(),
		Now:         s.opts.Now,
		Logger:      s.opts.Logger,
	})
}

// authorizerFunctions checks that the function of every Lambda (TOKEN,
// REQUEST) authorizer of apis is one the runner r runs.
func authorizerFunctions(apis []*tollgate.RestAPI, r *function.Runner) error {
	var errs []error
	for _, api := range apis {
		for _, route := range api.Routes {
			a := route.Authorizer
			if a == nil || (a.Kind() != tollgate.AuthorizerToken && a.Kind() != tollgate.AuthorizerRequest) {
				continue
			}
			if r == nil || !r.Has(a.Function) {
				errs = append(errs, fmt.Errorf("API %s: %s %s: authorizer %s: no function is named %q", api.ID, route.Method, route.ResourcePath, a.Name, a.Function))
			}
		}
	}
	return errors.Join(errs...)
}

// integration builds the HTTP_PROXY or AWS_PROXY integration of a route of
// api, the latter over the runner r.
func (s *Server) integration(api *tollgate.RestAPI, route *tollgate.Route, r *function.Runner) (gateway.Integration, error) {
	switch in := route.Integration; in.Type {
	case tollgate.IntegrationHTTPProxy:
		return s.proxy.Integration(api, route)
	case tollgate.IntegrationAWSProxy:
		if !r.Has(in.Function) {
			return nil, fmt.Errorf("AWS_PROXY integration of %s %s: no function is named %q", route.Method, route.ResourcePath, in.Function)
		}
		invoke := func(ctx context.Context, name, traceID string, event []byte) ([]byte, bool, error) {
			return s.invokeFunction(ctx, r, name, traceID, event)
		}
		return lambdaproxy.New(api, in, invoke, s.opts.Logger), nil
	default:
		return nil, fmt.Errorf("%s %s: unsupported integration type %q", route.Method, route.ResourcePath, in.Type)
	}
}

// invokeFunction is the tollgate.InvokeFunc of Lambda proxy integrations
// and Lambda authorizers: the function runner r.
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

// localIssuer reports which local pool issues tokens with iss: one whose id
// follows the pools' issuer base (Issuer). Whether the pool exists is the
// key source's answer (a deleted pool's tokens are refused as tokens of no
// known key).
func (s *Server) localIssuer(iss string) (string, bool) {
	id, ok := strings.CutPrefix(iss, s.Issuer(""))
	if !ok || !tollgate.PoolIDPattern.MatchString(id) {
		return "", false
	}
	return id, true
}
