package console

import (
	"container/list"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Sign-in throttling, per client address and per (identity, address),
// never per identity alone (a stranger failing as "admin" must not lock
// the real admin out): after maxFailures attempts within failureWindow
// for one identity from one address, or maxAddressFailures from one
// address whatever the identity, sign-in from there is refused for
// lockout. An attempt counts as soon as it starts (before its check), and
// a success takes it back: attempts at once cannot exceed the limits.
const (
	maxFailures        = 10
	maxAddressFailures = 3 * maxFailures
	failureWindow      = 15 * time.Minute
	lockout            = 15 * time.Minute
	// maxTracked bounds the guard's counters: past it, the oldest counter
	// that is not an active lockout goes (a lockout is never dropped);
	// when the evictScan oldest are all lockouts, a new key is not
	// tracked until room is made.
	maxTracked = 10000
	evictScan  = 32
	// maxPasswordChecks bounds the admin password checks at once in the
	// process: each costs argon2id's memory.
	maxPasswordChecks = 2
)

// guard is the sign-in's memory, in this process only: attempt counts
// per address and per (identity, address), bounded, and the slots of the
// password checks.
type guard struct {
	mu      sync.Mutex
	entries map[string]*failures
	order   *list.List // of *failures, about oldest first
	max     int
	// hashing holds a token per password check running.
	hashing chan struct{}
}

type failures struct {
	key    string
	n      int
	first  time.Time
	locked time.Time // refused until then
	elem   *list.Element
}

func newGuard() *guard {
	return &guard{entries: map[string]*failures{}, order: list.New(), max: maxTracked, hashing: make(chan struct{}, maxPasswordChecks)}
}

// counter is a key of the guard and its limit.
type counter struct {
	key   string
	limit int
}

// attemptKeys are the counters of a sign-in as identity from the
// request's address. identity is "admin", "key:{id}" for a stored access
// key, or "key:?" for any unknown one (all unknown ids share a counter).
func attemptKeys(identity, addr string) []counter {
	a := addressBucket(addr)
	return []counter{{"id:" + identity + " " + a, maxFailures}, {"ip:" + a, maxAddressFailures}}
}

// addressBucket is the address whose failures count together: the
// address, or its /64 for IPv6 (one host commonly has a whole /64).
func addressBucket(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.WithZone("").Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

// begin starts an attempt: when none of keys is locked, it counts the
// attempt for each (locking a key that reaches its limit) and returns
// true; otherwise it returns until when sign-in is refused.
func (g *guard) begin(now time.Time, keys ...counter) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var until time.Time
	for _, k := range keys {
		if f := g.entries[k.key]; f != nil && now.Before(f.locked) && f.locked.After(until) {
			until = f.locked
		}
	}
	if !until.IsZero() {
		return until, false
	}
	fs := make([]*failures, len(keys))
	for i, k := range keys {
		if fs[i] = g.entry(now, k.key, fs[:i]); fs[i] == nil {
			// Full of lockouts (or, with a tiny bound, of this
			// attempt's own counters): an attempt that cannot be
			// counted is refused, never let through uncounted.
			return now.Add(time.Minute), false
		}
	}
	for i, k := range keys {
		f := fs[i]
		f.n++
		if f.n >= k.limit {
			f.locked = now.Add(lockout)
		}
	}
	return time.Time{}, true
}

// succeed takes back a successful attempt: the (identity, address)
// counter is forgotten, the address's takes the attempt back.
func (g *guard) succeed(keys ...counter) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, k := range keys {
		f := g.entries[k.key]
		if f == nil {
			continue
		}
		if i == 0 {
			g.remove(f)
			continue
		}
		f.n = max(f.n-1, 0)
		if f.n < k.limit {
			f.locked = time.Time{}
		}
	}
}

// entry returns key's counter, new or restarted when its window passed;
// nil when the guard is full of lockouts. Making room never drops a
// counter of taken (the attempt's counters already in hand).
func (g *guard) entry(now time.Time, key string, taken []*failures) *failures {
	f := g.entries[key]
	if f != nil {
		if now.Sub(f.first) >= failureWindow && !now.Before(f.locked) {
			f.n, f.first, f.locked = 0, now, time.Time{}
			g.order.MoveToBack(f.elem)
		}
		return f
	}
	if len(g.entries) >= g.max && !g.evict(now, taken) {
		return nil
	}
	f = &failures{key: key, first: now}
	f.elem = g.order.PushBack(f)
	g.entries[key] = f
	return f
}

// evict drops the oldest counter that is not an active lockout nor one
// of taken, looking at evictScan at most (those met go to the back);
// false when none.
func (g *guard) evict(now time.Time, taken []*failures) bool {
	for range evictScan {
		e := g.order.Front()
		if e == nil {
			return false
		}
		f := e.Value.(*failures) //nolint:forcetypeassert // the list holds only these
		if !now.Before(f.locked) && !slices.Contains(taken, f) {
			g.remove(f)
			return true
		}
		g.order.MoveToBack(e)
	}
	return false
}

func (g *guard) remove(f *failures) {
	g.order.Remove(f.elem)
	delete(g.entries, f.key)
}

// startPasswordCheck takes a slot for an admin password check; false
// when maxPasswordChecks are running. done gives it back.
func (g *guard) startPasswordCheck() (done func(), ok bool) {
	select {
	case g.hashing <- struct{}{}:
		return func() { <-g.hashing }, true
	default:
		return nil, false
	}
}
