package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the verification cache.
const (
	// DefaultCacheSize is how many verified tokens the cache holds.
	DefaultCacheSize = 100_000
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
// When a shard is full, expired entries are dropped first and, failing
// that, an arbitrary one (Go's map iteration order): random eviction, which
// needs no bookkeeping on hits, unlike LRU.
type Cache struct {
	shards   [cacheShards]cacheShard
	perShard int
	maxAge   time.Duration
	now      func() time.Time

	hits, misses atomic.Uint64

	mu         sync.Mutex
	identities map[string]uint64
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[cacheKey]cacheEntry
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
	Size   int           // entries; default DefaultCacheSize
	MaxAge time.Duration // default DefaultCacheMaxAge
	Now    func() time.Time
}

// NewCache returns an empty cache.
func NewCache(opts CacheOptions) *Cache {
	if opts.Size <= 0 {
		opts.Size = DefaultCacheSize
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultCacheMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{
		perShard:   (opts.Size + cacheShards - 1) / cacheShards,
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
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	s := CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load()}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		s.Entries += len(sh.m)
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
		clear(sh.m)
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
		c.remove(sh, k)
		return nil, cacheExpired
	}
	if now.UnixNano() >= e.until {
		c.misses.Add(1)
		c.remove(sh, k)
		return nil, cacheMiss
	}
	c.hits.Add(1)
	return e.v, cacheHit
}

func (c *Cache) remove(sh *cacheShard, k cacheKey) {
	sh.mu.Lock()
	delete(sh.m, k)
	sh.mu.Unlock()
}

// put remembers verified claims, with what is derived from them (see
// verified), until the token's exp, or MaxAge from now if that comes first.
func (c *Cache) put(k cacheKey, v *verified, now time.Time) {
	if now.Unix() >= v.claims.Exp {
		return
	}
	e := cacheEntry{v: v, exp: v.claims.Exp, until: now.Add(c.maxAge).UnixNano()}
	sh := &c.shards[k.sum[0]%cacheShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[k]; !ok && len(sh.m) >= c.perShard {
		c.evict(sh, now)
	}
	sh.m[k] = e
}

// evict makes room in a full shard (its lock held): it drops the entries
// that can no longer be used and, if none could, one arbitrary entry.
func (c *Cache) evict(sh *cacheShard, now time.Time) {
	unix, nano := now.Unix(), now.UnixNano()
	dropped := false
	for k, e := range sh.m {
		if unix >= e.exp || nano >= e.until {
			delete(sh.m, k)
			dropped = true
		}
	}
	if dropped {
		return
	}
	for k := range sh.m {
		delete(sh.m, k)
		return
	}
}
