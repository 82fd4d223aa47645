package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
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

// signInFrom posts an access key sign-in from remote straight to the
// console (the address is the test's to choose).
func (env *testEnv) signInFrom(remote, id, secret string) *httptest.ResponseRecorder {
	return env.postFrom(remote, "/console/signin", url.Values{"access_key_id": {id}, "secret_access_key": {secret}})
}

func (env *testEnv) postFrom(remote, path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = remote
	w := httptest.NewRecorder()
	env.Console.ServeHTTP(w, r)
	return w
}

// TestSignInThrottle: ten failures for an identity from an address pause
// that identity's sign-in from that address, thirty from an address pause
// the address, for fifteen minutes, even with the right credentials;
// failures from elsewhere never lock an identity out.
func TestSignInThrottle(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	// By (identity, address): wrong secrets from one address.
	for i := range maxFailures {
		if w := env.signInFrom("192.0.2.1:1000", env.AccessKeyID, "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	w := env.signInFrom("192.0.2.1:2000", env.AccessKeyID, env.AccessKeySecret)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many failed sign-ins") {
		t.Fatalf("after %d failures: %d\n%s", maxFailures, w.Code, w.Body)
	}
	if evs := env.Audit.Events(t, ActionSignIn); evs[len(evs)-1].Reason != "throttled" || evs[len(evs)-1].Outcome != audit.Denied {
		t.Errorf("last event: %+v", evs[len(evs)-1])
	}
	// The same identity from another address is not paused: a stranger
	// cannot lock the operator out.
	if w := env.signInFrom("192.0.2.2:1000", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("other address: %d", w.Code)
	}

	// Unknown ids share one counter: spraying them pauses the spray, not
	// a real key from the same address.
	for i := range maxFailures {
		env.signInFrom("198.51.100.1:1", "AKIAUNKNOWN"+strings.Repeat("X", i), "x")
	}
	if w := env.signInFrom("198.51.100.1:1", "AKIAANOTHER", "x"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("unknown ids after %d failures: %d", maxFailures, w.Code)
	}
	if w := env.signInFrom("198.51.100.1:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("a real key after unknown ids: %d", w.Code)
	}

	// By address: thirty failures across identities (IPv6: one /64).
	var ids []string
	for range 2 {
		k, _, err := env.Domain.CreateAccessKey(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, k.ID)
	}
	for i := range maxFailures {
		env.signInFrom("[2001:db8::1]:1", "AKIAUNKNOWN"+strings.Repeat("Y", i), "x")
		env.signInFrom("[2001:db8::2]:1", ids[0], "wrong")
		env.signInFrom("[2001:db8::3]:1", ids[1], "wrong")
	}
	if w := env.signInFrom("[2001:db8::4]:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusTooManyRequests {
		t.Fatalf("address after %d failures: %d", maxAddressFailures, w.Code)
	}
	if w := env.signInFrom("[2001:db8:1::4]:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("another /64: %d", w.Code)
	}
	env.Advance(lockout)
	if w := env.signInFrom("[2001:db8::4]:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("after the pause: %d", w.Code)
	}

	// Failures older than the window are forgotten.
	for range maxFailures - 1 {
		env.signInFrom("203.0.113.10:1", env.AccessKeyID, "wrong")
	}
	env.Advance(failureWindow)
	env.signInFrom("203.0.113.10:1", env.AccessKeyID, "wrong")
	if w := env.signInFrom("203.0.113.10:1", env.AccessKeyID, env.AccessKeySecret); w.Code != http.StatusSeeOther {
		t.Fatalf("old failures counted: %d", w.Code)
	}
}

// TestGuardConcurrent: attempts at once count before their check, so no
// more than the limit are let through.
func TestGuardConcurrent(t *testing.T) {
	g := newGuard()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := attemptKeys(adminIdentity, "192.0.2.1")
	var mu sync.Mutex
	var wg sync.WaitGroup
	admitted := 0
	for range 50 {
		wg.Go(func() {
			if _, ok := g.begin(now, keys...); ok {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if admitted != maxFailures {
		t.Fatalf("admitted %d attempts at once; limit %d", admitted, maxFailures)
	}
}

// TestGuardBounded: the guard's counters stay bounded, and a flood of new
// keys never drops an active lockout.
func TestGuardBounded(t *testing.T) {
	g := newGuard()
	g.max = 200
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	admin := attemptKeys(adminIdentity, "192.0.2.1")
	for range maxFailures {
		g.begin(now, admin...)
	}
	if _, ok := g.begin(now, admin...); ok {
		t.Fatal("not locked")
	}
	for i := range g.max * 10 {
		g.begin(now, attemptKeys("key:?", "10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250))...)
		if len(g.entries) > g.max || g.order.Len() != len(g.entries) {
			t.Fatalf("entries %d, list %d; bound %d", len(g.entries), g.order.Len(), g.max)
		}
	}
	if _, ok := g.begin(now, admin...); ok {
		t.Fatal("the flood dropped the admin lockout")
	}
	// Full of lockouts: an attempt that cannot be counted is refused (else
	// filling the table with lockouts would open unlimited guessing from
	// fresh addresses), and the lockouts stay.
	g2 := newGuard()
	g2.max = 2
	locked := []counter{{key: "ip:192.0.2.1", limit: 1}, {key: "ip:192.0.2.2", limit: 1}}
	for _, k := range locked {
		g2.begin(now, k)
	}
	if _, ok := g2.begin(now, attemptKeys("key:?", "192.0.2.9")...); ok {
		t.Fatal("an attempt the full guard could not count was let through")
	}
	for _, k := range locked {
		if _, ok := g2.begin(now, k); ok {
			t.Fatalf("lockout %s dropped", k.key)
		}
	}
	// Past the lockout, room is made again.
	later := now.Add(lockout)
	if _, ok := g2.begin(later, attemptKeys("key:?", "192.0.2.9")...); !ok || g2.entries["ip:192.0.2.9"] == nil {
		t.Fatalf("no room after the lockouts ended: %v", g2.entries)
	}
}

// TestGuardKeepsTheAttemptsCounters: making room for an attempt's
// address counter never drops the same attempt's (identity, address)
// counter, which would lose its count and the lockout it reaches.
func TestGuardKeepsTheAttemptsCounters(t *testing.T) {
	g := newGuard()
	g.max = 3
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	admin := attemptKeys(adminIdentity, "192.0.2.1")
	g.begin(now, attemptKeys("key:?", "192.0.2.1")...) // id:key:? A, ip:A
	for range maxFailures - 1 {
		g.begin(now, admin...) // id:admin A, behind ip:A
	}
	// Another address's attempt makes room: id:key:? A and ip:A go, the
	// admin's counter is now the oldest, and the admin's next attempt
	// needs room for ip:A again.
	g.begin(now, attemptKeys("key:?", "198.51.100.7")...)
	if f := g.order.Front().Value.(*failures); f.key != admin[0].key || g.entries[admin[1].key] != nil { //nolint:forcetypeassert // the list holds only these
		t.Fatalf("setup: front %s, entries %v", f.key, g.entries)
	}
	if _, ok := g.begin(now, admin...); !ok { // the 10th: counted, locks
		t.Fatal("10th attempt refused")
	}
	if f := g.entries[admin[0].key]; f == nil || f.n != maxFailures {
		t.Fatalf("the admin's counter after its 10th attempt: %+v", f)
	}
	if _, ok := g.begin(now, admin...); ok {
		t.Fatal("11th attempt from the same address let through: the lockout went to a dropped counter")
	}
}

// TestPasswordSignInBounded: a password sign-in is refused at once when
// none is set; at most maxPasswordChecks run at once (503 beyond); and
// attempts at once never exceed the limit.
func TestPasswordSignInBounded(t *testing.T) {
	env := newTestEnv(t)
	if _, body := env.get(t, env.client(t), "/signin"); !strings.Contains(body, "set-password link") {
		t.Errorf("the sign-in page does not mention the set-password link:\n%s", body)
	}
	w := env.postFrom("192.0.2.1:1", "/console/signin/password", url.Values{"admin_password": {"anything at all"}})
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "No admin password is set yet") ||
		!strings.Contains(w.Body.String(), "set-password link") {
		t.Fatalf("no password set: %d\n%s", w.Code, w.Body)
	}
	const pw = "a long admin passphrase"
	if err := env.Domain.SetAdminPassword(context.Background(), pw); err != nil {
		t.Fatal(err)
	}

	// Both slots taken: 503, no check, nothing counted.
	var dones []func()
	for range maxPasswordChecks {
		done, ok := env.Console.guard.startPasswordCheck()
		if !ok {
			t.Fatal("no slot")
		}
		dones = append(dones, done)
	}
	w = env.postFrom("192.0.2.1:1", "/console/signin/password", url.Values{"admin_password": {pw}})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Wait a few seconds") {
		t.Fatalf("busy: %d %q\n%s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	for _, d := range dones {
		d()
	}

	// Many at once from one address: at most maxFailures are checked.
	var mu sync.Mutex
	var wg sync.WaitGroup
	codes := map[int]int{}
	for range 30 {
		wg.Go(func() {
			w := env.postFrom("192.0.2.1:1", "/console/signin/password", url.Values{"admin_password": {"not it at all"}})
			mu.Lock()
			codes[w.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] > maxFailures || codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests]+codes[http.StatusServiceUnavailable] != 30 {
		t.Fatalf("answers: %v", codes)
	}
	for codes[http.StatusUnauthorized] < maxFailures {
		w := env.postFrom("192.0.2.1:1", "/console/signin/password", url.Values{"admin_password": {"not it at all"}})
		codes[w.Code]++
		if w.Code == http.StatusTooManyRequests {
			break
		}
	}
	if w := env.postFrom("192.0.2.1:1", "/console/signin/password", url.Values{"admin_password": {pw}}); w.Code != http.StatusTooManyRequests {
		t.Fatalf("admin from the failing address: %d", w.Code)
	}
	// The admin from elsewhere is not locked out.
	if w := env.postFrom("192.0.2.2:1", "/console/signin/password", url.Values{"admin_password": {pw}}); w.Code != http.StatusSeeOther {
		t.Fatalf("admin from another address: %d\n%s", w.Code, w.Body)
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

// TestSignOut: signing out ends every session of the identity, in every
// browser, on every console sharing the store, and after a restart.
func TestSignOut(t *testing.T) {
	env := newTestEnv(t)
	c := env.signIn(t)
	other := env.signIn(t) // another browser, same identity
	u, _ := url.Parse(env.Base + "/")
	saved := c.Jar.Cookies(u)
	env.Advance(time.Second)
	resp, _ := env.post(t, c, "/signout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/signin" {
		t.Fatalf("sign out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := env.get(t, c, "/signin"); !strings.Contains(body, "every session of "+env.AccessKeyID+" has ended") {
		t.Errorf("the page does not say every session ended:\n%s", body)
	}
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", resp.StatusCode)
	}
	if resp, _ := env.get(t, other, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the other browser after sign-out: %d", resp.StatusCode)
	}
	// The old cookie, replayed, is refused, here and by a console that
	// never saw the sign-out (another node, or this one restarted).
	replay := env.client(t)
	replay.Jar.SetCookies(u, saved)
	if resp, _ := env.get(t, replay, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed cookie: %d", resp.StatusCode)
	}
	fresh, err := New(env.Console.opts)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/console/", nil)
	for _, ck := range saved {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	fresh.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("replayed cookie on a fresh console: %d", w.Code)
	}
	if evs := env.Audit.Events(t, ActionSignOut); len(evs) != 1 || evs[0].Actor != "console:"+env.AccessKeyID || evs[0].Outcome != audit.Success {
		t.Errorf("sign-out events: %+v", evs)
	}
	// Signing in again works.
	env.Advance(time.Second)
	c = env.signIn(t)
	if resp, _ := env.get(t, c, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in again: %d", resp.StatusCode)
	}
}
