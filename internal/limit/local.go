package limit

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"runtime"
	"sync"
	"time"
)

// DefaultMaxKeys is Local's default cap on the keys it remembers.
const DefaultMaxKeys = 100_000

// evictSample is how many entries a full shard looks at to evict the least
// recently used among them when none is idle (Redis's approximated LRU).
const evictSample = 16

// evictSearch is how many entries past the sample a full shard looks at
// for a rate's cell or a lockout's failures to evict, rather than a
// quota's count or a lock.
const evictSearch = 256

// inlineChecks is how many checks a Take handles without allocating.
const inlineChecks = 8

// LocalOptions configure a Local limiter.
type LocalOptions struct {
	// MaxKeys caps the keys remembered (rates, quota windows, lockouts).
	// Past it, idle keys are forgotten first (a refilled bucket, a quota
	// past its Reset, an expired lock with no failures in its window:
	// forgetting them changes no answer), then the least recently used
	// (a refusal is a use) of a sample, rates' cells and lockouts'
	// failures before quotas' counts and locks, which are forgotten only
	// when a shard holds little else. A Take never evicts a key it
	// charges to make room for another of its keys: when its shard holds
	// nothing else, the new key is not remembered. Zero means
	// DefaultMaxKeys.
	MaxKeys int
	// Shards is the number of independently locked parts of the key
	// space, rounded up to a power of two. Zero means four per CPU.
	Shards int
}

// Local counts in this process: each node counts alone. It is safe for
// concurrent use, and a Take of a few checks neither allocates (once its
// keys exist) nor blocks Takes of keys in other shards.
type Local struct {
	seed     maphash.Seed
	shards   []shard
	mask     uint64
	perShard int
}

type shard struct {
	mu      sync.Mutex
	entries map[string]*entry
	// sweepAt is when an entry may next have become idle: sweeping for
	// idle entries before it finds none.
	sweepAt int64
	_       [40]byte // keep shards on their own cache lines
}

// entry is the state of one key. Times are Unix nanoseconds; a key used
// as a rate, a quota and a lock keeps the three apart.
type entry struct {
	tat         int64 // GCRA: theoretical arrival time
	count       int64 // quota: requests counted in the window
	reset       int64 // quota: end of the window
	failures    int64 // lockout: failures since failStart
	failEnd     int64 // lockout: end of the failures' window
	lockedUntil int64 // lockout: end of the lock
	used        int64 // last Take or Strike, for eviction
}

// idleAt is when forgetting e changes no answer.
func (e *entry) idleAt() int64 {
	return max(e.tat, e.reset, e.failEnd, e.lockedUntil)
}

// keep ranks what forgetting e at t costs, for eviction: 0 for a rate's
// cell or a lockout's failures (forgetting them admits a burst again or
// forgives a few failures), 1 for a quota's count or a lock (forgetting
// them admits a whole window's worth again or lifts a lockout). Idle
// entries go before either.
func (e *entry) keep(t int64) int {
	if e.reset > t || e.lockedUntil > t {
		return 1
	}
	return 0
}

// NewLocal returns an empty Local limiter.
func NewLocal(opts LocalOptions) *Local {
	n := opts.Shards
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	size := 1
	for size < n {
		size <<= 1
	}
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	l := &Local{
		seed:     maphash.MakeSeed(),
		shards:   make([]shard, size),
		mask:     uint64(size - 1), //nolint:gosec // size is a positive power of two
		perShard: max(1, maxKeys/size),
	}
	for i := range l.shards {
		l.shards[i].entries = make(map[string]*entry)
	}
	return l
}

// errNoLimit is returned for a check that sets none of Rate, Limit/Reset
// and Locked: a caller's mistake, not a refusal.
var errNoLimit = errors.New("limit: check sets no rate, quota or lock")

type checkKind uint8

const (
	kindNone checkKind = iota
	kindRate
	kindQuota
	kindLock
)

func (c *Check) kind() checkKind {
	switch {
	case c.Locked:
		return kindLock
	case c.Rate.PerSecond > 0:
		return kindRate
	case c.Limit > 0 || !c.Reset.IsZero():
		return kindQuota
	}
	return kindNone
}

// interval is a rate's emission interval (the time one request costs) in
// nanoseconds, and its burst, at least 1.
func (r Rate) interval() (int64, int64) {
	t := math.Round(float64(time.Second) / r.PerSecond)
	return int64(min(max(t, 1), maxInterval)), int64(max(r.Burst, 1))
}

