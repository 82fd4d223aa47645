package replay_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/replay/replaytest"
)

// redisClient connects to the test Redis (limittest.RedisURL: skipped
// without it, failing when CI is set).
func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(limittest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a prefix of the test's own and removes its keys at
// the end (only those: the server may be shared).
func testPrefix(t testing.TB, c *redis.Client) string {
	t.Helper()
	prefix := "tollgate-test:" + rand.Text() + ":j:"
	t.Cleanup(func() {
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

func TestRedis(t *testing.T) {
	c := redisClient(t)
	replaytest.Run(t, func(t *testing.T) (replay.Cache, *replaytest.Clock) {
		return replay.NewRedis(c, testPrefix(t, c)), nil
	})
}

// TestRedisKey: the key Redis holds is the prefix and the key's digest,
// whatever the key, and it expires at exp (rounded up to the millisecond)
// by Redis's clock: PEXPIRETIME (Redis 7) reads the absolute expiry back.
func TestRedisKey(t *testing.T) {
	c := redisClient(t)
	prefix := testPrefix(t, c)
	r := replay.NewRedis(c, prefix)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond).Add(time.Microsecond)
	key := "dpop:jkt:" + strings.Repeat("\r\n*", 10_000)
	if fresh, err := r.Use(ctx, key, exp); err != nil || !fresh {
		t.Fatalf("Use = %v, %v", fresh, err)
	}
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := prefix + replay.HashKey(key)
	if len(keys) != 1 || keys[0] != want || len(keys[0]) != len(prefix)+43 {
		t.Fatalf("keys = %q, want [%q]", keys, want)
	}
	at, err := c.Do(ctx, "PEXPIRETIME", want).Int64()
	if err != nil {
		t.Fatal(err)
	}
	if wantMS := exp.UnixMilli() + 1; at != wantMS {
		t.Fatalf("PEXPIRETIME = %d, want %d (exp rounded up)", at, wantMS)
	}
}

// TestRedisUnreachable: a Redis that does not answer is an error, never
// a fresh identifier.
func TestRedisUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there, the dial is refused at once.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer c.Close()
	fresh, err := replay.NewRedis(c, "x:").Use(context.Background(), "k", time.Now().Add(time.Hour))
	if err == nil || fresh {
		t.Fatalf("Use = %v, %v; want false and an error", fresh, err)
	}
}

func BenchmarkRedisUse(b *testing.B) {
	c := redisClient(b)
	r := replay.NewRedis(c, testPrefix(b, c))
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if fresh, err := r.Use(ctx, fmt.Sprint("dpop:0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I:", i), exp); err != nil || !fresh {
			b.Fatal(fresh, err)
		}
	}
}
