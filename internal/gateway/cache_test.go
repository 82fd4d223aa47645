package gateway_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestCacheNeverPastExp: a verified token is served from the cache while
// its exp is ahead and is expired the second it is not, cache or no cache.
func TestCacheNeverPastExp(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	exp := t0.Add(90 * time.Second)
	tok := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "exp", exp.Unix()))
	scopes := []string{scope}

	steps := []struct {
		at         time.Time
		want       gateway.Decision
		wantCached bool
	}{
		{t0, gateway.Allow, false},
		{t0.Add(time.Second), gateway.Allow, true},
		{exp.Add(-time.Nanosecond), gateway.Allow, true},
		{exp, gateway.Expired, true},
		{exp, gateway.Expired, false}, // the entry is gone; verification says so too
		{exp.Add(time.Hour), gateway.Expired, false},
	}
	for i, s := range steps {
		f.clock.set(s.at)
		res := z.Authorize(context.Background(), tok, scopes)
		if res.Decision != s.want || res.Cached != s.wantCached {
			t.Fatalf("step %d at %s: %v cached=%v (%s), want %v cached=%v", i, s.at.Format(time.TimeOnly), res.Decision, res.Cached, res.Reason, s.want, s.wantCached)
		}
	}
}

// TestCacheMaxAge: an entry is verified again after MaxAge, even if the
// token's exp is far.
func TestCacheMaxAge(t *testing.T) {
	f := newFixture(t)
	f.cache = gateway.NewCache(gateway.CacheOptions{MaxAge: time.Minute, Now: f.clock.Now})
	z := f.authorizer(t, f.authorizerAB())
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for i, s := range []struct {
		after  time.Duration
		cached bool
	}{{0, false}, {59 * time.Second, true}, {time.Second, false}, {time.Second, true}} {
		f.clock.advance(s.after)
		res := z.Authorize(context.Background(), tok, []string{scope})
		if res.Decision != gateway.Allow || res.Cached != s.cached {
			t.Fatalf("step %d: %v cached=%v, want allow cached=%v", i, res.Decision, res.Cached, s.cached)
		}
	}
}

// TestCacheDistinguishesAuthorizers: an entry made by an authorizer is used
// only by authorizers that accept exactly the same issuers.
func TestCacheDistinguishesAuthorizers(t *testing.T) {
	f := newFixture(t)
	onlyA := f.authorizer(t, &tollgate.Authorizer{Name: "a", PoolIDs: []string{poolA}})
	onlyB := f.authorizer(t, &tollgate.Authorizer{Name: "b", PoolIDs: []string{poolB}})
	sameAsA := f.authorizer(t, &tollgate.Authorizer{Name: "a-again", PoolIDs: []string{poolA, poolA}, IdentitySource: "X-Token"})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	scopes := []string{scope}

	if res := onlyA.Authorize(context.Background(), tok, scopes); res.Decision != gateway.Allow || res.Cached {
		t.Fatalf("a: %v cached=%v", res.Decision, res.Cached)
	}
	if res := onlyB.Authorize(context.Background(), tok, scopes); res.Decision != gateway.Unauthorized || res.Cached {
		t.Fatalf("b: %v cached=%v, want a refusal not from the cache", res.Decision, res.Cached)
	}
	if res := sameAsA.Authorize(context.Background(), tok, scopes); res.Decision != gateway.Allow || !res.Cached {
		t.Fatalf("a-again: %v cached=%v, want allow from the cache", res.Decision, res.Cached)
	}
}

// TestCacheScopesAndRevocation: scopes and revocation are checked on every
// request, cache hits included.
func TestCacheScopesAndRevocation(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	ctx := context.Background()
	if res := z.Authorize(ctx, tok, []string{scope}); res.Decision != gateway.Allow {
		t.Fatalf("first: %v", res.Decision)
	}
	if res := z.Authorize(ctx, tok, []string{"orders/write"}); res.Decision != gateway.Unauthorized || !res.Cached {
		t.Fatalf("other route's scope: %v cached=%v", res.Decision, res.Cached)
	}
	f.revoke("3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a")
	if res := z.Authorize(ctx, tok, []string{scope}); res.Decision != gateway.Unauthorized || !res.Cached {
		t.Fatalf("revoked: %v cached=%v", res.Decision, res.Cached)
	}
}

// TestCacheBounded: the cache holds no more than its bytes, and its
// counters add up.
func TestCacheBounded(t *testing.T) {
	f := newFixture(t)
	const budget = 256 << 10 // 4 KiB a shard: a few tokens each
	f.cache = gateway.NewCache(gateway.CacheOptions{Bytes: budget, Now: f.clock.Now})
	z := f.authorizer(t, f.authorizerAB())
	const n = 300
	for i := range n {
		tok := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "jti", fmt.Sprint(i)))
		if res := z.Authorize(context.Background(), tok, []string{scope}); res.Decision != gateway.Allow {
			t.Fatalf("%d: %v", i, res.Decision)
		}
	}
	st := f.cache.Stats()
	if st.Bytes > budget || st.Entries == 0 || st.Entries >= n {
		t.Errorf("%d entries of %d bytes, want some but not all, within %d bytes", st.Entries, st.Bytes, budget)
	}
	if st.Misses != n || st.Hits != 0 {
		t.Errorf("stats %+v, want %d misses", st, n)
	}
	f.cache.Purge()
	if st := f.cache.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Errorf("%d entries of %d bytes after Purge", st.Entries, st.Bytes)
	}
}

// TestCacheEvictsExpiredFirst: a full shard drops expired entries before
// live ones.
func TestCacheEvictsExpiredFirst(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	z.Authorize(context.Background(), mint(t, keyA, keyA.kid, claims(issuerOf(poolA))), []string{scope})
	one := f.cache.Stats().Bytes // what one token's entry takes
	// A shard holds one entry, not two: tokens land in 64 shards; fill
	// enough that most shards hold a short-lived token, then let those
	// expire.
	f.cache = gateway.NewCache(gateway.CacheOptions{Bytes: 64 * (one + one/2), Now: f.clock.Now})
	z = f.authorizer(t, f.authorizerAB())
	short := with(claims(issuerOf(poolA)), "exp", t0.Add(time.Minute).Unix())
	for i := range 200 {
		z.Authorize(context.Background(), mint(t, keyA, keyA.kid, with(short, "jti", fmt.Sprint(i))), []string{scope})
	}
	if st := f.cache.Stats(); st.Entries < 32 || st.Entries > 64 {
		t.Fatalf("%d entries, want about one a shard", st.Entries)
	}
	f.clock.advance(2 * time.Minute)
	long := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "jti", "long"))
	z.Authorize(context.Background(), long, []string{scope})
	if res := z.Authorize(context.Background(), long, []string{scope}); !res.Cached {
		t.Error("the live token was not kept")
	}
}
