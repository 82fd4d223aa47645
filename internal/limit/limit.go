// Package limit counts requests against rate limits, quotas and lockouts,
// either in this process (Local: each node counts alone) or in Redis
// (Redis: every node sharing the Redis server counts once), behind one
// interface, Limiter, so that the gateway and the token endpoint state
// their limits once and the conformance suite (limittest) holds both
// counters to the same behaviour.
//
// Rates use GCRA (the generic cell rate algorithm, a token bucket kept as
// one timestamp per key: Rate per second, bursts of Burst). Quotas are
// counters of a fixed window whose key the caller names per window and
// which expire at the window's end. Lockouts count failures within a
// window and, at a maximum, lock the key for a while.
//
// Time is passed in, so tests drive the clock; Redis keeps its own clock
// out of it (the script is given now).
//
// A limiter that cannot count (Redis unreachable, a timeout) returns an
// error; its callers apply their failure policy (count in a Local
// instead, or answer 503).
//
// This package imports no other package of Tollgate's; its callers (the
// gateway, the token endpoint) name the keys.
package limit

import (
	"context"
	"time"
)

// Rate is a GCRA limit: PerSecond requests per second, bursts of Burst
// (at least 1).
type Rate struct {
	PerSecond float64
	Burst     int
}

// Check is one limit a request is held to. Exactly one of Rate (PerSecond
// > 0), Quota (Limit > 0 or Reset set) and Locked is set.
type Check struct {
	// Key names the bucket, counter or lock. Callers namespace keys by
	// what they limit; the Redis limiter prefixes them with its own.
	Key string
	// Rate makes the check a rate limit.
	Rate Rate
	// Limit and Reset make it a quota: at most Limit requests until Reset,
	// when the counter is forgotten. The key must name the window (its
	// start), so that the next window starts at zero. Limit 0 with Reset
	// set refuses everything (an offset that ate the first period).
	Limit int64
	Reset time.Time
	// Locked makes it a lock check: it refuses while Strike has the key
	// locked, and charges nothing.
	Locked bool
}

// Result is what Take decided.
type Result struct {
	// Refused is the index of the first check that refused, or -1 when
	// every check admitted the request (and each was charged).
	Refused int
	// RetryAfter is, when refused, how long until the refusing check would
	// admit one request (a rate's next cell, a quota's Reset, a lock's
	// end).
	RetryAfter time.Duration
}

// Allowed reports whether every check admitted the request.
func (r Result) Allowed() bool { return r.Refused < 0 }

// Lockout is a lockout's parameters: MaxFailures failures within Window
// lock the key for Duration.
type Lockout struct {
	MaxFailures int
	Window      time.Duration
	Duration    time.Duration
}

// Limiter counts requests. Implementations are safe for concurrent use.
type Limiter interface {
	// Take charges one request to every check if each admits it, and
	// charges none if any refuses: the first that refuses is reported.
	// It is one atomic step (one round trip to Redis), however many checks.
	Take(ctx context.Context, now time.Time, checks []Check) (Result, error)
	// Strike records a failure of key under l and returns when the key is
	// locked out until (zero when it is not locked). Reaching MaxFailures
	// within Window locks the key for Duration from now and forgets the
	// failures. A failure of a key locked already is not counted and
	// leaves the lock's end as it is.
	Strike(ctx context.Context, now time.Time, key string, l Lockout) (lockedUntil time.Time, err error)
	// Close releases what the limiter holds.
	Close() error
}
