package limit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// broken is a limiter whose every call fails, as an unreachable Redis.
type broken struct{ err error }

func (b broken) Take(context.Context, time.Time, []limit.Check) (limit.Result, error) {
	return limit.Result{}, b.err
}

func (b broken) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, b.err
}

func (b broken) Close() error { return nil }

var (
	errDown  = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	gNow     = time.Unix(1_800_000_000, 0)
	gCheck   = []limit.Check{{Key: "k", Limit: 1, Reset: gNow.Add(time.Hour)}}
	gLockout = limit.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Minute}
)

func TestGuardFailOpen(t *testing.T) {
	var seen []error
	g := limit.Guard(broken{errDown}, true, func(err error) { seen = append(seen, err) })
	res, err := g.Take(context.Background(), gNow, gCheck)
	if err != nil || !res.Allowed() {
		t.Fatalf("Take = %+v, %v; want admitted", res, err)
	}
	until, err := g.Strike(context.Background(), gNow, "k", gLockout)
	if err != nil || !until.IsZero() {
		t.Fatalf("Strike = %v, %v; want no lock, no error", until, err)
	}
	if len(seen) != 2 || !errors.Is(seen[0], errDown) {
		t.Fatalf("onError saw %v, want the two failures", seen)
	}
}

func TestGuardFailClosed(t *testing.T) {
	n := 0
	g := limit.Guard(broken{errDown}, false, func(error) { n++ })
	if _, err := g.Take(context.Background(), gNow, gCheck); !errors.Is(err, limit.ErrUnavailable) || !errors.Is(err, errDown) {
		t.Fatalf("Take error %v: want ErrUnavailable wrapping the cause", err)
	}
	if _, err := g.Strike(context.Background(), gNow, "k", gLockout); !errors.Is(err, limit.ErrUnavailable) {
		t.Fatalf("Strike error %v: want ErrUnavailable", err)
	}
	if n != 2 {
		t.Fatalf("onError called %d times, want 2", n)
	}
}

// Guard passes answers through, and onError may be nil.
func TestGuardPassesThrough(t *testing.T) {
	for _, open := range []bool{true, false} {
		g := limit.Guard(limit.NewLocal(limit.LocalOptions{}), open, nil)
		if res, err := g.Take(context.Background(), gNow, gCheck); err != nil || !res.Allowed() {
			t.Fatalf("first Take = %+v, %v", res, err)
		}
		if res, err := g.Take(context.Background(), gNow, gCheck); err != nil || res != (limit.Result{Refused: 0, RetryAfter: time.Hour}) {
			t.Fatalf("second Take = %+v, %v; want refused for an hour", res, err)
		}
		if until, err := g.Strike(context.Background(), gNow, "k", gLockout); err != nil || !until.Equal(gNow.Add(time.Minute)) {
			t.Fatalf("Strike = %v, %v", until, err)
		}
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The caller's own cancellation is not the limiter's failure.
func TestGuardCallerCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	g := limit.Guard(broken{context.Canceled}, true, func(error) { called = true })
	if _, err := g.Take(ctx, gNow, gCheck); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("Take = %v (onError called: %v); want context.Canceled, unreported", err, called)
	}
}

// Both policies against a real Redis that is not there: the
// configuration's two answers, end to end.
func TestGuardRedisDown(t *testing.T) {
	r, err := limit.NewRedis("redis://127.0.0.1:1", limit.RedisOptions{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if res, err := limit.Guard(r, true, nil).Take(context.Background(), gNow, gCheck); err != nil || !res.Allowed() {
		t.Fatalf("fail open: %+v, %v", res, err)
	}
	if _, err := limit.Guard(r, false, nil).Take(context.Background(), gNow, gCheck); !errors.Is(err, limit.ErrUnavailable) {
		t.Fatalf("fail closed: %v", err)
	}
}
