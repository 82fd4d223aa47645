package token_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/limit/limittest"
	"github.com/tollgate/tollgate/internal/token"
)

// fakeLimiter is a limit.Limiter in memory that honours the interface's
// documented semantics for quotas, lock checks and strikes (rates are not
// used by the token endpoint): Take charges every quota check or none,
// reports the first refusing check; Strike counts failures within the
// window and locks for the duration at the maximum, forgetting them. err,
// when set, makes every call fail.
type fakeLimiter struct {
	mu       sync.Mutex
	counts   map[string]int64
	failures map[string][]time.Time
	locks    map[string]time.Time
	takes    int
	strikes  int
	keys     map[string]bool
	err      error
	// beforeStrike, if set, runs at the start of each Strike.
	beforeStrike func()
}

func newFakeLimiter() *fakeLimiter {
	return &fakeLimiter{counts: map[string]int64{}, failures: map[string][]time.Time{}, locks: map[string]time.Time{}, keys: map[string]bool{}}
}

func (l *fakeLimiter) setErr(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.err = err
}

func (l *fakeLimiter) calls() (takes, strikes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.takes, l.strikes
}

func (l *fakeLimiter) seenKeys() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ks []string
	for k := range l.keys {
		ks = append(ks, k)
	}
	return ks
}

func (l *fakeLimiter) Take(_ context.Context, now time.Time, checks []limit.Check) (limit.Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.takes++
	if l.err != nil {
		return limit.Result{}, l.err
	}
	for i, c := range checks {
		l.keys[c.Key] = true
		switch {
		case c.Locked:
			if until, ok := l.locks[c.Key]; ok && now.Before(until) {
				return limit.Result{Refused: i, RetryAfter: until.Sub(now)}, nil
			}
		case c.Limit > 0 || !c.Reset.IsZero():
			if !now.Before(c.Reset) {
				delete(l.counts, c.Key)
			}
			if l.counts[c.Key] >= c.Limit {
				return limit.Result{Refused: i, RetryAfter: c.Reset.Sub(now)}, nil
			}
		}
	}
	for _, c := range checks {
		if !c.Locked {
			l.counts[c.Key]++
		}
	}
	return limit.Result{Refused: -1}, nil
}

func (l *fakeLimiter) Strike(_ context.Context, now time.Time, key string, lo limit.Lockout) (time.Time, error) {
	if l.beforeStrike != nil {
		l.beforeStrike()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.strikes++
	if l.err != nil {
		return time.Time{}, l.err
	}
	l.keys[key] = true
	if until, ok := l.locks[key]; ok && now.Before(until) {
		return until, nil
	}
	var recent []time.Time
	for _, t := range l.failures[key] {
		if now.Sub(t) < lo.Window {
			recent = append(recent, t)
		}
	}
	recent = append(recent, now)
	if len(recent) >= lo.MaxFailures {
		delete(l.failures, key)
		l.locks[key] = now.Add(lo.Duration)
		return l.locks[key], nil
	}
	l.failures[key] = recent
	return time.Time{}, nil
}

func (l *fakeLimiter) Close() error { return nil }

// fakeObserver records what the endpoint reports.
type fakeObserver struct {
	mu        sync.Mutex
	lockouts  []string
	quotas    []string
	limErrors []bool
}

func (o *fakeObserver) ObserveLockout(poolID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lockouts = append(o.lockouts, poolID)
}

func (o *fakeObserver) ObserveQuota(poolID, clientID, window string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.quotas = append(o.quotas, poolID+"/"+clientID+"/"+window)
}

func (o *fakeObserver) ObserveLimiterError(failOpen bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.limErrors = append(o.limErrors, failOpen)
}

// overrides serves the store's clients with TokenLimits set on some.
type overrides struct {
	token.Clients
	limits  map[string]*tollgate.TokenLimits
	lookups *atomic.Int64 // counts GetClient calls, if set
}

func (o overrides) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	if o.lookups != nil {
		o.lookups.Add(1)
	}
	c, err := o.Clients.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if l, ok := o.limits[id]; ok {
		cc := *c
		cc.TokenLimits = l
		return &cc, nil
	}
	return c, nil
}

// limitsEnv is a token endpoint with a fake limiter, per-pool limits, an
// audit sink and a log, both in buffers.
type limitsEnv struct {
	f        *fixture
	lim      *fakeLimiter
	obs      *fakeObserver
	sink     *audit.Sink
	auditOut *lockedBuffer
	logOut   *lockedBuffer
	ep       *token.Endpoint
	clients  overrides
	pools    map[string]tollgate.TokenLimits
	// local is the endpoint's LocalLimiter; lookups counts GetClient calls.
	local   *fakeLimiter
	lookups *atomic.Int64
	// cur is the recorder of the request being served.
	cur *httptest.ResponseRecorder
}

// lockout3 locks an id for 5 minutes after 3 failures within a minute.
var lockout3 = tollgate.Lockout{MaxFailures: 3, Window: time.Minute, Duration: 5 * time.Minute}

