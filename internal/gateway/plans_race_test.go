package gateway_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit"
)

// epochs records the outage epochs a gateway counts quotas under: those
// QuotaUsed is asked with, and those the local quota checks' keys name.
type epochs struct {
	mu     sync.Mutex
	asked  []int64
	local  *fakeLimiter
	shared *fakeLimiter
	down   atomic.Bool
}

// outageEnv is a gateway failing open over a shared limiter that fails
// while ep.down is set, counting a quota locally meanwhile; edit may
// change its options further.
func outageEnv(t *testing.T, ep *epochs, edit func(*gateway.Options)) *keyEnv {
	t.Helper()
	ep.local = &fakeLimiter{}
	ep.shared = &fakeLimiter{answer: func([]limit.Check) (limit.Result, error) {
		if ep.down.Load() {
			return limit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
		}
		return limit.Result{Refused: -1}, nil
	}}
	ep.down.Store(true)
	return newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 5, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen, o.LocalLimiter = ep.shared, true, ep.local
		o.QuotaUsed = func(_ context.Context, _, _ string, _ time.Time, epoch int64) int64 {
			ep.mu.Lock()
			ep.asked = append(ep.asked, epoch)
			ep.mu.Unlock()
			return 0
		}
		if edit != nil {
			edit(o)
		}
	})
}

// want checks that every quota counted locally was counted under epoch.
func (ep *epochs) want(t *testing.T, epoch int64) {
	t.Helper()
	ep.mu.Lock()
	defer ep.mu.Unlock()
	for _, e := range ep.asked {
		if e != epoch {
			t.Errorf("QuotaUsed asked with epoch %d, want the outage's %d (asked %v)", e, epoch, ep.asked)
		}
	}
	suffix := "\x00outage\x00" + strconv.FormatInt(epoch, 10)
	ep.local.mu.Lock()
	defer ep.local.mu.Unlock()
	for _, take := range ep.local.takes {
		for _, c := range take {
			if c.Reset.IsZero() {
				continue // not the quota
			}
			if !strings.HasSuffix(c.Key, suffix) {
				t.Errorf("local quota key %q, want it to end with the outage's epoch %d", c.Key, epoch)
			}
		}
	}
	if len(ep.asked) == 0 || len(ep.local.takes) == 0 {
		t.Errorf("QuotaUsed asked %v, local takes %+v: nothing counted locally", ep.asked, ep.local.takes)
	}
}

// A request failing while another's failure begins an outage counts its
// quota under that outage's epoch. The failure that began it used to set
// the outage flag before its start: a request failing in between read the
// start still unset (0: the epoch of counting without shared limiter, or
// else the previous outage's) and counted under it.
func TestOutageEpochOfConcurrentFailure(t *testing.T) {
	var ep epochs
	var armed atomic.Bool
	inClock, release := make(chan struct{}), make(chan struct{})
	ke := outageEnv(t, &ep, func(o *gateway.Options) {
		now := o.Now
		// The first request's first look at the clock after its shared
		// Take failed, which is when it begins the outage, waits for the
		// second request to be served.
		o.Now = func() time.Time {
			if armed.CompareAndSwap(true, false) {
				close(inClock)
				<-release
			}
			return now()
		}
	})
	ep.shared.answer = armOnce(&armed, ep.shared.answer)
	first := make(chan int)
	go func() { first <- ke.get("/prod/pets", keyValue).Code }()
	<-inClock
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Errorf("second request: %d %s", w.Code, w.Body)
	}
	close(release)
	if code := <-first; code != 200 {
		t.Errorf("first request: %d", code)
	}
	ep.want(t, t0.UnixNano())
}

// armOnce returns answer, setting armed when it is first called.
func armOnce(armed *atomic.Bool, answer func([]limit.Check) (limit.Result, error)) func([]limit.Check) (limit.Result, error) {
	var once sync.Once
	return func(c []limit.Check) (limit.Result, error) {
		once.Do(func() { armed.Store(true) })
		return answer(c)
	}
}

// stallLimiterError holds up the first request whose limiter failed,
// after the gateway counted the failure and before it counts the request
// locally, until release is closed.
type stallLimiterError struct {
	*usage
	once        sync.Once
	in, release chan struct{}
}

func (s *stallLimiterError) ObserveLimiterError(failOpen bool) {
	s.usage.ObserveLimiterError(failOpen)
	s.once.Do(func() {
		close(s.in)
		<-s.release
	})
}

// A request whose shared Take failed counts its quota under the epoch of
// the outage it failed in, even when the limiter answers again (another
// request's Take succeeding, which ends the outage) before it counts.
func TestOutageEpochThroughRecovery(t *testing.T) {
	var ep epochs
	stall := &stallLimiterError{in: make(chan struct{}), release: make(chan struct{})}
	ke := outageEnv(t, &ep, func(o *gateway.Options) {
		stall.usage = o.Observer.(*usage)
		o.Observer = stall
	})
	first := make(chan int)
	go func() { first <- ke.get("/prod/pets", keyValue).Code }()
	<-stall.in
	ep.down.Store(false)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Errorf("second request, the limiter back: %d %s", w.Code, w.Body)
	}
	close(stall.release)
	if code := <-first; code != 200 {
		t.Errorf("first request: %d", code)
	}
	ep.want(t, t0.UnixNano())
}