// maxInterval caps an emission interval at about a century (a rate of
// 1e-10 per second), so that times plus intervals stay within int64.
const maxInterval = float64(100 * 365 * 24 * time.Hour)

// tolerance is how far ahead of t a rate's TAT may run: (burst-1)
// intervals, saturating rather than overflowing for huge bursts.
func tolerance(interval, burst int64) int64 {
	if burst-1 > math.MaxInt64/interval {
		return math.MaxInt64
	}
	return interval * (burst - 1)
}

// pending is one check's outcome before it is committed.
type pending struct {
	sh  *shard
	e   *entry // nil: the key is new
	val entry
}

// Take implements Limiter. The shards of the checks' keys are locked in
// ascending order (so two Takes never wait on each other in a cycle),
// every check is evaluated, and all are charged only if all admit.
// Keys within one Take must be distinct.
func (l *Local) Take(_ context.Context, now time.Time, checks []Check) (Result, error) {
	var idxBuf, ofBuf [inlineChecks]int
	var pendBuf [inlineChecks]pending
	idx, of, pend := idxBuf[:0], ofBuf[:0], pendBuf[:0]
	if len(checks) > inlineChecks {
		idx, of, pend = make([]int, 0, len(checks)), make([]int, 0, len(checks)), make([]pending, 0, len(checks))
	}
	for i := range checks {
		if checks[i].kind() == kindNone {
			return Result{}, fmt.Errorf("%w (check %d)", errNoLimit, i)
		}
		of = append(of, l.shardOf(checks[i].Key))
		idx = insertSorted(idx, of[i])
	}
	for _, i := range idx {
		l.shards[i].mu.Lock()
	}
	defer func() {
		for _, i := range idx {
			l.shards[i].mu.Unlock()
		}
	}()
	t := now.UnixNano()
	for i := range checks {
		c := &checks[i]
		sh := &l.shards[of[i]]
		p := pending{sh: sh, e: sh.entries[c.Key]}
		if p.e != nil {
			p.val = *p.e
		}
		if wait := admit(c, &p.val, t); wait >= 0 {
			// A refusal charges nothing but is a use: an exhausted quota
			// or a lock being hammered is the last thing to forget.
			if p.e != nil {
				p.e.used = t
			}
			for j := range pend {
				if pend[j].e != nil {
					pend[j].e.used = t
				}
			}
			return Result{Refused: i, RetryAfter: time.Duration(wait)}, nil
		}
		p.val.used = t
		pend = append(pend, p)
	}
	l.charge(checks, pend, t)
	return Result{Refused: -1}, nil
}

// charge writes the state of an admitted Take's checks (pend, by index of
// checks) into their locked shards. Existing entries are written before
// any new key is inserted: an insert may evict an entry of its shard, and
// an entry evicted before its write would take this Take's charge with it
// (its key would get a fresh burst or window). Once written, an entry
// this Take charged is not idle (the sweep keeps it), and the inserts are
// given pend so that LRU eviction passes over every entry this Take
// holds, those it inserted included.
func (l *Local) charge(checks []Check, pend []pending, t int64) {
	for i := range pend {
		if p := &pend[i]; p.e != nil {
			*p.e = p.val
			p.sh.sweepAt = min(p.sh.sweepAt, p.val.idleAt()) // it may be idle sooner than it was
		}
	}
	for i := range pend {
		p := &pend[i]
		if p.e != nil || p.val.idleAt() <= t {
			continue // written above; or a lock check of an unknown key, a spent window: nothing to remember
		}
		p.e = p.sh.insert(checks[i].Key, p.val, t, l.perShard, pend)
	}
}

// admit evaluates c against e at t (Unix nanoseconds), updating e as if
// the request were charged. It returns -1 when c admits, otherwise how
// long until it would (nanoseconds, at least 0).
func admit(c *Check, e *entry, t int64) int64 {
	switch c.kind() {
	case kindRate:
		interval, burst := c.Rate.interval()
		tat := max(e.tat, t)
		if allowAt := tat - tolerance(interval, burst); t < allowAt {
			return allowAt - t
		}
		next := tat + interval
		e.tat = next
	case kindQuota:
		reset := c.Reset.UnixNano()
		if reset <= t {
			// The window is over (the caller names windows by their
			// start, so this key is spent): nothing is left to count.
			if c.Limit <= 0 {
				return 0
			}
			return -1
		}
		if e.reset != reset {
			e.count, e.reset = 0, reset
		}
		if e.count >= c.Limit {
			return reset - t
		}
		e.count++
	case kindLock:
		if e.lockedUntil > t {
			return e.lockedUntil - t
		}
	}
	return -1
}