func newLimitsEnv(t *testing.T, pool1 tollgate.TokenLimits, failOpen bool) *limitsEnv {
	t.Helper()
	f := newFixture(t)
	env := &limitsEnv{f: f, lim: newFakeLimiter(), obs: &fakeObserver{}, auditOut: &lockedBuffer{}, logOut: &lockedBuffer{},
		pools: map[string]tollgate.TokenLimits{f.pool.ID: pool1}, local: newFakeLimiter(), lookups: new(atomic.Int64)}
	env.clients = overrides{Clients: f.st, limits: map[string]*tollgate.TokenLimits{}, lookups: env.lookups}
	env.sink = audit.New(env.auditOut, nil)
	t.Cleanup(func() { env.sink.Close() })
	env.ep = token.New(token.Options{
		Clients: env.clients, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer:       func(_ *http.Request, poolID string) string { return issuer(poolID) },
		PoolFromHost: f.poolFromHost,
		Limiter:      env.lim, LimiterFailOpen: failOpen, LocalLimiter: env.local,
		PoolLimits: func(id string) (tollgate.TokenLimits, bool) {
			l, ok := env.pools[id]
			return l, ok
		},
		AnyLockout: func() bool {
			for _, l := range env.pools {
				if l.Lockout.Enabled() {
					return true
				}
			}
			return false
		},
		Observer: env.obs,
		Audit:    env.sink,
		Now:      f.clock.Now,
		Logger:   slog.New(slog.NewTextHandler(env.logOut, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return env
}

// answer is a response as the client sees it.
type answer struct {
	status int
	header http.Header
	body   string
}

// token sends a token request on host with an Authorization header auth
// (none when empty) and body.
func (env *limitsEnv) token(host, auth, body string) answer {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if host != "" {
		r.Host = host
	}
	w := httptest.NewRecorder()
	env.cur = w
	env.ep.ServeToken(w, r)
	// A failure is struck after its answer, by another goroutine: the
	// next request of these tests comes once it is counted.
	env.ep.WaitStrikes()
	return answer{w.Code, w.Header(), w.Body.String()}
}

func (env *limitsEnv) basicToken(host, id, secret string) answer {
	return env.token(host, basic(id, secret), form("grant_type", "client_credentials"))
}

// auditLines flushes the sink and returns its events.
func (env *limitsEnv) auditLines(t *testing.T) []map[string]string {
	t.Helper()
	env.sink.Flush()
	var evs []map[string]string
	for line := range strings.SplitSeq(strings.TrimSpace(env.auditOut.String()), "\n") {
		if line == "" {
			continue
		}
		var ev map[string]string
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

func sameAnswer(t *testing.T, what string, got, want answer) {
	t.Helper()
	if got.status != want.status || got.body != want.body {
		t.Errorf("%s: %d %s, want %d %s", what, got.status, got.body, want.status, want.body)
	}
	if len(got.header) != len(want.header) {
		t.Errorf("%s: headers %v, want %v", what, got.header, want.header)
	}
	for k := range want.header {
		if k == "X-Amz-Cognito-Request-Id" { // one per request: present in both
			if got.header.Get(k) == "" {
				t.Errorf("%s: no %s", what, k)
			}
			continue
		}
		if got.header.Get(k) != want.header.Get(k) {
			t.Errorf("%s: %s = %q, want %q", what, k, got.header.Get(k), want.header.Get(k))
		}
	}
}

const wrongSecret = "Wrong_Secret_Value_0123456789"

// After MaxFailures failed authentications within the window, the id is
// locked: the right secret gets exactly the wrong secret's answer (401,
// Basic challenge, invalid_client), without a Strike, until the lock ends,
// on the pool's host and on the shared host alike (the client's own
// pool's lockout).
func TestLockoutAfterFailures(t *testing.T) {
	for _, tc := range []struct {
		name, host string
	}{{"pool host", pool1Host}, {"shared host", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
			m2m := env.f.m2m
			var wrong answer
			for i := range 3 {
				wrong = env.basicToken(tc.host, m2m.ID, wrongSecret)
				if wrong.status != http.StatusUnauthorized || wrong.header.Get("WWW-Authenticate") != `Basic realm="tollgate"` ||
					!strings.Contains(wrong.body, `"error":"invalid_client"`) {
					t.Fatalf("failure %d: %+v", i, wrong)
				}
			}
			env.f.clock.Advance(4 * time.Minute)
			for i := range 2 {
				locked := env.basicToken(tc.host, m2m.ID, m2m.secret())
				sameAnswer(t, "locked, right secret", locked, wrong)
				if locked.header.Get("Retry-After") != "" {
					t.Errorf("locked answer %d has Retry-After", i)
				}
			}
			if _, strikes := env.lim.calls(); strikes != 3 {
				t.Errorf("%d strikes, want 3: a locked id is not counted again", strikes)
			}
			// The body method: 400 invalid_client, as a wrong secret.
			bodyWrong := env.token(tc.host, "", form("grant_type", "client_credentials", "client_id", env.f.sibling.ID, "client_secret", wrongSecret))
			for range 2 {
				env.token(tc.host, "", form("grant_type", "client_credentials", "client_id", env.f.sibling.ID, "client_secret", wrongSecret))
			}
			bodyLocked := env.token(tc.host, "", form("grant_type", "client_credentials", "client_id", env.f.sibling.ID, "client_secret", env.f.sibling.secret()))
			sameAnswer(t, "locked, body", bodyLocked, bodyWrong)
			if bodyLocked.status != http.StatusBadRequest {
				t.Errorf("locked body status %d", bodyLocked.status)
			}

			env.f.clock.Advance(time.Minute) // 5 minutes after the lock started
			if a := env.basicToken(tc.host, m2m.ID, m2m.secret()); a.status != http.StatusOK {
				t.Fatalf("after the lock: %+v", a)
			}
		})
	}
}

// Failures older than the window are forgotten.
func TestLockoutWindowForgets(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	m2m := env.f.m2m
	for range 2 {
		env.basicToken(pool1Host, m2m.ID, wrongSecret)
	}
	env.f.clock.Advance(time.Minute)
	for range 2 {
		env.basicToken(pool1Host, m2m.ID, wrongSecret)
	}
	if a := env.basicToken(pool1Host, m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("2+2 failures a minute apart locked the id: %+v", a)
	}
}

// Known and unknown ids get byte-identical answers at every step, locked
// or not: only the known id is counted and locked, both cost one lock
// check per request, and the audit log records one lockout, naming the
// client.
func TestLockoutKnownAndUnknownAlike(t *testing.T) {
	for _, host := range []string{pool1Host, ""} {
		t.Run("host="+host, func(t *testing.T) {
			env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
			known, unknown := env.f.m2m.ID, tollgate.NewClientID()
			for i := range 5 {
				a := env.basicToken(host, known, wrongSecret)
				b := env.basicToken(host, unknown, wrongSecret)
				sameAnswer(t, "step "+strconv.Itoa(i), b, a)
			}
			sameAnswer(t, "locked, right secret", env.basicToken(host, known, env.f.m2m.secret()), env.basicToken(host, unknown, wrongSecret))
			if takes, strikes := env.lim.calls(); takes != 12 || strikes != 3 {
				t.Errorf("%d takes and %d strikes, want 12 lock checks (one per request) and 3 strikes (the known id's, until locked)", takes, strikes)
			}
			var lockouts []map[string]string
			refusals := 0
			for _, ev := range env.auditLines(t) {
				switch ev["action"] {
				case token.ActionLockout:
					lockouts = append(lockouts, ev)
				case token.ActionAuthenticate:
					refusals++
				}
			}
			if refusals != 12 || len(lockouts) != 1 {
				t.Fatalf("%d refusals and %d lockouts audited, want 12 and 1:\n%s", refusals, len(lockouts), env.auditOut.String())
			}
			if lockouts[0]["client_id"] != known || lockouts[0]["pool_id"] != env.f.pool.ID || lockouts[0]["outcome"] != "denied" {
				t.Errorf("lockout event: %v", lockouts[0])
			}
			env.obs.mu.Lock()
			defer env.obs.mu.Unlock()
			if len(env.obs.lockouts) != 1 || env.obs.lockouts[0] != env.f.pool.ID {
				t.Errorf("observed lockouts %v", env.obs.lockouts)
			}
		})
	}
}

// A locked id costs the same work as any other: its lookup (and keyed
// hash) run, whatever the secret.
func TestLockedIDLookedUp(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	m2m := env.f.m2m
	for range 3 {
		env.basicToken(pool1Host, m2m.ID, wrongSecret)
	}
	for _, secret := range []string{wrongSecret, m2m.secret()} {
		before := env.lookups.Load()
		if a := env.basicToken(pool1Host, m2m.ID, secret); a.status != http.StatusUnauthorized {
			t.Fatalf("locked: %+v", a)
		}
		if env.lookups.Load() == before {
			t.Errorf("a locked id's request (secret %q) skipped the lookup", secret[:5])
		}
	}
}

// The Strike of a failed authentication comes after its answer was
// written in full and flushed.
func TestStrikeAfterAnswer(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	checked := 0
	env.lim.beforeStrike = func() {
		checked++
		w := env.cur
		if !w.Flushed || w.Code != http.StatusUnauthorized || !strings.HasSuffix(w.Body.String(), "}") ||
			!strings.Contains(w.Body.String(), `"invalid_client"`) {
			t.Errorf("Strike before the answer was complete: flushed %v, %d %q", w.Flushed, w.Code, w.Body.String())
		}
	}
	for range 4 {
		env.basicToken(pool1Host, env.f.m2m.ID, wrongSecret)
	}
	if checked != 3 {
		t.Errorf("%d strikes, want 3", checked)
	}
}

// A pool without a lockout locks none of its clients, on the shared host
// too, even when another pool has one.
func TestLockoutOwnPoolOnly(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{}, false)
	env.pools[env.f.pool2.ID] = tollgate.TokenLimits{Lockout: lockout3}
	m2m, other := env.f.m2m, env.f.other
	for range 5 {
		env.basicToken("", m2m.ID, wrongSecret)
		env.basicToken(pool2Host, m2m.ID, wrongSecret) // another pool's host
	}
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("a client of a pool without lockout was locked: %+v", a)
	}
	if _, strikes := env.lim.calls(); strikes != 0 {
		t.Errorf("%d strikes for a client of a pool without lockout", strikes)
	}
	// pool2's client is counted under pool2's lockout on the hosts where
	// its lock is checked: the shared host and pool2's.
	env.basicToken("", other.ID, wrongSecret)
	env.basicToken(pool2Host, other.ID, wrongSecret)
	env.basicToken("", other.ID, wrongSecret)
	if a := env.basicToken(pool2Host, other.ID, other.secret()); a.status != http.StatusUnauthorized {
		t.Fatalf("pool2's client not locked by failures on the shared host and its own: %+v", a)
	}
}

// On the host of a pool without lockout, the lock of a presented id is
// not checked, so a client of another pool presented there is never
// struck: a locked id's lock is not extended from there, and wrong
// secrets there count nothing (only the host pool's clients can
// authenticate on it: a guess there learns nothing).
func TestNoStrikeWithoutLockCheck(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{}, false)
	env.pools[env.f.pool2.ID] = tollgate.TokenLimits{Lockout: lockout3}
	other := env.f.other
	for range 3 {
		env.basicToken(pool2Host, other.ID, wrongSecret)
	}
	_, before := env.lim.calls()
	locked := env.basicToken(pool2Host, other.ID, other.secret())
	if locked.status != http.StatusUnauthorized {
		t.Fatalf("not locked after 3 failures: %+v", locked)
	}
	env.f.clock.Advance(4 * time.Minute)
	for range 5 { // on pool1's host, which has no lockout
		env.basicToken(pool1Host, other.ID, wrongSecret)
	}
	if _, strikes := env.lim.calls(); strikes != before {
		t.Errorf("%d strikes on the host of a pool without lockout, want none", strikes-before)
	}
	// The lock ends 5 minutes after it started, not extended.
	env.f.clock.Advance(time.Minute + time.Second)
	if a := env.basicToken(pool2Host, other.ID, other.secret()); a.status != http.StatusOK {
		t.Errorf("the lock was extended by failures where it is not checked: %+v", a)
	}
}

// A client presented with its right secret on another pool's host is
// refused, but not struck: it guessed nothing, and must not lock itself
// out, on a host that checks locks too.
func TestNoStrikeForRightSecretOnWrongHost(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	env.pools[env.f.pool2.ID] = tollgate.TokenLimits{Lockout: lockout3}
	other := env.f.other
	for range 5 {
		if a := env.basicToken(pool1Host, other.ID, other.secret()); a.status != http.StatusUnauthorized {
			t.Fatalf("pool2's client got a token on pool1's host: %+v", a)
		}
	}
	if _, strikes := env.lim.calls(); strikes != 0 {
		t.Errorf("%d strikes for the right secret on another pool's host, want none", strikes)
	}
	if a := env.basicToken(pool2Host, other.ID, other.secret()); a.status != http.StatusOK {
		t.Errorf("the client locked itself out with its right secret: %+v", a)
	}
}

// endpointWith is an endpoint of env's clients and pools counting in lim
// alone, without audit or observer.
func (env *limitsEnv) endpointWith(lim limit.Limiter) *token.Endpoint {
	return token.New(token.Options{
		Clients: env.clients, Signer: env.f.signer, Keys: env.f.signer, Revocations: env.f.st, Vault: env.f.vault,
		Issuer:       func(_ *http.Request, poolID string) string { return issuer(poolID) },
		PoolFromHost: env.f.poolFromHost,
		Limiter:      lim,
		PoolLimits: func(id string) (tollgate.TokenLimits, bool) {
			l, ok := env.pools[id]
			return l, ok
		},
		Now: env.f.clock.Now,
	})
}

// blockingLimiter is a fakeLimiter whose Strikes tell entered of their
// start and wait for release.
type blockingLimiter struct {
	*fakeLimiter
	entered chan struct{}
	release chan struct{}
}

func (l *blockingLimiter) Strike(ctx context.Context, now time.Time, key string, lo limit.Lockout) (time.Time, error) {
	l.entered <- struct{}{}
	<-l.release
	return l.fakeLimiter.Strike(ctx, now, key, lo)
}

// The handler returns, and so the server can end the response (close the
// connection after it), before the Strike completes; when every strike
// slot is busy, the Strike is made in the handler: no failure goes
// uncounted.
func TestStrikeDoesNotHoldTheResponse(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	lim := &blockingLimiter{fakeLimiter: env.lim, entered: make(chan struct{}), release: make(chan struct{})}
	ep := env.endpointWith(lim)
	token.SetStrikeSlots(ep, 1)
	serve := func() (done chan answer) {
		done = make(chan answer, 1)
		go func() {
			r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", basic(env.f.m2m.ID, wrongSecret))
			r.Host = pool1Host
			w := httptest.NewRecorder()
			ep.ServeToken(w, r)
			done <- answer{w.Code, w.Header(), w.Body.String()}
		}()
		return done
	}
	// The first failure takes the only slot: its handler returns while
	// its Strike is still blocked.
	first := serve()
	<-lim.entered
	if a := <-first; a.status != http.StatusUnauthorized {
		t.Fatalf("first failure: %+v", a)
	}
	// The second finds no slot: it strikes in its handler, which has not
	// returned while its Strike is blocked.
	second := serve()
	<-lim.entered
	select {
	case a := <-second:
		t.Fatalf("with every slot busy, the handler returned before its Strike: %+v", a)
	default:
	}
	lim.release <- struct{}{}
	lim.release <- struct{}{}
	if a := <-second; a.status != http.StatusUnauthorized {
		t.Fatalf("second failure: %+v", a)
	}
	ep.WaitStrikes()
	if _, strikes := lim.calls(); strikes != 2 {
		t.Errorf("%d strikes counted, want 2", strikes)
	}
}

// mapClients is a token.Clients in a map.
type mapClients map[string]*tollgate.Client

func (m mapClients) GetClient(_ context.Context, id string) (*tollgate.Client, error) {
	if c, ok := m[id]; ok {
		return c, nil
	}
	return nil, tollgate.Errorf(tollgate.KindNotFound, "client not found")
}

// strikeSpy counts the Strikes made through it.
type strikeSpy struct {
	limit.Limiter
	strikes atomic.Int64
}

func (s *strikeSpy) Strike(ctx context.Context, now time.Time, key string, lo limit.Lockout) (time.Time, error) {
	s.strikes.Add(1)
	return s.Limiter.Strike(ctx, now, key, lo)
}

// A flood of made-up ids of the client ids' shape writes nothing to the
// limiter: a limit.Local, as a node without Redis counts in (its keys
// are counted), and Redis at 127.0.0.1:6379 (no Strike is made, and lock
// checks write nothing: limittest). A known id's lock and a client's
// exhausted quota survive it, and each made-up id gets the locked id's
// answer.
func TestFloodOfUnknownIDsWritesNothing(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		local := limit.NewLocal(limit.LocalOptions{MaxKeys: 1000})
		testFlood(t, local, local.Len)
	})
	t.Run("redis", func(t *testing.T) {
		url := limittest.RedisURL(t)
		// A prefix of the test's own; its few keys expire with their lock
		// and quota window.
		r, err := limit.NewRedis(url, limit.RedisOptions{Prefix: "tollgate-test:" + rand.Text() + ":", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		testFlood(t, r, nil)
	})
}

// testFlood runs TestFloodOfUnknownIDsWritesNothing against lim; keys,
// if set, counts the keys lim holds.
func testFlood(t *testing.T, lim limit.Limiter, keys func() int) {
	env := newLimitsEnv(t, tollgate.TokenLimits{PerHour: 1, Lockout: lockout3}, false)
	// The clients in a map, so that 10,000 lookups are quick.
	clients := mapClients{}
	for _, id := range []string{env.f.m2m.ID, env.f.sibling.ID} {
		c, err := env.f.st.GetClient(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		clients[id] = c
	}
	spy := &strikeSpy{Limiter: lim}
	env.ep = token.New(token.Options{
		Clients: clients, Signer: env.f.signer, Keys: env.f.signer, Revocations: env.f.st, Vault: env.f.vault,
		Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Limiter: spy,
		PoolLimits: func(id string) (tollgate.TokenLimits, bool) {
			l, ok := env.pools[id]
			return l, ok
		},
		// Redis expires keys relative to the time passed in: they go
		// within the lock's and the quota window's time from now.
		Now: env.f.clock.Now, Logger: slog.New(slog.DiscardHandler),
	})
	m2m, sib := env.f.m2m, env.f.sibling
	if a := env.basicToken("", sib.ID, sib.secret()); a.status != http.StatusOK {
		t.Fatalf("sibling: %+v", a)
	}
	for range 3 {
		env.basicToken("", m2m.ID, wrongSecret)
	}
	locked := env.basicToken("", m2m.ID, m2m.secret())
	if locked.status != http.StatusUnauthorized {
		t.Fatalf("not locked: %+v", locked)
	}
	before := spy.strikes.Load()
	if keys != nil && keys() != 2 {
		t.Fatalf("%d keys before the flood, want 2 (a quota window, a lock)", keys())
	}
	for i := range 10_000 {
		a := env.basicToken("", tollgate.NewClientID(), wrongSecret)
		if i%1000 == 0 {
			sameAnswer(t, "made-up id", a, locked)
		}
	}
	if n := spy.strikes.Load() - before; n != 0 {
		t.Errorf("%d strikes of made-up ids", n)
	}
	if keys != nil && keys() != 2 {
		t.Errorf("%d keys after the flood, want 2: made-up ids were written", keys())
	}
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusUnauthorized {
		t.Errorf("the lock did not survive the flood: %+v", a)
	}
	if a := env.basicToken("", sib.ID, sib.secret()); a.status != http.StatusTooManyRequests {
		t.Errorf("the quota did not survive the flood: %+v", a)
	}
}

// An id that cannot be a client's (not of Tollgate's client id shape: a
// secret sent as the id, say) is refused as a wrong secret and never
// reaches the limiter; no key holds a presented value; the logs and the
// audit stream hold no secret and no such id.
func TestLockoutKeysAndLogs(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	m2m := env.f.m2m
	odd := "Not-A-Client-Id/" + wrongSecret
	for range 4 {
		env.basicToken(pool1Host, odd, wrongSecret)
		env.basicToken(pool1Host, m2m.secret(), m2m.ID)
	}
	if takes, strikes := env.lim.calls(); takes != 0 || strikes != 0 {
		t.Errorf("%d takes and %d strikes for ids that cannot exist", takes, strikes)
	}
	for range 3 {
		env.basicToken(pool1Host, m2m.ID, wrongSecret)
	}
	for _, k := range env.lim.seenKeys() {
		if strings.Contains(k, m2m.ID) || len(k) > 64 {
			t.Errorf("limiter key %q holds the presented id or is unbounded", k)
		}
	}
	env.sink.Flush()
	for name, text := range map[string]string{"log": env.logOut.String(), "audit": env.auditOut.String()} {
		for _, s := range []string{wrongSecret, m2m.secret(), odd} {
			if strings.Contains(text, s) {
				t.Errorf("the %s holds %q:\n%s", name, s, text)
			}
		}
	}
}

// A pool or client without limits costs no limiter call on its pool's
// host; on the shared host, where the pool of a presented id cannot be
// told before it is looked up, every id costs one lock check (known or
// not, so that the work does not tell) and nothing more.
func TestNoLimitsNoLimiterCalls(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{}, false)
	m2m := env.f.m2m
	for _, host := range []string{pool1Host, ""} {
		if a := env.basicToken(host, m2m.ID, m2m.secret()); a.status != http.StatusOK {
			t.Fatalf("%+v", a)
		}
		env.basicToken(host, m2m.ID, wrongSecret)
		env.basicToken(host, tollgate.NewClientID(), wrongSecret)
		// On the shared host too: no pool has a lockout (AnyLockout), so
		// no id can be locked and none is checked.
		if takes, strikes := env.lim.calls(); takes != 0 || strikes != 0 {
			t.Errorf("host %q: %d takes and %d strikes without limits, want none", host, takes, strikes)
		}
	}
}

// quotaRefused checks a 429 for an exhausted quota: invalid_request,
// Retry-After to the window's end in whole seconds, CORS as every token
// answer.
func quotaRefused(t *testing.T, a answer, retryAfter time.Duration, window string) {
	t.Helper()
	want := `{"error":"invalid_request","error_description":"the client's token quota for this ` + window +
		` is exhausted; retry after the time Retry-After gives"}`
	if a.status != http.StatusTooManyRequests || a.body != want {
		t.Fatalf("got %d %s, want 429 %s", a.status, a.body, want)
	}
	if got := a.header.Get("Retry-After"); got != strconv.Itoa(int(retryAfter/time.Second)) {
		t.Errorf("Retry-After %q, want %v", got, retryAfter)
	}
	if a.header.Get("Access-Control-Allow-Origin") != "*" || a.header.Get("WWW-Authenticate") != "" {
		t.Errorf("headers %v", a.header)
	}
}

// PerHour: the clock hour (UTC); failures charge nothing; a refused
// request is not charged; the next hour starts afresh.
func TestQuotaPerHour(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{PerHour: 2}, false)
	m2m := env.f.m2m
	env.f.clock.Advance(20 * time.Minute) // 12:20
	env.basicToken("", m2m.ID, wrongSecret)
	env.token("", basic(m2m.ID, m2m.secret()), form("grant_type", "client_credentials", "scope", "default/write"))
	for i := range 2 {
		if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
			t.Fatalf("token %d: %+v", i, a)
		}
	}
	for range 2 {
		quotaRefused(t, env.basicToken("", m2m.ID, m2m.secret()), 40*time.Minute, "hour")
	}
	// Another client of the pool has its own quota.
	if a := env.basicToken("", env.f.sibling.ID, env.f.sibling.secret()); a.status != http.StatusOK {
		t.Fatalf("sibling: %+v", a)
	}
	env.f.clock.Advance(40 * time.Minute) // 13:00
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("next hour: %+v", a)
	}
	env.obs.mu.Lock()
	defer env.obs.mu.Unlock()
	if want := env.f.pool.ID + "/" + m2m.ID + "/hour"; len(env.obs.quotas) != 2 || env.obs.quotas[0] != want {
		t.Errorf("observed %v", env.obs.quotas)
	}
}

