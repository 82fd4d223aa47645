// Package limittest is the conformance suite every limit.Limiter passes:
// Run holds an implementation to the behaviour the gateway and the token
// endpoint rely on, with a clock the tests drive (no sleeps). It imports
// only package limit and the standard library.
package limittest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// t0 is the suite's clock at the start of each case.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the suite. newLimiter returns an empty limiter for one case
// (fresh state: for a shared store, a prefix of its own) and arranges
// for it to be closed.
func Run(t *testing.T, newLimiter func(t *testing.T) limit.Limiter) {
	cases := []struct {
		name string
		fn   func(*testing.T, limit.Limiter)
	}{
		{"RateBurst", testRateBurst},
		{"RateSteady", testRateSteady},
		{"RateExtremes", testRateExtremes},
		{"RateFractional", testRateFractional},
		{"AllOrNothing", testAllOrNothing},
		{"QuotaWindows", testQuotaWindows},
		{"QuotaZero", testQuotaZero},
		{"StrikeLocks", testStrikeLocks},
		{"StrikeWindowForgets", testStrikeWindowForgets},
		{"LockCheckChargesNothing", testLockCheckChargesNothing},
		{"Concurrent", testConcurrent},
		{"ManyKeys", testManyKeys},
		{"KindsApart", testKindsApart},
		{"NoLimitIsAnError", testNoLimit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newLimiter(t)) })
	}
}

// take runs one Take and fails the test on an error.
func take(t *testing.T, l limit.Limiter, now time.Time, checks ...limit.Check) limit.Result {
	t.Helper()
	res, err := l.Take(context.Background(), now, checks)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return res
}

// expect fails the test unless a Take at now gives want.
func expect(t *testing.T, l limit.Limiter, now time.Time, want limit.Result, checks ...limit.Check) {
	t.Helper()
	if got := take(t, l, now, checks...); got != want {
		t.Fatalf("Take at t0+%v = %+v, want %+v", now.Sub(t0), got, want)
	}
}

// admitted counts how many of n Takes at now admit.
func admitted(t *testing.T, l limit.Limiter, now time.Time, n int, checks ...limit.Check) int {
	t.Helper()
	k := 0
	for range n {
		if take(t, l, now, checks...).Allowed() {
			k++
		}
	}
	return k
}

var allowed = limit.Result{Refused: -1}

func refused(i int, after time.Duration) limit.Result {
	return limit.Result{Refused: i, RetryAfter: after}
}

func rate(key string, perSecond float64, burst int) limit.Check {
	return limit.Check{Key: key, Rate: limit.Rate{PerSecond: perSecond, Burst: burst}}
}

func quota(key string, n int64, reset time.Time) limit.Check {
	return limit.Check{Key: key, Limit: n, Reset: reset}
}

func lock(key string) limit.Check { return limit.Check{Key: key, Locked: true} }

func strike(t *testing.T, l limit.Limiter, now time.Time, key string, lo limit.Lockout) time.Time {
	t.Helper()
	until, err := l.Strike(context.Background(), now, key, lo)
	if err != nil {
		t.Fatalf("Strike: %v", err)
	}
	return until
}

// testRateBurst: exactly Burst at once, then one per interval, and
// RetryAfter says when the next one is.
func testRateBurst(t *testing.T, l limit.Limiter) {
	r := rate("burst", 10, 5)
	if got := admitted(t, l, t0, 8, r); got != 5 {
		t.Fatalf("at once: %d admitted, want the burst, 5", got)
	}
	expect(t, l, t0, refused(0, 100*time.Millisecond), r)
	expect(t, l, t0.Add(60*time.Millisecond), refused(0, 40*time.Millisecond), r)
	expect(t, l, t0.Add(100*time.Millisecond), allowed, r)
	expect(t, l, t0.Add(100*time.Millisecond), refused(0, 100*time.Millisecond), r)
	// Idle for long enough, the bucket is full again, and no fuller.
	if got := admitted(t, l, t0.Add(time.Hour), 8, r); got != 5 {
		t.Fatalf("after an hour: %d admitted, want 5", got)
	}
}

// testRateExtremes: rates and bursts at the edges of what fits.
func testRateExtremes(t *testing.T, l limit.Limiter) {
	tiny := rate("tiny", 1e-12, 1)
	expect(t, l, t0, allowed, tiny)
	if res := take(t, l, t0, tiny); res.Allowed() || res.RetryAfter < 365*24*time.Hour {
		t.Fatalf("a rate of 1e-12/s: second Take %+v, want refused for years", res)
	}
	huge := rate("huge", 1, 1<<62)
	if got := admitted(t, l, t0, 100, huge); got != 100 {
		t.Fatalf("a burst of 2^62: %d of 100 admitted", got)
	}
}

