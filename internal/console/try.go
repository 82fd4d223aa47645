package console

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// routesTry registers the "try it" panel: a token for a client, and a
// call of a route with it, through the server's own token endpoint and
// gateway.
func (c *Console) routesTry() {
	c.handle("GET /try", c.tryPage)
	c.handle("POST /try", c.tryRun)
}

// tryClient is a client as the panel offers it.
type tryClient struct {
	ID, Label string
	PoolID    string
}

// tryRoute is a route of a stage of an API in service as the panel
// offers it.
type tryRoute struct {
	Value             string // tryRouteValue of it
	Label             string // "{api name} · {stage} · {METHOD} {path}"
	APIID, Stage, Key string
	Method            string // what the call sends: ANY is GET
	Path              string // a concrete path of the route
	// Pools are the pools whose tokens the route's Cognito or JWT
	// authorizer accepts (nil for another authorizer, or none).
	Pools []string
	// Checked is whether the route takes tokens of pools.
	Checked bool
}

// tryForm is the panel's form, as shown.
type tryForm struct {
	Clients []tryClient
	Routes  []tryRoute
	// FirstPool is a pool to create a client in, "" when there is none.
	FirstPool string
	Client    string
	Route     string // a tryRoute's Value
	Scope     string
	Path      string
	Body      string
	// PathFor is the route Path was prefilled for.
	PathFor string
}

// tryData is the page's data: the form and, after a try, its result.
type tryData struct {
	Form    tryForm
	Result  *TryResult
	View    *tryView
	Clients int
}

// tryView is a result made ready to show.
type tryView struct {
	Allowed, Refused bool
	TokenType        string
	ExpiresIn        string
	Scopes           []string
	Claims           []tryClaim
	TokenHeaders     []string
	CallHeaders      []string
	CurlToken        string
	CurlCall         string
	ClientID         string
	// RequestsURL is the recent requests of the client; RequestURL the
	// call's own request ("" when it has no id).
	RequestsURL, RequestURL string
}

// tryClaim is one claim of the token, for display.
type tryClaim struct {
	Name, Value, When string
}

// tryRouteValue is a route's value in the Route select.
func tryRouteValue(apiID, stage, key string) string {
	return apiID + "|" + stage + "|" + key
}

// tryParam is a path parameter of a route template: {name} or {name+}.
var tryParam = regexp.MustCompile(`\{([^}]+)\}`)

// tryPath is a concrete path of a route's template: {id} is 1, a greedy
// {proxy+} is hello; $default is /.
func tryPath(resourcePath string) string {
	if resourcePath == tollgate.DefaultRouteKey {
		return "/"
	}
	return tryParam.ReplaceAllStringFunc(resourcePath, func(m string) string {
		if strings.HasSuffix(m, "+}") {
			return "hello"
		}
		return "1"
	})
}

// tryOptions reads the clients of every pool and the routes of every API
// in service.
func (c *Console) tryOptions(r *http.Request) (tryForm, error) {
	ctx := r.Context()
	var f tryForm
	all, err := c.listPoolClients(ctx)
	if err != nil {
		return f, err
	}
	pools := make([]*tollgate.UserPool, 0, len(all))
	for _, pc := range all {
		pools = append(pools, pc.Pool)
		for _, cl := range pc.Clients {
			f.Clients = append(f.Clients, tryClient{ID: cl.ID, Label: cl.Name + " (" + cl.ID + ") · " + pc.Pool.Name, PoolID: pc.Pool.ID})
		}
	}
	if len(pools) > 0 {
		f.FirstPool = pools[0].ID
	}
	apis := c.opts.Backend.ConsoleAPIs()
	sort.Slice(apis, func(i, j int) bool { return apis[i].Name < apis[j].Name })
	for _, api := range apis {
		for _, st := range api.Stages {
			for _, rt := range api.Routes {
				method := rt.Method
				if method == "ANY" || method == "" {
					method = http.MethodGet
				}
				checked, accepts := c.tryPools(rt.Authorizer, pools)
				f.Routes = append(f.Routes, tryRoute{
					Value: tryRouteValue(api.ID, st.Name, rt.Key()),
					Label: api.Name + " · " + st.Name + " · " + routeLabel(&rt),
					APIID: api.ID, Stage: st.Name, Key: rt.Key(), Method: method, Path: tryPath(rt.ResourcePath),
					Pools: accepts, Checked: checked,
				})
			}
		}
	}
	return f, nil
}