// PerDay: the UTC day, across hours; Retry-After runs to midnight.
func TestQuotaPerDay(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{PerHour: 10, PerDay: 3}, false)
	m2m := env.f.m2m
	for i := range 3 {
		if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
			t.Fatalf("token %d: %+v", i, a)
		}
		env.f.clock.Advance(time.Hour)
	}
	// 15:00: the day's 3 are used, the hour's 10 are not.
	quotaRefused(t, env.basicToken("", m2m.ID, m2m.secret()), 9*time.Hour, "day")
	env.f.clock.Advance(9 * time.Hour)
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("next day: %+v", a)
	}
}

// A client's own TokenLimits replace its pool's quotas.
func TestQuotaClientOverride(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{PerHour: 5}, false)
	m2m, sib := env.f.m2m, env.f.sibling
	env.clients.limits[m2m.ID] = &tollgate.TokenLimits{PerHour: 1}
	env.clients.limits[sib.ID] = &tollgate.TokenLimits{} // unlimited
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Fatalf("%+v", a)
	}
	quotaRefused(t, env.basicToken("", m2m.ID, m2m.secret()), time.Hour, "hour")
	for i := range 7 {
		if a := env.basicToken("", sib.ID, sib.secret()); a.status != http.StatusOK {
			t.Fatalf("unlimited client, token %d: %+v", i, a)
		}
	}
}

