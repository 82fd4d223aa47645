package console

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
)

// Audited actions of the console's own (changes are audited by the
// domain).
const (
	ActionSignIn  = "console.signin"
	ActionSignOut = "console.signout"
)

// routesAuth registers signing in and out, and the first start's setup.
func (c *Console) routesAuth() {
	c.mux.HandleFunc("GET /signin", c.signInPage)
	c.mux.HandleFunc("POST /signin", c.signIn)
	c.mux.HandleFunc("POST /signin/password", c.signInPassword)
	c.mux.HandleFunc("GET /signin/link", c.signInLink)
	c.mux.HandleFunc("GET /setup", c.setupPage)
	c.mux.HandleFunc("POST /setup", c.setup)
	c.handle("POST /signout", c.signOut)
}

type signInData struct {
	Next        string
	AccessKeyID string
	// Password is whether the admin password can be used.
	Password bool
	// Link is whether a sign-in link exists (dev).
	Link bool
	// Error is why the last sign-in was refused.
	Error string
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if c.readSession(r) != nil {
		http.Redirect(w, r, c.next(r.URL.Query().Get("next")), http.StatusSeeOther) //nolint:gosec // next keeps to the console's paths
		return
	}
	c.renderSignIn(w, r, http.StatusOK, "", r.URL.Query().Get("next"), "")
}

// renderSignIn renders the sign-in page with status and msg (an error,
// or "").
func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, msg, next, accessKeyID string) {
	set, err := c.opts.Domain.AdminPasswordSet(r.Context())
	if err != nil {
		c.log.Error("console: admin password", "err", err)
	}
	c.render(w, r, status, "signin", Page{Title: "Sign in", Data: signInData{
		Next: c.nextOrEmpty(next), AccessKeyID: accessKeyID, Password: set, Link: c.opts.LinkToken != "", Error: msg,
	}})
}

// badCredentials is the one answer to wrong credentials, whichever part
// was wrong.
const badCredentials = "Those credentials are not right. Check the access key ID and its secret, or the password." //nolint:gosec // a message, not a credential

// signIn signs in with an access key id and its secret.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if !c.signInForm(w, r) {
		return
	}
	id := strings.TrimSpace(r.PostFormValue("access_key_id"))
	secret := r.PostFormValue("secret_access_key")
	next := r.PostFormValue("next")
	if len(id) > 128 {
		id = id[:128]
	}
	want, err := c.opts.Domain.AccessKeySecret(r.Context(), id)
	known := err == nil && id != ""
	identity := "key:?" // unknown ids share one counter
	if known {
		identity = "key:" + id
	}
	keys := attemptKeys(identity, clientIP(r))
	if c.throttled(w, r, keys, id, next) {
		return
	}
	if !known {
		// The same comparison as for a known key: the answer takes as
		// long for an unknown key as for a wrong secret.
		want = "tollgate-unknown-access-key-0000000000"
	}
	match := subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
	if !known || !match {
		reason, actor := "unknown_access_key", audit.Anonymous
		if known {
			reason, actor = "wrong_secret", "console:"+id
		}
		c.failedSignIn(w, r, actor, reason, id, next)
		return
	}
	c.guard.succeed(keys...)
	c.recordSignIn(r, "console:"+id, audit.Success, "", id)
	c.newSession(w, r, id, methodAccessKey, "")
	http.Redirect(w, r, c.next(next), http.StatusSeeOther)
}

// noPassword is the answer to a password sign-in when none is set.
const noPassword = "No admin password is set yet. Set one from a shell with `tollgate console password`, " +
	"or open the set-password link `serve` or `dev` printed when it started."

