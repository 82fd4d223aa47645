package server

import (
	"context"
	"errors"
	"slices"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
)

// onCatalogChange invalidates what depends on what changed, and nothing
// else: a revocation needs no purge (the gateway checks the revoked set on
// every request, cached verification or not), a new client none either.
//
//   - signing keys, or a pool (deleted with its keys, which records no key
//     change of its own): the signer re-reads key lists (parsed keys are
//     reused by kid), and cached verifications go, since a retired key may
//     have signed them;
//   - a client, a pool or its resource servers: cached verifications go (a
//     deleted client's tokens, a deleted pool's, scopes no longer defined);
//   - a domain: the custom domains' certificates are read again;
//   - the master key's check value (a rotation switched the store to a new
//     key): the vault follows it (followMasterKey);
//   - everything (a full reload): all of it.
func (s *Server) onCatalogChange(ch catalog.Changed) {
	if ch.All || slices.Contains(ch.Settings, tollgate.SettingMasterKeyCheck) {
		s.followMasterKey()
	}
	if ch.All || ch.Pools || len(ch.SigningKeys) > 0 {
		s.signer.Invalidate()
	}
	if ch.All || ch.Domains {
		s.certs.reset()
	}
	if s.gwCache != nil && (ch.All || ch.Clients || ch.Pools || len(ch.SigningKeys) > 0) {
		s.gwCache.Purge()
	}
}

// followMasterKey makes the vault seal under the key the store's check
// value names, as `master-key rotate` switches it: a node given both keys
// then seals what it writes under the new key, which the rotation's second
// pass does not have to catch. A node none of whose keys is the store's
// any longer (run with only the old key after a rotation) stops: whatever
// it sealed from then on would be lost with its key, and every client
// re-sealed under the new key would be refused by it.
func (s *Server) followMasterKey() {
	check, err := s.opts.Store.GetSetting(context.Background(), tollgate.SettingMasterKeyCheck)
	if err != nil {
		if !tollgate.IsNotFound(err) {
			s.opts.Logger.Warn("read the store's master key check", "err", err)
		}
		return
	}
	switch changed, err := s.opts.Vault.SealUnder(check); {
	case err != nil:
		s.opts.Logger.Error("the store was switched to a master key this node was not given: stopping; restart it with the store's key")
		s.fail(errors.New("the store's master key was rotated to a key this node was not given"))
	case changed:
		s.opts.Logger.Info("the store's master key changed: sealing under it from now on")
	}
}

// fail ends Serve with err (the first one wins).
func (s *Server) fail(err error) {
	select {
	case s.fatal <- err:
	default:
	}
}
