package console

import (
	"sync"
	"time"
)

// Sign-in throttling: after maxFailures failed sign-ins within
// failureWindow from one client address, or for one identity, sign-in
// from that address or as that identity is refused for lockout.
const (
	maxFailures   = 10
	failureWindow = 15 * time.Minute
	lockout       = 15 * time.Minute
	// maxTracked bounds each of the guard's maps: past it, expired
	// entries go first, then arbitrary ones.
	maxTracked = 10000
)

// guard is the sign-in's memory, in this process only: failure counts
// per client address and per identity, and the ids of signed-out
// sessions until they would have expired. Both are bounded.
type guard struct {
	mu        sync.Mutex
	failures  map[string]*failures
	signedOut map[string]time.Time
}

type failures struct {
	n      int
	first  time.Time
	locked time.Time // refused until then
}

func newGuard() *guard {
	return &guard{failures: map[string]*failures{}, signedOut: map[string]time.Time{}}
}

// locked returns until when any of keys is refused, or the zero time.
func (g *guard) locked(now time.Time, keys ...string) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	var until time.Time
	for _, k := range keys {
		if f := g.failures[k]; f != nil && now.Before(f.locked) && f.locked.After(until) {
			until = f.locked
		}
	}
	return until
}

// fail counts a failed sign-in for each of keys.
func (g *guard) fail(now time.Time, keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range keys {
		f := g.failures[k]
		if f == nil || now.Sub(f.first) >= failureWindow && !now.Before(f.locked) {
			if len(g.failures) >= maxTracked {
				g.sweepFailures(now)
			}
			f = &failures{first: now}
			g.failures[k] = f
		}
		f.n++
		if f.n >= maxFailures && !now.Before(f.locked) {
			f.locked = now.Add(lockout)
		}
	}
}

// succeed forgets the failures of key.
func (g *guard) succeed(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.failures, key)
}

func (g *guard) sweepFailures(now time.Time) {
	for k, f := range g.failures {
		if now.Sub(f.first) >= failureWindow && !now.Before(f.locked) {
			delete(g.failures, k)
		}
	}
	for k := range g.failures {
		if len(g.failures) < maxTracked {
			break
		}
		delete(g.failures, k)
	}
}

// revoke signs the session id out until exp.
func (g *guard) revoke(id string, exp, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.signedOut) >= maxTracked {
		for k, e := range g.signedOut {
			if !now.Before(e) {
				delete(g.signedOut, k)
			}
		}
		for k := range g.signedOut {
			if len(g.signedOut) < maxTracked {
				break
			}
			delete(g.signedOut, k)
		}
	}
	g.signedOut[id] = exp
}

// revoked reports whether the session id was signed out.
func (g *guard) revoked(id string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	exp, ok := g.signedOut[id]
	return ok && now.Before(exp)
}