// Failing closed, a limiter failure is 503 temporarily_unavailable, for
// the lock check and the quota alike; failing open, requests are served.
// Either way the outage is logged once when it starts and once when it
// ends.
func TestLimiterFailure(t *testing.T) {
	limits := tollgate.TokenLimits{PerHour: 100, Lockout: lockout3}
	down := errors.New("dial tcp 127.0.0.1:6379: connection refused")
	for _, failOpen := range []bool{false, true} {
		t.Run("failOpen="+strconv.FormatBool(failOpen), func(t *testing.T) {
			env := newLimitsEnv(t, limits, failOpen)
			m2m := env.f.m2m
			env.lim.setErr(down)
			for range 3 {
				a := env.basicToken(pool1Host, m2m.ID, m2m.secret())
				if failOpen {
					if a.status != http.StatusOK {
						t.Fatalf("fail open: %+v", a)
					}
					continue
				}
				want := `{"error":"temporarily_unavailable","error_description":"the server cannot count this request against its limits; try again later"}`
				if a.status != http.StatusServiceUnavailable || a.body != want || a.header.Get("Retry-After") != "" {
					t.Fatalf("fail closed: %+v", a)
				}
			}
			// A wrong secret: refused before the lookup when closed.
			if a := env.basicToken(pool1Host, m2m.ID, wrongSecret); !failOpen && a.status != http.StatusServiceUnavailable ||
				failOpen && a.status != http.StatusUnauthorized {
				t.Fatalf("wrong secret during the outage: %+v", a)
			}
			env.lim.setErr(nil)
			if a := env.basicToken(pool1Host, m2m.ID, m2m.secret()); a.status != http.StatusOK {
				t.Fatalf("after the outage: %+v", a)
			}
			log := env.logOut.String()
			if n := strings.Count(log, "token limiter unavailable"); n != 1 {
				t.Errorf("outage logged %d times:\n%s", n, log)
			}
			if n := strings.Count(log, "token limiter available again"); n != 1 {
				t.Errorf("recovery logged %d times:\n%s", n, log)
			}
			env.obs.mu.Lock()
			defer env.obs.mu.Unlock()
			if len(env.obs.limErrors) < 4 || env.obs.limErrors[0] != failOpen {
				t.Errorf("observed limiter errors %v", env.obs.limErrors)
			}
		})
	}
}

