package console

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

// poolsBackend is the server as the pools pages need it: its URLs.
type poolsBackend struct{ url string }

func (b poolsBackend) PublicURL() string                         { return b.url }
func (b poolsBackend) Issuer(poolID string) string               { return b.url + "/" + poolID }
func (b poolsBackend) Requests() *reqlog.Log                     { return reqlog.New(10) }
func (b poolsBackend) ConsoleAPIs() []API                        { return nil }
func (b poolsBackend) Try(context.Context, TryRequest) TryResult { return TryResult{} }

// poolsEnv is a console with a signed-in browser.
type poolsEnv struct {
	*testEnv
	t    *testing.T
	http *http.Client
	csrf string
}

func newPoolsTestConsole(t *testing.T) *poolsEnv {
	t.Helper()
	env, c := newSignedInEnv(t, poolsBackend{url: "http://tollgate.test"}, time.Time{})
	e := &poolsEnv{testEnv: env, t: t, http: c}
	_, body := e.get("/pools")
	m := csrfField.FindStringSubmatch(body)
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
	req, err := http.NewRequest(method, e.Base+p, body)
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
