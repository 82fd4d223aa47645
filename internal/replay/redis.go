package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Cache in a Redis server shared by every node, so that an
// identifier used on one node is a replay on all of them. Each Use is one
// round trip: SET key 1 NX PXAT exp, which records the key and its expiry
// atomically only when it is absent, and which Redis forgets at exp by
// itself. Redis's own clock decides expiry: keep the nodes' clocks and
// Redis's synchronised (NTP or the like).
type Redis struct {
	client redis.UniversalClient
	prefix string
	// Now returns the current time, against which exp is checked; nil
	// means time.Now.
	Now func() time.Time
}

// NewRedis returns a Redis cache writing keys prefix + HashKey(key) with
// client (which the caller closes). The deployment's prefix is its Redis
// key prefix followed by "j:", apart from the rate limiter's keys.
func NewRedis(client redis.UniversalClient, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Use records key until exp (see Cache).
func (r *Redis) Use(ctx context.Context, key string, exp time.Time) (bool, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	if !exp.After(now()) {
		return false, ErrExpired
	}
	// Rounded up, so that the key lives until exp at least.
	ms := exp.Add(time.Millisecond - 1).UnixMilli()
	err := r.client.Do(ctx, "SET", r.prefix+HashKey(key), "1", "NX", "PXAT", ms).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	default:
		return false, fmt.Errorf("replay: redis: %w", err)
	}
}
