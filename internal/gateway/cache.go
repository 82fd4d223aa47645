package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the verification cache.
const (
	// DefaultCacheBytes bounds the memory of the cache's entries: 32 MiB,
	// about 14,000 tokens as Tollgate issues them (2.3 KiB each once an
	// HTTP or Lambda integration has derived its claim strings and claims
	// header from them). A client keeps its token for the token's validity
	// (an hour by default), so the tokens presented again are about as
	// many as the clients active in that hour: fewer than that for most
	// deployments. A token presented only once gains nothing from the
	// cache, and a stream of them no longer grows the process: it turns
	// the entries over within this bound. Under the server's garbage
	// collector target (server.DefaultGCPercent, 400), the heap may grow to
	// five times what is live, so these bytes weigh about five times in
	// the process's RSS: it levels off near 210 MiB at this default
	// (bench/cache.sh).
	DefaultCacheBytes = 32 << 20
	// DefaultCacheMaxAge bounds how long a verification is reused, however
	// far the token's exp: a pool deleted or a key withdrawn stops its
	// tokens within this time even if nobody calls Purge.
	DefaultCacheMaxAge = 5 * time.Minute
)

const cacheShards = 64

// Cache remembers verified tokens, so that a token presented again costs a
// hash and a map lookup instead of an RSA verification. It is bounded and
// safe for concurrent use; one Cache may serve every authorizer of a
// gateway, and may outlive a gateway rebuilt on a config change.
//
// An entry is keyed by the SHA-256 of the token and the identity of the
// authorizer that verified it (its pools and issuers), so a token verified
// for one authorizer is never reused by another with other issuers. It
// holds the verified claims (and, computed once on first use, what
// integrations derive from them: see Invocation.ClaimStrings), not a decision: scopes are checked on every
// request (they are per route), and so is revocation. An entry is never
// used at or past the token's exp (nor after MaxAge): then the token is
// expired, and says so.
//
// The cache is bounded by the memory its entries hold, not by their count:
// each entry is charged its estimated size (entrySize: the claims, the
// payload they were decoded from, the map slot) when it is stored, and
// again for the derivations once they are computed (derivedSize), since a
// token with many claims or long ones costs more. Each of the 64 shards
// holds a 64th of the budget. When a shard has no room, entries that can
// no longer be used are dropped first and then arbitrary ones (Go's map
// iteration order) until the new one fits: random eviction, which needs no
// bookkeeping on hits, unlike LRU. An entry larger than a shard's budget
// is not kept.
type Cache struct {
	shards   [cacheShards]cacheShard
	perShard int64 // bytes
	maxAge   time.Duration
	now      func() time.Time

	hits, misses atomic.Uint64

	mu         sync.Mutex
	identities map[string]uint64
}

type cacheShard struct {
	mu    sync.RWMutex
	m     map[cacheKey]cacheEntry
	bytes int64 // what the entries of m are charged (verified.charged)
}

type cacheKey struct {
	authz uint64 // the authorizer's identity, from Cache.identity
	sum   [32]byte
}

type cacheEntry struct {
	v     *verified
	exp   int64 // the token's exp (Unix seconds)
	until int64 // UnixNano after which the entry is not used (MaxAge)
}

// CacheOptions configure a Cache. The zero value is ready to use.
type CacheOptions struct {
	// Bytes bounds the estimated memory of the entries: 0 means
	// DefaultCacheBytes; a negative value makes a cache that keeps
	// nothing, so that every token is verified. Each shard gets a 64th:
	// below some 64 × 3 KiB, Tollgate's tokens are not cached at all.
	Bytes  int64
	MaxAge time.Duration // default DefaultCacheMaxAge
	Now    func() time.Time
}

// NewCache returns an empty cache.
func NewCache(opts CacheOptions) *Cache {
	if opts.Bytes == 0 {
		opts.Bytes = DefaultCacheBytes
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultCacheMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{
		perShard:   max(opts.Bytes, 0) / cacheShards,
		maxAge:     opts.MaxAge,
		now:        opts.Now,
		identities: map[string]uint64{},
	}
	for i := range c.shards {
		c.shards[i].m = make(map[cacheKey]cacheEntry)
	}
	return c
}

// CacheStats are the cache's counters, for metrics.
type CacheStats struct {
	Hits    uint64 // lookups answered from the cache (expired entries included)
	Misses  uint64 // lookups that had to verify
	Entries int    // entries held now
	Bytes   int64  // their estimated memory (see Cache)
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	s := CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load()}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		s.Entries += len(sh.m)
		s.Bytes += sh.bytes
		sh.mu.RUnlock()
	}
	return s
}

