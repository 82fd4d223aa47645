package console

import (
	"context"
	"crypto/tls"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSessionIdleTimeout(t *testing.T) {
	env := newTestEnv(t)
	c := env.signIn(t)
	// Used every 50 minutes, it lives on (each use renews it).
	for range 3 {
		env.Advance(50 * time.Minute)
		if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("used within the idle timeout: %d", resp.StatusCode)
		}
	}
	env.Advance(DefaultIdleTimeout)
	resp, _ := env.get(t, c, "/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/signin") {
		t.Fatalf("idle: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSessionTTL(t *testing.T) {
	env := newTestEnv(t)
	c := env.signIn(t)
	for elapsed := time.Duration(0); elapsed+30*time.Minute < DefaultSessionTTL; elapsed += 30 * time.Minute {
		env.Advance(30 * time.Minute)
		if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("at %v: %d", elapsed+30*time.Minute, resp.StatusCode)
		}
	}
	env.Advance(30 * time.Minute)
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("past the session's lifetime: %d", resp.StatusCode)
	}
	// A change is refused with a message, not redirected.
	resp, body := env.do(t, c, http.MethodPost, "/signout", url.Values{"csrf": {"x"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Your session has ended") {
		t.Fatalf("change after expiry: %d\n%s", resp.StatusCode, body)
	}
}

// TestSessionEndsWithIdentity: deleting the access key, or setting the
// admin password again, ends the sessions it signed in.
func TestSessionEndsWithIdentity(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t)
	c := env.signIn(t)
	const pw = "a long admin passphrase"
	if err := env.Domain.SetAdminPassword(ctx, pw); err != nil {
		t.Fatal(err)
	}
	admin := env.client(t)
	if resp, _ := env.do(t, admin, http.MethodPost, "/signin/password", url.Values{"admin_password": {pw}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("password sign-in: %d", resp.StatusCode)
	}
	if err := env.Domain.DeleteAccessKey(ctx, env.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session of a deleted key: %d", resp.StatusCode)
	}
	if resp, _ := env.get(t, admin, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("admin session: %d", resp.StatusCode)
	}
	if err := env.Domain.SetAdminPassword(ctx, pw); err != nil {
		t.Fatal(err)
	}
	if resp, _ := env.get(t, admin, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session of a changed password: %d", resp.StatusCode)
	}
}

// TestSessionCookie: HttpOnly, SameSite=Strict, under 4 KB; Secure with
// the __Host- prefix over TLS or when the public URL is https.
func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		name          string
		tls, secure   bool
		wantName      string
		wantPath      string
		wantSecureSet bool
	}{
		{"http", false, false, cookieName, "/console/", false},
		{"tls", true, false, secureCookieName, "/", true},
		{"https public URL", false, true, secureCookieName, "/", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t, func(o *Options) { o.SecureCookies = tc.secure })
			form := url.Values{"access_key_id": {env.AccessKeyID}, "secret_access_key": {env.AccessKeySecret}}
			r := httptest.NewRequest(http.MethodPost, "/console/signin", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			env.Console.ServeHTTP(w, r)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("sign in: %d", w.Code)
			}
			cks := w.Result().Cookies()
			if len(cks) != 1 {
				t.Fatalf("cookies: %v", cks)
			}
			ck := cks[0]
			if ck.Name != tc.wantName || ck.Path != tc.wantPath || ck.Secure != tc.wantSecureSet || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Domain != "" {
				t.Errorf("cookie %+v", ck)
			}
			if n := len(w.Header().Get("Set-Cookie")); n >= 4096 {
				t.Errorf("Set-Cookie is %d bytes", n)
			}
			// The cookie works back.
			r = httptest.NewRequest(http.MethodGet, "/console/", nil)
			r.AddCookie(ck)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			w = httptest.NewRecorder()
			env.Console.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("with the cookie: %d", w.Code)
			}
		})
	}
}

