package server

import "github.com/tollgate/tollgate/internal/catalog"

// onCatalogChange invalidates what depends on what changed, and nothing
// else: a revocation needs no purge (the gateway checks the revoked set on
// every request, cached verification or not), a new client none either.
//
//   - signing keys: the signer re-reads key lists (parsed keys are reused by
//     kid), and cached verifications go, since a retired key may have
//     signed them;
//   - a client, a pool or its resource servers: cached verifications go (a
//     deleted client's tokens, a deleted pool's, scopes no longer defined);
//   - a domain: the custom domains' certificates are read again;
//   - everything (a full reload): all of it.
func (s *Server) onCatalogChange(ch catalog.Changed) {
	if ch.All || len(ch.SigningKeys) > 0 {
		s.signer.Invalidate()
	}
	if ch.All || ch.Domains {
		s.certs.reset()
	}
	if s.gwCache != nil && (ch.All || ch.Clients || ch.Pools || len(ch.SigningKeys) > 0) {
		s.gwCache.Purge()
	}
}
