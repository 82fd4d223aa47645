package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// Resource servers are addressed by a query parameter, not a path
// segment: an identifier may hold slashes and colons
// ("https://api.example.com/v1").
func (c *Console) routesPoolsResourceServers() {
	c.handle("GET /pools/{pool}/resource-servers/new", c.poolsRSNew)
	c.handle("POST /pools/{pool}/resource-servers", c.poolsRSCreate)
	c.handle("GET /pools/{pool}/resource-servers/edit", c.poolsRSEdit)
	c.handle("POST /pools/{pool}/resource-servers/edit", c.poolsRSUpdate)
	c.handle("POST /pools/{pool}/resource-servers/delete", c.poolsRSDelete)
	c.handle("GET /pools/{pool}/resource-servers", c.back("/pools/{pool}"))
	c.handle("GET /pools/{pool}/resource-servers/delete", c.back("/pools/{pool}"))
}

// poolsRSForm is the resource server form's input.
type poolsRSForm struct {
	Identifier, Name string
	// Scopes is the textarea: one scope a line, its name, a space, its
	// description.
	Scopes string
}

// poolsRSData is the data of the resource server form page.
type poolsRSData struct {
	Pool *tollgate.UserPool
	// Edit is whether the form edits an existing server (whose identifier
	// does not change).
	Edit bool
	Form poolsRSForm
	Max  int // scopes a server may have
}

// poolsParseScopes reads the scopes textarea: each line that is not
// blank is a scope's name, then, after spaces, its description. The
// domain judges the names.
func poolsParseScopes(text string) []tollgate.Scope {
	var out []tollgate.Scope
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, desc, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(name, '\t'); i >= 0 {
			name, desc = name[:i], name[i+1:]+" "+desc
		}
		out = append(out, tollgate.Scope{Name: name, Description: strings.TrimSpace(desc)})
	}
	return out
}

// poolsFormatScopes writes scopes as the textarea holds them.
func poolsFormatScopes(scopes []tollgate.Scope) string {
	var b strings.Builder
	for _, s := range scopes {
		b.WriteString(s.Name)
		if s.Description != "" {
			b.WriteString(" " + s.Description)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func poolsRSFormOf(r *http.Request) poolsRSForm {
	return poolsRSForm{
		Identifier: strings.TrimSpace(r.PostFormValue("identifier")),
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Scopes:     r.PostFormValue("scopes"),
	}
}

// poolsRSPool reads the request's pool, or renders why not.
func (c *Console) poolsRSPool(w http.ResponseWriter, r *http.Request) *tollgate.UserPool {
	p, err := c.opts.Domain.GetPool(r.Context(), r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return nil
	}
	return p
}

func (c *Console) renderPoolsRS(w http.ResponseWriter, r *http.Request, status int, d poolsRSData, msg string) {
	title := "Add a resource server"
	if d.Edit {
		title = "Edit " + d.Form.Identifier
	}
	d.Max = tollgate.MaxScopesPerServer
	c.render(w, r, status, "pools_rs", Page{Title: title, Nav: "pools", Error: msg, Data: d})
}

func (c *Console) poolsRSNew(w http.ResponseWriter, r *http.Request) {
	p := c.poolsRSPool(w, r)
	if p == nil {
		return
	}
	c.renderPoolsRS(w, r, http.StatusOK, poolsRSData{Pool: p}, "")
}

func (c *Console) poolsRSCreate(w http.ResponseWriter, r *http.Request) {
	p := c.poolsRSPool(w, r)
	if p == nil {
		return
	}
	f := poolsRSFormOf(r)
	name := f.Name
	if name == "" {
		name = f.Identifier
	}
	spec := domain.ResourceServerSpec{Identifier: f.Identifier, Name: name, Scopes: poolsParseScopes(f.Scopes)}
	rs, err := c.opts.Domain.CreateResourceServer(r.Context(), p.ID, spec)
	if err != nil {
		c.refuse(w, r, err, func(status int, msg string) {
			c.renderPoolsRS(w, r, status, poolsRSData{Pool: p, Form: f}, msg)
		})
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Resource server "+rs.Identifier+" added with "+poolsCount(len(rs.Scopes), "scope")+".")
}

// poolsRS reads the pool and its resource server named by the
// identifier (query, else form), or renders why not.
func (c *Console) poolsRS(w http.ResponseWriter, r *http.Request) (*tollgate.UserPool, *tollgate.ResourceServer) {
	p := c.poolsRSPool(w, r)
	if p == nil {
		return nil, nil
	}
	id := r.URL.Query().Get("identifier")
	if id == "" && r.Method == http.MethodPost {
		id = r.PostFormValue("identifier")
	}
	rs, err := c.opts.Domain.GetResourceServer(r.Context(), p.ID, id)
	if err != nil {
		c.fail(w, r, err)
		return nil, nil
	}
	return p, rs
}

func (c *Console) poolsRSEdit(w http.ResponseWriter, r *http.Request) {
	p, rs := c.poolsRS(w, r)
	if rs == nil {
		return
	}
	if err := domain.CheckWritable(tollgate.ObjectResourceServer, rs.Identifier, rs.ConfigKey); err != nil {
		c.fail(w, r, err)
		return
	}
	f := poolsRSForm{Identifier: rs.Identifier, Name: rs.Name, Scopes: poolsFormatScopes(rs.Scopes)}
	c.renderPoolsRS(w, r, http.StatusOK, poolsRSData{Pool: p, Edit: true, Form: f}, "")
}

func (c *Console) poolsRSUpdate(w http.ResponseWriter, r *http.Request) {
	p, rs := c.poolsRS(w, r)
	if rs == nil {
		return
	}
	f := poolsRSFormOf(r)
	f.Identifier = rs.Identifier
	name := f.Name
	if name == "" {
		name = rs.Identifier
	}
	spec := domain.ResourceServerSpec{Identifier: rs.Identifier, Name: name, Scopes: poolsParseScopes(f.Scopes)}
	if _, err := c.opts.Domain.UpdateResourceServer(r.Context(), rs, spec); err != nil {
		c.refuse(w, r, err, func(status int, msg string) {
			c.renderPoolsRS(w, r, status, poolsRSData{Pool: p, Edit: true, Form: f}, msg)
		})
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Resource server "+rs.Identifier+" saved.")
}

func (c *Console) poolsRSDelete(w http.ResponseWriter, r *http.Request) {
	p, rs := c.poolsRS(w, r)
	if rs == nil {
		return
	}
	if err := c.opts.Domain.DeleteResourceServer(r.Context(), rs); err != nil {
		c.refuse(w, r, err, func(status int, msg string) { c.renderPool(w, r, status, msg, nil) })
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Resource server "+rs.Identifier+" deleted.")
}

// poolsCount says "1 scope", "3 scopes".
func poolsCount(n int, noun string) string {
	s := noun + "s"
	if n == 1 {
		s = noun
	}
	return strconv.Itoa(n) + " " + s
}
