package replay

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Local defaults.
const (
	// DefaultMaxEntries bounds a Local made with NewLocal(0): about 6 MB
	// of entries (a digest and an expiry each, plus the map's overhead).
	DefaultMaxEntries = 100_000
	// sweepEvery is how often each shard drops its expired entries, on the
	// first write after the interval has passed.
	sweepEvery = time.Minute
	shardCount = 16
)

// Local is a Cache in this process's memory: a map of key digests to
// expiries split into shards, each with its own lock, so that concurrent
// requests rarely wait for one another.
//
// It holds at most a fixed number of unexpired entries; when it is full it
// answers ErrFull rather than forget an entry early. Expired entries are
// swept on write, each shard at most once a minute and whenever the cache
// is full, so Local starts no goroutine and needs no Close.
//
// Local suits a single node: behind a load balancer, a proof replayed to
// another node would be fresh there. Use Redis when nodes share the work.
type Local struct {
	// Now returns the current time; nil means time.Now. Set it before the
	// first Use.
	Now func() time.Time

	max    int64
	count  atomic.Int64
	shards [shardCount]shard
}

type shard struct {
	mu        sync.Mutex
	entries   map[[sha256.Size]byte]time.Time
	nextSweep time.Time
}

// NewLocal returns an empty Local holding at most maxEntries unexpired
// entries (DefaultMaxEntries when maxEntries ≤ 0).
func NewLocal(maxEntries int) *Local {
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	l := &Local{max: int64(maxEntries)}
	for i := range l.shards {
		l.shards[i].entries = make(map[[sha256.Size]byte]time.Time)
	}
	return l
}

func (l *Local) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Len returns the number of entries held, the expired ones not yet swept
// included.
func (l *Local) Len() int { return int(l.count.Load()) }

// Use records key until exp (see Cache).
func (l *Local) Use(ctx context.Context, key string, exp time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := l.now()
	if !exp.After(now) {
		return false, ErrExpired
	}
	d := digest(key)
	s := &l.shards[binary.LittleEndian.Uint64(d[:8])%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	if !now.Before(s.nextSweep) {
		l.sweep(s, now)
	}
	if old, ok := s.entries[d]; ok {
		if old.After(now) {
			return false, nil
		}
		s.entries[d] = exp // an expired entry is fresh again
		return true, nil
	}
	if !l.reserve(s, now) {
		return false, fmt.Errorf("%w (%d entries)", ErrFull, l.max)
	}
	s.entries[d] = exp
	return true, nil
}

// reserve counts one more entry if there is room, sweeping every shard
// once when there is none. It is called with s locked.
func (l *Local) reserve(s *shard, now time.Time) bool {
	if l.count.Add(1) <= l.max {
		return true
	}
	l.count.Add(-1)
	l.sweep(s, now)
	for i := range l.shards {
		o := &l.shards[i]
		if o == s {
			continue
		}
		// TryLock: a shard busy in another Use is skipped rather than
		// waited for, which could deadlock two sweeping writers.
		if o.mu.TryLock() {
			l.sweep(o, now)
			o.mu.Unlock()
		}
	}
	if l.count.Add(1) <= l.max {
		return true
	}
	l.count.Add(-1)
	return false
}

// sweep drops s's expired entries; s is locked.
func (l *Local) sweep(s *shard, now time.Time) {
	n := 0
	for k, exp := range s.entries {
		if !exp.After(now) {
			delete(s.entries, k)
			n++
		}
	}
	l.count.Add(int64(-n))
	s.nextSweep = now.Add(sweepEvery)
}
