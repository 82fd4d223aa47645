package console

import (
	"bytes"
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

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/reqlog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// poolsBackend is the server as the pools pages need it: its URLs.
type poolsBackend struct{ url string }

func (b poolsBackend) PublicURL() string                         { return b.url }
func (b poolsBackend) Issuer(poolID string) string               { return b.url + "/" + poolID }
func (b poolsBackend) Requests() *reqlog.Log                     { return reqlog.New(10) }
func (b poolsBackend) ConsoleAPIs() []API                        { return nil }
func (b poolsBackend) Try(context.Context, TryRequest) TryResult { return TryResult{} }

// poolsAuditBuffer is the audit stream of a test, safe for the sink's
// goroutine.
type poolsAuditBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *poolsAuditBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *poolsAuditBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// poolsEnv is a console on a real SQLite store, served over HTTP, with a
// signed-in browser.
type poolsEnv struct {
	t     *testing.T
	st    *sqlstore.Store
	svc   *domain.Service
	sink  *audit.Sink
	audit *poolsAuditBuffer
	srv   *httptest.Server
	http  *http.Client
	csrf  string
}

const poolsOperator = "AKIAPOOLSOPERATOR000"

func newPoolsTestConsole(t *testing.T) *poolsEnv {
	t.Helper()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	e := &poolsEnv{t: t, st: st, audit: &poolsAuditBuffer{}}
	e.sink = audit.New(e.audit, nil)
	t.Cleanup(func() { _ = e.sink.Close() })
	e.svc = domain.New(st, v, nil).WithAudit(e.sink)
	storeOperator(t, st, poolsOperator)
	c, err := New(Options{
		Domain: e.svc, Backend: poolsBackend{url: "http://tollgate.test"}, Vault: v, Audit: e.sink,
		LinkToken: "pools-link-token", LinkActor: poolsOperator,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", c)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	jar, _ := cookiejar.New(nil)
	e.http = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp := e.do(http.MethodGet, "/signin/link?token=pools-link-token", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in link: %d", resp.StatusCode)
	}
	_, body := e.get("/pools")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the pools page")
	}
	e.csrf = m[1]
	return e
}

// do sends a request to the console's path p and reads the answer.
func (e *poolsEnv) do(method, p string, form url.Values) *http.Response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+"/console"+p, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func (e *poolsEnv) read(resp *http.Response) string {
	e.t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// get returns the status and body of the page p.
func (e *poolsEnv) get(p string) (int, string) {
	e.t.Helper()
	resp := e.do(http.MethodGet, p, nil)
	return resp.StatusCode, e.read(resp)
}

// post sends form (with the CSRF token) to p and returns the status, the
// redirect's location below /console, and the body.
func (e *poolsEnv) post(p string, form url.Values) (status int, location, body string) {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", e.csrf)
	}
	resp := e.do(http.MethodPost, p, form)
	return resp.StatusCode, strings.TrimPrefix(resp.Header.Get("Location"), "/console"), e.read(resp)
}

// changed posts form to p, wants a 303 to want (when not "") and returns
// the page it leads to.
func (e *poolsEnv) changed(p string, form url.Values, want string) string {
	e.t.Helper()
	status, loc, body := e.post(p, form)
	if status != http.StatusSeeOther {
		e.t.Fatalf("POST %s: %d, want 303\n%s", p, status, poolsAlert(body))
	}
	if want != "" && loc != want {
		e.t.Fatalf("POST %s: to %s, want %s", p, loc, want)
	}
	status, page := e.get(loc)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s after POST %s: %d", loc, p, status)
	}
	return page
}

var poolsAlertRE = regexp.MustCompile(`(?s)<p class="alert" role="alert">(.*?)</p>`)

// poolsAlert is the refusal a page shows, unescaped; "" when none.
func poolsAlert(body string) string {
	m := poolsAlertRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return poolsUnescape(m[1])
}

func poolsUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(s)
}
