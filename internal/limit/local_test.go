package limit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
)

func TestLocal(t *testing.T) {
	limittest.Run(t, func(t *testing.T) limit.Limiter { return limit.NewLocal(limit.LocalOptions{}) })
}

// A small cap forces eviction throughout the suite (ManyKeys above all).
func TestLocalSmallCap(t *testing.T) {
	limittest.Run(t, func(t *testing.T) limit.Limiter {
		return limit.NewLocal(limit.LocalOptions{MaxKeys: 512, Shards: 4})
	})
}

func TestLocalBoundsKeys(t *testing.T) {
	l := limit.NewLocal(limit.LocalOptions{MaxKeys: 1000, Shards: 8})
	now := time.Unix(1_800_000_000, 0)
	// Keys that stay busy (a long quota each): only the cap bounds them.
	for i := range 50_000 {
		c := limit.Check{Key: fmt.Sprint("k", i), Limit: 5, Reset: now.Add(time.Hour)}
		if res, err := l.Take(context.Background(), now, []limit.Check{c}); err != nil || !res.Allowed() {
			t.Fatalf("Take %d = %+v, %v", i, res, err)
		}
	}
	if n := l.Len(); n > 1000 {
		t.Fatalf("%d keys remembered, cap 1000", n)
	}
	// Idle keys go first: after the hour every quota is spent, and new
	// keys replace them.
	later := now.Add(2 * time.Hour)
	for i := range 500 {
		c := limit.Check{Key: fmt.Sprint("new", i), Limit: 5, Reset: later.Add(time.Hour)}
		if _, err := l.Take(context.Background(), later, []limit.Check{c}); err != nil {
			t.Fatal(err)
		}
	}
	if n := l.Len(); n > 1000 {
		t.Fatalf("%d keys remembered, cap 1000", n)
	}
}

// Two checks in different shards, taken in both orders by many
// goroutines, while others take each alone: under -race, no deadlock,
// and the totals show that no Take charged half.
func TestLocalAtomicAcrossShards(t *testing.T) {
	l := limit.NewLocal(limit.LocalOptions{Shards: 64})
	now := time.Unix(1_800_000_000, 0)
	a := limit.Check{Key: "a", Limit: 1000, Reset: now.Add(time.Hour)}
	b := limit.Check{Key: "b", Limit: 600, Reset: now.Add(time.Hour)}
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				var checks []limit.Check
				name := "ab"
				switch (g + i) % 4 {
				case 0:
					checks = []limit.Check{a, b}
				case 1:
					checks = []limit.Check{b, a}
				case 2:
					checks, name = []limit.Check{a}, "a"
				default:
					checks, name = []limit.Check{b}, "b"
				}
				res, err := l.Take(context.Background(), now, checks)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Allowed() {
					mu.Lock()
					counts[name]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	// b (600) runs out first: every b charge was admitted by a as well.
	if got := counts["ab"] + counts["b"]; got != 600 {
		t.Fatalf("b charged %d times, want 600 (%v)", got, counts)
	}
	// Each Take of a alone or with b was admitted unless a or b was spent.
	if counts["ab"]+counts["a"] > 1000 {
		t.Fatalf("a charged %d times, over its 1000 (%v)", counts["ab"]+counts["a"], counts)
	}
}

func TestLocalNoAllocs(t *testing.T) {
	l := limit.NewLocal(limit.LocalOptions{})
	now := time.Unix(1_800_000_000, 0)
	checks := []limit.Check{
		{Key: "stage:prod", Rate: limit.Rate{PerSecond: 1e9, Burst: 1000}},
		{Key: "plan:p1:key:k1:2026-03-01", Limit: 1 << 40, Reset: now.Add(time.Hour)},
	}
	ctx := context.Background()
	if _, err := l.Take(ctx, now, checks); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _ = l.Take(ctx, now, checks) }); n != 0 {
		t.Fatalf("Take of two existing keys: %v allocations, want 0", n)
	}
}

func benchChecks(n int, now time.Time) []limit.Check {
	all := []limit.Check{
		{Key: "stage:api1:prod", Rate: limit.Rate{PerSecond: 1e12, Burst: 1 << 30}},
		{Key: "plan:p1:key:k1", Rate: limit.Rate{PerSecond: 1e12, Burst: 1 << 30}},
		{Key: "plan:p1:key:k1:2026-03-01", Limit: 1 << 60, Reset: now.Add(24 * time.Hour)},
	}
	return all[:n]
}