// TestCSRF: a change without the session's token, with another's, or from
// another origin is refused with 403 and changes nothing; GET changes
// nothing.
func TestCSRF(t *testing.T) {
	env := newTestEnv(t)
	// A change of the domain, as every area's pages make.
	env.Console.handle("POST /test-change", func(w http.ResponseWriter, r *http.Request) {
		if _, err := env.Domain.CreatePool(r.Context(), "changed", "eu-west-1"); err != nil {
			env.Console.fail(w, r, err)
			return
		}
		env.Console.redirect(w, r, "/", "changed")
	})
	pools := func() int {
		ps, err := env.Domain.ListPools(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	c := env.signIn(t)
	other := env.signIn(t)
	mine, theirs := env.csrf(t, c, "/"), env.csrf(t, other, "/")
	if mine == theirs {
		t.Fatal("two sessions share a CSRF token")
	}
	for _, tc := range []struct {
		name string
		form url.Values
		edit func(*http.Request)
	}{
		{"no token", url.Values{}, nil},
		{"wrong token", url.Values{"csrf": {"AAAA" + mine[4:]}}, nil},
		{"another session's token", url.Values{"csrf": {theirs}}, nil},
		{"cross-site", url.Values{"csrf": {mine}}, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }},
		{"other origin", url.Values{"csrf": {mine}}, func(r *http.Request) { r.Header.Set("Origin", "http://evil") }},
	} {
		var edits []func(*http.Request)
		if tc.edit != nil {
			edits = append(edits, tc.edit)
		}
		resp, body := env.do(t, c, http.MethodPost, "/test-change", tc.form, edits...)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Refused") {
			t.Errorf("%s: %d\n%s", tc.name, resp.StatusCode, body)
		}
	}
	if n := pools(); n != 0 {
		t.Fatalf("refused changes made %d pools", n)
	}
	// GET never changes anything: the change's route and sign-out do not
	// answer it.
	for _, p := range []string{"/test-change", "/signout"} {
		if resp, _ := env.get(t, c, p); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	if n := pools(); n != 0 {
		t.Fatalf("a GET made %d pools", n)
	}
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatal("GET /signout signed out")
	}
	// The token in a header works too; the right one changes.
	if resp, _ := env.do(t, c, http.MethodPost, "/test-change", url.Values{}, func(r *http.Request) { r.Header.Set("X-CSRF-Token", mine) }); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	if n := pools(); n != 1 {
		t.Fatalf("pools: %d", n)
	}
	// A sign-in from another site is refused.
	resp, _ := env.do(t, env.client(t), http.MethodPost, "/signin", url.Values{"access_key_id": {env.AccessKeyID}, "secret_access_key": {env.AccessKeySecret}},
		func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") })
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
}

// TestSecureHeaders pins the headers of every answer, the CSP exactly.
func TestSecureHeaders(t *testing.T) {
	env := newTestEnv(t)
	c := env.signIn(t)
	want := map[string]string{
		"Content-Security-Policy":      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cache-Control":                "no-store",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
	for _, p := range []string{"/", "/signin", "/setup", "/nowhere", "/static/console.css"} {
		for _, cl := range []*http.Client{c, env.client(t)} {
			resp, _ := env.get(t, cl, p)
			for k, v := range want {
				if k == "Cache-Control" && strings.HasPrefix(p, "/static/") {
					continue
				}
				if got := resp.Header.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", p, k, got, v)
				}
			}
		}
	}
}

// TestTemplatesHaveNoInlineCode: the CSP forbids inline script, style
// and event handlers, so no template may have them.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	bad := []*regexp.Regexp{
		regexp.MustCompile(`(?i)\sstyle\s*=`),
		regexp.MustCompile(`(?i)<style[\s>]`),
		regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>(?:[^<]|<[^/])`),
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
		regexp.MustCompile(`(?i)javascript:`),
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range bad {
			if loc := re.FindIndex(b); loc != nil {
				line := 1 + strings.Count(string(b[:loc[0]]), "\n")
				t.Errorf("%s:%d: %q is not allowed by the CSP", n, line, b[loc[0]:loc[1]])
			}
		}
	}
}
