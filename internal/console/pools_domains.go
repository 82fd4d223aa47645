package console

import (
	"net/http"
	"strings"
)

func (c *Console) routesPoolsDomains() {
	c.handle("POST /pools/{pool}/domains", c.poolsDomainCreate)
	c.handle("POST /pools/{pool}/domains/delete", c.poolsDomainDelete)
	c.handle("GET /pools/{pool}/domains", c.back("/pools/{pool}"))
	c.handle("GET /pools/{pool}/domains/delete", c.back("/pools/{pool}"))
}

// poolsDomainCreate gives the pool a prefix domain (domain.CreateDomain).
func (c *Console) poolsDomainCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.opts.Domain.GetPool(ctx, r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	prefix := strings.TrimSpace(r.PostFormValue("prefix"))
	d, err := c.opts.Domain.CreateDomain(ctx, p.ID, prefix)
	if err != nil {
		c.refuse(w, r, err, func(status int, msg string) {
			c.renderPool(w, r, status, msg, func(d *poolsPageData) { d.DomainPrefix = prefix })
		})
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Domain "+d.Domain+" added.")
}

// poolsDomainDelete deletes one of the pool's domains made by hand.
func (c *Console) poolsDomainDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	poolID := r.PathValue("pool")
	domains, err := c.opts.Domain.ListDomains(ctx, poolID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name := r.PostFormValue("domain")
	for _, d := range domains {
		if d.Domain != name {
			continue
		}
		if err := c.opts.Domain.DeleteDomain(ctx, d); err != nil {
			c.refuse(w, r, err, func(status int, msg string) { c.renderPool(w, r, status, msg, nil) })
			return
		}
		c.redirect(w, r, "/pools/"+poolID, "Domain "+d.Domain+" deleted.")
		return
	}
	c.renderPool(w, r, http.StatusNotFound, "The pool has no domain "+name+".", nil)
}