// Failing open, the endpoint counts in its LocalLimiter while the shared
// limiter fails: failures lock the id there, quotas are charged there; the
// shared limiter's own counts come back with it.
func TestLimiterFailOpenCountsLocally(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{PerHour: 2, Lockout: lockout3}, true)
	m2m, sib := env.f.m2m, env.f.sibling
	env.lim.setErr(errors.New("i/o timeout"))
	for range 3 {
		env.basicToken("", m2m.ID, wrongSecret)
	}
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusUnauthorized {
		t.Fatalf("failures counted locally did not lock: %+v", a)
	}
	for range 2 {
		if a := env.basicToken("", sib.ID, sib.secret()); a.status != http.StatusOK {
			t.Fatalf("%+v", a)
		}
	}
	quotaRefused(t, env.basicToken("", sib.ID, sib.secret()), time.Hour, "hour")
	if takes, strikes := env.local.calls(); takes == 0 || strikes != 3 {
		t.Errorf("local limiter: %d takes and %d strikes", takes, strikes)
	}
	env.lim.setErr(nil)
	if a := env.basicToken("", m2m.ID, m2m.secret()); a.status != http.StatusOK {
		t.Errorf("after the outage (the shared limiter holds no lock): %+v", a)
	}
}

// A locked id is locked at revoke and introspect too, with their answer
// to a wrong secret.
func TestLockoutAtRevoke(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	m2m := env.f.m2m
	revoke := func(secret string) answer {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/revoke", strings.NewReader(form("token", "x.y.z")))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", basic(m2m.ID, secret))
		r.Host = pool1Host
		w := httptest.NewRecorder()
		env.ep.ServeRevoke(w, r)
		env.ep.WaitStrikes()
		return answer{w.Code, w.Header(), w.Body.String()}
	}
	var wrong answer
	for range 3 {
		wrong = revoke(wrongSecret)
	}
	sameAnswer(t, "revoke, locked", revoke(m2m.secret()), wrong)
	if a := env.basicToken(pool1Host, m2m.ID, m2m.secret()); a.status != http.StatusUnauthorized || !strings.Contains(a.body, `"invalid_client"`) {
		t.Errorf("token after revoke's failures: %+v", a)
	}
}

