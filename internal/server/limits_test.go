package server

import (
	"context"
	"errors"
	"github.com/tollgate/tollgate/internal/token"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// fakeKeyCatalog finds keys by the string of their hash, as the catalog
// does.
type fakeKeyCatalog struct {
	byHash  map[string]*tollgate.APIKey
	lookups int
}

func (c *fakeKeyCatalog) APIKeyByHash(h []byte) (*tollgate.APIKey, bool) {
	c.lookups++
	k, ok := c.byHash[string(h)]
	return k, ok
}

func (c *fakeKeyCatalog) UsagePlan(string) (*tollgate.UsagePlan, bool) { return nil, false }

func newVault(t testing.TB, keys ...[]byte) *vault.Vault {
	t.Helper()
	v, err := vault.New(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAPIKeysUnderTwoMasterKeys: during a rotation (the new master key
// sealing, the old one still given), a key whose hash the store holds under
// the old key and one hashed under the new are both found by their value;
// an unknown value, and one no key can have, are not.
func TestAPIKeysUnderTwoMasterKeys(t *testing.T) {
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	oldV, both := newVault(t, oldKey), newVault(t, newKey, oldKey)
	hashedOld := &tollgate.APIKey{ID: "aaaaaaaaaa", Hash: oldV.HashAPIKey("old-value-0123456789abcdef")}
	hashedNew := &tollgate.APIKey{ID: "bbbbbbbbbb", Hash: both.HashAPIKey("new-value-0123456789abcdef")}
	c := &fakeKeyCatalog{byHash: map[string]*tollgate.APIKey{string(hashedOld.Hash): hashedOld, string(hashedNew.Hash): hashedNew}}
	keys := apiKeys{both, c}
	for value, want := range map[string]*tollgate.APIKey{
		"old-value-0123456789abcdef": hashedOld,
		"new-value-0123456789abcdef": hashedNew,
	} {
		if got, ok := keys.APIKey(value); !ok || got != want {
			t.Errorf("APIKey(%s…) = %v, %v; want %v", value[:3], got, ok, want)
		}
	}
	c.lookups = 0
	if k, ok := keys.APIKey("unknown-0123456789abcdef"); ok {
		t.Errorf("an unknown value found %v", k)
	}
	if c.lookups != 2 {
		t.Errorf("an unknown value was looked up %d times; want once per master key (2)", c.lookups)
	}
	c.lookups = 0
	for _, v := range []string{"", "short", strings.Repeat("x", tollgate.MaxAPIKeyValueLength+1)} {
		if _, ok := keys.APIKey(v); ok {
			t.Errorf("a value of %d bytes was found", len(v))
		}
	}
	if c.lookups != 0 {
		t.Errorf("values no key can have were looked up %d times", c.lookups)
	}
	// With the old key alone, the key hashed under the new one is unknown.
	if _, ok := (apiKeys{oldV, c}).APIKey("new-value-0123456789abcdef"); ok {
		t.Error("a node without the new master key found a key hashed under it")
	}
}

// BenchmarkAPIKeyLookup is what finding a key by its value costs a
// request, under one master key.
func BenchmarkAPIKeyLookup(b *testing.B) {
	v := newVault(b, vault.NewKey())
	k := &tollgate.APIKey{ID: "aaaaaaaaaa", Hash: v.HashAPIKey("value-0123456789abcdefghij")}
	keys := apiKeys{v, &fakeKeyCatalog{byHash: map[string]*tollgate.APIKey{string(k.Hash): k}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := keys.APIKey("value-0123456789abcdefghij"); !ok {
			b.Fatal("not found")
		}
	}
}

// fakeRecorder records its lifecycle: Run until its context ends, then
// Flush.
type fakeRecorder struct {
	started chan struct{}
	mu      sync.Mutex
	events  []string
	pending int
	flushed int
}

func (r *fakeRecorder) log(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *fakeRecorder) Record(string, string, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending++
}

func (r *fakeRecorder) Run(ctx context.Context) {
	r.log("run")
	close(r.started)
	<-ctx.Done()
	r.log("run ended")
}

func (r *fakeRecorder) Flush(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "flush")
	r.flushed += r.pending
	r.pending = 0
	return nil
}

// TestUsageRecorderLifecycle: Serve runs the recorder while it serves and,
// once it stops, flushes what the recorder holds after Run has returned.
func TestUsageRecorderLifecycle(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	rec := &fakeRecorder{started: make(chan struct{})}
	s, err := New(context.Background(), Options{Store: st, Vault: v, Listen: "127.0.0.1:0", Usage: rec, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	<-rec.started
	rec.Record("plan", "key", time.Now())
	rec.Record("plan", "key", time.Now())
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if got, want := strings.Join(rec.events, ", "), "run, run ended, flush"; got != want {
		t.Errorf("lifecycle %q; want %q", got, want)
	}
	if rec.flushed != 2 || rec.pending != 0 {
		t.Errorf("flushed %d, pending %d at shutdown; want 2 and 0", rec.flushed, rec.pending)
	}
}

// failingLimiter fails every call.
type failingLimiter struct{}

var errLimiterDown = errors.New("connection refused")

func (failingLimiter) Take(context.Context, time.Time, []limit.Check) (limit.Result, error) {
	return limit.Result{}, errLimiterDown
}

func (failingLimiter) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, errLimiterDown
}
func (failingLimiter) Close() error { return nil }

// TestLimiterErrorsCounted: each failed call of a component's limiter
// counts in tollgate_limiter_errors_total under the component, and the
// error reaches the component unchanged.
func TestLimiterErrorsCounted(t *testing.T) {
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	s, err := New(context.Background(), Options{Store: st, Vault: v, Limiter: failingLimiter{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if s.limiterFor(nil, "gateway") != nil {
		t.Error("no limiter became a non-nil one")
	}
	gw := s.limiterFor(failingLimiter{}, "gateway")
	if _, err := gw.Take(context.Background(), time.Now(), nil); !errors.Is(err, errLimiterDown) {
		t.Errorf("Take: %v", err)
	}
	if _, err := gw.Strike(context.Background(), time.Now(), "k", limit.Lockout{}); !errors.Is(err, errLimiterDown) {
		t.Errorf("Strike: %v", err)
	}
	body := scrape(t, s.metrics)
	wantSeries(t, body,
		`tollgate_limiter_errors_total{component="gateway"} 2`,
		`tollgate_limiter_errors_total{component="token"} 0`,
	)
}

func scrape(t *testing.T, m *metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	return string(body)
}

// wantSeries fails the test for each series line body lacks.
func wantSeries(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, want := range lines {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestPlanMetricsBounded: the first keys seen get a key label of their
// own, later ones are counted as key="other", and a labelled key keeps its
// label for every outcome.
func TestPlanMetricsBounded(t *testing.T) {
	m := newMetrics()
	p := m.newPlanMetrics(2)
	p.ObservePlan("plan1", "key1", gateway.PlanAllowed)
	p.ObservePlan("plan1", "key2", gateway.PlanAllowed)
	p.ObservePlan("plan1", "key3", gateway.PlanAllowed)
	p.ObservePlan("plan1", "key4", gateway.PlanAllowed)
	p.ObservePlan("plan1", "key1", gateway.PlanQuota)
	p.ObservePlan("plan2", "key2", gateway.PlanThrottled)
	p.ObservePlan("plan1", "key3", gateway.PlanThrottled)
	body := scrape(t, m)
	wantSeries(t, body,
		`tollgate_usage_plan_requests_total{key="key1",outcome="allowed",plan="plan1"} 1`,
		`tollgate_usage_plan_requests_total{key="key2",outcome="allowed",plan="plan1"} 1`,
		`tollgate_usage_plan_requests_total{key="other",outcome="allowed",plan="plan1"} 2`,
		`tollgate_usage_plan_requests_total{key="key1",outcome="quota",plan="plan1"} 1`,
		`tollgate_usage_plan_requests_total{key="key2",outcome="throttled",plan="plan2"} 1`,
		`tollgate_usage_plan_requests_total{key="other",outcome="throttled",plan="plan1"} 1`,
	)
	for _, k := range []string{"key3", "key4"} {
		if strings.Contains(body, `key="`+k+`"`) {
			t.Errorf("%s beyond the bound has a label of its own", k)
		}
	}
	n := 0
	p.byLabels.Range(func(any, any) bool { n++; return true })
	if n != 6 {
		t.Errorf("%d resolved counters; want 6 (keys beyond the bound share \"other\"'s)", n)
	}
}

// TestTokenMetrics: lockouts and quota refusals count by pool.
func TestTokenMetrics(t *testing.T) {
	m := newMetrics()
	tm := m.newTokenMetrics()
	tm.ObserveLockout("us-east-1_abc")
	tm.ObserveQuota("us-east-1_abc", "client1", token.WindowHour)
	tm.ObserveQuota("us-east-1_abc", "client1", token.WindowHour)
	tm.ObserveQuota("us-east-1_abc", "client2", token.WindowDay)
	body := scrape(t, m)
	wantSeries(t, body,
		`tollgate_token_lockouts_total{pool="us-east-1_abc"} 1`,
		`tollgate_token_quota_refusals_total{pool="us-east-1_abc",window="`+token.WindowHour+`"} 2`,
		`tollgate_token_quota_refusals_total{pool="us-east-1_abc",window="`+token.WindowDay+`"} 1`,
	)
}

// BenchmarkPlanMetrics is what a usage plan's decision costs the metrics.
func BenchmarkPlanMetrics(b *testing.B) {
	p := newMetrics().newPlanMetrics(0)
	b.ReportAllocs()
	for b.Loop() {
		p.ObservePlan("abcdefghij", "klmnopqrst", gateway.PlanAllowed)
	}
}

// countingFake is a limiter that admits everything, told apart by name.
type countingFake struct{ name string }

func (countingFake) Take(context.Context, time.Time, []limit.Check) (limit.Result, error) {
	return limit.Result{Refused: -1}, nil
}

func (countingFake) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, nil
}
func (countingFake) Close() error { return nil }

// TestTokenLimiterChoice: the token endpoint counts in the shared limiter
// when there is one, else in its own local limiter, else in the process's,
// else in none; while the shared one fails open it counts locally.
func TestTokenLimiterChoice(t *testing.T) {
	shared, local, tokenLocal := countingFake{"shared"}, countingFake{"local"}, countingFake{"token-local"}
	for _, c := range []struct {
		shared, local, tokenLocal limit.Limiter
		want, fallback            limit.Limiter
	}{
		{shared, local, tokenLocal, shared, tokenLocal},
		{shared, local, nil, shared, local},
		{shared, nil, nil, shared, nil},
		{nil, local, tokenLocal, tokenLocal, nil},
		{nil, local, nil, local, nil},
		{nil, nil, nil, nil, nil},
	} {
		s := &Server{opts: Options{Limiter: c.shared, LocalLimiter: c.local, TokenLocalLimiter: c.tokenLocal}}
		if got := s.tokenLimiter(); got != c.want {
			t.Errorf("Limiter %v, LocalLimiter %v, TokenLocalLimiter %v: the token endpoint counts in %v; want %v", c.shared, c.local, c.tokenLocal, got, c.want)
		}
		if got := s.tokenFallbackLimiter(); got != c.fallback {
			t.Errorf("Limiter %v, LocalLimiter %v, TokenLocalLimiter %v: the token endpoint falls back to %v; want %v", c.shared, c.local, c.tokenLocal, got, c.fallback)
		}
	}
}

// TestCatalogKeepsAPIKeysAndLimits: the catalog serves what the gateway's
// API keys and the token endpoint's limits are read from; without it,
// methods that require a key refuse every request and no pool has token
// limits.
func TestCatalogKeepsAPIKeysAndLimits(t *testing.T) {
	var c any = (*catalog.Catalog)(nil)
	if _, ok := c.(apiKeyCatalog); !ok {
		t.Error("the catalog has no APIKeyByHash and UsagePlan")
	}
	if _, ok := c.(limitsCatalog); !ok {
		t.Error("the catalog has no PoolLimits")
	}
}
