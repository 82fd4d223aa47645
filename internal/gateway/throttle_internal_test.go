package gateway

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

// TestThrottleClientsBounded: a stage keeps at most maxClients buckets,
// dropping idle ones (full again, so nothing is lost) before the least
// recently used.
func TestThrottleClientsBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	th := newThrottle(&tollgate.Stage{ClientThrottle: tollgate.Throttle{Rate: 1, Burst: 2}}, nil, 3)
	if th.idle != 3*time.Second {
		t.Fatalf("idle %s, want 3s (2 tokens at 1/s, plus a second)", th.idle)
	}
	for i := range 3 {
		th.allowClient(fmt.Sprint("c", i), t0.Add(time.Duration(i)*time.Second))
	}
	// c0 (used at t0) is idle at t0+3s; c1 and c2 are not.
	th.allowClient("c3", t0.Add(3*time.Second))
	if _, ok := th.clients["c0"]; ok || len(th.clients) != 3 {
		t.Fatalf("clients %v, want c0 dropped as idle", keysOf(th.clients))
	}
	// Nobody idle: the least recently used (c1) goes.
	th.allowClient("c4", t0.Add(3*time.Second))
	if _, ok := th.clients["c1"]; ok || len(th.clients) != 3 {
		t.Fatalf("clients %v, want c1 dropped as least recently used", keysOf(th.clients))
	}
	if !th.allowClient("", t0) {
		t.Error("a request without client id was limited")
	}
}

func TestThrottleBurstDefault(t *testing.T) {
	for _, c := range []struct {
		th   tollgate.Throttle
		want int
	}{{tollgate.Throttle{Rate: 0.5}, 1}, {tollgate.Throttle{Rate: 10}, 10}, {tollgate.Throttle{Rate: 2.5}, 3}, {tollgate.Throttle{Rate: 1, Burst: 7}, 7}} {
		if got := burst(c.th); got != c.want {
			t.Errorf("%+v: burst %d, want %d", c.th, got, c.want)
		}
	}
	st := newThrottle(&tollgate.Stage{}, nil, 10)
	if st.stage != nil || st.clients != nil || !st.allowStage(time.Time{}) || !st.allowClient("x", time.Time{}) {
		t.Error("a stage without throttles is limited")
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestClientKey(t *testing.T) {
	for _, c := range []*bearer.Claims{
		{Iss: "https://a/", ClientID: "c", Sub: "s"},
		{Iss: "https://a/", Sub: "s"},
		{Iss: "https://a/"},
	} {
		if k := clientKey(c); clientKeyLen(c) != len(k) {
			t.Errorf("%+v: clientKeyLen %d, len(clientKey) %d", c, clientKeyLen(c), len(k))
		}
	}
	a, b := clientKey(&bearer.Claims{Iss: "https://a/", ClientID: "x"}), clientKey(&bearer.Claims{Iss: "https://b/", ClientID: "x"})
	if a == b || a == clientKey(&bearer.Claims{Iss: "https://a/", Sub: "x"}) {
		t.Error("keys of different issuers or kinds coincide")
	}
}

// BenchmarkThrottleClients is what the per-client throttle costs
// requests of 64 clients served at once.
func BenchmarkThrottleClients(b *testing.B) {
	th := newThrottle(&tollgate.Stage{ClientThrottle: tollgate.Throttle{Rate: 1e9, Burst: 1e9}}, nil, DefaultMaxThrottledClients)
	ids := make([]string, 64)
	for i := range ids {
		ids[i] = fmt.Sprint("client", i)
	}
	now := time.Now()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for i := int(next.Add(1)); pb.Next(); i++ {
			th.allowClient(ids[i%len(ids)], now)
		}
	})
}
