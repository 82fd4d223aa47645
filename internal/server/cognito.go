package server

import (
	"context"
	"net/http"

	"github.com/tollgate/tollgate/internal/cognitoapi"
)

// withCognitoAPI serves the Cognito Identity Provider management API
// (POST / with a Cognito X-Amz-Target) beside h, before every other route:
// its calls are SigV4-signed with Tollgate's access keys, so it is safe on
// the main listener. Each write refreshes the catalog, so that the token
// endpoint and the gateway see a new or deleted client at once.
func (s *Server) withCognitoAPI(h http.Handler) http.Handler {
	api := cognitoapi.New(cognitoapi.Options{
		Store: s.opts.Store,
		Vault: s.opts.Vault,
		Now:   s.opts.Now,
		OnChange: func(ctx context.Context) {
			if _, err := s.catalog.Refresh(ctx); err != nil {
				s.opts.Logger.Warn("refresh the catalog after a management API write", "err", err)
			}
		},
		Audit:  s.opts.Audit,
		Logger: s.opts.Logger,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cognitoapi.Owns(r) {
			api.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
