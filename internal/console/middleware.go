package console

import (
	"net/http"
	"net/url"
)

// csp is the console's Content-Security-Policy: scripts, styles and
// images from the console's own origin only (no inline script or style),
// forms posting to it, no framing, no plugins.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers of every console answer.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// crossOrigin refuses a change whose browser says it comes from another
// origin (Sec-Fetch-Site, else Origin against Host).
var crossOrigin = http.NewCrossOriginProtection()

// requireSession serves h with the request's session, or sends the
// browser to sign in; a change (any method but GET and HEAD) must also be
// same-origin and carry the session's CSRF token: 403 otherwise.
func (c *Console) requireSession(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.readSession(r)
		if s == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, c.opts.Path+"/signin?next="+url.QueryEscape(c.opts.Path+r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.forbidden(w, r, "Your session has ended. Sign in again, then repeat the change.")
			return
		}
		r = withSession(r, s)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := crossOrigin.Check(r); err != nil {
				c.forbidden(w, r, "This change came from another site and was refused.")
				return
			}
			if err := parseForm(w, r); err != nil {
				c.forbidden(w, r, "The form could not be read.")
				return
			}
			if !checkCSRF(r, s) {
				c.forbidden(w, r, "The form's security token is missing or stale. Reload the page and try again.")
				return
			}
		}
		c.touch(w, r, s)
		h(w, r)
	}
}

// touch renews the session's idle time, at most once a minute.
func (c *Console) touch(w http.ResponseWriter, r *http.Request, s *Session) {
	now := c.opts.Now().UTC()
	if now.Sub(s.Seen) < 60e9 {
		return
	}
	s.Seen = now
	c.writeSession(w, r, s)
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	c.render(w, r, http.StatusForbidden, "error", Page{Title: "Refused", Data: errorData{Heading: "Refused", Message: msg}})
}
