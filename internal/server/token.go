package server

import (
	"net/http"

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
		Revocations: s.opts.Store,
		Vault:       s.opts.Vault,
		// The issuer does not depend on the host a request came in on, so
		// that a token verifies the same wherever it is presented.
		Issuer:       func(_ *http.Request, poolID string) string { return s.Issuer(poolID) },
		PoolFromHost: s.poolFromHost,
		Now:          s.opts.Now,
		Logger:       s.opts.Logger,
	})
}
