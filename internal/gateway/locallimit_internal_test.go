package gateway

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

var l0 = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

func take(t *testing.T, l *localLimiter, now time.Time, checks ...limit.Check) limit.Result {
	t.Helper()
	res, err := l.Take(context.Background(), now, checks)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// GCRA: Burst at once, then one per interval.
func TestLocalLimiterRate(t *testing.T) {
	l := newLocalLimiter(10)
	c := limit.Check{Key: "r", Rate: limit.Rate{PerSecond: 2, Burst: 3}}
	for i := range 3 {
		if res := take(t, l, l0, c); !res.Allowed() {
			t.Fatalf("burst %d refused", i)
		}
	}
	res := take(t, l, l0, c)
	if res.Refused != 0 || res.RetryAfter != 500*time.Millisecond {
		t.Fatalf("over the burst: %+v", res)
	}
	if res := take(t, l, l0.Add(499*time.Millisecond), c); res.Allowed() {
		t.Errorf("before the next cell: admitted")
	}
	if res := take(t, l, l0.Add(500*time.Millisecond), c); !res.Allowed() {
		t.Errorf("at the next cell: %+v", res)
	}
}

// A quota admits Limit per window key, and a refusal by one check charges
// none of the others.
func TestLocalLimiterQuotaAllOrNothing(t *testing.T) {
	l := newLocalLimiter(10)
	reset := l0.Add(time.Hour)
	rate := limit.Check{Key: "r", Rate: limit.Rate{PerSecond: 1, Burst: 2}}
	quota := limit.Check{Key: "q@0", Limit: 1, Reset: reset}
	if res := take(t, l, l0, rate, quota); !res.Allowed() {
		t.Fatalf("first: %+v", res)
	}
	if res := take(t, l, l0, rate, quota); res.Refused != 1 || res.RetryAfter != time.Hour {
		t.Fatalf("second: %+v", res)
	}
	// The refused request charged the rate nothing: one cell is left.
	if res := take(t, l, l0, rate); !res.Allowed() {
		t.Errorf("rate charged by a refused request: %+v", res)
	}
	// The next window's key starts at zero; a zero limit refuses.
	if res := take(t, l, reset, limit.Check{Key: "q@1", Limit: 1, Reset: reset.Add(time.Hour)}); !res.Allowed() {
		t.Errorf("next window: %+v", res)
	}
	if res := take(t, l, l0, limit.Check{Key: "z", Limit: 0, Reset: reset}); res.Allowed() {
		t.Errorf("a zero limit admitted")
	}
}

// The limiter stays within its bound, dropping spent counters first.
func TestLocalLimiterBound(t *testing.T) {
	l := newLocalLimiter(4)
	for i := range 100 {
		now := l0.Add(time.Duration(i) * time.Millisecond)
		take(t, l, now, limit.Check{Key: string(rune('a' + i%26)), Rate: limit.Rate{PerSecond: 1, Burst: 1}})
		take(t, l, now, limit.Check{Key: "q" + string(rune('a'+i%26)), Limit: 5, Reset: now.Add(time.Microsecond)})
		if n := len(l.tats) + len(l.counts); n > 4 {
			t.Fatalf("%d counters", n)
		}
	}
}

// BenchmarkLocalLimiter is a plan's three checks (throttle, method
// throttle, quota) in one Take: the local cost of a key-required request.
func BenchmarkLocalLimiter(b *testing.B) {
	l := newLocalLimiter(defaultLocalLimiterKeys)
	checks := []limit.Check{
		{Key: "gw\x00plan\x00p\x00k", Rate: limit.Rate{PerSecond: 1e9, Burst: 1 << 30}},
		{Key: "gw\x00plan\x00p\x00k\x00method", Rate: limit.Rate{PerSecond: 1e9, Burst: 1 << 30}},
		{Key: "gw\x00plan\x00p\x00k\x00quota", Limit: 1 << 60, Reset: l0.Add(time.Hour)},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, _ := l.Take(ctx, l0, checks); !res.Allowed() {
			b.Fatal("refused")
		}
	}
}
