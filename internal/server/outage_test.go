package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// failingStore fails every generation read while down is set: a store
// that cannot be reached.
type failingStore struct {
	tollgate.Store
	down atomic.Bool
}

func (s *failingStore) Generation(ctx context.Context) (int64, error) {
	if s.down.Load() {
		return 0, errors.New("connection refused")
	}
	return s.Store.Generation(ctx)
}

// outageFixture is a server over a failingStore with an API of an open
// route and a route guarded by the pool's authorizer, on a clock the test
// moves.
type outageFixture struct {
	st  *failingStore
	srv *Server
	mu  sync.Mutex
	now time.Time
}

func (f *outageFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *outageFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

const outageAPI = "outageapi1"

func newOutageFixture(t *testing.T, policy string) *outageFixture {
	t.Helper()
	ctx := context.Background()
	raw, v := storetest.OpenSQLite(t, sqlstore.Open)
	f := &outageFixture{st: &failingStore{Store: raw}, now: time.Now().UTC()}
	pool := &tollgate.UserPool{ID: "us-east-1_outage123", Name: "p", Region: "us-east-1", CreatedAt: f.now, UpdatedAt: f.now}
	if err := raw.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	mock := tollgate.Integration{Type: tollgate.IntegrationMock}
	api := &tollgate.RestAPI{ID: outageAPI, Name: "a", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{
			{ResourcePath: "/open", Method: "GET", Integration: mock},
			{ResourcePath: "/guarded", Method: "GET", Integration: mock, Authorizer: &tollgate.Authorizer{Name: "pool", PoolIDs: []string{pool.ID}}},
		}}
	var err error
	f.srv, err = New(ctx, Options{Store: f.st, Vault: v, APIs: []*tollgate.RestAPI{api}, StoreOutage: policy, StaleAfter: 30 * time.Second,
		Now: f.clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.publicURL = "http://127.0.0.1:8080"
	return f
}

// do sends a request to the server's handler and returns its status and body.
func (f *outageFixture) do(method, path string, body string) (int, string) {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// goStale makes the store unreachable, lets the server fail to refresh,
// and moves the clock past the staleness bound.
func (f *outageFixture) goStale(t *testing.T) {
	t.Helper()
	f.st.down.Store(true)
	if _, err := f.srv.catalog.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh succeeded on an unreachable store")
	}
	f.advance(31 * time.Second)
}

// TestStoreOutageRefuse: in refuse mode, once the catalog has not been
// confirmed current for longer than the bound, a guarded route answers 503
// {"message":"Service Unavailable"} and the token endpoint 503
// temporarily_unavailable (RFC 6749 §4.1.2.1); open routes are still
// served; once the store is back, so is everything.
func TestStoreOutageRefuse(t *testing.T) {
	f := newOutageFixture(t, OutageRefuse)
	guarded, open := "/apis/"+outageAPI+"/prod/guarded", "/apis/"+outageAPI+"/prod/open"
	if code, _ := f.do("GET", guarded, ""); code != http.StatusUnauthorized {
		t.Fatalf("before the outage, a guarded route without a token: %d, want 401", code)
	}
	f.st.down.Store(true)
	f.advance(29 * time.Second)
	if code, _ := f.do("GET", guarded, ""); code != http.StatusUnauthorized {
		t.Errorf("within the bound: %d, want 401 (still served)", code)
	}
	f.goStale(t)
	if code, body := f.do("GET", guarded, ""); code != http.StatusServiceUnavailable || body != `{"message":"Service Unavailable"}` {
		t.Errorf("a guarded route past the bound: %d %s, want 503 {\"message\":\"Service Unavailable\"}", code, body)
	}
	if code, _ := f.do("GET", open, ""); code != http.StatusOK {
		t.Errorf("an open route past the bound: %d, want 200", code)
	}
	code, body := f.do("POST", "/oauth2/token", "grant_type=client_credentials")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"error":"temporarily_unavailable"`) {
		t.Errorf("the token endpoint past the bound: %d %s, want 503 temporarily_unavailable", code, body)
	}
	f.st.down.Store(false)
	if _, err := f.srv.catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.do("GET", guarded, ""); code != http.StatusUnauthorized {
		t.Errorf("the store back: %d, want 401", code)
	}
}

// TestStoreOutageServe: in serve mode (the default) nothing is refused,
// however old the catalog, and its age is a metric.
func TestStoreOutageServe(t *testing.T) {
	f := newOutageFixture(t, "")
	f.goStale(t)
	if code, _ := f.do("GET", "/apis/"+outageAPI+"/prod/guarded", ""); code != http.StatusUnauthorized {
		t.Errorf("a guarded route past the bound: %d, want 401 (served)", code)
	}
	if code, body := f.do("POST", "/oauth2/token", "grant_type=client_credentials"); code == http.StatusServiceUnavailable {
		t.Errorf("the token endpoint past the bound: %d %s, want it served", code, body)
	}
	w := httptest.NewRecorder()
	f.srv.metrics.handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(w.Body.String(), "\ntollgate_catalog_age_seconds 31") {
		t.Errorf("metrics lack tollgate_catalog_age_seconds 31…:\n%s", w.Body)
	}
}

func TestStoreOutagePolicyChecked(t *testing.T) {
	if err := checkOutage(&Options{StoreOutage: "ignore"}); err == nil {
		t.Error("an unknown policy was accepted")
	}
}

// TestOutageBoundAgainstPoll: the catalog is confirmed current once a poll,
// so refuse mode with a bound within three polls would refuse while the
// store is healthy: such options are refused at start.
func TestOutageBoundAgainstPoll(t *testing.T) {
	for _, tc := range []struct {
		poll, bound time.Duration
		ok          bool
	}{
		{60 * time.Second, 30 * time.Second, false},
		{0, 2 * time.Second, false}, // the default poll, one second
		{time.Second, 3 * time.Second, true},
		{0, 0, true}, // the defaults: 1 s and 30 s
	} {
		opts := Options{StoreOutage: OutageRefuse, PollInterval: tc.poll, StaleAfter: tc.bound}
		if err := checkOutage(&opts); (err == nil) != tc.ok {
			t.Errorf("poll %s, bound %s: %v, want ok=%v", tc.poll, tc.bound, err, tc.ok)
		}
	}
}