// signInPassword signs in with the admin password. It refuses at once
// when none is set; it checks at most maxPasswordChecks passwords at once
// (argon2id costs memory), answering 503 beyond; an attempt counts
// against the limits before its check.
func (c *Console) signInPassword(w http.ResponseWriter, r *http.Request) {
	if !c.signInForm(w, r) {
		return
	}
	next := r.PostFormValue("next")
	set, err := c.opts.Domain.AdminPasswordSet(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if !set {
		c.recordSignIn(r, audit.Anonymous, audit.Denied, "no_password", "")
		c.renderSignIn(w, r, http.StatusUnauthorized, noPassword, next, "")
		return
	}
	done, ok := c.guard.startPasswordCheck()
	if !ok {
		c.recordSignIn(r, audit.Anonymous, audit.Denied, "busy", "")
		w.Header().Set("Retry-After", "5")
		c.renderSignIn(w, r, http.StatusServiceUnavailable,
			"The server is checking other password sign-ins. Wait a few seconds, then sign in again.", next, "")
		return
	}
	defer done()
	keys := attemptKeys(adminIdentity, clientIP(r))
	if c.throttled(w, r, keys, "", next) {
		return
	}
	ok, gen, err := c.opts.Domain.CheckAdminPassword(r.Context(), r.PostFormValue("admin_password"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if !ok {
		c.failedSignIn(w, r, "console:"+adminIdentity, "wrong_password", "", next)
		return
	}
	c.guard.succeed(keys...)
	c.recordSignIn(r, "console:"+adminIdentity, audit.Success, "", "")
	c.newSession(w, r, adminIdentity, methodPassword, gen)
	http.Redirect(w, r, c.next(next), http.StatusSeeOther)
}

// signInForm checks that a sign-in is same-origin and reads its form;
// false when it answered.
func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) bool {
	if err := crossOrigin.Check(r); err != nil {
		c.forbidden(w, r, "This sign-in came from another site and was refused.")
		return false
	}
	if err := parseForm(w, r); err != nil {
		c.forbidden(w, r, "The form could not be read.")
		return false
	}
	return true
}

// throttled starts a sign-in attempt (counted before its check), or
// answers 429 when the client's address, or the identity from that
// address, failed too often lately.
func (c *Console) throttled(w http.ResponseWriter, r *http.Request, keys []counter, accessKeyID, next string) bool {
	now := c.opts.Now()
	until, ok := c.guard.begin(now, keys...)
	if ok {
		return false
	}
	c.recordSignIn(r, audit.Anonymous, audit.Denied, "throttled", "")
	mins := int(until.Sub(now).Round(time.Minute) / time.Minute)
	mins = max(mins, 1)
	c.renderSignIn(w, r, http.StatusTooManyRequests,
		fmt.Sprintf("Too many failed sign-ins. Sign-in is paused for %d min; try again after %s.", mins, until.UTC().Format("15:04 UTC")),
		next, accessKeyID)
	return true
}

// failedSignIn answers 401 (the attempt was counted when it began).
func (c *Console) failedSignIn(w http.ResponseWriter, r *http.Request, actor, reason, accessKeyID, next string) {
	var keyID string
	if actor != audit.Anonymous {
		keyID = accessKeyID
	}
	c.recordSignIn(r, actor, audit.Denied, reason, keyID)
	c.renderSignIn(w, r, http.StatusUnauthorized, badCredentials, next, accessKeyID)
}

// recordSignIn audits a sign-in. actor names a real identity only
// ("console:{key id}", "console:admin"), else audit.Anonymous: what a
// stranger typed may be anything, a secret included.
func (c *Console) recordSignIn(r *http.Request, actor string, outcome audit.Outcome, reason, accessKeyID string) {
	if c.opts.Audit == nil {
		return
	}
	ev := audit.From(r.Context(), ActionSignIn)
	ev.Actor, ev.Outcome, ev.Reason, ev.Time = actor, outcome, reason, c.opts.Now().UTC()
	ev.Endpoint, ev.RemoteAddr, ev.AccessKeyID = "console", r.RemoteAddr, accessKeyID
	c.opts.Audit.Emit(ev)
}

// clientIP is the address a request came from (the connection's peer:
// no forwarding header is trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signInLink signs in with the link `tollgate dev` prints.
func (c *Console) signInLink(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if c.opts.LinkToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(c.opts.LinkToken)) != 1 {
		c.recordSignIn(r, audit.Anonymous, audit.Denied, "bad_link", "")
		c.renderSignIn(w, r, http.StatusUnauthorized, "That sign-in link is not valid (it lasts while the dev server that printed it runs).", "", "")
		return
	}
	c.recordSignIn(r, "console:"+c.opts.LinkActor, audit.Success, "link", c.opts.LinkActor)
	c.newSession(w, r, c.opts.LinkActor, methodLink, "")
	http.Redirect(w, r, c.opts.Path+"/", http.StatusSeeOther)
}

// signOut ends every session of the operator's identity, on every node
// sharing the store and across restarts (domain.EndConsoleSessions,
// audited as console.signout), not only this browser's.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if err := c.opts.Domain.EndConsoleSessions(r.Context(), s.Identity); err != nil {
		c.fail(w, r, err)
		return
	}
	c.endSession(w, r)
	c.setFlash(w, r, "You are signed out: every session of "+s.Identity+" has ended, in every browser.")
	http.Redirect(w, r, c.opts.Path+"/signin", http.StatusSeeOther)
}

