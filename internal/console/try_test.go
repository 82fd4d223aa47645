package console

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// tryFakeBackend is the server side of a try: it records the request and
// answers with result.
type tryFakeBackend struct {
	apis   []API
	mu     sync.Mutex
	got    []TryRequest
	result TryResult
}

func (b *tryFakeBackend) PublicURL() string         { return "http://127.0.0.1:8080" }
func (b *tryFakeBackend) Issuer(pool string) string { return "http://127.0.0.1:8080/" + pool }
func (b *tryFakeBackend) Requests() *reqlog.Log     { return reqlog.New(0) }
func (b *tryFakeBackend) ConsoleAPIs() []API        { return b.apis }
func (b *tryFakeBackend) last() (TryRequest, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastLocked()
}
func (b *tryFakeBackend) lastLocked() (TryRequest, bool) {
	if len(b.got) == 0 {
		return TryRequest{}, false
	}
	return b.got[len(b.got)-1], true
}

func (b *tryFakeBackend) Try(_ context.Context, req TryRequest) TryResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, req)
	return b.result
}

// tryFixture is a signed-in console with a pool, a client and a fake
// backend with one API.
type tryFixture struct {
	*testEnv
	http     *http.Client
	backend  *tryFakeBackend
	clientID string
	secret   string
	poolID   string
}

// events are the audit lines written so far.
func (f *tryFixture) events(t *testing.T) string {
	t.Helper()
	return f.Audit.Text(t)
}

// newTryTestConsole is a tryFixture with a pool (resource server
// "orders") and a client "backend" with a generated secret.
func newTryTestConsole(t *testing.T, apis []API) *tryFixture {
	t.Helper()
	f := newTryTestConsoleBare(t, apis)
	ctx := context.Background()
	pool, err := f.Domain.CreatePool(ctx, "shop", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	f.poolID = pool.ID
	if _, err := f.Domain.CreateResourceServer(ctx, pool.ID, domain.ResourceServerSpec{Identifier: "orders", Name: "Orders",
		Scopes: []tollgate.Scope{{Name: "read", Description: "read"}}}); err != nil {
		t.Fatal(err)
	}
	cl, secret, err := f.Domain.CreateClient(ctx, pool.ID, domain.ClientSpec{Name: "backend",
		OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"orders/read"}}, domain.SecretChoice{Generate: true})
	if err != nil {
		t.Fatal(err)
	}
	f.clientID, f.secret = cl.ID, secret
	return f
}

// newTryTestConsoleBare is a tryFixture with an empty store.
func newTryTestConsoleBare(t *testing.T, apis []API) *tryFixture {
	t.Helper()
	b := &tryFakeBackend{apis: apis}
	env, c := newSignedInEnv(t, b, time.Time{})
	c.CheckRedirect = nil // a try's answers are read after their redirects
	return &tryFixture{testEnv: env, http: c, backend: b}
}

