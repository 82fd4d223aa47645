package gateway

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// defaultLocalLimiterKeys bounds the counters of the gateway's own local
// limiter: usage plans' keys are declared, so their number is the config's.
const defaultLocalLimiterKeys = 100_000

// localLimiter is the gateway's own limit.Limiter for usage plans when the
// server passes none (Options.LocalLimiter): GCRA rates and fixed-window
// quotas in this process, under one mutex. It has no lockouts: Strike is
// not supported, and a Locked check never refuses. The server's
// limit.Local replaces it.
type localLimiter struct {
	max int

	mu     sync.Mutex
	tats   map[string]time.Time // a rate's theoretical arrival time
	counts map[string]quotaCount
}

type quotaCount struct {
	n     int64
	reset time.Time
}

func newLocalLimiter(maxKeys int) *localLimiter {
	return &localLimiter{max: maxKeys, tats: map[string]time.Time{}, counts: map[string]quotaCount{}}
}

var errNoLockout = errors.New("gateway: the local limiter keeps no lockouts")

// Take implements limit.Limiter: every check is evaluated first, and only
// when all admit is each charged.
func (l *localLimiter) Take(_ context.Context, now time.Time, checks []limit.Check) (limit.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range checks {
		c := &checks[i]
		switch {
		case c.Locked:
		case c.Rate.PerSecond > 0:
			if wait := l.rateWait(c, now); wait > 0 {
				return limit.Result{Refused: i, RetryAfter: wait}, nil
			}
		default:
			if q, ok := l.counts[c.Key]; (ok && now.Before(q.reset) && q.n >= c.Limit) || c.Limit <= 0 {
				return limit.Result{Refused: i, RetryAfter: c.Reset.Sub(now)}, nil
			}
		}
	}
	for i := range checks {
		c := &checks[i]
		switch {
		case c.Locked:
		case c.Rate.PerSecond > 0:
			l.room(now)
			l.tats[c.Key] = l.tat(c, now).Add(interval(c.Rate))
		default:
			q, ok := l.counts[c.Key]
			if !ok || !now.Before(q.reset) {
				l.room(now)
				q = quotaCount{reset: c.Reset}
			}
			q.n++
			l.counts[c.Key] = q
		}
	}
	return limit.Result{Refused: -1}, nil
}

func interval(r limit.Rate) time.Duration { return time.Duration(float64(time.Second) / r.PerSecond) }

// tat is the check's theoretical arrival time, now at the earliest.
func (l *localLimiter) tat(c *limit.Check, now time.Time) time.Time {
	if t, ok := l.tats[c.Key]; ok && t.After(now) {
		return t
	}
	return now
}

// rateWait is how long until the rate c admits one more request (GCRA:
// the bucket holds Burst cells of one interval each).
func (l *localLimiter) rateWait(c *limit.Check, now time.Time) time.Duration {
	t := interval(c.Rate)
	allowAt := l.tat(c, now).Add(t).Add(-time.Duration(max(1, c.Rate.Burst)) * t)
	return allowAt.Sub(now)
}

// room makes room for a new counter (l.mu held) when the limiter is full:
// it drops the spent ones (a rate's past arrival time, a quota's past
// window), which loses nothing, and if none is, any one rate.
func (l *localLimiter) room(now time.Time) {
	if len(l.tats)+len(l.counts) < l.max {
		return
	}
	for k, t := range l.tats {
		if !t.After(now) {
			delete(l.tats, k)
		}
	}
	for k, q := range l.counts {
		if !now.Before(q.reset) {
			delete(l.counts, k)
		}
	}
	if len(l.tats)+len(l.counts) >= l.max {
		for k := range l.tats {
			delete(l.tats, k)
			break
		}
	}
}

// Strike is not supported: the gateway locks nothing out.
func (l *localLimiter) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, errNoLockout
}

// Close releases nothing.
func (l *localLimiter) Close() error { return nil }
