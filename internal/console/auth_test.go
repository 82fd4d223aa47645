package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
)

func TestSignInAccessKey(t *testing.T) {
	env := newTestEnv(t)
	c := env.client(t)

	// Not signed in: a page sends the browser to sign in, keeping where
	// it was going.
	resp, _ := env.get(t, c, "/pools?x=1")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/signin?next=%2Fconsole%2Fpools%3Fx%3D1" {
		t.Fatalf("GET /pools signed out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := env.get(t, c, "/signin")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "tollgate access-keys create") || strings.Contains(body, "Admin password") {
		t.Fatalf("sign-in page: %d\n%s", resp.StatusCode, body)
	}

	// Wrong secret and unknown key: the same answer.
	_, wrong := env.do(t, c, http.MethodPost, "/signin", url.Values{"access_key_id": {env.AccessKeyID}, "secret_access_key": {"nope"}})
	resp, unknown := env.do(t, c, http.MethodPost, "/signin", url.Values{"access_key_id": {"AKIANOSUCHKEY"}, "secret_access_key": {"nope"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(wrong, badCredentials) || !strings.Contains(unknown, badCredentials) {
		t.Fatalf("refusals: %d\n%s\n%s", resp.StatusCode, wrong, unknown)
	}

	resp, _ = env.do(t, c, http.MethodPost, "/signin", url.Values{
		"access_key_id": {env.AccessKeyID}, "secret_access_key": {env.AccessKeySecret}, "next": {"/console/pools"},
	})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/pools" {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := env.get(t, c, "/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, env.AccessKeyID) || !strings.Contains(body, "Sign out") {
		t.Fatalf("overview: %d\n%s", resp.StatusCode, body)
	}

	evs := env.Audit.Events(t, ActionSignIn)
	if len(evs) != 3 {
		t.Fatalf("sign-in events: %+v", evs)
	}
	if e := evs[0]; e.Outcome != audit.Denied || e.Actor != "console:"+env.AccessKeyID || e.Reason != "wrong_secret" || e.RemoteAddr == "" {
		t.Errorf("wrong secret: %+v", e)
	}
	if e := evs[1]; e.Outcome != audit.Denied || e.Actor != audit.Anonymous || e.AccessKeyID != "" || e.Reason != "unknown_access_key" {
		t.Errorf("unknown key: %+v", e)
	}
	if e := evs[2]; e.Outcome != audit.Success || e.Actor != "console:"+env.AccessKeyID {
		t.Errorf("success: %+v", e)
	}
	if txt := env.Audit.Text(t); strings.Contains(txt, env.AccessKeySecret) || strings.Contains(txt, "nope") || strings.Contains(txt, "AKIANOSUCHKEY") {
		t.Errorf("audit carries what was typed:\n%s", txt)
	}
}

func TestSignInPassword(t *testing.T) {
	env := newTestEnv(t)
	const pw = "a long admin passphrase"
	if err := env.Domain.SetAdminPassword(context.Background(), pw); err != nil {
		t.Fatal(err)
	}
	c := env.client(t)
	if _, body := env.get(t, c, "/signin"); !strings.Contains(body, "Admin password") || !strings.Contains(body, "Sign in with password") {
		t.Fatalf("no password form:\n%s", body)
	}
	resp, body := env.do(t, c, http.MethodPost, "/signin/password", url.Values{"admin_password": {"not it at all"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, badCredentials) {
		t.Fatalf("wrong password: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = env.do(t, c, http.MethodPost, "/signin/password", url.Values{"admin_password": {pw}, "next": {"//evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := env.get(t, c, "/"); !strings.Contains(body, ">admin<") {
		t.Fatalf("not signed in as admin:\n%s", body)
	}
	evs := env.Audit.Events(t, ActionSignIn)
	if len(evs) != 2 || evs[0].Actor != "console:admin" || evs[0].Reason != "wrong_password" || evs[1].Outcome != audit.Success {
		t.Errorf("events: %+v", evs)
	}
}

// TestSignInThrottle: ten failures from an address, or for an identity,
// pause sign-in for fifteen minutes, even with the right credentials.
func TestSignInThrottle(t *testing.T) {
	env := newTestEnv(t)
	signIn := func(remote, id, secret string) *httptest.ResponseRecorder {
		form := url.Values{"access_key_id": {id}, "secret_access_key": {secret}}
		r := httptest.NewRequest(http.MethodPost, "/console/signin", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		env.Console.ServeHTTP(w, r)
		return w
	}
	// By address: unknown keys from one address.
	for i := range maxFailures {
		if w := signIn("192.0.2.1:1000", "AKIAUNKNOWN"+strings.Repeat("X", i), "x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	w := signIn("192.0.2.1:2000", env.AccessKeyID, env.AccessKeySecret)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("after %d failures: %d\n%s", maxFailures, w.Code, w.Body)
	}
	// Another address is not paused.
	if w := signIn("192.0.2.2:1000", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("other address: %d", w.Code)
	}
	env.Advance(lockout)
	if w := signIn("192.0.2.1:2000", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("after the pause: %d", w.Code)
	}

	// By identity: wrong secrets for one key from many addresses.
	for i := range maxFailures {
		signIn("198.51.100."+string(rune('0'+i))+":1", env.AccessKeyID, "wrong")
	}
	if w := signIn("203.0.113.9:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusTooManyRequests {
		t.Fatalf("identity after %d failures: %d", maxFailures, w.Code)
	}
	if evs := env.Audit.Events(t, ActionSignIn); evs[len(evs)-1].Reason != "throttled" || evs[len(evs)-1].Outcome != audit.Denied {
		t.Errorf("last event: %+v", evs[len(evs)-1])
	}
	// Failures older than the window are forgotten.
	env.Advance(lockout)
	for range maxFailures - 1 {
		signIn("203.0.113.10:1", env.AccessKeyID, "wrong")
	}
	env.Advance(failureWindow)
	signIn("203.0.113.10:1", env.AccessKeyID, "wrong")
	if w := signIn("203.0.113.10:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("old failures counted: %d", w.Code)
	}
}

// TestGuardBounded: the guard's maps stay bounded.
func TestGuardBounded(t *testing.T) {
	g := newGuard()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxTracked * 2 {
		k := "ip:" + time.Duration(i).String()
		g.fail(now, k)
		g.revoke(k, now.Add(time.Hour), now)
	}
	if len(g.failures) > maxTracked || len(g.signedOut) > maxTracked {
		t.Fatalf("failures %d, signed out %d; bound %d", len(g.failures), len(g.signedOut), maxTracked)
	}
}

func TestNextStaysInConsole(t *testing.T) {
	env := newTestEnv(t)
	for _, tc := range []struct{ in, want string }{
		{"/console/pools", "/console/pools"},
		{"/console/requests?status=4xx&client=a%20b", "/console/requests?status=4xx&client=a%20b"},
		{"/console/", "/console/"},
		{"", "/console/"},
		{"//evil.example/", "/console/"},
		{"/console//evil.example", "/console/"},
		{"https://evil.example/console/", "/console/"},
		{"http:/console/x", "/console/"},
		{"/console/../x", "/console/"},
		{"/console/%2e%2e/x", "/console/"},
		{"/console/%2F%2Fevil", "/console/"},
		{"/console/\\evil", "/console/"},
		{"/console\\..\\evil", "/console/"},
		{"/console/%5cevil", "/console/"},
		{"/\\evil.example", "/console/"},
		{"/consolex/", "/console/"},
		{"/console/./pools", "/console/"},
		{"/console/x\r\nSet-Cookie: a=b", "/console/"},
		{"javascript:alert(1)", "/console/"},
		{"/console/@evil.example", "/console/@evil.example"},
	} {
		if got := env.Console.next(tc.in); got != tc.want {
			t.Errorf("next(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSignInLink(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.LinkToken = "the-link-token" })
	env.Console.opts.LinkActor = env.AccessKeyID
	c := env.client(t)
	resp, _ := env.get(t, c, "/signin/link?token=wrong")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong link: %d", resp.StatusCode)
	}
	resp, _ = env.get(t, c, "/signin/link?token=the-link-token")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", resp.StatusCode)
	}
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("overview after link: %d", resp.StatusCode)
	}
}

func TestSetup(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.SetupToken = "setup-token" })
	c := env.client(t)
	for _, q := range []string{"", "?token=", "?token=wrong"} {
		if resp, body := env.get(t, c, "/setup"+q); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "tollgate console password") {
			t.Fatalf("setup%s: %d\n%s", q, resp.StatusCode, body)
		}
	}
	resp, body := env.get(t, c, "/setup?token=setup-token")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "New admin password") || !strings.Contains(body, "Repeat the password") {
		t.Fatalf("setup page: %d\n%s", resp.StatusCode, body)
	}
	post := func(tok, pw, again string) (*http.Response, string) {
		return env.do(t, c, http.MethodPost, "/setup", url.Values{"token": {tok}, "password": {pw}, "password_again": {again}})
	}
	if resp, _ := post("wrong", "a long admin passphrase", "a long admin passphrase"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}
	if resp, body := post("setup-token", "a long admin passphrase", "a long admin passphrasE"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "differ") {
		t.Fatalf("mismatch: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := post("setup-token", "short", "short"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "at least 12 characters") {
		t.Fatalf("short: %d\n%s", resp.StatusCode, body)
	}
	if set, _ := env.Domain.AdminPasswordSet(context.Background()); set {
		t.Fatal("a refused setup set the password")
	}
	resp, _ = post("setup-token", "a long admin passphrase", "a long admin passphrase")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	if resp, body := env.get(t, c, "/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "The admin password is set") {
		t.Fatalf("after setup: %d\n%s", resp.StatusCode, body)
	}
	if ok, _, _ := env.Domain.CheckAdminPassword(context.Background(), "a long admin passphrase"); !ok {
		t.Fatal("password not set")
	}
	// Once set, the link is closed.
	if resp, _ := env.get(t, env.client(t), "/setup?token=setup-token"); resp.StatusCode != http.StatusConflict {
		t.Fatalf("setup after set: %d", resp.StatusCode)
	}
	if resp, _ := post("setup-token", "another long passphrase", "another long passphrase"); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second setup: %d", resp.StatusCode)
	}
	evs := env.Audit.Events(t, "console.password.set")
	var ok int
	for _, e := range evs {
		if e.Actor != "console:setup" {
			t.Errorf("actor %q", e.Actor)
		}
		if e.Outcome == audit.Success {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("password set events: %+v", evs)
	}
}

func TestSignOut(t *testing.T) {
	env := newTestEnv(t)
	c := env.signIn(t)
	u, _ := url.Parse(env.Base + "/")
	saved := c.Jar.Cookies(u)
	resp, _ := env.post(t, c, "/signout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/signin" {
		t.Fatalf("sign out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", resp.StatusCode)
	}
	// The old cookie, replayed, is refused.
	replay := env.client(t)
	replay.Jar.SetCookies(u, saved)
	if resp, _ := env.get(t, replay, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed cookie: %d", resp.StatusCode)
	}
	if evs := env.Audit.Events(t, ActionSignOut); len(evs) != 1 || evs[0].Actor != "console:"+env.AccessKeyID {
		t.Errorf("sign-out events: %+v", evs)
	}
}