func (f *tryFixture) get(t *testing.T, p string) (int, string) {
	t.Helper()
	resp, err := f.http.Get(f.Server.URL + p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var tryCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits the try form read from GET /try with the fields set.
func (f *tryFixture) post(t *testing.T, fields url.Values) (int, string) {
	t.Helper()
	_, page := f.get(t, "/console/try")
	m := tryCSRF.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page: %s", page)
	}
	fields.Set("csrf", m[1])
	resp, err := f.http.PostForm(f.Server.URL+"/console/try", fields)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tryTestAPIs() []API {
	return []API{{RestAPI: &tollgate.RestAPI{ID: "ordersapi1", Name: "orders", Stages: []tollgate.Stage{{Name: "prod"}, {Name: "test"}},
		Routes: []tollgate.Route{
			{Method: "GET", ResourcePath: "/items/{id}"},
			{Method: "ANY", ResourcePath: "/files/{proxy+}"},
		}}}}
}

func TestTryPageForm(t *testing.T) {
	f := newTryTestConsole(t, tryTestAPIs())
	code, page := f.get(t, "/console/try")
	if code != http.StatusOK {
		t.Fatalf("GET /try: %d", code)
	}
	for _, want := range []string{
		`<h1>Try it</h1>`,
		`<label for="try-client">Client</label>`,
		`<label for="try-secret">Client secret</label>`,
		`<label for="try-scope">Scope</label>`,
		`<label for="try-route">Route</label>`,
		`<label for="try-path">Path</label>`,
		`>backend (` + f.clientID + `) · shop</option>`,
		`>orders · prod · GET /items/{id}</option>`,
		`>orders · test · ANY /files/{proxy&#43;}</option>`,
		`name="path" value="/items/1"`,
		`Get token and call</button>`,
		`aria-current="page">Try it`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	// ?api=&stage=&route= preselects a route, and its path.
	_, page = f.get(t, "/console/try?api=ordersapi1&stage=test&route="+url.QueryEscape("ANY /files/{proxy+}"))
	if !strings.Contains(page, `value="ordersapi1|test|ANY /files/{proxy&#43;}" selected`) || !strings.Contains(page, `name="path" value="/files/hello"`) {
		t.Errorf("the route was not preselected: %s", page)
	}
}

func TestTryPageEmptyStates(t *testing.T) {
	f := newTryTestConsoleBare(t, nil)
	_, page := f.get(t, "/console/try")
	for _, want := range []string{"No app clients yet", "Create pool", "No APIs in service", "--config FILE"} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty page lacks %q", want)
		}
	}
	if strings.Contains(page, "Get token and call") {
		t.Error("the form is shown without clients or APIs")
	}
}

func TestTryPost(t *testing.T) {
	f := newTryTestConsole(t, tryTestAPIs())
	f.backend.result = TryResult{
		Token: TryStep{Method: "POST", URL: "http://127.0.0.1:8080/oauth2/token", Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   `{"access_token":"eyJ.tok.sig","token_type":"Bearer","expires_in":3600,"scope":"orders/read"}`},
		AccessToken: "eyJ.tok.sig",
		Claims:      map[string]any{"client_id": f.clientID, "scope": "orders/read", "note": "<script>alert(1)</script>"},
		Call: TryStep{Method: "GET", URL: "http://127.0.0.1:8080/apis/ordersapi1/prod/items/1", Status: 401,
			Header: http.Header{"X-Amzn-Errortype": {"UnauthorizedException"}},
			Body:   `{"message":"<img src=x onerror=alert(1)>"}`},
		Decision: reqlog.Entry{RequestID: "req-1", API: "ordersapi1", Stage: "prod", Route: "GET /items/{id}", ClientID: f.clientID,
			Status: 401, Reason: "insufficient_scope", Detail: "the token lacks a scope the route requires (orders/write)"},
		Verdict: "Refused (insufficient_scope): the token lacks a scope the route requires (orders/write)",
	}
	typed := "typed-secret-0123456789"
	code, page := f.post(t, url.Values{"client": {f.clientID}, "secret": {typed}, "scope": {`orders/read "><b>x</b>`},
		"route": {"ordersapi1|prod|GET /items/{id}"}, "path": {"/items/7"}, "path_for": {"ordersapi1|prod|GET /items/{id}"}})
	if code != http.StatusOK {
		t.Fatalf("POST /try: %d %s", code, page)
	}
	got, ok := f.backend.last()
	if !ok {
		t.Fatal("no try was made")
	}
	want := TryRequest{ClientID: f.clientID, Secret: typed, Scope: `orders/read "><b>x</b>`, APIID: "ordersapi1", Stage: "prod",
		Route: "GET /items/{id}", Method: "GET", Path: "/items/7"}
	if got != want {
		t.Errorf("try request\n got %+v\nwant %+v", got, want)
	}
	for _, w := range []string{
		`id="try-token-status" class="status s2">200<`,
		`id="try-call-status" class="status s4">401<`,
		`id="try-decision"`,
		"Refused (insufficient_scope): the token lacks a scope the route requires (orders/write)",
		`<code id="try-access-token">eyJ.tok.sig</code>`,
		`/console/requests?client=` + f.clientID,
		`-u &#34;` + f.clientID + `:$CLIENT_SECRET&#34;`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`&lt;img src=x onerror=alert(1)&gt;`,
		`value="orders/read &#34;&gt;&lt;b&gt;x&lt;/b&gt;"`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("the result lacks %q", w)
		}
	}
	for _, bad := range []string{typed, "<script>alert", "<img src=x", "<b>x</b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page shows %q", bad)
		}
	}
}

// TestTryStoredSecret: a blank secret is the client's stored one, sent to
// the backend and never shown, even when an answer echoes it.
func TestTryStoredSecret(t *testing.T) {
	f := newTryTestConsole(t, tryTestAPIs())
	f.backend.result = TryResult{Token: TryStep{Method: "POST", URL: "http://127.0.0.1:8080/oauth2/token", Status: 401,
		Body: `{"error":"invalid_client","error_description":"bad secret ` + f.secret + `"}`},
		Verdict: "Not called: the token endpoint refused to issue a token (invalid_client)."}
	code, page := f.post(t, url.Values{"client": {f.clientID}, "route": {"ordersapi1|test|ANY /files/{proxy+}"},
		"path": {"/items/1"}, "path_for": {"ordersapi1|prod|GET /items/{id}"}})
	if code != http.StatusOK {
		t.Fatalf("POST /try: %d %s", code, page)
	}
	got, _ := f.backend.last()
	if got.Secret != f.secret {
		t.Errorf("the backend got secret %q, want the stored one", got.Secret)
	}
	if got.Path != "/files/hello" || got.Method != "GET" {
		t.Errorf("a path prefilled for another route, or ANY: %s %s, want GET /files/hello", got.Method, got.Path)
	}
	if strings.Contains(page, f.secret) {
		t.Error("the page shows the stored secret")
	}
	ev := f.events(t)
	for _, w := range []string{`"action":"console.try"`, `"actor":"console:` + f.AccessKeyID + `"`, `"reason":"stored_secret"`,
		`"pool_id":"` + f.poolID + `"`, `"client_id":"` + f.clientID + `"`, `"name":"ordersapi1 test ANY /files/{proxy+}"`} {
		if !strings.Contains(ev, w) {
			t.Errorf("the audit lacks %s: %s", w, ev)
		}
	}
	if strings.Contains(ev, f.secret) {
		t.Error("the audit holds the secret")
	}
	for _, w := range []string{`id="try-token-status" class="status s4">401<`, `id="try-call-status" class="status try-none">not made<`, "Not called"} {
		if !strings.Contains(page, w) {
			t.Errorf("the result lacks %q", w)
		}
	}
}

