package limit_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
)

// needRedis skips without Redis, unless CI is set, where Redis must be
// there (limittest.RedisURL: TOLLGATE_TEST_REDIS names the server).
func needRedis(t testing.TB) { limittest.RedisURL(t) }

// testPrefix returns a prefix of the test's own and removes its keys at
// the end (only those: the server may be shared).
func testPrefix(t testing.TB) string {
	t.Helper()
	prefix := "tollgate-test:" + rand.Text() + ":"
	t.Cleanup(func() {
		o, _ := redis.ParseURL(limittest.RedisURL(t))
		c := redis.NewClient(o)
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("removing the test's keys: %v", err)
		}
	})
	return prefix
}

func newRedis(t testing.TB, prefix string) *limit.Redis {
	t.Helper()
	// A generous timeout: -race and a shared machine slow the round trip.
	r, err := limit.NewRedis(limittest.RedisURL(t), limit.RedisOptions{Prefix: prefix, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestRedis(t *testing.T) {
	needRedis(t)
	limittest.Run(t, func(t *testing.T) limit.Limiter { return newRedis(t, testPrefix(t)) })
}

// Three clients of one Redis, as three nodes: together they admit what
// one would.
func TestRedisNodesCountOnce(t *testing.T) {
	needRedis(t)
	prefix := testPrefix(t)
	nodes := []*limit.Redis{newRedis(t, prefix), newRedis(t, prefix), newRedis(t, prefix)}
	now := time.Unix(1_800_000_000, 0)
	checks := []limit.Check{
		{Key: "k", Rate: limit.Rate{PerSecond: 10, Burst: 40}},
		{Key: "k:day", Limit: 25, Reset: now.Add(time.Hour)},
	}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for _, n := range nodes {
		for range 4 {
			wg.Go(func() {
				for range 20 {
					res, err := n.Take(context.Background(), now, checks)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Allowed() {
						admitted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	if admitted.Load() != 25 {
		t.Fatalf("three nodes admitted %d, want the quota, 25", admitted.Load())
	}
	// The rate was charged 25 of its 40: 15 left, on any node.
	n := 0
	for i := range 20 {
		res, err := nodes[i%3].Take(context.Background(), now, checks[:1])
		if err != nil {
			t.Fatal(err)
		}
		if res.Allowed() {
			n++
		}
	}
	if n != 15 {
		t.Fatalf("the rate admitted %d more, want 15", n)
	}
}

// A server that does not answer is an error (within the timeout), not a
// decision.
func TestRedisUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r, err := limit.NewRedis("redis://"+addr, limit.RedisOptions{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	now := time.Unix(1_800_000_000, 0)
	check := []limit.Check{{Key: "k", Rate: limit.Rate{PerSecond: 1, Burst: 1}}}
	if _, err := r.Take(context.Background(), now, check); err == nil {
		t.Fatal("Take against no server: no error")
	}
	if _, err := r.Strike(context.Background(), now, "k", limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Minute}); err == nil {
		t.Fatal("Strike against no server: no error")
	}
	if err := r.Ping(context.Background()); err == nil {
		t.Fatal("Ping against no server: no error")
	}

	// A server that accepts but never answers: the timeout ends the wait.
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	silent, err := limit.NewRedis("redis://"+ln.Addr().String(), limit.RedisOptions{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if _, err := silent.Take(context.Background(), now, check); err == nil {
		t.Fatal("Take against a silent server: no error")
	}
}

func TestNewRedisURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:6379", "redis://user:s3cret@[::1:6379", "127.0.0.1:6379"} {
		_, err := limit.NewRedis(u, limit.RedisOptions{})
		if err == nil {
			t.Errorf("NewRedis(%q): no error", u)
			continue
		}
		if containsSecret(err.Error()) {
			t.Errorf("NewRedis(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"redis://127.0.0.1:6379", "rediss://user:pw@redis.example:6380/2"} {
		r, err := limit.NewRedis(u, limit.RedisOptions{})
		if err != nil {
			t.Errorf("NewRedis(%q): %v", u, err)
			continue
		}
		if s := fmt.Sprint(r); containsSecret(s) || s == "" {
			t.Errorf("String() = %q", s)
		}
		r.Close()
	}
}

func containsSecret(s string) bool {
	return strings.Contains(s, "s3cret") || strings.Contains(s, "pw@")
}

// BenchmarkRedisTake is one round trip to the local Redis; p50 and p99
// are reported beside ns/op.
func BenchmarkRedisTake(b *testing.B) {
	needRedis(b)
	r := newRedis(b, testPrefix(b))
	now := time.Unix(1_800_000_000, 0)
	checks := benchChecks(2, now)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := r.Take(ctx, now, checks); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