// testRateSteady: a sender faster than the rate gets the rate.
func testRateSteady(t *testing.T, l limit.Limiter) {
	r := rate("steady", 50, 1)
	n := 0
	for ms := range 2000 { // one attempt per millisecond for 2 s
		if take(t, l, t0.Add(time.Duration(ms)*time.Millisecond), r).Allowed() {
			n++
		}
	}
	if n != 100 {
		t.Fatalf("2 s at 50/s: %d admitted, want 100", n)
	}
}

// testRateFractional: rates below one per second.
func testRateFractional(t *testing.T, l limit.Limiter) {
	r := rate("slow", 0.5, 1)
	expect(t, l, t0, allowed, r)
	expect(t, l, t0.Add(time.Second), refused(0, time.Second), r)
	expect(t, l, t0.Add(2*time.Second), allowed, r)
	r = rate("slow-burst", 0.25, 2)
	if got := admitted(t, l, t0, 3, r); got != 2 {
		t.Fatalf("0.25/s burst 2: %d admitted at once, want 2", got)
	}
	expect(t, l, t0.Add(time.Second), refused(0, 3*time.Second), r)
	expect(t, l, t0.Add(4*time.Second), allowed, r)
}

// testAllOrNothing: a refusal by any check charges none of them.
func testAllOrNothing(t *testing.T, l limit.Limiter) {
	reset := t0.Add(time.Hour)
	a, q := rate("aon-rate", 1, 2), quota("aon-quota", 1, reset)
	expect(t, l, t0, allowed, a, q)
	expect(t, l, t0, refused(1, time.Hour), a, q)
	// The refused Take charged a nothing: one of its burst of two is left.
	expect(t, l, t0, allowed, a)
	expect(t, l, t0, refused(0, time.Second), a)

	// A refusal by the first check leaves the second uncharged.
	q2, b := quota("aon-quota2", 1, reset), rate("aon-rate2", 1, 1)
	expect(t, l, t0, refused(0, time.Hour), q, b)
	expect(t, l, t0, allowed, q2, b)
	expect(t, l, t0, refused(0, time.Hour), q2)
}

// testQuotaWindows: Limit per window; the next window starts at zero.
func testQuotaWindows(t *testing.T, l limit.Limiter) {
	day1, day2 := t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	w1 := quota("quota:"+t0.Format(time.DateOnly), 3, day1)
	if got := admitted(t, l, t0, 5, w1); got != 3 {
		t.Fatalf("first window: %d admitted, want 3", got)
	}
	expect(t, l, t0.Add(20*time.Hour), refused(0, 4*time.Hour), w1)
	w2 := quota("quota:"+day1.Format(time.DateOnly), 3, day2)
	if got := admitted(t, l, day1, 5, w2); got != 3 {
		t.Fatalf("second window: %d admitted, want 3", got)
	}
	expect(t, l, day1.Add(time.Minute), refused(0, 24*time.Hour-time.Minute), w2)
}

// testQuotaZero: a quota of 0 refuses everything until its Reset.
func testQuotaZero(t *testing.T, l limit.Limiter) {
	z := quota("zero", 0, t0.Add(time.Hour))
	expect(t, l, t0, refused(0, time.Hour), z)
	expect(t, l, t0.Add(59*time.Minute), refused(0, time.Minute), z)
}

// testStrikeLocks: MaxFailures within Window lock for Duration.
func testStrikeLocks(t *testing.T, l limit.Limiter) {
	lo := limit.Lockout{MaxFailures: 3, Window: time.Minute, Duration: 5 * time.Minute}
	for _, at := range []time.Duration{0, 10 * time.Second} {
		if until := strike(t, l, t0.Add(at), "client", lo); !until.IsZero() {
			t.Fatalf("strike at t0+%v locked until %v", at, until)
		}
		expect(t, l, t0.Add(at), allowed, lock("client"))
	}
	at := t0.Add(20 * time.Second)
	want := at.Add(5 * time.Minute)
	if until := strike(t, l, at, "client", lo); !until.Equal(want) {
		t.Fatalf("third strike: locked until %v, want %v", until, want)
	}
	expect(t, l, t0.Add(time.Minute), refused(0, 4*time.Minute+20*time.Second), lock("client"))
	expect(t, l, t0.Add(time.Minute), allowed, lock("other-client"))
	// A strike while locked keeps the lock.
	if until := strike(t, l, t0.Add(2*time.Minute), "client", lo); !until.Equal(want) {
		t.Fatalf("strike while locked: until %v, want %v", until, want)
	}
	expect(t, l, want.Add(-time.Microsecond), refused(0, time.Microsecond), lock("client"))
	expect(t, l, want, allowed, lock("client"))
	// The lock forgot the failures: the next one does not lock again.
	if until := strike(t, l, want.Add(time.Second), "client", lo); !until.IsZero() {
		t.Fatalf("first strike after the lock: locked until %v", until)
	}
	// A failure counted while locked (its lock check came first) does not
	// extend the lock, even where one failure locks.
	one := limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Minute}
	first := strike(t, l, t0, "one", one)
	if !first.Equal(t0.Add(time.Minute)) {
		t.Fatalf("one failure of one: locked until %v", first)
	}
	if until := strike(t, l, t0.Add(30*time.Second), "one", one); !until.Equal(first) {
		t.Fatalf("a failure while locked: until %v, want the lock's end %v", until, first)
	}
}

