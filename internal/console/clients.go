package console

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// routesClients registers this area's pages: the clients of every pool,
// creating one (its secret shown once), a client's page with its secrets
// (add one for rotation, delete one), its scopes, flows and token
// validities, and deleting it. Every change goes through domain.Service,
// which applies the same rules as the CLI and the management API.
func (c *Console) routesClients() {
	c.handle("GET /clients", c.clientsList)
	c.handle("GET /clients/new", c.clientsChoosePool)
	c.handle("GET /pools/{pool}/clients/new", c.clientsNew)
	c.handle("POST /pools/{pool}/clients", c.clientsCreate)
	c.handle("GET /clients/{id}", c.clientsShow)
	c.handle("POST /clients/{id}", c.clientsUpdate)
	c.handle("POST /clients/{id}/delete", c.clientsDelete)
	c.handle("POST /clients/{id}/secrets", c.clientsAddSecret)
	c.handle("POST /clients/{id}/secrets/{secret}/delete", c.clientsDeleteSecret)
	// A reload of a page a change rendered (the new secret, shown once,
	// is not shown again).
	c.handle("GET /pools/{pool}/clients", c.back("/clients?pool={pool}"))
	c.handle("GET /clients/{id}/delete", c.back("/clients/{id}"))
	c.handle("GET /clients/{id}/secrets", c.back("/clients/{id}"))
	c.handle("GET /clients/{id}/secrets/{secret}/delete", c.back("/clients/{id}"))
}

// clientsRow is a client as the list shows it.
type clientsRow struct {
	*tollgate.Client
	PoolName  string
	Undefined []string
}

type clientsListData struct {
	Pools []*tollgate.UserPool
	// Pool is the pool filtered on ("" for all).
	Pool    string
	Clients []clientsRow
	// NewURL is where "Create client" leads (below Base).
	NewURL string
}