// BenchmarkServeTokenLimits is BenchmarkServeToken/catalog with a limiter
// set: without limits (no limiter call: the cost must be nil), and with a
// lockout and hourly and daily quotas high enough never to refuse (a lock
// check and a quota Take against the in-memory fake per request).
func BenchmarkServeTokenLimits(b *testing.B) {
	f := newFixture(b)
	clients := clientSources(b, f)["catalog"]
	for _, bc := range []struct {
		name   string
		limits tollgate.TokenLimits
	}{
		{"none", tollgate.TokenLimits{}},
		{"lockout+quotas", tollgate.TokenLimits{PerHour: 1 << 40, PerDay: 1 << 40, Lockout: lockout3}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ep := token.New(token.Options{
				Clients: clients, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
				Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
				Limiter: newFakeLimiter(),
				PoolLimits: func(string) (tollgate.TokenLimits, bool) {
					return bc.limits, true
				},
				Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler),
			})
			serveTokenLoop(b, ep, form("grant_type", "client_credentials", "scope", "default/default"), basic(f.m2m.ID, f.m2m.secret()), 200)
		})
	}
}

// BenchmarkServeTokenRefusedLocked is a refused request with a lockout
// on: a locked id, a known id with a wrong secret (its Strike after the
// answer included) and an unknown id. The three should cost alike: what
// an attacker guessing a locked id's secret costs, and what timing could
// tell of existence.
func BenchmarkServeTokenRefusedLocked(b *testing.B) {
	f := newFixture(b)
	lockout := tollgate.Lockout{MaxFailures: 1, Window: time.Minute, Duration: time.Hour}
	for _, bc := range []struct{ name, id string }{{"wrong", f.sibling.ID}, {"unknown", tollgate.NewClientID()}, {"locked", f.m2m.ID}} {
		b.Run(bc.name, func(b *testing.B) {
			lim := limit.NewLocal(limit.LocalOptions{})
			lockout := lockout
			if bc.name == "wrong" {
				lockout.MaxFailures = 1 << 30 // counted, never locked
			}
			ep := token.New(token.Options{
				Clients: clientSources(b, f)["catalog"], Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
				Issuer:  func(_ *http.Request, poolID string) string { return issuer(poolID) },
				Limiter: lim,
				PoolLimits: func(string) (tollgate.TokenLimits, bool) {
					return tollgate.TokenLimits{Lockout: lockout}, true
				},
				Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler),
			})
			serveTokenLoop(b, ep, form("grant_type", "client_credentials"), basic(bc.id, "wrong"), http.StatusUnauthorized)
		})
	}
}

