package server

import (
	"context"
	"net/http"

	"github.com/tollgate/tollgate"

	"github.com/tollgate/tollgate/internal/token"
)

// newTokenEndpoint wires the token endpoint: clients come from the catalog
// (a map lookup on the hot path), tokens are signed by the signer's cached
// keys, and revocations go to the store.
func (s *Server) newTokenEndpoint() *token.Endpoint {
	return token.New(token.Options{
		Clients:     s.catalog,
		Signer:      s.signer,
		Keys:        s.signer,
		Revocations: revocations{s.opts.Store, s},
		Vault:       s.opts.Vault,
		// The issuer does not depend on the host a request came in on, so
		// that a token verifies the same wherever it is presented.
		Issuer:       func(_ *http.Request, poolID string) string { return s.Issuer(poolID) },
		PoolFromHost: s.poolFromHost,
		Now:          s.opts.Now,
		Logger:       s.opts.Logger,
	})
}

// revocations records revocations in the store and refreshes the catalog at
// once, so this node's gateway rejects a revoked token from the next
// request on (other nodes within their poll interval).
type revocations struct {
	tollgate.Store
	s *Server
}

func (r revocations) RevokeToken(ctx context.Context, t tollgate.RevokedToken) error {
	if err := r.Store.RevokeToken(ctx, t); err != nil {
		return err
	}
	if _, err := r.s.catalog.Refresh(ctx); err != nil {
		r.s.opts.Logger.Warn("refresh after revocation", "err", err)
	}
	return nil
}