func TestTryPostRefused(t *testing.T) {
	f := newTryTestConsole(t, tryTestAPIs())
	tests := []struct {
		name   string
		fields url.Values
		msg    string
	}{
		{"no client", url.Values{"route": {"ordersapi1|prod|GET /items/{id}"}, "path": {"/items/1"}}, "Choose a client."},
		{"unknown route", url.Values{"client": {f.clientID}, "route": {"nope|prod|GET /"}, "path": {"/"}}, "Choose a route."},
		{"bad path", url.Values{"client": {f.clientID}, "route": {"ordersapi1|prod|GET /items/{id}"}, "path": {"items"}}, "The path must start with /."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, page := f.post(t, tt.fields)
			if code != http.StatusBadRequest || !strings.Contains(page, tt.msg) {
				t.Errorf("%d, want 400 with %q", code, tt.msg)
			}
		})
	}
	if strings.Contains(f.events(t), "console.try") {
		t.Error("a refused form is audited as a try")
	}
	if _, ok := f.backend.last(); ok {
		t.Error("a refused form made a try")
	}
	// Without the CSRF token, nothing is tried.
	resp, err := f.http.PostForm(f.Server.URL+"/console/try", url.Values{"client": {f.clientID}, "route": {"ordersapi1|prod|GET /items/{id}"}, "path": {"/items/1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", resp.StatusCode)
	}
	if _, ok := f.backend.last(); ok {
		t.Error("a form without its CSRF token made a try")
	}
}

// TestTryRoutesOfAnotherPool: routes whose authorizer does not accept the
// chosen client's pool come last, labelled so; the label still starts
// with the route.
func TestTryRoutesOfAnotherPool(t *testing.T) {
	f := newTryTestConsoleBare(t, nil)
	ctx := context.Background()
	pool, err := f.Domain.CreatePool(ctx, "shop", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	mine := &tollgate.Authorizer{Name: "shopPool", PoolIDs: []string{pool.ID}}
	theirs := &tollgate.Authorizer{Name: "otherPool", PoolIDs: []string{"us-east-1_Other1234"}}
	jwt := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT,
		JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{Issuer: f.backend.Issuer(pool.ID)}}}}
	f.backend.apis = []API{{RestAPI: &tollgate.RestAPI{ID: "ordersapi1", Name: "orders", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{
			{Method: "GET", ResourcePath: "/a", Authorizer: theirs},
			{Method: "GET", ResourcePath: "/b", Authorizer: mine},
			{Method: "GET", ResourcePath: "/c", Authorizer: jwt},
			{Method: "GET", ResourcePath: "/d"},
		}}}}
	if _, err := f.Domain.CreateResourceServer(ctx, pool.ID, domain.ResourceServerSpec{Identifier: "orders", Name: "Orders",
		Scopes: []tollgate.Scope{{Name: "read", Description: "read"}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Domain.CreateClient(ctx, pool.ID, domain.ClientSpec{Name: "backend",
		OAuthFlows: []string{tollgate.FlowClientCredentials}, Scopes: []string{"orders/read"}}, domain.SecretChoice{Generate: true}); err != nil {
		t.Fatal(err)
	}
	_, page := f.get(t, "/console/try")
	labels := regexp.MustCompile(`>(orders · prod · [^<]*)</option>`).FindAllStringSubmatch(page, -1)
	var got []string
	for _, m := range labels {
		got = append(got, m[1])
	}
	want := "orders · prod · GET /b|orders · prod · GET /c|orders · prod · GET /d|orders · prod · GET /a (another pool&#39;s)"
	if strings.Join(got, "|") != want {
		t.Errorf("routes %q, want %q", strings.Join(got, "|"), want)
	}
}

// TestTryRequestLink: the decision links to the call's own request.
func TestTryRequestLink(t *testing.T) {
	f := newTryTestConsole(t, tryTestAPIs())
	f.backend.result = TryResult{Token: TryStep{Status: 200}, Call: TryStep{Method: "GET", Status: 401},
		Decision: reqlog.Entry{RequestID: "abc-123", Status: 401, Reason: "invalid_token"}, Verdict: "Refused (invalid_token): x."}
	_, page := f.post(t, url.Values{"client": {f.clientID}, "route": {"ordersapi1|prod|GET /items/{id}"}, "path": {"/items/1"}})
	if !strings.Contains(page, `<a href="/console/requests?id=abc-123">See this request in the log</a>`) {
		t.Errorf("no link to the request")
	}
}
