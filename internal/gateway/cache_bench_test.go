package gateway

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/bearer"
)

// benchNow is the time the cache benchmarks run at; their tokens expire an
// hour later.
var benchNow = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

// testVerified returns the verified claims of a Cognito M2M access token as
// Tollgate issues it (contract §2), decoded as bearer.Verify decodes them:
// the claims struct from the payload, which it keeps as Raw.
func testVerified(tb testing.TB, i int) *verified {
	tb.Helper()
	payload, err := json.Marshal(map[string]any{
		"sub":       "6rupb256qn12tju82occ9eppqr",
		"token_use": "access",
		"scope":     "default/default",
		"auth_time": benchNow.Unix(),
		"iss":       "http://127.0.0.1:8080/us-east-1_pxAHZcSSX",
		"exp":       benchNow.Add(time.Hour).Unix(),
		"iat":       benchNow.Unix(),
		"version":   2,
		"jti":       "3b4c6f2e-8f0e-4a43-9d51-" + strconv.Itoa(100000000000+i),
		"client_id": "6rupb256qn12tju82occ9eppqr",
	})
	if err != nil {
		tb.Fatal(err)
	}
	c := new(bearer.Claims)
	if err := json.Unmarshal(payload, c); err != nil {
		tb.Fatal(err)
	}
	c.Raw = payload
	return newVerified(c)
}

// testKey returns a distinct cache key for i.
func testKey(i int) cacheKey {
	var k cacheKey
	k.authz = 1
	binary.LittleEndian.PutUint64(k.sum[:], uint64(i)*0x9e3779b97f4a7c15) //nolint:gosec // i is a small non-negative counter
	return k
}

// BenchmarkCacheGet is the hit path: a lookup of a cached token, from
// every core at once.
func BenchmarkCacheGet(b *testing.B) {
	const n = 4096
	c := NewCache(CacheOptions{Now: func() time.Time { return benchNow }})
	for i := range n {
		v := testVerified(b, i)
		v.load()
		c.put(testKey(i), v, benchNow)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, res := c.get(testKey(i%n), benchNow); res != cacheHit {
				b.Fatal("miss")
			}
			i++
		}
	})
}

// BenchmarkCachePut is the insertion of a token never seen before into a
// full cache: the eviction it takes, under the shard's lock.
func BenchmarkCachePut(b *testing.B) {
	const n = 4096
	vs := make([]*verified, n)
	for i := range vs {
		vs[i] = testVerified(b, i)
		vs[i].load()
	}
	c := newBenchCache(b, n/4)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.put(testKey(i), vs[i%n], benchNow)
		i++
	}
}

// newBenchCache returns a cache that holds about n entries of testVerified
// with their derivations.
func newBenchCache(tb testing.TB, n int) *Cache {
	v := testVerified(tb, 0).load()
	return NewCache(CacheOptions{Bytes: int64(n) * (entrySize(v.claims) + derivedSize(v))})
}