func (c *Console) clientsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	all, err := c.listPoolClients(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	names := map[string]string{}
	pools := make([]*tollgate.UserPool, 0, len(all))
	for _, p := range all {
		names[p.Pool.ID] = p.Pool.Name
		pools = append(pools, p.Pool)
	}
	d := clientsListData{Pools: pools, Pool: r.URL.Query().Get("pool")}
	if _, ok := names[d.Pool]; !ok {
		d.Pool = ""
	}
	var clients []*tollgate.Client
	for _, p := range all {
		if d.Pool == "" || p.Pool.ID == d.Pool {
			clients = append(clients, p.Clients...)
		}
	}
	undefined, err := c.opts.Domain.UndefinedScopes(ctx, clients)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, cl := range clients {
		d.Clients = append(d.Clients, clientsRow{Client: cl, PoolName: names[cl.PoolID], Undefined: undefined[cl.ID]})
	}
	slices.SortStableFunc(d.Clients, func(a, b clientsRow) int {
		return cmp.Or(cmp.Compare(a.PoolName, b.PoolName), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	switch {
	case d.Pool != "":
		d.NewURL = "/pools/" + d.Pool + "/clients/new"
	case len(pools) == 1:
		d.NewURL = "/pools/" + pools[0].ID + "/clients/new"
	default:
		d.NewURL = "/clients/new"
	}
	c.render(w, r, http.StatusOK, "clients", Page{Title: "App clients", Nav: "clients", Data: d})
}

// clientsChoosePool asks which pool a new client goes in (the list's
// "Create client" when there are several pools).
func (c *Console) clientsChoosePool(w http.ResponseWriter, r *http.Request) {
	pools, err := c.opts.Domain.ListPools(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if p := r.URL.Query().Get("pool"); p != "" {
		for _, pool := range pools {
			if pool.ID == p {
				http.Redirect(w, r, c.opts.Path+"/pools/"+pool.ID+"/clients/new", http.StatusSeeOther)
				return
			}
		}
	}
	if len(pools) == 1 {
		http.Redirect(w, r, c.opts.Path+"/pools/"+pools[0].ID+"/clients/new", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "clients_pool", Page{Title: "Create client", Nav: "clients", Data: pools})
}

// clientsPoolScopes returns the scopes the pool's resource servers define,
// in order, with their descriptions.
func (c *Console) clientsPoolScopes(r *http.Request, poolID string) ([]clientsScope, error) {
	rss, err := c.opts.Domain.ListResourceServers(r.Context(), poolID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rss, func(a, b *tollgate.ResourceServer) int { return cmp.Compare(a.Identifier, b.Identifier) })
	var out []clientsScope
	for _, rs := range rss {
		for _, s := range rs.Scopes {
			out = append(out, clientsScope{Name: rs.Identifier + "/" + s.Name, Description: s.Description, Server: cmp.Or(rs.Name, rs.Identifier)})
		}
	}
	for i := range out {
		out[i].InputID = "scope-" + strconv.Itoa(i)
	}
	return out, nil
}

type clientsNewData struct {
	Pool *tollgate.UserPool
	Form clientsForm
}

func (c *Console) clientsNew(w http.ResponseWriter, r *http.Request) {
	pool, err := c.opts.Domain.GetPool(r.Context(), r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	scopes, err := c.clientsPoolScopes(r, pool.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := clientsFormFor(nil, scopes)
	c.render(w, r, http.StatusOK, "clients_new", Page{Title: "Create client", Nav: "clients", Data: clientsNewData{Pool: pool, Form: f}})
}

// clientsCreatedData is the page that shows a new secret, once.
type clientsCreatedData struct {
	Client *tollgate.Client
	Pool   *tollgate.UserPool
	// Secret is the secret in the clear; "" when the client has none.
	Secret string
	// SecretID is the id of the secret shown.
	SecretID string
	// Curl gets a token with the secret.
	Curl string
	// Added is whether the secret was added to an existing client
	// (rotation) rather than made with it.
	Added bool
}

func (c *Console) clientsCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pool, err := c.opts.Domain.GetPool(ctx, r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	scopes, err := c.clientsPoolScopes(r, pool.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := clientsFormFromRequest(r, scopes, nil)
	refuse := func(status int, msg string) {
		c.render(w, r, status, "clients_new", Page{Title: "Create client", Nav: "clients", Error: msg,
			Data: clientsNewData{Pool: pool, Form: f}})
	}
	spec, msg := f.spec()
	if msg != "" {
		refuse(http.StatusBadRequest, msg)
		return
	}
	if spec.Name == "" {
		refuse(http.StatusBadRequest, "Give the client a name.")
		return
	}
	cl, secret, err := c.opts.Domain.CreateClient(ctx, pool.ID, spec, domain.SecretChoice{Generate: f.Generate})
	if err != nil {
		c.refuse(w, r, err, func(status int, msg string) { refuse(status, clientsWording(err, msg)) })
		return
	}
	d := clientsCreatedData{Client: cl, Pool: pool, Secret: secret}
	if len(cl.Secrets) > 0 {
		d.SecretID = cl.Secrets[0].ID
	}
	d.Curl = clientsCurl(c.opts.Backend, cl, secret)
	c.render(w, r, http.StatusOK, "clients_created", Page{Title: cl.Name, Nav: "clients", Data: d})
}

// clientsWording is msg, the domain's refusal err, worded for the
// console's form where the domain's names something else.
func clientsWording(err error, msg string) string {
	switch {
	case errors.Is(err, domain.ErrSecretRequired):
		msg = "A client without a secret cannot use client_credentials, the only flow Tollgate serves: keep \"Generate a client secret\" checked, or uncheck client_credentials."
	case errors.Is(err, domain.ErrScopesRequired):
		msg = "Choose at least one scope: a client_credentials client needs one."
	case errors.Is(err, domain.ErrLastSecret):
		msg = "That is the client's only secret: add another first, give it to the client, then delete this one."
	}
	return msg
}

// clientsPageData is a client's page.
type clientsPageData struct {
	Client     *tollgate.Client
	Pool       *tollgate.UserPool
	ReadOnly   bool
	DeclaredIn string
	Form       clientsForm
	// Undefined are allowed scopes the pool no longer defines.
	Undefined  []string
	OAuth      *clientsOAuth
	MaxSecrets int
}

// clientsOAuth are a client's OAuth extensions, as the page shows them.
type clientsOAuth struct {
	AuthMethod       string
	JWKS             bool
	JWKSURI          string
	Certificate      string
	DPoPBound        bool
	CertificateBound bool
	Registered       string
}

func newClientsOAuth(o tollgate.ClientOAuth) *clientsOAuth {
	if o.IsZero() {
		return nil
	}
	v := &clientsOAuth{AuthMethod: cmp.Or(o.AuthMethod, "client_secret_basic, client_secret_post"), JWKS: o.JWKS != "", JWKSURI: o.JWKSURI,
		DPoPBound: o.RequireDPoP, CertificateBound: o.CertificateBound}
	for _, n := range []struct{ what, v string }{
		{"subject DN", o.TLS.SubjectDN}, {"DNS name", o.TLS.SANDNS}, {"URI", o.TLS.SANURI}, {"IP address", o.TLS.SANIP}, {"email", o.TLS.SANEmail},
	} {
		if n.v != "" {
			v.Certificate = n.what + " " + n.v
		}
	}
	if !o.Registered.IsZero() {
		v.Registered = o.Registered.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return v
}

// clientsLoad reads the client of the request's path and its pool.
func (c *Console) clientsLoad(r *http.Request) (*tollgate.Client, *tollgate.UserPool, error) {
	cl, err := c.opts.Domain.GetClient(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	pool, err := c.opts.Domain.GetPool(r.Context(), cl.PoolID)
	if err != nil {
		return nil, nil, err
	}
	return cl, pool, nil
}

// clientsPage builds the client's page data; form, when not nil, is the
// operator's refused input to show again.
func (c *Console) clientsPage(r *http.Request, cl *tollgate.Client, pool *tollgate.UserPool, form *clientsForm) (clientsPageData, error) {
	scopes, err := c.clientsPoolScopes(r, pool.ID)
	if err != nil {
		return clientsPageData{}, err
	}
	d := clientsPageData{Client: cl, Pool: pool, ReadOnly: cl.ConfigKey != "", OAuth: newClientsOAuth(cl.OAuth), MaxSecrets: tollgate.MaxClientSecrets}
	if d.ReadOnly {
		d.DeclaredIn = tollgate.DeclaredIn(cl.ConfigKey)
	}
	defined := map[string]bool{}
	for _, s := range scopes {
		defined[s.Name] = true
	}
	for _, s := range cl.AllowedOAuthScopes {
		if !defined[s] {
			d.Undefined = append(d.Undefined, s)
		}
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = clientsFormFor(cl, scopes)
	}
	return d, nil
}

func (c *Console) clientsShow(w http.ResponseWriter, r *http.Request) {
	cl, pool, err := c.clientsLoad(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.clientsRenderPage(w, r, http.StatusOK, cl, pool, nil, "")
}

// clientsRenderPage renders the client's page with status, an error above
// it and the refused form when not nil.
func (c *Console) clientsRenderPage(w http.ResponseWriter, r *http.Request, status int, cl *tollgate.Client, pool *tollgate.UserPool, form *clientsForm, msg string) {
	d, err := c.clientsPage(r, cl, pool, form)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, status, "clients_show", Page{Title: cl.Name, Nav: "clients", Error: msg, Data: d})
}

// clientsRefused renders the client's page with the domain's refusal err.
func (c *Console) clientsRefused(w http.ResponseWriter, r *http.Request, cl *tollgate.Client, pool *tollgate.UserPool, form *clientsForm, err error) {
	c.refuse(w, r, err, func(status int, msg string) {
		c.clientsRenderPage(w, r, status, cl, pool, form, clientsWording(err, msg))
	})
}

// clientsUpdate saves the scopes, flows and token validities of the form,
// keeping everything else of the client as it is.
func (c *Console) clientsUpdate(w http.ResponseWriter, r *http.Request) {
	cl, pool, err := c.clientsLoad(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	scopes, err := c.clientsPoolScopes(r, pool.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := clientsFormFromRequest(r, scopes, cl)
	spec, msg := f.spec()
	if msg != "" {
		c.clientsRenderPage(w, r, http.StatusBadRequest, cl, pool, &f, msg)
		return
	}
	spec.Name = cl.Name
	spec.ExplicitAuthFlows = cl.ExplicitAuthFlows
	// OAuth stays nil: the update keeps the client's extensions.
	if _, err := c.opts.Domain.UpdateClient(r.Context(), cl, spec); err != nil {
		c.clientsRefused(w, r, cl, pool, &f, err)
		return
	}
	c.redirect(w, r, "/clients/"+cl.ID, "Saved the client's scopes, flows and token validity.")
}

func (c *Console) clientsDelete(w http.ResponseWriter, r *http.Request) {
	cl, pool, err := c.clientsLoad(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.opts.Domain.DeleteClient(r.Context(), cl); err != nil {
		c.clientsRefused(w, r, cl, pool, nil, err)
		return
	}
	c.redirect(w, r, "/clients?pool="+pool.ID, "Deleted client "+cl.Name+".")
}

func (c *Console) clientsAddSecret(w http.ResponseWriter, r *http.Request) {
	cl, pool, err := c.clientsLoad(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cs, secret, err := c.opts.Domain.AddClientSecret(r.Context(), cl, "")
	if err != nil {
		c.clientsRefused(w, r, cl, pool, nil, err)
		return
	}
	cl.Secrets = append(cl.Secrets, cs)
	d := clientsCreatedData{Client: cl, Pool: pool, Secret: secret, SecretID: cs.ID, Added: true,
		Curl: clientsCurl(c.opts.Backend, cl, secret)}
	c.render(w, r, http.StatusOK, "clients_created", Page{Title: cl.Name, Nav: "clients", Data: d})
}

func (c *Console) clientsDeleteSecret(w http.ResponseWriter, r *http.Request) {
	cl, pool, err := c.clientsLoad(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	id := r.PathValue("secret")
	if err := c.opts.Domain.DeleteClientSecret(r.Context(), cl, id); err != nil {
		c.clientsRefused(w, r, cl, pool, nil, err)
		return
	}
	c.redirect(w, r, "/clients/"+cl.ID, "Deleted secret "+id+". The client authenticates with its other secret only.")
}

// clientsCurl is a curl command that gets a token for the client with
// secret (client_credentials, HTTP Basic authentication, every scope of
// the client).
func clientsCurl(b Backend, cl *tollgate.Client, secret string) string {
	if secret == "" {
		return ""
	}
	base := ""
	if b != nil {
		base = strings.TrimSuffix(b.PublicURL(), "/")
	}
	return tokenCurl(base+"/oauth2/token", shellQuote(cl.ID+":"+secret), strings.Join(cl.AllowedOAuthScopes, " "))
}

// tokenCurl is the curl line that gets a client_credentials token at
// tokenURL, authenticating with HTTP Basic user (already quoted for the
// shell), for scope ("": the client's every scope).
func tokenCurl(tokenURL, user, scope string) string {
	var s strings.Builder
	s.WriteString("curl -s -u " + user + " \\\n  -d grant_type=client_credentials")
	if scope != "" {
		s.WriteString(" \\\n  --data-urlencode " + shellQuote("scope="+scope))
	}
	s.WriteString(" \\\n  " + shellQuote(tokenURL))
	return s.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