// racyLimiter admits every lock check: a request that passed its lock
// check just before another request, on this node or another, locked the
// id. Its failure's Strike finds the id locked already.
type racyLimiter struct{ *fakeLimiter }

func (l racyLimiter) Take(context.Context, time.Time, []limit.Check) (limit.Result, error) {
	return limit.Result{Refused: -1}, nil
}

// A failure struck while its id is locked already does not start a lock:
// one lock, one audit event and one observed lockout.
func TestLockoutAuditedOncePerLock(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	lim := newFakeLimiter()
	env.ep = token.New(token.Options{
		Clients: env.clients, Signer: env.f.signer, Keys: env.f.signer, Revocations: env.f.st, Vault: env.f.vault,
		Issuer:     func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Limiter:    racyLimiter{lim},
		PoolLimits: func(string) (tollgate.TokenLimits, bool) { return tollgate.TokenLimits{Lockout: lockout3}, true },
		Observer:   env.obs, Audit: env.sink, Now: env.f.clock.Now,
	})
	for range 5 {
		env.basicToken("", env.f.m2m.ID, wrongSecret)
		env.f.clock.Advance(time.Second)
	}
	if _, strikes := lim.calls(); strikes != 5 {
		t.Fatalf("%d strikes, want 5", strikes)
	}
	n := 0
	for _, ev := range env.auditLines(t) {
		if ev["action"] == token.ActionLockout {
			n++
		}
	}
	env.obs.mu.Lock()
	defer env.obs.mu.Unlock()
	if n != 1 || len(env.obs.lockouts) != 1 {
		t.Errorf("%d lockout events and %d observed lockouts, want 1 and 1", n, len(env.obs.lockouts))
	}
}