// tryPools reports whether a is a Cognito or JWT authorizer and the pools
// of this server whose tokens it accepts (a JWT authorizer's: those whose
// issuer it trusts).
func (c *Console) tryPools(a *tollgate.Authorizer, pools []*tollgate.UserPool) (bool, []string) {
	if a == nil || a.Kind() != tollgate.AuthorizerCognito && a.Kind() != tollgate.AuthorizerJWT {
		return false, nil
	}
	accepts := slices.Clone(a.PoolIDs)
	if a.JWT != nil {
		for _, p := range pools {
			if slices.ContainsFunc(a.JWT.Issuers, func(is tollgate.JWTIssuer) bool { return is.Issuer == c.opts.Backend.Issuer(p.ID) }) {
				accepts = append(accepts, p.ID)
			}
		}
	}
	return true, accepts
}

// markRoutes labels the routes whose authorizer does not accept tokens
// of the chosen client's pool "(another pool's)", and lists the others
// first (the label still starts with the route's name).
func (f *tryForm) markRoutes() {
	i := slices.IndexFunc(f.Clients, func(cl tryClient) bool { return cl.ID == f.Client })
	if i < 0 && len(f.Clients) > 0 {
		i = 0
	}
	if i < 0 {
		return
	}
	pool := f.Clients[i].PoolID
	other := func(rt *tryRoute) bool { return rt.Checked && !slices.Contains(rt.Pools, pool) }
	for k := range f.Routes {
		if other(&f.Routes[k]) {
			f.Routes[k].Label += " (another pool's)"
		}
	}
	slices.SortStableFunc(f.Routes, func(a, b tryRoute) int {
		x, y := other(&a), other(&b)
		switch {
		case x == y:
			return 0
		case y:
			return -1
		}
		return 1
	})
}

// routeLabel is "METHOD /path", or "$default".
func routeLabel(rt *tollgate.Route) string {
	if rt.IsDefault() {
		return tollgate.DefaultRouteKey
	}
	return rt.Method + " " + rt.ResourcePath
}

// route returns the form's route of value v.
func (f *tryForm) route(v string) (tryRoute, bool) {
	for _, rt := range f.Routes {
		if rt.Value == v {
			return rt, true
		}
	}
	return tryRoute{}, false
}

func (f *tryForm) hasClient(id string) bool {
	return slices.ContainsFunc(f.Clients, func(cl tryClient) bool { return cl.ID == id })
}