// Strike implements Limiter. The failures' window starts at the first
// failure after the last window ended (a fixed window, as the Redis
// limiter keeps it).
func (l *Local) Strike(_ context.Context, now time.Time, key string, lo Lockout) (time.Time, error) {
	t := now.UnixNano()
	sh := &l.shards[l.shardOf(key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var val entry
	e := sh.entries[key]
	if e != nil {
		val = *e
	}
	if val.lockedUntil > t {
		// Locked already: a failure counted while the lock holds (one
		// whose lock check came before the lock) neither extends it nor
		// starts another.
		return time.Unix(0, val.lockedUntil), nil
	}
	val.used = t
	if val.failEnd <= t {
		val.failures, val.failEnd = 0, t+int64(lo.Window)
	}
	val.failures++
	if val.failures >= int64(max(lo.MaxFailures, 1)) {
		val.failures, val.failEnd = 0, 0
		val.lockedUntil = max(val.lockedUntil, t+int64(lo.Duration))
	}
	if e != nil {
		*e = val
		sh.sweepAt = min(sh.sweepAt, val.idleAt())
	} else if val.idleAt() > t {
		sh.insert(key, val, t, l.perShard, nil)
	}
	if val.lockedUntil > t {
		return time.Unix(0, val.lockedUntil), nil
	}
	return time.Time{}, nil
}

// Close implements Limiter; a Local holds nothing to release.
func (l *Local) Close() error { return nil }

// Len reports how many keys l remembers.
func (l *Local) Len() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.entries)
		sh.mu.Unlock()
	}
	return n
}

func (l *Local) shardOf(key string) int {
	return int(maphash.String(l.seed, key) & l.mask) //nolint:gosec // masked below the shard count, an int
}

// insert adds key to a locked shard, first making room when the shard is
// full: every idle entry goes, or, when none is, the least recently used
// of a sample, never an entry of held (a Take's pending checks, their
// entries charged already). It returns the new entry, or nil when the
// shard holds nothing else to evict: the key is then not remembered,
// which forgets only the one charge just made to it, where evicting an
// entry of held would forget that key's whole state.
func (sh *shard) insert(key string, val entry, t int64, capacity int, held []pending) *entry {
	if len(sh.entries) >= capacity && !sh.evict(t, capacity, held) {
		return nil
	}
	e := val
	sh.entries[key] = &e
	sh.sweepAt = min(sh.sweepAt, val.idleAt())
	return &e
}

// evict makes room in a locked, full shard, passing over the entries of
// held; it reports false when it found nothing else to evict.
func (sh *shard) evict(t int64, capacity int, held []pending) bool {
	if sh.sweepAt <= t {
		next := int64(math.MaxInt64)
		for k, e := range sh.entries {
			if at := e.idleAt(); at <= t {
				delete(sh.entries, k)
			} else {
				next = min(next, at)
			}
		}
		sh.sweepAt = next
		if len(sh.entries) < capacity {
			return true
		}
	}
	// Map iteration starts at a random entry: the first few are a sample,
	// whose least recently used entry goes, a rate's cell or failures
	// before a quota's count or a lock. When the sample holds only the
	// latter, up to evictSearch more entries are looked at for one of the
	// former, so that a flood of new keys (cheap cells) evicts cells, not
	// the quotas and locks that hold its sender.
	var victim *entry
	var victimKey string
	victimKeep, victimUsed, n := 2, int64(math.MaxInt64), 0
	for k, e := range sh.entries {
		if isHeld(held, e) {
			continue
		}
		n++
		if keep := e.keep(t); keep < victimKeep || keep == victimKeep && e.used < victimUsed {
			victim, victimKey, victimKeep, victimUsed = e, k, keep, e.used
		}
		if n >= evictSample && victimKeep == 0 || n >= evictSample+evictSearch {
			break
		}
	}
	if victim == nil {
		return false
	}
	delete(sh.entries, victimKey)
	return true
}

// isHeld reports whether e is the entry of one of held.
func isHeld(held []pending, e *entry) bool {
	for i := range held {
		if held[i].e == e {
			return true
		}
	}
	return false
}

// insertSorted adds v to the ascending set s.
func insertSorted(s []int, v int) []int {
	i := len(s)
	for i > 0 && s[i-1] >= v {
		if s[i-1] == v {
			return s
		}
		i--
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
