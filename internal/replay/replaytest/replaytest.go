// Package replaytest is the conformance suite every replay.Cache passes:
// Run holds an implementation to the behaviour the token endpoint and the
// gateway rely on (each identifier fresh once until it expires, whatever
// its bytes, under concurrency). It imports only package replay and the
// standard library.
package replaytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/replay"
)

// Clock is a clock the suite drives, for caches that read the time from
// a Now function.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at the current time (so that its expiries are
// also meaningful to a store with a real clock).
func NewClock() *Clock { return &Clock{now: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// New returns an empty cache for one case (for a shared store, a prefix
// of its own) and arranges for it to be closed. It returns the Clock the
// cache reads, or nil when the cache's clock is not the test's to drive
// (Redis expires keys by the server's clock); cases that move time are
// then left out, and the implementation's own tests check how it hands
// the expiry to its store.
type New func(t *testing.T) (replay.Cache, *Clock)

// Run runs the suite.
func Run(t *testing.T, newCache New) {
	cases := []struct {
		name string
		fn   func(*testing.T, replay.Cache, func() time.Time)
	}{
		{"FreshThenReplay", testFreshThenReplay},
		{"KeysApart", testKeysApart},
		{"HostileKeys", testHostileKeys},
		{"ManyKeys", testManyKeys},
		{"PastExpiryIsAnError", testPastExpiry},
		{"CanceledContextIsAnError", testCanceled},
		{"ConcurrentOneFresh", testConcurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cache, clock := newCache(t)
			now := time.Now
			if clock != nil {
				now = clock.Now
			}
			c.fn(t, cache, now)
		})
	}
	t.Run("Expiry", func(t *testing.T) {
		cache, clock := newCache(t)
		if clock == nil {
			// Not a skip: this cache's expiry is its store's, and its own
			// tests check what it hands the store.
			t.Log("the cache's clock is its store's: expiry is checked by the implementation's tests")
			return
		}
		testExpiry(t, cache, clock)
	})
}

func use(t *testing.T, c replay.Cache, key string, exp time.Time) bool {
	t.Helper()
	fresh, err := c.Use(context.Background(), key, exp)
	if err != nil {
		t.Fatalf("Use(%.40q): %v", key, err)
	}
	return fresh
}

func expectFresh(t *testing.T, c replay.Cache, key string, exp time.Time) {
	t.Helper()
	if !use(t, c, key, exp) {
		t.Fatalf("Use(%.40q) is a replay, want fresh", key)
	}
}

func expectReplay(t *testing.T, c replay.Cache, key string, exp time.Time) {
	t.Helper()
	if use(t, c, key, exp) {
		t.Fatalf("Use(%.40q) is fresh, want a replay", key)
	}
}

// testFreshThenReplay: the first Use is fresh, every later one a replay,
// whatever exp the later ones give (a replay cannot extend or shorten the
// first one's life).
func testFreshThenReplay(t *testing.T, c replay.Cache, now func() time.Time) {
	exp := now().Add(time.Hour)
	expectFresh(t, c, "dpop:jkt:jti-1", exp)
	expectReplay(t, c, "dpop:jkt:jti-1", exp)
	expectReplay(t, c, "dpop:jkt:jti-1", exp.Add(time.Hour))
	expectReplay(t, c, "dpop:jkt:jti-1", now().Add(time.Second))
}

// testKeysApart: keys differing in one byte, in case, or in length are
// different identifiers.
func testKeysApart(t *testing.T, c replay.Cache, now func() time.Time) {
	exp := now().Add(time.Hour)
	keys := []string{
		"jwt:client:a", "jwt:client:b", "jwt:client:A", "jwt:client:a ",
		"jwt:client:", "jwt:clien:ta", "dpop:client:a", "",
	}
	for _, k := range keys {
		expectFresh(t, c, k, exp)
	}
	for _, k := range keys {
		expectReplay(t, c, k, exp)
	}
}

// testHostileKeys: keys a client chooses (a jti) may be long or hold any
// bytes, Redis's glob and protocol characters included.
func testHostileKeys(t *testing.T, c replay.Cache, now func() time.Time) {
	exp := now().Add(time.Hour)
	keys := []string{
		strings.Repeat("x", 1<<20),
		strings.Repeat("x", 1<<20-1) + "y",
		"*", "?", "[a-z]", "\x00", "\x00\x01", "\r\n*1\r\n$4\r\nPING\r\n",
		"\xff\xfe", "ſcope", "\u202e", "key with spaces", "../../etc",
	}
	for _, k := range keys {
		expectFresh(t, c, k, exp)
		expectReplay(t, c, k, exp)
	}
}

// testManyKeys: a thousand identifiers are each fresh once.
func testManyKeys(t *testing.T, c replay.Cache, now func() time.Time) {
	exp := now().Add(time.Hour)
	for i := range 1000 {
		expectFresh(t, c, fmt.Sprintf("dpop:jkt:%d", i), exp)
	}
	for i := range 1000 {
		expectReplay(t, c, fmt.Sprintf("dpop:jkt:%d", i), exp)
	}
}

// testPastExpiry: an exp that has passed is the caller's mistake, an error
// (neither fresh, which would accept an expired identifier, nor a replay).
func testPastExpiry(t *testing.T, c replay.Cache, now func() time.Time) {
	for _, exp := range []time.Time{now().Add(-time.Second), now().Add(-time.Hour), {}} {
		fresh, err := c.Use(context.Background(), "past", exp)
		if !errors.Is(err, replay.ErrExpired) || fresh {
			t.Fatalf("Use with exp %v = %v, %v; want false, ErrExpired", exp, fresh, err)
		}
	}
	// Nothing was recorded.
	expectFresh(t, c, "past", now().Add(time.Hour))
}

// testCanceled: a cache that cannot answer says so with an error, never
// with fresh (the caller would accept a replay).
func testCanceled(t *testing.T, c replay.Cache, now func() time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fresh, err := c.Use(ctx, "canceled", now().Add(time.Hour))
	if err == nil || fresh {
		t.Fatalf("Use with a canceled context = %v, %v; want false and an error", fresh, err)
	}
}

// testConcurrent: of many simultaneous Uses of one key, exactly one is
// fresh; simultaneous Uses of distinct keys are all fresh.
func testConcurrent(t *testing.T, c replay.Cache, now func() time.Time) {
	const n = 32
	exp := now().Add(time.Hour)
	var fresh, errs atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ok, err := c.Use(context.Background(), "same", exp)
			if err != nil {
				errs.Add(1)
			} else if ok {
				fresh.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			ok, err := c.Use(context.Background(), fmt.Sprintf("distinct-%d", i), exp)
			if err != nil || !ok {
				errs.Add(1)
			}
		}()
	}
	wg.Wait()
	if errs.Load() != 0 || fresh.Load() != 1 {
		t.Fatalf("%d concurrent Uses of one key: %d fresh, %d errors or stale distinct keys; want 1 fresh, 0", n, fresh.Load(), errs.Load())
	}
}

// testExpiry: an identifier is a replay until exp, and fresh again from
// exp on (its proof or assertion is refused as expired by then anyway).
func testExpiry(t *testing.T, c replay.Cache, clock *Clock) {
	exp := clock.Now().Add(time.Minute)
	expectFresh(t, c, "k", exp)
	clock.Advance(time.Minute - time.Millisecond)
	expectReplay(t, c, "k", exp)
	clock.Advance(time.Millisecond)
	expectFresh(t, c, "k", exp.Add(time.Minute))
	expectReplay(t, c, "k", exp.Add(time.Minute))
	// Past the sweep interval, with other keys written meanwhile.
	clock.Advance(2 * time.Hour)
	for i := range 100 {
		expectFresh(t, c, fmt.Sprintf("later-%d", i), clock.Now().Add(time.Minute))
	}
	expectFresh(t, c, "k", clock.Now().Add(time.Minute))
}