func BenchmarkLocalTake(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			l := limit.NewLocal(limit.LocalOptions{})
			now := time.Unix(1_800_000_000, 0)
			checks := benchChecks(n, now)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Take(ctx, now, checks); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Parallel Takes of distinct keys (one client each), as many clients of
// one gateway do.
func BenchmarkLocalTakeParallel(b *testing.B) {
	l := limit.NewLocal(limit.LocalOptions{})
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	next := 0
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		next++
		key := fmt.Sprint("client:", next)
		mu.Unlock()
		checks := []limit.Check{
			{Key: "stage:api1:prod", Rate: limit.Rate{PerSecond: 1e12, Burst: 1 << 30}},
			{Key: key, Rate: limit.Rate{PerSecond: 1e12, Burst: 1 << 30}},
		}
		ctx := context.Background()
		for pb.Next() {
			if _, err := l.Take(ctx, now, checks); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// One shard of 64 keys: eviction looks at every entry (the sample and
// the search cover it), so which key goes is decided, not sampled.
func newOneShard() *limit.Local { return limit.NewLocal(limit.LocalOptions{MaxKeys: 64, Shards: 1}) }

func take(t *testing.T, l *limit.Local, now time.Time, c limit.Check) bool {
	t.Helper()
	res, err := l.Take(context.Background(), now, []limit.Check{c})
	if err != nil {
		t.Fatal(err)
	}
	return res.Allowed()
}

// A refused Take is a use: an exhausted quota hammered by its client is
// not the least recently used entry, so new keys do not evict it (which
// would give the client a new window).
func TestLocalRefusalRefreshesUse(t *testing.T) {
	l := newOneShard()
	t0 := time.Unix(1_800_000_000, 0)
	reset := t0.Add(time.Hour)
	spent := limit.Check{Key: "spent", Limit: 1, Reset: reset}
	if !take(t, l, t0, spent) {
		t.Fatal("first request refused")
	}
	for i := range 1000 {
		now := t0.Add(time.Duration(i+1) * time.Millisecond)
		if take(t, l, now, spent) {
			t.Fatalf("request %d admitted past the quota: the counter was forgotten", i)
		}
		take(t, l, now, limit.Check{Key: fmt.Sprint("other", i), Limit: 5, Reset: reset})
	}
	if n := l.Len(); n > 64 {
		t.Errorf("%d keys, cap 64", n)
	}
}

// A flood of cheap keys (new rates' cells, one failure each of many
// client ids) evicts cheap keys, never a quota's count or a lock, as long
// as the shard holds cheap keys.
func TestLocalFloodKeepsQuotasAndLocks(t *testing.T) {
	l := newOneShard()
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	reset := t0.Add(time.Hour)
	lockout := limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Hour}
	for i := range 10 {
		if !take(t, l, t0, limit.Check{Key: fmt.Sprint("quota", i), Limit: 1, Reset: reset}) {
			t.Fatal("first request refused")
		}
	}
	for i := range 5 {
		if until, err := l.Strike(ctx, t0, fmt.Sprint("lock", i), lockout); err != nil || until.IsZero() {
			t.Fatalf("Strike = %v, %v", until, err)
		}
	}
	// The flood is older than nothing: the quotas and locks are the least
	// recently used entries throughout.
	for i := range 5000 {
		now := t0.Add(time.Duration(i+1) * time.Microsecond)
		if i%2 == 0 {
			take(t, l, now, limit.Check{Key: fmt.Sprint("cell", i), Rate: limit.Rate{PerSecond: 1, Burst: 1}})
		} else if _, err := l.Strike(ctx, now, fmt.Sprint("client", i), limit.Lockout{MaxFailures: 5, Window: time.Minute, Duration: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	later := t0.Add(time.Second)
	for i := range 10 {
		if take(t, l, later, limit.Check{Key: fmt.Sprint("quota", i), Limit: 1, Reset: reset}) {
			t.Errorf("quota %d forgotten by the flood", i)
		}
	}
	for i := range 5 {
		if take(t, l, later, limit.Check{Key: fmt.Sprint("lock", i), Locked: true}) {
			t.Errorf("lock %d forgotten by the flood", i)
		}
	}
}

// A lock check of a key that holds no lock remembers nothing: checking
// every client id presented cannot fill the limiter.
func TestLocalLockCheckCreatesNoEntry(t *testing.T) {
	l := newOneShard()
	t0 := time.Unix(1_800_000_000, 0)
	for i := range 100 {
		if !take(t, l, t0, limit.Check{Key: fmt.Sprint("client", i), Locked: true}) {
			t.Fatal("an unknown key is locked")
		}
	}
	// With a quota charged in the same Take, only the quota is kept.
	res, err := l.Take(context.Background(), t0, []limit.Check{{Key: "lock:x", Locked: true}, {Key: "quota:x", Limit: 5, Reset: t0.Add(time.Hour)}})
	if err != nil || !res.Allowed() {
		t.Fatalf("Take = %+v, %v", res, err)
	}
	if n := l.Len(); n != 1 {
		t.Errorf("%d keys remembered, want 1 (the quota)", n)
	}
}

func takeAll(t *testing.T, l *limit.Local, now time.Time, checks ...limit.Check) bool {
	t.Helper()
	res, err := l.Take(context.Background(), now, checks)
	if err != nil {
		t.Fatal(err)
	}
	return res.Allowed()
}

// A Take that inserts a new key into a full shard does not evict a key it
// charges (the charge would be lost and the key would get a fresh burst
// or window): not when the new key comes first, not when the charged key
// is not the least recently used by the clock (callers' clocks differ a
// little), and not when the shard holds nothing else (the new key is
// then not remembered).
func TestLocalTakeKeepsEntriesItCharges(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	t1 := t0.Add(2 * time.Second)
	hourly := limit.Rate{PerSecond: 1.0 / 3600, Burst: 2}
	rate := func(key string) limit.Check { return limit.Check{Key: key, Rate: hourly} }
	quota := limit.Check{Key: "a", Limit: 2, Reset: t0.Add(time.Hour)}
	once := limit.Check{Key: "a", Rate: limit.Rate{PerSecond: 1.0 / 3600, Burst: 1}}
	for _, tc := range []struct {
		name    string
		maxKeys int
		before  func(*testing.T, *limit.Local) // takes before t1
		take    []limit.Check                  // at t1, admitted
		spent   limit.Check                    // refused after take
	}{{
		name: "new key first", maxKeys: 2,
		before: func(t *testing.T, l *limit.Local) {
			takeAll(t, l, t0, rate("a"))
			takeAll(t, l, t0.Add(time.Second), rate("b"))
		},
		take: []limit.Check{rate("c"), rate("a")}, spent: rate("a"),
	}, {
		name: "other key used later", maxKeys: 2,
		before: func(t *testing.T, l *limit.Local) {
			takeAll(t, l, t0, rate("a"))
			takeAll(t, l, t1.Add(time.Second), rate("b"))
		},
		take: []limit.Check{rate("a"), rate("c")}, spent: rate("a"),
	}, {
		name: "nothing else to evict", maxKeys: 1,
		before: func(t *testing.T, l *limit.Local) { takeAll(t, l, t0, rate("a")) },
		take:   []limit.Check{rate("a"), rate("c")}, spent: rate("a"),
	}, {
		name: "quota, nothing else to evict", maxKeys: 1,
		before: func(t *testing.T, l *limit.Local) { takeAll(t, l, t0, quota) },
		take:   []limit.Check{rate("c"), quota}, spent: quota,
	}, {
		name: "two new keys", maxKeys: 1,
		before: func(*testing.T, *limit.Local) {},
		take:   []limit.Check{once, rate("c")}, spent: once,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			l := limit.NewLocal(limit.LocalOptions{MaxKeys: tc.maxKeys, Shards: 1})
			tc.before(t, l)
			if !takeAll(t, l, t1, tc.take...) {
				t.Fatal("Take refused")
			}
			if n := l.Len(); n > tc.maxKeys {
				t.Errorf("%d keys remembered, cap %d", n, tc.maxKeys)
			}
			if takeAll(t, l, t1, tc.spent) {
				t.Errorf("%s admitted past its limit: the Take that charged it evicted it", tc.spent.Key)
			}
		})
	}
}

// An entry rewritten to go idle sooner (a lockout shorter than the rest of
// its failures window) brings its shard's sweep forward: the next key that
// needs room sweeps it out, rather than evicting a live key whose charges
// would then be forgotten.
func TestLocalSweepsEntriesIdleSooner(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	l := limit.NewLocal(limit.LocalOptions{MaxKeys: 2, Shards: 1})
	hourly := func(key string) limit.Check {
		return limit.Check{Key: key, Rate: limit.Rate{PerSecond: 1.0 / 3600, Burst: 2}}
	}
	takeAll(t, l, t0.Add(-2*time.Hour), hourly("x"))
	takeAll(t, l, t0.Add(-2*time.Hour), hourly("y"))
	takeAll(t, l, t0, hourly("r")) // sweeps x and y; the next sweep when r is idle
	lo := limit.Lockout{MaxFailures: 2, Window: 2 * time.Hour, Duration: time.Minute}
	for i := range 2 { // locked for a minute: idle long before its window ends
		if _, err := l.Strike(context.Background(), t0.Add(time.Duration(i)*time.Second), "l", lo); err != nil {
			t.Fatal(err)
		}
	}
	later := t0.Add(5 * time.Minute)
	if !takeAll(t, l, later, hourly("z")) { // needs room: l is idle, r is not
		t.Fatal("z refused")
	}
	if !takeAll(t, l, later, hourly("r")) {
		t.Fatal("r's second request refused")
	}
	if takeAll(t, l, later, hourly("r")) {
		t.Error("r admitted a third time within its burst of 2: its entry was evicted instead of the idle lockout")
	}
}