// BenchmarkAuthenticateLockout is BenchmarkAuthenticate/catalog/valid with
// a lockout on: what the lock check (the key's hash and a Take against the
// in-memory fake) adds to an authentication.
func BenchmarkAuthenticateLockout(b *testing.B) {
	f := newFixture(b)
	for _, on := range []bool{false, true} {
		b.Run("lockout="+strconv.FormatBool(on), func(b *testing.B) {
			opts := token.Options{
				Clients: clientSources(b, f)["catalog"], Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
				Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
				Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
			}
			if on {
				opts.Limiter = newFakeLimiter()
				opts.PoolLimits = func(string) (tollgate.TokenLimits, bool) { return tollgate.TokenLimits{Lockout: lockout3}, true }
			}
			ep := token.New(opts)
			r := httptest.NewRequest("POST", "/oauth2/token", nil)
			r.Header.Set("Authorization", basic(f.m2m.ID, f.m2m.secret()))
			params := map[string]string{"grant_type": "client_credentials"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := token.Authenticate(ep, r, params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Over a real connection with Connection: close, the server closes the
// connection after the answer while its Strike is still blocked: the
// closing does not tell that the id is real.
func TestStrikeAfterConnectionClosed(t *testing.T) {
	env := newLimitsEnv(t, tollgate.TokenLimits{Lockout: lockout3}, false)
	lim := &blockingLimiter{fakeLimiter: env.lim, entered: make(chan struct{}, 1), release: make(chan struct{})}
	ep := env.endpointWith(lim)
	srv := httptest.NewServer(http.HandlerFunc(ep.ServeToken))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := form("grant_type", "client_credentials")
	req := "POST /oauth2/token HTTP/1.1\r\nHost: " + pool1Host + "\r\nConnection: close\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\nAuthorization: " + basic(env.f.m2m.ID, wrongSecret) +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	// Read to the end: the server has closed the connection.
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 401 ") {
		t.Fatalf("answer %q", got)
	}
	<-lim.entered // the Strike was made, and is still blocked
	close(lim.release)
	ep.WaitStrikes()
	if _, strikes := lim.calls(); strikes != 1 {
		t.Errorf("%d strikes, want 1", strikes)
	}
}

// BenchmarkServeTokenStruck is a wrong secret of a client whose pool has
// a lockout never reached, counted in a limit.Local: the answer and the
// Strike after it (in a goroutine of its own).
func BenchmarkServeTokenStruck(b *testing.B) {
	f := newFixture(b)
	lo := tollgate.Lockout{MaxFailures: 1 << 30, Window: time.Hour, Duration: time.Minute}
	ep := token.New(token.Options{
		Clients: clientSources(b, f)["catalog"], Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer:     func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:        f.clock.Now,
		Logger:     slog.New(slog.DiscardHandler),
		Limiter:    limit.NewLocal(limit.LocalOptions{}),
		PoolLimits: func(string) (tollgate.TokenLimits, bool) { return tollgate.TokenLimits{Lockout: lo}, true },
	})
	body := form("grant_type", "client_credentials")
	auth := basic(f.m2m.ID, wrongSecret)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		ep.ServeToken(w, r)
		if w.Code != http.StatusUnauthorized {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	ep.WaitStrikes()
}