// Purge forgets every entry. The server calls it when keys or pools may
// have been withdrawn (the store's generation moved), so that nothing
// verified with a withdrawn key is reused.
func (c *Cache) Purge() {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for _, e := range sh.m {
			e.v.charged = 0
		}
		clear(sh.m)
		sh.bytes = 0
		sh.mu.Unlock()
	}
}

// identity returns the number standing for an authorizer's identity (its
// canonical list of pools and issuers): equal identities share entries,
// since they accept exactly the same tokens.
func (c *Cache) identity(canonical string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.identities[canonical]
	if !ok {
		id = uint64(len(c.identities) + 1)
		c.identities[canonical] = id
	}
	return id
}

// lookupResult says what the cache knows of a token.
type lookupResult int

const (
	cacheMiss    lookupResult = iota
	cacheHit                  // verified, exp ahead
	cacheExpired              // verified, exp passed: the token is expired
)

// get looks the key up at now.
func (c *Cache) get(k cacheKey, now time.Time) (*verified, lookupResult) {
	sh := &c.shards[k.sum[0]%cacheShards]
	sh.mu.RLock()
	e, ok := sh.m[k]
	sh.mu.RUnlock()
	if !ok {
		c.misses.Add(1)
		return nil, cacheMiss
	}
	// bearer.Verify's rule, with no leeway: usable while now < exp.
	if now.Unix() >= e.exp {
		c.hits.Add(1)
		c.remove(sh, k, e.v)
		return nil, cacheExpired
	}
	if now.UnixNano() >= e.until {
		c.misses.Add(1)
		c.remove(sh, k, e.v)
		return nil, cacheMiss
	}
	c.hits.Add(1)
	return e.v, cacheHit
}

// remove drops the entry of k if it still holds v.
func (c *Cache) remove(sh *cacheShard, k cacheKey, v *verified) {
	sh.mu.Lock()
	if e, ok := sh.m[k]; ok && e.v == v {
		sh.drop(k, e)
	}
	sh.mu.Unlock()
}

// drop deletes the entry of k, e (the shard's lock held).
func (sh *cacheShard) drop(k cacheKey, e cacheEntry) {
	delete(sh.m, k)
	sh.bytes -= e.v.charged
	e.v.charged = 0
}

// put remembers verified claims, with what is derived from them (see
// verified), until the token's exp, or MaxAge from now if that comes first.
// The entry is charged its size now, with its derivations' if they are
// computed already, or else when they are (charge). v must not be shared
// yet: only the cache shares it.
func (c *Cache) put(k cacheKey, v *verified, now time.Time) {
	size := entrySize(v.claims) + v.derivedBytes
	if now.Unix() >= v.claims.Exp || size > c.perShard {
		return
	}
	e := cacheEntry{v: v, exp: v.claims.Exp, until: now.Add(c.maxAge).UnixNano()}
	i := k.sum[0] % cacheShards
	sh := &c.shards[i]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[k]; ok {
		sh.drop(k, old) // a concurrent miss of the same token
	}
	c.makeRoom(sh, size, now)
	v.cache, v.shard, v.charged = c, i, size
	sh.m[k] = e
	sh.bytes += size
}

// charge adds what v's derivations take to the entry holding v, if it is
// still held, and makes room for them. verified.load calls it once.
func (c *Cache) charge(v *verified, size int64) {
	sh := &c.shards[v.shard]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if v.charged == 0 {
		return // dropped, replaced or purged since
	}
	v.charged += size
	sh.bytes += size
	c.makeRoom(sh, 0, c.now())
}

// makeRoom drops entries of a shard (its lock held) until need more bytes
// fit its budget: first the entries that can no longer be used, then
// arbitrary ones.
func (c *Cache) makeRoom(sh *cacheShard, need int64, now time.Time) {
	if sh.bytes+need <= c.perShard {
		return
	}
	unix, nano := now.Unix(), now.UnixNano()
	for k, e := range sh.m {
		if unix >= e.exp || nano >= e.until {
			sh.drop(k, e)
		}
	}
	for k, e := range sh.m {
		if sh.bytes+need <= c.perShard {
			return
		}
		sh.drop(k, e)
	}
}