// testStrikeWindowForgets: failures older than Window are forgotten.
func testStrikeWindowForgets(t *testing.T, l limit.Limiter) {
	lo := limit.Lockout{MaxFailures: 3, Window: time.Minute, Duration: time.Hour}
	for _, at := range []time.Duration{0, 30 * time.Second, 61 * time.Second, 70 * time.Second} {
		if until := strike(t, l, t0.Add(at), "forget", lo); !until.IsZero() {
			t.Fatalf("strike at t0+%v locked until %v: the first two were outside the window", at, until)
		}
	}
	at := t0.Add(80 * time.Second)
	if until := strike(t, l, at, "forget", lo); !until.Equal(at.Add(time.Hour)) {
		t.Fatalf("third strike in the window: locked until %v, want %v", until, at.Add(time.Hour))
	}
}

// testLockCheckChargesNothing: a lock check beside others only refuses.
func testLockCheckChargesNothing(t *testing.T, l limit.Limiter) {
	lo := limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Minute}
	r := rate("locked-rate", 1, 1)
	strike(t, l, t0, "locked", lo)
	expect(t, l, t0, refused(1, time.Minute), r, lock("locked"))
	expect(t, l, t0.Add(time.Minute), allowed, r, lock("locked"))
}

// testConcurrent: many goroutines admit exactly what the limits allow,
// and Takes of the same keys in either order neither deadlock nor
// charge half.
func testConcurrent(t *testing.T, l limit.Limiter) {
	const goroutines, each = 8, 40
	a, q := rate("conc-rate", 1, 50), quota("conc-quota", 30, t0.Add(time.Hour))
	single := rate("conc-single", 1, 37)
	var pairs, singles atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				checks := []limit.Check{a, q}
				if (g+i)%2 == 1 {
					checks = []limit.Check{q, a}
				}
				res, err := l.Take(context.Background(), t0, checks)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Allowed() {
					pairs.Add(1)
				}
				if res, err = l.Take(context.Background(), t0, []limit.Check{single}); err == nil && res.Allowed() {
					singles.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if pairs.Load() != 30 || singles.Load() != 37 {
		t.Fatalf("admitted %d pairs and %d singles, want 30 and 37", pairs.Load(), singles.Load())
	}
	// The pairs charged the rate 30 times: 20 of its burst are left.
	if got := admitted(t, l, t0, 25, a); got != 20 {
		t.Fatalf("the rate admits %d more, want 20", got)
	}
}

// testManyKeys: many short-lived keys do not disturb a live one (a
// limiter that bounds its memory forgets the idle ones first).
func testManyKeys(t *testing.T, l limit.Limiter) {
	live := quota("live", 10, t0.Add(time.Hour))
	now := t0
	n := 0
	for i := range 5000 {
		now = now.Add(time.Millisecond)
		take(t, l, now, rate(fmt.Sprintf("brief-%d", i), 1000, 1))
		if i%250 == 0 && take(t, l, now, live).Allowed() {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("the live quota admitted %d, want 10", n)
	}
	expect(t, l, now, refused(0, t0.Add(time.Hour).Sub(now)), live)
}

// testKindsApart: one key used as a rate, a quota and a lock is three
// limits, none charging another.
func testKindsApart(t *testing.T, l limit.Limiter) {
	r, q, lk := rate("same", 1, 1), quota("same", 1, t0.Add(time.Hour)), lock("same")
	expect(t, l, t0, allowed, r)
	expect(t, l, t0, allowed, q, lk)
	expect(t, l, t0, refused(0, time.Second), r)
	strike(t, l, t0, "same", limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Minute})
	expect(t, l, t0.Add(time.Second), allowed, r)
	expect(t, l, t0.Add(time.Second), refused(0, time.Minute-time.Second), lk)
}

// testNoLimit: a check that limits nothing is the caller's mistake.
func testNoLimit(t *testing.T, l limit.Limiter) {
	if _, err := l.Take(context.Background(), t0, []limit.Check{{Key: "nothing"}}); err == nil {
		t.Fatal("Take of a check with no limit: no error")
	}
}
