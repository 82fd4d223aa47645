package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/audit"
)

// Session is a signed-in operator's session, kept in a cookie sealed with
// the master key: nothing of it is stored on the server, so every node
// sharing the master key accepts it.
type Session struct {
	ID string `json:"id"`
	// Identity is who signed in: an access key id, or "admin" (the admin
	// password).
	Identity string `json:"who"`
	// Method is how: "access_key", "password" or "link".
	Method string `json:"how"`
	// Gen is, for a session signed in with the admin password, the
	// generation of the password it was checked against: the session ends
	// when the password is set again.
	Gen string `json:"gen,omitempty"`
	// CSRF is the token every change must carry.
	CSRF    string    `json:"csrf"`
	Issued  time.Time `json:"iat"`
	Expires time.Time `json:"exp"`
	Seen    time.Time `json:"seen"`
}

// Actor is the session's audit actor.
func (s *Session) Actor() string { return "console:" + s.Identity }

// CookieName is the console's session cookie's name; over HTTPS it is
// "__Secure-" + CookieName. Its flash cookie's name starts with it too.
const CookieName = "tollgate_console"

// IsCookie reports whether a cookie of that name is the console's: the
// server strips them from what the gateway passes on when the console
// shares the main listeners' origin.
func IsCookie(name string) bool {
	return strings.HasPrefix(strings.TrimPrefix(name, "__Secure-"), CookieName)
}

const (
	cookieName       = CookieName
	secureCookieName = "__Secure-" + CookieName
	sessionAAD       = "tollgate console session v1"
	flashCookie      = "tollgate_console_flash"
	flashAAD         = "tollgate console flash v1"
)

type sessionKey struct{}

// sessionOf returns the request's session, or nil.
func sessionOf(r *http.Request) *Session {
	s, _ := r.Context().Value(sessionKey{}).(*Session)
	return s
}

func withSession(r *http.Request, s *Session) *http.Request {
	ctx := context.WithValue(r.Context(), sessionKey{}, s)
	ctx = audit.WithActor(ctx, s.Actor())
	return r.WithContext(ctx)
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Session methods: how an operator signed in.
const (
	methodAccessKey = "access_key"
	methodPassword  = "password"
	methodLink      = "link"
)

// adminIdentity is the identity of the admin password's sessions.
const adminIdentity = "admin"

// newSession starts a session for identity and sets its cookie; gen is
// the password's generation for a password session.
func (c *Console) newSession(w http.ResponseWriter, r *http.Request, identity, method, gen string) *Session {
	now := c.opts.Now().UTC()
	s := &Session{
		ID: randomToken(16), Identity: identity, Method: method, Gen: gen, CSRF: randomToken(32),
		Issued: now, Expires: now.Add(c.opts.SessionTTL), Seen: now,
	}
	c.writeSession(w, r, s)
	return s
}

func (c *Console) writeSession(w http.ResponseWriter, r *http.Request, s *Session) {
	b, _ := json.Marshal(s)
	sealed := c.opts.Vault.Seal(b, []byte(sessionAAD))
	http.SetCookie(w, c.cookie(r, base64.RawURLEncoding.EncodeToString(sealed), s.Expires))
}

// cookie is the session cookie with value, expiring at exp (a zero exp
// and empty value delete it).
func (c *Console) cookie(r *http.Request, value string, exp time.Time) *http.Cookie {
	ck := &http.Cookie{Name: cookieName, Value: value, Path: c.opts.Path + "/", HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if c.secure(r) {
		// __Secure-: only ever set over HTTPS. No Domain: this host only;
		// the console's path only, so that no other path of the origin
		// (an API's, on the main listener) is sent it.
		ck.Name, ck.Secure = secureCookieName, true
	}
	if value == "" {
		ck.MaxAge = -1
	} else {
		// Max-Age, not Expires: relative, so a browser's clock does not
		// matter (the session's own times are checked on each request).
		ck.MaxAge = max(1, int(exp.Sub(c.opts.Now()).Seconds()))
	}
	return ck
}

// secure reports whether the console's cookies are Secure: over TLS, or
// when the console's public URL is https (Options.SecureCookies).
func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || c.opts.SecureCookies
}

// readSession returns the request's valid session, or nil: sealed by
// this master key, within its lifetime and idle timeout, and its
// identity still good and not signed out since (checkIdentity).
func (c *Console) readSession(r *http.Request) *Session {
	s := c.openSession(r)
	if s == nil || !c.checkIdentity(r, s) {
		return nil
	}
	return s
}

// checkIdentity reports whether what signed s in still holds: its access
// key is still stored (a deleted key ends its sessions at once), or the
// admin password is the one it signed in with; and the identity has not
// signed out since s was issued (signing out ends every session of the
// identity: domain.EndConsoleSessions). It reads the domain on each
// request: two small reads.
func (c *Console) checkIdentity(r *http.Request, s *Session) bool {
	ended, err := c.opts.Domain.ConsoleSessionsEnded(r.Context(), s.Identity)
	if err != nil {
		c.log.Error("console: check session", "identity", s.Identity, "err", err)
		return false
	}
	if !ended.IsZero() && !s.Issued.After(ended) {
		return false
	}
	var ok bool
	switch s.Method {
	case methodAccessKey, methodLink:
		ok, err = c.opts.Domain.AccessKeyExists(r.Context(), s.Identity)
	case methodPassword:
		var gen string
		gen, err = c.opts.Domain.AdminPasswordGen(r.Context())
		ok = gen != "" && subtle.ConstantTimeCompare([]byte(gen), []byte(s.Gen)) == 1
	}
	if err != nil {
		c.log.Error("console: check session", "identity", s.Identity, "err", err)
		return false
	}
	return ok
}

// openSession returns the session of the request's cookie when it opens
// and is within its lifetime and idle timeout, or nil.
func (c *Console) openSession(r *http.Request) *Session {
	name := cookieName
	if c.secure(r) {
		name = secureCookieName
	}
	ck, err := r.Cookie(name)
	if err != nil {
		return nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	b, err := c.opts.Vault.Open(sealed, []byte(sessionAAD))
	if err != nil {
		return nil
	}
	var s Session
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	now := c.opts.Now()
	if !now.Before(s.Expires) || now.Sub(s.Seen) >= c.opts.IdleTimeout {
		return nil
	}
	return &s
}

// endSession deletes the session cookie (the session itself ends by
// domain.EndConsoleSessions: a replayed cookie is refused).
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, c.cookie(r, "", time.Time{}))
}

// checkCSRF reports whether a change carries the session's CSRF token,
// in the form field "csrf" or the X-CSRF-Token header.
func checkCSRF(r *http.Request, s *Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) == 1
}

// setFlash keeps msg for the next page, sealed (no page shows a message
// a link could forge).
func (c *Console) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	sealed := c.opts.Vault.Seal([]byte(msg), []byte(flashAAD))
	//nolint:gosec // HttpOnly, SameSite=Strict, and Secure whenever the console is reached over HTTPS (c.secure)
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: c.opts.Path + "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r), MaxAge: 60})
}

// takeFlash returns the flash message and deletes it.
func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	//nolint:gosec // as setFlash's
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: c.opts.Path + "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.secure(r)})
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return ""
	}
	b, err := c.opts.Vault.Open(sealed, []byte(flashAAD))
	if err != nil {
		return ""
	}
	return string(b)
}
