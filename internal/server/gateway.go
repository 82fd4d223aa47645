package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/proxy"
)

// newGateway builds the API gateway for the configured APIs: Cognito
// authorizers verify tokens with the signer's keys of the local pools and
// the catalog's revocation set; HTTP_PROXY integrations go through one
// shared proxy.
func (s *Server) newGateway() (*gateway.Gateway, error) {
	px, err := proxy.New(proxy.Options{
		Logger: s.opts.Logger,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, kind proxy.ErrorKind) {
			gateway.WriteResponse(w, proxyResponse(kind))
		},
	})
	if err != nil {
		return nil, err
	}
	s.proxy = px
	s.gwCache = gateway.NewCache(gateway.CacheOptions{Now: s.opts.Now})
	return gateway.New(gateway.Options{
		APIs:       s.opts.APIs,
		BaseDomain: s.opts.BaseDomain,
		Integrations: gateway.IntegrationsFunc(func(_ *tollgate.RestAPI, route *tollgate.Route) (http.Handler, error) {
			switch route.Integration.Type {
			case tollgate.IntegrationHTTPProxy:
				h, err := px.Handler(route.Integration)
				if err != nil {
					return nil, err
				}
				return withProxyRequest(h), nil
			case tollgate.IntegrationAWSProxy:
				if s.runner.Has(route.Integration.Function) {
					return gateway.LambdaProxy(route.Integration, s.invokeFunction, s.opts.Logger), nil
				}
				if slices.Contains(s.opts.EchoFunctions, route.Integration.Function) {
					return http.HandlerFunc(serveEcho), nil
				}
				return nil, fmt.Errorf("AWS_PROXY integration of %s %s: no function is named %q", route.Method, route.ResourcePath, route.Integration.Function)
			default:
				return nil, fmt.Errorf("%s %s: unsupported integration type %q", route.Method, route.ResourcePath, route.Integration.Type)
			}
		}),
		Issuer:   s.Issuer,
		Keys:     s.signer,
		Revoked:  s.catalog.IsRevoked,
		Cache:    s.gwCache,
		Observer: s.metrics.newGatewayMetrics(),
		Now:      s.opts.Now,
		Logger:   s.opts.Logger,
	})
}

// newRunner prepares the configured functions (none start until their
// first invocation), except those the echo backend answers.
func (s *Server) newRunner() error {
	var fns []*tollgate.Function
	for _, f := range s.opts.Functions {
		if !slices.Contains(s.opts.EchoFunctions, f.Name) {
			fns = append(fns, f)
		}
	}
	r, err := function.New(function.Options{
		Functions:   fns,
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

// invokeFunction is the gateway's LambdaInvoker: the function runner.
func (s *Server) invokeFunction(ctx context.Context, name string, event []byte) ([]byte, bool, error) {
	if inv, ok := gateway.FromContext(ctx); ok && inv.TraceID != "" {
		ctx = function.WithTraceID(ctx, inv.TraceID)
	}
	res, err := s.runner.Invoke(ctx, name, event)
	if errors.Is(err, function.ErrPayloadTooLarge) {
		return nil, false, gateway.ErrEventTooLarge
	}
	if err != nil {
		return nil, false, err
	}
	s.fnMetrics.observe(name, res)
	return res.Payload, res.FunctionError != "", nil
}

// proxyResponse maps a failed proxy exchange to API Gateway's answer.
func proxyResponse(kind proxy.ErrorKind) gateway.ResponseType {
	switch kind {
	case proxy.ErrTimeout:
		return gateway.ResponseIntegrationTimeout
	case proxy.ErrTooLarge:
		return gateway.ResponseRequestTooLarge
	case proxy.ErrBadPath:
		return gateway.ResponseMissingAuthenticationToken
	}
	return gateway.ResponseIntegrationFailure
}

// withProxyRequest hands the gateway's decision to the proxy, which passes
// it to the upstream in X-Tollgate-* headers.
func withProxyRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inv, ok := gateway.FromContext(r.Context())
		if !ok {
			gateway.WriteResponse(w, gateway.ResponseAPIConfigurationError)
			return
		}
		pr := &proxy.Request{
			PathParams:   inv.PathParameters(),
			ClientID:     inv.ClientID,
			Scopes:       inv.Scopes(),
			Claims:       inv.ClaimStrings(),
			ClaimsHeader: inv.ClaimsHeader(),
			RequestID:    inv.RequestID,
			Stage:        inv.Stage.Name,
			APIID:        inv.API.ID,
		}
		next.ServeHTTP(w, r.WithContext(proxy.WithRequest(r.Context(), pr)))
	})
}

// serveEcho is the built-in backend `tollgate dev` uses for a Lambda
// proxy function it cannot run (a Node.js function on a machine without
// node): it answers with the event the function would have received.
func serveEcho(w http.ResponseWriter, r *http.Request) {
	inv, ok := gateway.FromContext(r.Context())
	if !ok {
		gateway.WriteResponse(w, gateway.ResponseAPIConfigurationError)
		return
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil { // bounded by the gateway's MaxBytesReader
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				gateway.WriteResponse(w, gateway.ResponseRequestTooLarge)
			}
			return
		}
	}
	event, err := inv.ProxyEvent(r, body)
	if err != nil {
		gateway.WriteResponse(w, gateway.ResponseIntegrationFailure)
		return
	}
	var out bytes.Buffer
	json.Indent(&out, event, "", "  ")
	out.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.Write(out.Bytes())
}
