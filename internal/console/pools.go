package console

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// routesPools registers the pools area: pools and their settings,
// resource servers and scopes, domains and signing keys.
func (c *Console) routesPools() {
	c.handle("GET /pools", c.poolsList)
	c.handle("GET /pools/new", c.poolsNew)
	c.handle("POST /pools", c.poolsCreate)
	c.handle("GET /pools/{pool}", c.poolsShow)
	c.handle("POST /pools/{pool}", c.poolsUpdate)
	c.handle("POST /pools/{pool}/delete", c.poolsDelete)
	c.handle("GET /pools/{pool}/delete", c.back("/pools/{pool}"))
	c.routesPoolsResourceServers()
	c.routesPoolsDomains()
	c.routesPoolsKeys()
}

// poolsRow is a pool as the list shows it.
type poolsRow struct {
	*tollgate.UserPool
	Clients, ResourceServers int
}

func (c *Console) poolsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pools, err := c.listPoolClients(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows := make([]poolsRow, 0, len(pools))
	for _, p := range pools {
		rss, err := c.opts.Domain.ListResourceServers(ctx, p.Pool.ID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		rows = append(rows, poolsRow{UserPool: p.Pool, Clients: len(p.Clients), ResourceServers: len(rss)})
	}
	c.render(w, r, http.StatusOK, "pools", Page{Title: "User pools", Nav: "pools", Data: rows})
}

// poolsForm is the input of the pool forms, kept to render them again
// after a refusal.
type poolsForm struct {
	Name, Region     string
	SigningAlgorithm string // "RS256", "ES256" or "EdDSA"
	AccessTokenJWT   bool
	DPoP, MTLS       bool
}

// poolsFormData is the data of the new pool page.
type poolsFormData struct {
	Form       poolsForm
	Algorithms []string
}

// poolsDefaultRegion is the region a new pool is offered, as the CLI's.
const poolsDefaultRegion = "us-east-1"

func (c *Console) poolsNew(w http.ResponseWriter, r *http.Request) {
	c.renderPoolsNew(w, r, http.StatusOK, poolsForm{Region: poolsDefaultRegion, SigningAlgorithm: tollgate.AlgRS256}, "")
}

func (c *Console) renderPoolsNew(w http.ResponseWriter, r *http.Request, status int, f poolsForm, msg string) {
	c.render(w, r, status, "pools_new", Page{Title: "Create a user pool", Nav: "pools", Error: msg,
		Data: poolsFormData{Form: f, Algorithms: tollgate.SigningAlgorithms}})
}

// poolsFormOf reads a pool form.
func poolsFormOf(r *http.Request) poolsForm {
	return poolsForm{
		Name:             strings.TrimSpace(r.PostFormValue("name")),
		Region:           strings.TrimSpace(r.PostFormValue("region")),
		SigningAlgorithm: r.PostFormValue("signing_algorithm"),
		AccessTokenJWT:   r.PostFormValue("access_token_type") == tollgate.AccessTokenJWTType,
		DPoP:             r.PostFormValue("dpop") != "",
		MTLS:             r.PostFormValue("mtls") != "",
	}
}

// apply returns o with the form's settings, the way the CLI's flags set
// them: RS256 is kept as "" (Cognito's), a DPoP policy already set is
// kept as it is.
func (f poolsForm) apply(o tollgate.PoolOAuth) tollgate.PoolOAuth {
	o.SigningAlgorithm = f.SigningAlgorithm
	if o.SigningAlgorithm == tollgate.AlgRS256 {
		o.SigningAlgorithm = ""
	}
	o.AccessTokenJWT = f.AccessTokenJWT
	switch {
	case f.DPoP && o.DPoP == nil:
		o.DPoP = &tollgate.DPoPPolicy{}
	case !f.DPoP:
		o.DPoP = nil
	}
	o.MTLS = f.MTLS
	return o
}

// poolsFormFrom is the settings form of pool p.
func poolsFormFrom(p *tollgate.UserPool) poolsForm {
	return poolsForm{
		Name: p.Name, Region: p.Region, SigningAlgorithm: p.OAuth.Algorithm(),
		AccessTokenJWT: p.OAuth.AccessTokenJWT, DPoP: p.OAuth.DPoP != nil, MTLS: p.OAuth.MTLS,
	}
}

func (c *Console) poolsCreate(w http.ResponseWriter, r *http.Request) {
	f := poolsFormOf(r)
	if f.Name == "" {
		c.renderPoolsNew(w, r, http.StatusBadRequest, f, "A pool needs a name.")
		return
	}
	var spec domain.PoolSpec
	if o := f.apply(tollgate.PoolOAuth{}); !o.IsZero() {
		spec.OAuth = &o
	}
	p, err := c.opts.Domain.CreatePoolWith(r.Context(), f.Name, f.Region, spec)
	if err != nil {
		c.refuse(w, r, err, func(status int, msg string) { c.renderPoolsNew(w, r, status, f, msg) })
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Pool "+p.Name+" created ("+p.ID+"). Add a resource server to define its scopes.")
}

// poolsPageData is the pool page's data.
type poolsPageData struct {
	Pool       *tollgate.UserPool
	DeclaredIn string // where the pool is declared; "" for a pool made by hand
	Issuer     string
	TokenURL   string
	JWKSURL    string
	Discovery  string

	ResourceServers []*tollgate.ResourceServer
	Clients         []*tollgate.Client
	Domains         []*tollgate.Domain
	Keys            []tollgate.SigningKey
	Extensions      []string

	Settings   poolsForm
	Algorithms []string
	// DomainPrefix is the domain form's input, kept after a refusal.
	DomainPrefix string
	// Rotate is the rotate form's input, kept after a refusal.
	Rotate    poolsRotateForm
	Durations poolsKeysHelp
	// NextFrom is when the next key may sign, when that is still to come
	// (it was published less than domain.PublishLead ago): until then a
	// rotation is refused unless forced. NextIn says how long until then.
	NextFrom time.Time
	NextIn   string
}

// poolsRotateForm is the rotate form's input.
type poolsRotateForm struct{ Force, RetireNow bool }

// poolsLoad reads pool id and what it owns.
func (c *Console) poolsLoad(ctx context.Context, id string) (*poolsPageData, error) {
	svc := c.opts.Domain
	p, err := svc.GetPool(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &poolsPageData{Pool: p, Settings: poolsFormFrom(p), Algorithms: tollgate.SigningAlgorithms, Extensions: poolsExtensions(p.OAuth), Durations: poolsKeyDurations}
	if p.ConfigKey != "" {
		d.DeclaredIn = tollgate.DeclaredIn(p.ConfigKey)
	}
	if c.opts.Backend != nil {
		d.Issuer = c.opts.Backend.Issuer(p.ID)
		d.TokenURL = strings.TrimSuffix(c.opts.Backend.PublicURL(), "/") + "/oauth2/token"
		d.JWKSURL = d.Issuer + "/.well-known/jwks.json"
		d.Discovery = d.Issuer + "/.well-known/openid-configuration"
	}
	if d.ResourceServers, err = svc.ListResourceServers(ctx, p.ID); err != nil {
		return nil, err
	}
	sort.Slice(d.ResourceServers, func(i, j int) bool { return d.ResourceServers[i].Identifier < d.ResourceServers[j].Identifier })
	if d.Clients, err = svc.ListClients(ctx, p.ID); err != nil {
		return nil, err
	}
	sort.Slice(d.Clients, func(i, j int) bool { return d.Clients[i].Name < d.Clients[j].Name })
	if d.Domains, err = svc.ListDomains(ctx, p.ID); err != nil {
		return nil, err
	}
	if d.Keys, err = svc.ListSigningKeys(ctx, p.ID); err != nil {
		return nil, err
	}
	sort.SliceStable(d.Keys, func(i, j int) bool { return poolsKeyOrder(d.Keys[i]) < poolsKeyOrder(d.Keys[j]) })
	d.NextFrom, d.NextIn = poolsNextKeyFrom(d.Keys, c.opts.Now())
	return d, nil
}

// poolsNextKeyFrom returns when the next key of keys may sign and how long
// until then, from now; zero and "" when it may sign now or there is none.
func poolsNextKeyFrom(keys []tollgate.SigningKey, now time.Time) (time.Time, string) {
	for _, k := range keys {
		if k.State != tollgate.KeyNext {
			continue
		}
		from := k.CreatedAt.Add(domain.PublishLead)
		if !now.Before(from) {
			return time.Time{}, ""
		}
		return from, "in " + roughly(max(from.Sub(now), time.Second))
	}
	return time.Time{}, ""
}

// poolsKeyOrder orders keys as they serve: active, next, then retired.
func poolsKeyOrder(k tollgate.SigningKey) int {
	switch k.State {
	case tollgate.KeyActive:
		return 0
	case tollgate.KeyNext:
		return 1
	}
	return 2
}

// poolsExtensions names the pool's extensions beyond Cognito, one phrase
// each (none for a Cognito pool).
func poolsExtensions(o tollgate.PoolOAuth) []string {
	var out []string
	if o.AccessTokenJWT {
		out = append(out, "RFC 9068 access tokens (at+jwt)")
	}
	if o.DPoP != nil {
		out = append(out, "DPoP-bound tokens")
	}
	if o.MTLS {
		out = append(out, "mutual TLS")
	}
	if o.ResourceIndicators {
		out = append(out, "resource indicators")
	}
	if o.Registration != nil {
		out = append(out, "dynamic client registration")
	}
	return out
}

func (c *Console) poolsShow(w http.ResponseWriter, r *http.Request) {
	c.renderPool(w, r, http.StatusOK, "", nil)
}

// renderPool renders the pool page with status and msg above it; edit,
// when not nil, changes the data first (to keep a refused form's input).
func (c *Console) renderPool(w http.ResponseWriter, r *http.Request, status int, msg string, edit func(*poolsPageData)) {
	d, err := c.poolsLoad(r.Context(), r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if edit != nil {
		edit(d)
	}
	c.render(w, r, status, "pools_show", Page{Title: d.Pool.Name, Nav: "pools", Error: msg, Data: d})
}

// poolsUpdate saves the pool's settings (its extensions beyond Cognito;
// the trigger is kept).
func (c *Console) poolsUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.opts.Domain.GetPool(ctx, r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := poolsFormOf(r)
	o := f.apply(p.OAuth)
	spec := domain.PoolSpec{PreTokenGeneration: p.PreTokenGeneration, OAuth: &o}
	if _, err := c.opts.Domain.UpdatePool(ctx, p, spec); err != nil {
		c.refuse(w, r, err, func(status int, msg string) {
			c.renderPool(w, r, status, msg, func(d *poolsPageData) {
				f.Name, f.Region = p.Name, p.Region
				d.Settings = f
			})
		})
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, "Settings of "+p.Name+" saved.")
}

func (c *Console) poolsDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.opts.Domain.GetPool(ctx, r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.opts.Domain.DeletePool(ctx, p); err != nil {
		c.refuse(w, r, err, func(status int, msg string) { c.renderPool(w, r, status, msg, nil) })
		return
	}
	c.redirect(w, r, "/pools", "Pool "+p.Name+" ("+p.ID+") deleted.")
}
