package gateway

import (
	"strings"
	"sync"

	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/claimsheader"
)

// verified is a verified token's claims with what integrations derive from
// them on every request: the claim strings, the scopes and the encoded
// X-Tollgate-Claims value. It is kept with the cache entry, so that a
// cache hit costs no JSON decoding; the derivations are computed on first
// use (a MOCK or refused request never needs them) and are then immutable
// and shared by every request presenting the token.
type verified struct {
	claims *bearer.Claims
	// clientKey is the per-client throttle's key (clientKey).
	clientKey string

	once      sync.Once
	strings   map[string]string
	scopes    []string
	scopeList string
	header    string
	// derivedBytes estimates what the derivations hold (derivedSize).
	derivedBytes int64

	// The cache entry holding v, if one does: set by Cache.put before v is
	// shared; charged (the bytes the entry is charged, 0 once it is gone)
	// is guarded by the shard's lock.
	cache   *Cache
	shard   uint8
	charged int64
}

func newVerified(c *bearer.Claims) *verified { return &verified{claims: c, clientKey: clientKey(c)} }

// load computes the derivations once and returns v.
func (v *verified) load() *verified {
	v.once.Do(func() {
		v.strings = claimStrings(v.claims)
		v.scopes = v.claims.Scopes()
		v.scopeList = strings.Join(v.scopes, " ")
		v.header = claimsheader.Encode(v.strings)
		v.derivedBytes = derivedSize(v)
		if v.cache != nil {
			v.cache.charge(v, v.derivedBytes)
		}
	})
	return v
}