func (c *Console) tryPage(w http.ResponseWriter, r *http.Request) {
	f, err := c.tryOptions(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if id := q.Get("client"); f.hasClient(id) {
		f.Client = id
	}
	if api := q.Get("api"); api != "" {
		for _, rt := range f.Routes {
			if rt.APIID == api && (q.Get("stage") == "" || rt.Stage == q.Get("stage")) && (q.Get("route") == "" || rt.Key == q.Get("route")) {
				f.Route = rt.Value
				break
			}
		}
	}
	f.markRoutes()
	if f.Route == "" && len(f.Routes) > 0 {
		f.Route = f.Routes[0].Value
	}
	if rt, ok := f.route(f.Route); ok {
		f.Path, f.PathFor = rt.Path, rt.Value
	}
	c.render(w, r, http.StatusOK, "try", Page{Title: "Try it", Nav: "try", Data: tryData{Form: f}})
}

func (c *Console) tryRun(w http.ResponseWriter, r *http.Request) {
	f, err := c.tryOptions(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f.Client = r.PostFormValue("client")
	f.markRoutes()
	f.Route = r.PostFormValue("route")
	f.Scope = strings.Join(strings.Fields(r.PostFormValue("scope")), " ")
	f.Path = strings.TrimSpace(r.PostFormValue("path"))
	f.Body = r.PostFormValue("body")
	secret := r.PostFormValue("secret")
	page := Page{Title: "Try it", Nav: "try"}
	rt, ok := f.route(f.Route)
	if ok {
		// A path left as it was prefilled for another route is that
		// route's: the path of the route now chosen replaces it.
		if prev, found := f.route(r.PostFormValue("path_for")); f.Path == "" || (found && prev.Value != rt.Value && f.Path == prev.Path) {
			f.Path = rt.Path
		}
		f.PathFor = rt.Value
	}
	switch {
	case !f.hasClient(f.Client):
		page.Error = "Choose a client."
	case !ok:
		page.Error = "Choose a route."
	case !strings.HasPrefix(f.Path, "/"):
		page.Error = "The path must start with /."
	}
	if page.Error != "" {
		page.Data = tryData{Form: f}
		c.render(w, r, http.StatusBadRequest, "try", page)
		return
	}
	how := "given_secret"
	if secret == "" {
		how = "stored_secret"
		if secret, err = c.tryStoredSecret(r, f.Client); err != nil {
			msg, _ := c.ErrorMessage(r, err)
			page.Error, page.Data = msg, tryData{Form: f}
			c.render(w, r, http.StatusBadRequest, "try", page)
			return
		}
	}
	c.tryAudit(r, f, rt, how)
	res := c.opts.Backend.Try(r.Context(), TryRequest{
		ClientID: f.Client, Secret: secret, Scope: f.Scope,
		APIID: rt.APIID, Stage: rt.Stage, Route: rt.Key,
		Method: rt.Method, Path: f.Path, Body: f.Body,
	})
	page.Data = tryData{Form: f, Result: &res, View: c.tryViewOf(f, &res, secret)}
	c.render(w, r, http.StatusOK, "try", page)
}

// tryAudit records that the operator got a token as a client and called
// a route with it (console.try): the client, its pool, whether its stored
// secret was used (how: "stored_secret" or "given_secret"), and the route (Name: "{api id} {stage} {route}"); never
// the secret or the token.
func (c *Console) tryAudit(r *http.Request, f tryForm, rt tryRoute, how string) {
	if c.opts.Audit == nil {
		return
	}
	ev := audit.From(r.Context(), "console.try")
	ev.Outcome = audit.Success
	ev.Reason = how
	ev.Object = "route"
	ev.ClientID = f.Client
	if i := slices.IndexFunc(f.Clients, func(cl tryClient) bool { return cl.ID == f.Client }); i >= 0 {
		ev.PoolID = f.Clients[i].PoolID
	}
	ev.Name = rt.APIID + " " + rt.Stage + " " + rt.Key
	c.opts.Audit.Emit(ev)
}

// tryStoredSecret is the client's newest stored secret.
func (c *Console) tryStoredSecret(r *http.Request, clientID string) (string, error) {
	cl, err := c.opts.Domain.GetClient(r.Context(), clientID)
	if err != nil {
		return "", err
	}
	if len(cl.Secrets) == 0 {
		return "", tollgate.Errorf(tollgate.KindInvalid, "The client %s has no secret: it cannot get a token with client credentials.", cl.Name)
	}
	newest := slices.MaxFunc(cl.Secrets, func(a, b tollgate.ClientSecret) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if len(newest.Sealed) == 0 {
		return "", tollgate.Errorf(tollgate.KindInvalid, "The secret of client %s cannot be read back: type it in the Client secret field.", cl.Name)
	}
	return c.opts.Domain.Reveal(cl, newest)
}

// tryViewOf prepares res to show: the token's fields and claims, headers
// in order, and the curl equivalent of both steps (the secret in it is
// $CLIENT_SECRET, never its value).
func (c *Console) tryViewOf(f tryForm, res *TryResult, secret string) *tryView {
	v := &tryView{ClientID: f.Client}
	v.Refused = res.Decision.Refused()
	v.Allowed = res.Call.Status > 0 && !v.Refused
	var tok struct {
		TokenType string      `json:"token_type"`
		ExpiresIn json.Number `json:"expires_in"`
		Scope     string      `json:"scope"`
	}
	if json.Unmarshal([]byte(res.Token.Body), &tok) == nil {
		v.TokenType, v.ExpiresIn = tok.TokenType, tok.ExpiresIn.String()
		v.Scopes = strings.Fields(tok.Scope)
	}
	if len(v.Scopes) == 0 {
		// Cognito's answer names no scope: the token's claim does.
		sc, _ := res.Claims["scope"].(string)
		v.Scopes = strings.Fields(sc)
	}
	if id, ok := res.Claims["client_id"].(string); ok && id != "" {
		v.ClientID = id
	}
	names := make([]string, 0, len(res.Claims))
	for n := range res.Claims {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v.Claims = append(v.Claims, claimRow(n, res.Claims[n]))
	}
	v.RequestsURL = c.opts.Path + "/requests?client=" + url.QueryEscape(v.ClientID)
	if res.Decision.RequestID != "" {
		v.RequestURL = c.opts.Path + "/requests?id=" + url.QueryEscape(res.Decision.RequestID)
	}
	v.TokenHeaders = headerLines(res.Token.Header)
	v.CallHeaders = headerLines(res.Call.Header)

	v.CurlToken, v.CurlCall = c.tryCurl(f, res)
	// Belt and braces: whatever an answer echoed, the secret is not shown.
	if secret != "" {
		for _, s := range []*string{&res.Token.Body, &res.Call.Body, &v.CurlToken, &v.CurlCall} {
			*s = strings.ReplaceAll(*s, secret, "$CLIENT_SECRET")
		}
	}
	return v
}

// tryCurl is the curl equivalent of a try's token request and call.
func (c *Console) tryCurl(f tryForm, res *TryResult) (token, call string) {
	tokenURL := cmp.Or(res.Token.URL, strings.TrimSuffix(c.opts.Backend.PublicURL(), "/")+"/oauth2/token")
	token = "TOKEN=$(" + tokenCurl(tokenURL, `"`+shellDouble(f.Client)+`:$CLIENT_SECRET"`, f.Scope) + " | jq -r .access_token)"
	if res.Call.URL != "" {
		var b strings.Builder
		b.WriteString("curl -i -X " + res.Call.Method + " \\\n  -H \"Authorization: Bearer $TOKEN\" \\\n")
		if f.Body != "" {
			b.WriteString("  -H 'Content-Type: application/json' --data " + shellQuote(f.Body) + " \\\n")
		}
		b.WriteString("  " + shellQuote(res.Call.URL))
		call = b.String()
	}
	return token, call
}

// claimRow formats a claim; a time claim (exp, iat, nbf, auth_time) gets
// its time too.
func claimRow(name string, val any) tryClaim {
	row := tryClaim{Name: name}
	switch x := val.(type) {
	case string:
		row.Value = x
	case json.Number:
		row.Value = x.String()
		if n, err := x.Int64(); err == nil && slices.Contains([]string{"exp", "iat", "nbf", "auth_time"}, name) {
			row.When = time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05 UTC")
		}
	default:
		b, err := json.Marshal(x)
		if err != nil {
			row.Value = fmt.Sprint(x)
		} else {
			row.Value = string(b)
		}
	}
	return row
}

// headerLines are "Name: value" lines of h, by name.
func headerLines(h http.Header) []string {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		for _, v := range h[n] {
			out = append(out, n+": "+v)
		}
	}
	return out
}

// shellDouble escapes s for the inside of double quotes.
func shellDouble(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return r.Replace(s)
}
