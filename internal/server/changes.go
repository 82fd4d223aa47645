package server

import (
	"context"
	"errors"
	"slices"
	"time"

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
// re-sealed under the new key would be refused by it. A failed read is
// tried again each second until it succeeds or Serve returns: the feed
// told of the switch once.
func (s *Server) followMasterKey() {
	err := s.syncMasterKey(context.Background())
	var wrong *wrongKeyError
	switch {
	case err == nil:
	case errors.As(err, &wrong):
		s.opts.Logger.Error("the store was switched to a master key this node was not given: stopping; restart it with the store's key")
		s.fail(err)
	default:
		s.opts.Logger.Warn("read the store's master key check; trying again", "err", err)
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-s.stopping:
					return
				case <-t.C:
				}
				err := s.syncMasterKey(context.Background())
				if errors.As(err, &wrong) {
					s.opts.Logger.Error("the store was switched to a master key this node was not given: stopping; restart it with the store's key")
					s.fail(err)
				}
				if err == nil || errors.As(err, &wrong) {
					return
				}
			}
		}()
	}
}

// wrongKeyError: the store's check value opens under none of the vault's
// keys.
type wrongKeyError struct{}

func (*wrongKeyError) Error() string {
	return "the store's master key was rotated to a key this node was not given"
}

// syncMasterKey makes the vault seal under the key the store's check value
// names (none stored: nothing to do); a *wrongKeyError when no key of the
// vault is the store's.
func (s *Server) syncMasterKey(ctx context.Context) error {
	check, err := s.opts.Store.GetSetting(ctx, tollgate.SettingMasterKeyCheck)
	if tollgate.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	changed, err := s.opts.Vault.SealUnder(check)
	if err != nil {
		return &wrongKeyError{}
	}
	if changed {
		s.opts.Logger.Info("the store's master key changed: sealing under it from now on")
	}
	return nil
}

// fail ends Serve with err (the first one wins).
func (s *Server) fail(err error) {
	select {
	case s.fatal <- err:
	default:
	}
}
