package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit/audittest"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// testEnv is a console over a real SQLite store, through the domain,
// served at /console by an httptest.Server: what every console test
// drives. Build it with newTestEnv.
type testEnv struct {
	Store   tollgate.Store
	Vault   *vault.Vault
	Domain  *domain.Service
	Backend *fakeBackend
	Console *Console
	Server  *httptest.Server
	// Base is the console's URL: Server.URL + "/console".
	Base string
	// AccessKeyID and AccessKeySecret are a stored access key; signIn
	// uses it.
	AccessKeyID, AccessKeySecret string
	// Audit holds every audit event: the domain's and the console's.
	Audit *audittest.Log

	mu  sync.Mutex
	now time.Time
}

// testEnvOption changes the console's options before it is built.
type testEnvOption func(*Options)

// newTestEnv returns a running console with a fresh store, one access key
// and a fake backend; the clock starts at a fixed time (env.Now,
// env.Advance).
func newTestEnv(t *testing.T, opts ...testEnvOption) *testEnv {
	t.Helper()
	domain.SetAdminPasswordCost(64, 1, 1) // the race detector makes the default cost take seconds
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	env := &testEnv{Store: st, Vault: v, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	env.Audit = audittest.New(t)
	// the access key is the test's setup, not an event of the test: it is
	// created before the domain writes to the audit stream.
	env.Domain = domain.New(st, v, env.Now)
	k, secret, err := env.Domain.CreateAccessKey(context.Background(), "console test")
	if err != nil {
		t.Fatal(err)
	}
	env.Domain.WithAudit(env.Audit.Sink)
	env.AccessKeyID, env.AccessKeySecret = k.ID, secret
	env.Backend = &fakeBackend{Log: reqlog.New(100)}
	o := Options{
		Domain: env.Domain, Backend: env.Backend, Vault: v, Audit: env.Audit.Sink,
		Path: "/console", Now: env.Now,
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	env.Console = c
	mux := http.NewServeMux()
	mux.Handle(o.Path+"/", c)
	mux.Handle(o.Path, c)
	env.Server = httptest.NewServer(mux)
	t.Cleanup(env.Server.Close)
	env.Base = env.Server.URL + o.Path
	env.Backend.URL = env.Server.URL
	return env
}

// newSignedInEnv is newTestEnv serving b (when not nil) with its clock at
// start (when not zero), and a client signed in with its access key.
func newSignedInEnv(t *testing.T, b Backend, start time.Time) (*testEnv, *http.Client) {
	t.Helper()
	var opts []testEnvOption
	if b != nil {
		opts = append(opts, func(o *Options) { o.Backend = b })
	}
	env := newTestEnv(t, opts...)
	if !start.IsZero() {
		env.mu.Lock()
		env.now = start
		env.mu.Unlock()
	}
	return env, env.signIn(t)
}

// Now is the console's and the domain's clock.
func (env *testEnv) Now() time.Time {
	env.mu.Lock()
	defer env.mu.Unlock()
	return env.now
}

// Advance moves the clock by d.
func (env *testEnv) Advance(d time.Duration) {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.now = env.now.Add(d)
}

// client returns a browser-like client with its own cookie jar that does
// not follow redirects (a 303 is the answer a test reads).
func (env *testEnv) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn returns a client signed in with env's access key.
func (env *testEnv) signIn(t *testing.T) *http.Client {
	t.Helper()
	c := env.client(t)
	resp, body := env.do(t, c, http.MethodPost, "/signin", url.Values{
		"access_key_id": {env.AccessKeyID}, "secret_access_key": {env.AccessKeySecret},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", resp.StatusCode, body)
	}
	return c
}

// get GETs path (below the console's, e.g. "/pools") and returns the
// answer and its body.
func (env *testEnv) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	return env.do(t, c, http.MethodGet, path, nil)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the form on page (a path below the
// console's: every signed-in page has one, in its sign-out form).
func (env *testEnv) csrf(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	resp, body := env.get(t, c, page)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s: %d, no CSRF token in:\n%s", page, resp.StatusCode, body)
	}
	return m[1]
}

// post posts form to path with the session's CSRF token (read from the
// overview) and returns the answer and its body.
func (env *testEnv) post(t *testing.T, c *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf", env.csrf(t, c, "/"))
	return env.do(t, c, http.MethodPost, path, f)
}

// do sends method path (below the console's path) with form (nil for
// none) and returns the answer and its body; header lines may be set by
// the optional edit.
func (env *testEnv) do(t *testing.T, c *http.Client, method, path string, form url.Values, edit ...func(*http.Request)) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, env.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, e := range edit {
		e(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// fakeBackend is a Backend with settable answers.
type fakeBackend struct {
	mu  sync.Mutex
	URL string
	// Log is the requests log (reqlog.New(100) by default).
	Log  *reqlog.Log
	APIs []API
	// TryFunc answers Try; nil answers a zero TryResult.
	TryFunc func(context.Context, TryRequest) TryResult
	// Tries are the requests Try got.
	Tries []TryRequest
}

func (b *fakeBackend) PublicURL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.URL
}

func (b *fakeBackend) Issuer(poolID string) string { return b.PublicURL() + "/" + poolID }

func (b *fakeBackend) Requests() *reqlog.Log { return b.Log }

func (b *fakeBackend) ConsoleAPIs() []API {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]API(nil), b.APIs...)
}

func (b *fakeBackend) Try(ctx context.Context, req TryRequest) TryResult {
	b.mu.Lock()
	b.Tries = append(b.Tries, req)
	f := b.TryFunc
	b.mu.Unlock()
	if f == nil {
		return TryResult{}
	}
	return f(ctx, req)
}