// next is where to go after signing in: a path of the console, never
// another site.
func (c *Console) next(p string) string {
	if p = c.nextOrEmpty(p); p != "" {
		return p
	}
	return c.opts.Path + "/"
}

// nextOrEmpty returns p when it is a path of the console: no scheme or
// host, no backslash or control character, no "//", no dot segments and
// no encoded slash, under the console's path; otherwise "".
func (c *Console) nextOrEmpty(p string) string {
	base := c.opts.Path + "/"
	if len(p) > 2048 || !strings.HasPrefix(p, base) || strings.Contains(p, "//") {
		return ""
	}
	for _, r := range p {
		if r == '\\' || r < 0x20 || r == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.RawPath != "" {
		return ""
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path || !strings.HasPrefix(u.Path, base) || strings.ContainsAny(u.Path, "\\") {
		return ""
	}
	return p
}

// setupMu makes setting the first password one at a time: two setup
// forms posted at once set it once.
var setupMu sync.Mutex

type setupData struct {
	Token, Error string
}

// setupOpen reports whether the setup link works: it was made at start
// and no password is set yet. It answers when not.
func (c *Console) setupOpen(w http.ResponseWriter, r *http.Request, tok string) bool {
	if c.opts.SetupToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(c.opts.SetupToken)) != 1 {
		c.render(w, r, http.StatusForbidden, "error", Page{Title: "Setup link not valid", Data: errorData{
			Heading: "This setup link is not valid",
			Message: "Use the link the server printed at its start (it lasts while that process runs), or set the password from a shell with `tollgate console password`.",
		}})
		return false
	}
	set, err := c.opts.Domain.AdminPasswordSet(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return false
	}
	if set {
		c.render(w, r, http.StatusConflict, "error", Page{Title: "Password already set", Data: errorData{
			Heading: "The admin password is already set",
			Message: "Sign in with it, or reset it from a shell with `tollgate console password`.",
		}})
		return false
	}
	return true
}

func (c *Console) setupPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if !c.setupOpen(w, r, tok) {
		return
	}
	c.render(w, r, http.StatusOK, "setup", Page{Title: "Set the admin password", Data: setupData{Token: tok}})
}

// setup sets the first admin password and signs in as admin.
func (c *Console) setup(w http.ResponseWriter, r *http.Request) {
	if !c.signInForm(w, r) {
		return
	}
	setupMu.Lock()
	defer setupMu.Unlock()
	tok := r.PostFormValue("token")
	if !c.setupOpen(w, r, tok) {
		return
	}
	pw, again := r.PostFormValue("password"), r.PostFormValue("password_again")
	refuse := func(msg string) {
		c.render(w, r, http.StatusBadRequest, "setup", Page{Title: "Set the admin password", Data: setupData{Token: tok, Error: msg}})
	}
	if subtle.ConstantTimeCompare([]byte(pw), []byte(again)) != 1 {
		refuse("The two passwords differ. Type the same password twice.")
		return
	}
	ctx := audit.WithActor(r.Context(), "console:setup")
	if err := c.opts.Domain.SetAdminPassword(ctx, pw); err != nil {
		if msg, ok := c.ErrorMessage(r, err); ok {
			refuse(upperFirst(msg) + ".")
			return
		}
		c.fail(w, r, err)
		return
	}
	ok, gen, err := c.opts.Domain.CheckAdminPassword(context.WithoutCancel(r.Context()), pw)
	if err != nil || !ok {
		c.fail(w, r, fmt.Errorf("check the password just set: %v %w", ok, err))
		return
	}
	c.recordSignIn(r, "console:"+adminIdentity, audit.Success, "setup", "")
	c.newSession(w, r, adminIdentity, methodPassword, gen)
	c.redirect(w, r, "/", "The admin password is set. You are signed in as admin.")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
