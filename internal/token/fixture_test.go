package token_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/signer"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/token"
	"github.com/tollgate/tollgate/internal/vault"
)

// t0 is the fixed start of the test clock.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the endpoint and the signer.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testClient is a client created in the store with its plaintext secrets.
type testClient struct {
	*tollgate.Client
	secrets []string
}

func (c testClient) secret() string { return c.secrets[0] }

// fixture is a token endpoint on a real SQLite store with the real signer
// and vault, served on loopback by an httptest.Server.
type fixture struct {
	t      testing.TB
	ctx    context.Context
	dsn    string // the SQLite file, for a second handle (another process's view)
	st     *sqlstore.Store
	vault  *vault.Vault
	signer *signer.Signer
	clock  *clock
	ep     *token.Endpoint
	srv    *httptest.Server

	pool, pool2 *tollgate.UserPool

	m2m        testClient // pool: client_credentials, default/default and default/read
	sibling    testClient // pool: another M2M client
	twoSecrets testClient // pool: two active secrets
	public     testClient // pool: no secret
	codeOnly   testClient // pool: has a secret, only the code flow
	noScopes   testClient // pool: client_credentials, no scopes allowed
	oddSecret  testClient // pool: a custom secret with '+', which urlencoding changes
	other      testClient // pool2: client_credentials
}

// poolHosts maps the Host header of requests to pool ids: the test's
// stand-in for the server's domain table.
const (
	pool1Host = "pool1.auth.us-east-1.tollgate.test"
	pool2Host = "pool2.auth.us-east-1.tollgate.test"
)

func issuer(poolID string) string { return "https://tollgate.test/" + poolID }

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	v, err := vault.New(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: t0}
	quiet := slog.New(slog.DiscardHandler)
	f := &fixture{t: t, ctx: ctx, dsn: dsn, st: st, vault: v, clock: clk}
	f.signer = signer.New(st, v, signer.Options{Now: clk.Now, Logger: quiet})

	f.pool = f.createPool("us-east-1", "pool-one")
	f.pool2 = f.createPool("us-east-1", "pool-two")
	for _, p := range []*tollgate.UserPool{f.pool, f.pool2} {
		err := st.PutResourceServer(ctx, &tollgate.ResourceServer{
			PoolID: p.ID, Identifier: "default", Name: "default",
			Scopes:    []tollgate.Scope{{Name: "default", Description: "d"}, {Name: "read", Description: "r"}, {Name: "write", Description: "w"}},
			CreatedAt: t0, UpdatedAt: t0,
		})
		if err != nil {
			t.Fatalf("put resource server: %v", err)
		}
	}
	cc := []string{tollgate.FlowClientCredentials}
	f.m2m = f.createClient(f.pool, "m2m", cc, []string{"default/default", "default/read"}, tollgate.NewClientSecret())
	f.sibling = f.createClient(f.pool, "sibling", cc, []string{"default/default"}, tollgate.NewClientSecret())
	f.twoSecrets = f.createClient(f.pool, "rotating", cc, []string{"default/default"}, tollgate.NewClientSecret(), tollgate.NewClientSecret())
	f.public = f.createClient(f.pool, "public", cc, []string{"default/default"})
	f.codeOnly = f.createClient(f.pool, "code-only", []string{tollgate.FlowCode}, []string{"default/default"}, tollgate.NewClientSecret())
	f.noScopes = f.createClient(f.pool, "no-scopes", cc, nil, tollgate.NewClientSecret())
	f.oddSecret = f.createClient(f.pool, "odd-secret", cc, []string{"default/default"}, "a+b+c_0123456789abcdef+xyz")
	f.other = f.createClient(f.pool2, "other", cc, []string{"default/default"}, tollgate.NewClientSecret())

	f.ep = token.New(token.Options{
		Clients:      st,
		Signer:       f.signer,
		Keys:         f.signer,
		Revocations:  st,
		Vault:        v,
		Issuer:       func(_ *http.Request, poolID string) string { return issuer(poolID) },
		PoolFromHost: f.poolFromHost,
		Now:          clk.Now,
		Logger:       quiet,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", f.ep.ServeToken)
	mux.HandleFunc("/oauth2/revoke", f.ep.ServeRevoke)
	mux.HandleFunc("/oauth2/introspect", f.ep.ServeIntrospect)
	mux.HandleFunc("/oauth2/authorize", f.ep.ServeAuthorize)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// poolFromHost is the fixture's Options.PoolFromHost: pool1Host and
// pool2Host are the domains of pool and pool2.
func (f *fixture) poolFromHost(r *http.Request) (string, bool) {
	switch r.Host {
	case pool1Host:
		return f.pool.ID, true
	case pool2Host:
		return f.pool2.ID, true
	}
	return "", false
}

func (f *fixture) createPool(region, name string) *tollgate.UserPool {
	f.t.Helper()
	p := &tollgate.UserPool{ID: tollgate.NewPoolID(region), Name: name, Region: region, CreatedAt: t0, UpdatedAt: t0}
	if err := f.st.CreatePool(f.ctx, p); err != nil {
		f.t.Fatalf("create pool: %v", err)
	}
	return p
}

func (f *fixture) createClient(pool *tollgate.UserPool, name string, flows, scopes []string, secrets ...string) testClient {
	f.t.Helper()
	c := &tollgate.Client{
		ID: tollgate.NewClientID(), PoolID: pool.ID, Name: name,
		AllowedOAuthFlows: flows, AllowedOAuthScopes: scopes,
		AccessTokenValidity:  tollgate.DefaultAccessTokenValidity,
		IDTokenValidity:      tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.Validity{Value: 7200, Unit: tollgate.Minutes},
		CreatedAt:            t0, UpdatedAt: t0,
	}
	for _, s := range secrets {
		hash, sealed := f.vault.ProtectSecret(c.ID, s)
		c.Secrets = append(c.Secrets, tollgate.ClientSecret{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: t0})
	}
	if err := f.st.CreateClient(f.ctx, c); err != nil {
		f.t.Fatalf("create client %s: %v", name, err)
	}
	return testClient{Client: c, secrets: secrets}
}

// request describes one HTTP request to the fixture's server.
type request struct {
	method string // default POST
	path   string // default /oauth2/token; may carry a query
	host   string // Host header, if set
	ctype  string // Content-Type; "-" for none, "" for the form type
	header map[string]string
	body   string
}

func (f *fixture) do(req request) (*http.Response, []byte) {
	f.t.Helper()
	if req.method == "" {
		req.method = http.MethodPost
	}
	if req.path == "" {
		req.path = "/oauth2/token"
	}
	r, err := http.NewRequest(req.method, f.srv.URL+req.path, strings.NewReader(req.body))
	if err != nil {
		f.t.Fatal(err)
	}
	switch req.ctype {
	case "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "-":
	default:
		r.Header.Set("Content-Type", req.ctype)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	if req.host != "" {
		r.Host = req.host
	}
	resp, err := f.srv.Client().Do(r)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

// form encodes name/value pairs in order, keeping repeats.
func form(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

// basic returns an Authorization header value as RFC 6749 §2.3.1 has it:
// each part urlencoded, then base64.
func basic(id, secret string) string {
	return basicRaw(url.QueryEscape(id) + ":" + url.QueryEscape(secret))
}
