package gateway

import (
	"runtime"
	"testing"
	"time"
)

// shardKey returns a distinct key for i that lands in shard 0.
func shardKey(i int) cacheKey {
	k := testKey(i)
	k.sum[0] = 0
	k.sum[31] = byte(i)
	k.sum[30] = byte(i >> 8)
	return k
}

// entryBytes is what testVerified's entry is charged with its derivations.
func entryBytes(tb testing.TB) int64 {
	v := testVerified(tb, 0).load()
	return entrySize(v.claims) + derivedSize(v)
}

// TestCacheSizeEstimate holds the estimate of an entry's size to what the
// heap measures (runtime.MemStats) for tokens as Tollgate issues them,
// their derivations computed (and half of them their HTTP claims): within a fifth either way, so that the byte
// bound is the memory the operator set.
func TestCacheSizeEstimate(t *testing.T) {
	const n = 5000
	c := NewCache(CacheOptions{Bytes: 1 << 40, Now: func() time.Time { return benchNow }})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		v := testVerified(t, i)
		c.put(testKey(i), v, benchNow)
		v.load()
		if i%2 == 1 {
			v.loadHTTPClaims() // half of them used by an HTTP API's Lambda integration
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	measured := int64(after.HeapAlloc) - int64(before.HeapAlloc) //nolint:gosec // heap sizes are far below 2^63
	st := c.Stats()
	if st.Entries != n {
		t.Fatalf("%d entries, want %d", st.Entries, n)
	}
	t.Logf("estimated %d bytes an entry, measured %d", st.Bytes/n, measured/n)
	if st.Bytes < measured*4/5 || st.Bytes > measured*6/5 {
		t.Errorf("estimated %d bytes for %d entries, the heap grew by %d", st.Bytes, n, measured)
	}
	runtime.KeepAlive(c)
}

// TestCacheChargesDerivations: an entry is charged its size when stored,
// its derivations' when they are computed, and nothing once it is gone.
func TestCacheChargesDerivations(t *testing.T) {
	c := NewCache(CacheOptions{Now: func() time.Time { return benchNow }})
	v := testVerified(t, 1)
	base := entrySize(v.claims)
	c.put(testKey(1), v, benchNow)
	if got := c.Stats().Bytes; got != base {
		t.Fatalf("stored: %d bytes, want %d", got, base)
	}
	v.load()
	if got, want := c.Stats().Bytes, base+derivedSize(v); got != want || derivedSize(v) < 500 {
		t.Fatalf("derived: %d bytes, want %d (derivations %d)", got, want, derivedSize(v))
	}
	w := testVerified(t, 2) // a concurrent miss of the same token replaces v
	c.put(testKey(1), w, benchNow)
	if st := c.Stats(); st.Bytes != entrySize(w.claims) || st.Entries != 1 {
		t.Fatalf("replaced: %+v, want one entry of %d bytes", st, entrySize(w.claims))
	}
	c.Purge()
	w.load() // computed after the purge: charged to nobody
	if st := c.Stats(); st.Bytes != 0 || st.Entries != 0 {
		t.Fatalf("purged: %+v", st)
	}
}

// TestCacheByteBound: however many tokens arrive, no shard holds more
// than its share of the bytes, and what the shards are charged is what
// their entries are.
func TestCacheByteBound(t *testing.T) {
	per := entryBytes(t)
	c := NewCache(CacheOptions{Bytes: 64 * 10 * per, Now: func() time.Time { return benchNow }})
	for i := range 2000 {
		v := testVerified(t, i)
		c.put(testKey(i), v, benchNow)
		if i%2 == 0 {
			v.load() // half of them used by an integration
		}
	}
	st := c.Stats()
	if st.Entries < 64*10 || st.Entries > 64*20 {
		t.Errorf("%d entries, want between 10 and 20 a shard", st.Entries)
	}
	for i := range c.shards {
		sh := &c.shards[i]
		var sum int64
		for _, e := range sh.m {
			sum += e.v.charged
		}
		if sh.bytes > c.perShard || sh.bytes != sum {
			t.Fatalf("shard %d: %d bytes charged, its entries %d, its budget %d", i, sh.bytes, sum, c.perShard)
		}
	}
}

// TestCacheEvictsUnusableFirst: a shard with no room drops the entries it
// can no longer use (expired, or past MaxAge) before live ones, which it
// drops only when they are all live.
func TestCacheEvictsUnusableFirst(t *testing.T) {
	now := benchNow
	c := NewCache(CacheOptions{Bytes: 64 * 3 * entryBytes(t), MaxAge: time.Hour, Now: func() time.Time { return now }})
	for round := range 20 {
		now = now.Add(2 * time.Hour) // everything stored before is unusable
		live := []cacheKey{shardKey(3 * round), shardKey(3*round + 1)}
		for _, k := range live {
			v := testVerified(t, 0)
			v.claims.Exp = now.Add(3 * time.Hour).Unix()
			c.put(k, v.load(), now)
		}
		v := testVerified(t, 0)
		v.claims.Exp = now.Add(3 * time.Hour).Unix()
		c.put(shardKey(3*round+2), v.load(), now)
		for _, k := range live {
			if _, res := c.get(k, now); res != cacheHit {
				t.Fatalf("round %d: a live entry was dropped while unusable ones were held", round)
			}
		}
	}
	now = now.Add(time.Minute) // all live: one makes room
	for i := range 3 {
		v := testVerified(t, 0)
		v.claims.Exp = now.Add(3 * time.Hour).Unix()
		c.put(shardKey(1000+i), v.load(), now)
	}
	if n := len(c.shards[0].m); n != 3 {
		t.Errorf("%d entries in the shard, want 3", n)
	}
}

// TestCacheDisabledOrTooSmall: a negative size keeps nothing, and an entry
// larger than a shard's budget is not kept.
func TestCacheDisabledOrTooSmall(t *testing.T) {
	for _, bytes := range []int64{-1, 64 * 100} {
		c := NewCache(CacheOptions{Bytes: bytes, Now: func() time.Time { return benchNow }})
		c.put(testKey(1), testVerified(t, 1), benchNow)
		if _, res := c.get(testKey(1), benchNow); res != cacheMiss {
			t.Errorf("Bytes %d: the entry was kept", bytes)
		}
		if st := c.Stats(); st.Entries != 0 || st.Bytes != 0 || st.Misses != 1 {
			t.Errorf("Bytes %d: %+v", bytes, st)
		}
	}
}
