package console

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// apisNow is the tests' clock: a Wednesday.
var apisNow = time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC)

// apisBackend is a fake Backend: the APIs it is given, nothing else.
type apisBackend struct{ apis []API }

func (b *apisBackend) PublicURL() string                         { return "http://127.0.0.1:8080" }
func (b *apisBackend) Issuer(poolID string) string               { return "http://127.0.0.1:8080/" + poolID }
func (b *apisBackend) Requests() *reqlog.Log                     { return nil }
func (b *apisBackend) ConsoleAPIs() []API                        { return b.apis }
func (b *apisBackend) Try(context.Context, TryRequest) TryResult { return TryResult{} }

// apisFixture is a console serving apis, with a signed-in session.
type apisFixture struct {
	*testEnv
	t         *testing.T
	http      *http.Client
	csrfToken string
}

func newAPIsTestConsole(t *testing.T, apis ...API) *apisFixture {
	t.Helper()
	env, c := newSignedInEnv(t, &apisBackend{apis: apis}, apisNow)
	return &apisFixture{testEnv: env, t: t, http: c, csrfToken: env.csrf(t, c, "/apis")}
}

// get fetches the console path p and returns the status and body.
func (f *apisFixture) get(p string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.Base+p, nil)
	return f.send(req)
}

// post sends form to the console path p with the session's CSRF token
// (unless form sets csrf) and returns the status and body, not following
// redirects.
func (f *apisFixture) post(p string, form url.Values) (int, string) {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", f.csrfToken)
	}
	req, _ := http.NewRequest(http.MethodPost, f.Base+p, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return f.send(req)
}

func (f *apisFixture) send(req *http.Request) (int, string) {
	f.t.Helper()
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, string(b)
}

// putPlan stores a usage plan, as a config's apply does.
func (f *apisFixture) putPlan(p *tollgate.UsagePlan) {
	f.t.Helper()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = apisNow.AddDate(0, -2, 0)
	}
	p.UpdatedAt = p.CreatedAt
	if err := f.Store.PutUsagePlan(context.Background(), p, tollgate.AnyOwner); err != nil {
		f.t.Fatal(err)
	}
}

// wantIn fails unless body holds each of want.
func apisWantIn(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in\n%s", what, w, body)
		}
	}
}

// apisWantNotIn fails if body holds any of bad.
func apisWantNotIn(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s: %q in the page", what, b)
		}
	}
}
