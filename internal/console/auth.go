package console

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// routesAuth registers signing in and out.
func (c *Console) routesAuth() {
	c.mux.HandleFunc("GET /signin", c.signInPage)
	c.mux.HandleFunc("POST /signin", c.signIn)
	c.mux.HandleFunc("GET /signin/link", c.signInLink)
	c.handle("POST /signout", c.signOut)
}

type signInData struct {
	Next        string
	AccessKeyID string
	// Password is whether the admin password can be used.
	Password bool
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if c.readSession(r) != nil {
		http.Redirect(w, r, c.next(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "signin", Page{Title: "Sign in", Data: signInData{Next: r.URL.Query().Get("next")}})
}

// signIn signs in with an access key id and its secret.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if err := crossOrigin.Check(r); err != nil {
		c.forbidden(w, r, "This sign-in came from another site and was refused.")
		return
	}
	if err := parseForm(w, r); err != nil {
		c.forbidden(w, r, "The form could not be read.")
		return
	}
	id := strings.TrimSpace(r.PostFormValue("access_key_id"))
	secret := r.PostFormValue("secret_access_key")
	want, err := c.opts.Domain.AccessKeySecret(r.Context(), id)
	if id == "" || err != nil || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		c.render(w, r, http.StatusUnauthorized, "signin", Page{Title: "Sign in", Error: "Those credentials are not right.",
			Data: signInData{Next: r.PostFormValue("next"), AccessKeyID: id}})
		return
	}
	c.newSession(w, r, id, "access_key")
	http.Redirect(w, r, c.next(r.PostFormValue("next")), http.StatusSeeOther)
}

// signInLink signs in with the link `tollgate dev` prints.
func (c *Console) signInLink(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if c.opts.LinkToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(c.opts.LinkToken)) != 1 {
		c.render(w, r, http.StatusUnauthorized, "signin", Page{Title: "Sign in", Error: "That sign-in link is not valid (it lasts while the dev server that printed it runs)."})
		return
	}
	c.newSession(w, r, c.opts.LinkActor, "link")
	http.Redirect(w, r, c.opts.Path+"/", http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	c.endSession(w, r)
	http.Redirect(w, r, c.opts.Path+"/signin", http.StatusSeeOther)
}

// next is where to go after signing in: a path of the console, never
// another site.
func (c *Console) next(p string) string {
	if strings.HasPrefix(p, c.opts.Path+"/") && !strings.HasPrefix(p, "//") && !strings.Contains(p, "\\") {
		return p
	}
	return c.opts.Path + "/"
}
