package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// clientsBackend is the running server as the clients' pages need it: a
// public URL.
type clientsBackend struct{}

func (clientsBackend) PublicURL() string           { return "http://tollgate.test:8080" }
func (clientsBackend) Issuer(poolID string) string { return "http://tollgate.test:8080/" + poolID }
func (clientsBackend) Requests() *reqlog.Log       { return nil }
func (clientsBackend) ConsoleAPIs() []console.API  { return nil }
func (clientsBackend) Try(context.Context, console.TryRequest) console.TryResult {
	return console.TryResult{}
}

// clientsEnv is a signed-in console with a pool.
type clientsEnv struct {
	*console.TestEnv
	t    *testing.T
	http *http.Client
	pool *tollgate.UserPool
}

// newClientsTestConsole returns a signed-in console with a pool "orders"
// whose resource server "orders" defines orders/read and orders/write.
func newClientsTestConsole(t *testing.T) *clientsEnv {
	t.Helper()
	ctx := context.Background()
	env, c := console.NewTestEnv(t, clientsBackend{}, time.Time{})
	e := &clientsEnv{TestEnv: env, t: t, http: c}
	var err error
	if e.pool, err = e.Domain.CreatePool(ctx, "orders", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	rs := domain.ResourceServerSpec{Identifier: "orders", Name: "Orders", Scopes: []tollgate.Scope{
		{Name: "read", Description: "Read orders"}, {Name: "write", Description: "Write orders"}}}
	if _, err := e.Domain.CreateResourceServer(ctx, e.pool.ID, rs); err != nil {
		t.Fatal(err)
	}
	return e
}

// get fetches a console path and returns its status and body.
func (e *clientsEnv) get(path string) (int, string) {
	e.t.Helper()
	res, err := e.http.Get(e.Base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var clientsCSRFPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the session's CSRF token from a page.
func (e *clientsEnv) csrf() string {
	e.t.Helper()
	_, body := e.get("/clients")
	m := clientsCSRFPattern.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no CSRF token on /clients")
	}
	return html.UnescapeString(m[1])
}

// post submits form (with the CSRF token) to a console path; it returns
// the status, the body and the redirect's location.
func (e *clientsEnv) post(path string, form url.Values) (status int, body, location string) {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", e.csrf())
	}
	res, err := e.http.PostForm(e.Base+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

// clientsNewForm is the create form as a browser posts it, with defaults.
func clientsNewForm(name string, scopes ...string) url.Values {
	return url.Values{"name": {name}, "scope": scopes, "flow": {"client_credentials"}, "generate_secret": {"1"},
		"access_validity": {"60"}, "access_validity_unit": {"minutes"},
		"id_validity": {"60"}, "id_validity_unit": {"minutes"},
		"refresh_validity": {"30"}, "refresh_validity_unit": {"days"}}
}

var (
	clientsIDPattern     = regexp.MustCompile(`<code id="client-id">([^<]+)</code>`)
	clientsSecretPattern = regexp.MustCompile(`<code id="client-secret">([^<]+)</code>`)
)

// create creates a client through the console and returns it and the
// secret the page showed.
func (e *clientsEnv) create(name string, scopes ...string) (*tollgate.Client, string) {
	e.t.Helper()
	status, body, _ := e.post("/pools/"+e.pool.ID+"/clients", clientsNewForm(name, scopes...))
	if status != http.StatusOK {
		e.t.Fatalf("create client: %d\n%s", status, body)
	}
	id, secret := clientsIDPattern.FindStringSubmatch(body), clientsSecretPattern.FindStringSubmatch(body)
	if id == nil || secret == nil {
		e.t.Fatalf("the created page lacks the client id or secret:\n%s", body)
	}
	c, err := e.Domain.GetClient(context.Background(), id[1])
	if err != nil {
		e.t.Fatal(err)
	}
	return c, html.UnescapeString(secret[1])
}

// client reads a client from the store.
func (e *clientsEnv) client(id string) *tollgate.Client {
	e.t.Helper()
	c, err := e.Domain.GetClient(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// events returns the audit events written so far.
func (e *clientsEnv) events() []map[string]any {
	e.t.Helper()
	return e.Audit.Maps(e.t)
}
