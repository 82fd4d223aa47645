package signer

// CachedActiveKey returns the identity of the parsed private key the pool's
// cached key set signs with (nil when nothing is cached), so that tests can
// tell a reused key from one decrypted again.
func (s *Signer) CachedActiveKey(poolID string) any {
	p, ok := (*s.pools.Load())[poolID]
	if !ok {
		return nil
	}
	ks := p.cur.Load()
	if ks == nil {
		return nil
	}
	return ks.active
}

// CachedPools returns how many pools the Signer holds a cache for.
func (s *Signer) CachedPools() int { return len(*s.pools.Load()) }
