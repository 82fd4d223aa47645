package server

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/tollgate/tollgate"
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
			default:
				// Lambda proxy integrations are answered by the built-in
				// echo backend until functions run locally.
				return http.HandlerFunc(serveEcho), nil
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
		}
		next.ServeHTTP(w, r.WithContext(proxy.WithRequest(r.Context(), pr)))
	})
}

// maxEchoBody bounds what the echo backend reads back.
const maxEchoBody = 1 << 20

// serveEcho is the built-in backend of `tollgate dev`: it answers with what
// a backend receives — the request, the route, and the authorizer's claims
// as API Gateway passes them to a Lambda proxy integration.
func serveEcho(w http.ResponseWriter, r *http.Request) {
	inv, _ := gateway.FromContext(r.Context())
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxEchoBody))
	out := map[string]any{
		"httpMethod":            r.Method,
		"path":                  r.URL.EscapedPath(),
		"queryStringParameters": r.URL.Query(),
		"headers":               r.Header,
		"body":                  string(body),
	}
	if inv != nil {
		out["path"] = inv.Path
		out["resource"] = inv.ResourcePath
		out["pathParameters"] = inv.PathParameters()
		out["requestContext"] = map[string]any{
			"stage":        inv.Stage.Name,
			"path":         inv.ContextPath(),
			"requestId":    inv.RequestID,
			"resourcePath": inv.ResourcePath,
			"authorizer":   map[string]any{"claims": inv.ClaimStrings()},
		}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
