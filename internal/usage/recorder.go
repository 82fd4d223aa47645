package usage

import (
	"context"
	"hash/maphash"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
)

// Adder is the store method a Recorder flushes to.
type Adder interface {
	AddUsage(ctx context.Context, records []tollgate.UsageRecord) error
}

// Options configure a Recorder.
type Options struct {
	// Interval is how often Run flushes (default 10 seconds).
	Interval time.Duration
	// MaxEntries bounds the counters held between flushes (default
	// 1<<20): past it, requests of a new plan, key and day are not counted
	// (and the loss is logged at the next flush) until a flush succeeds.
	MaxEntries int
	Logger     *slog.Logger
}

const shardCount = 64

// retired marks a counter Flush has removed from its shard's map. A Record
// that took the counter before the removal sees a negative sum and counts
// again in the map, so no request is lost to the race.
const retired = math.MinInt64

type counterKey struct {
	plan, key string
	day       int64 // days since the Unix epoch, UTC
}

type shard struct {
	mu sync.RWMutex
	m  map[counterKey]*atomic.Int64
}

// Recorder counts requests per usage plan, API key and UTC day, and adds
// the counts to the store on Flush. It implements the gateway's
// UsageRecorder. Its methods are safe for concurrent use.
type Recorder struct {
	st      Adder
	opts    Options
	seed    maphash.Seed
	shards  [shardCount]shard
	entries atomic.Int64
	dropped atomic.Int64
	flushMu sync.Mutex // one flush at a time
}

// NewRecorder returns a Recorder that flushes to st.
func NewRecorder(st Adder, opts Options) *Recorder {
	if opts.Interval <= 0 {
		opts.Interval = 10 * time.Second
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Recorder{st: st, opts: opts, seed: maphash.MakeSeed()}
	for i := range r.shards {
		r.shards[i].m = map[counterKey]*atomic.Int64{}
	}
	return r
}

const secondsPerDay = 24 * 60 * 60

// afterLookup, when set (by tests only, before any Record), runs between
// add's lookup of a counter and its add to it: where a Flush may retire
// the counter.
var afterLookup func()

// Record counts one request of the API key keyID in the usage plan planID
// at now. It does not block on the store: a repeated plan, key and day
// costs a read-locked map lookup and an atomic add, with no allocation.
func (r *Recorder) Record(planID, keyID string, now time.Time) {
	r.add(counterKey{plan: planID, key: keyID, day: floorDiv(now.Unix(), secondsPerDay)}, 1)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

func (r *Recorder) add(k counterKey, n int64) {
	s := &r.shards[maphash.String(r.seed, k.key)%shardCount]
	s.mu.RLock()
	c, ok := s.m[k]
	s.mu.RUnlock()
	if afterLookup != nil {
		afterLookup()
	}
	// A counter Flush has retired holds retired (plus any adds made after):
	// those adds are counted again below, in the counter that replaces it.
	if ok && c.Add(n) > 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.m[k]; ok {
		c.Add(n)
		return
	}
	if r.entries.Load() >= int64(r.opts.MaxEntries) {
		r.dropped.Add(n)
		return
	}
	c = new(atomic.Int64)
	c.Store(n)
	s.m[k] = c
	r.entries.Add(1)
}

// Run flushes every Interval until ctx ends, then once more (with a
// context that is not cancelled, so that the last counts reach the store).
func (r *Recorder) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := r.Flush(context.WithoutCancel(ctx)); err != nil {
				r.opts.Logger.Error("usage: last flush failed; counts lost", "err", err)
			}
			return
		case <-t.C:
			if err := r.Flush(ctx); err != nil {
				r.opts.Logger.Warn("usage: flush failed; counts kept for the next one", "err", err)
			}
		}
	}
}

// Flush adds the counts since the last flush to the store. When the store
// refuses, the counts are kept and added by the next flush. A counter that
// counted nothing since the last flush is forgotten, so memory holds only
// the keys in use.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	var records []tollgate.UsageRecord
	var keys []counterKey
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for k, c := range s.m {
			n := c.Swap(0)
			if n == 0 {
				// Idle since the last flush: retire it, unless a Record
				// added to it since the swap.
				if c.CompareAndSwap(0, retired) {
					delete(s.m, k)
					r.entries.Add(-1)
				}
				continue
			}
			keys = append(keys, k)
			records = append(records, tollgate.UsageRecord{PlanID: k.plan, KeyID: k.key,
				Day: time.Unix(k.day*secondsPerDay, 0).UTC().Format(tollgate.UsageDay), Count: n})
		}
		s.mu.Unlock()
	}
	if n := r.dropped.Swap(0); n > 0 {
		r.opts.Logger.Warn("usage: requests not counted, too many distinct plan, key and day counters", "requests", n, "max", r.opts.MaxEntries)
	}
	if len(records) == 0 {
		return nil
	}
	if err := r.st.AddUsage(ctx, records); err != nil {
		for i, k := range keys {
			r.add(k, records[i].Count)
		}
		return err
	}
	return nil
}
