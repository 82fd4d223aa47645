package console

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// routesAPIs registers this area's pages: the REST and HTTP APIs in
// service, read-only (they are declared in configs and stacks).
func (c *Console) routesAPIs() {
	c.handle("GET /apis", c.apisPage)
	c.handle("GET /apis/{id}", c.apiPage)
}

// apisReadme is where the README says how to declare APIs.
const apisReadme = "https://github.com/tollgate/tollgate#http-apis"

// apiSummary is a row of the APIs page.
type apiSummary struct {
	ID, Name, Kind string
	ConfigKey      string
	// Declared says where the API is declared: "config file x.yaml (as
	// \"Orders\")"; Change how to change it there.
	Declared, Change string
	Stages           []apiStageView
	Routes           int
}

// apiStageView is a stage as the pages show it.
type apiStageView struct {
	Name, URL string
	// Throttles describe the stage's limits, "" when unlimited.
	Throttle, ClientThrottle, RouteThrottle string
	RouteThrottles                          []apiNamedThrottle
	Variables                               []apiNamedThrottle
}

// apiNamedThrottle is a route key (or a variable's name) and its value.
type apiNamedThrottle struct{ Name, Value string }

// apiRouteView is a route as the API page shows it.
type apiRouteView struct {
	Index          int
	Method, Path   string
	Key            string
	Default        bool
	AuthType       string // "Cognito user pools", "JWT", "Lambda TOKEN", "Lambda REQUEST", "NONE"
	AuthName       string
	Scopes         []string
	APIKeyRequired bool
	Binding        string // the binding the route's tokens need, "" for none
	BindingFrom    string // "route" or "API"
	IntegType      string
	IntegTarget    string // function name, or method + URL, or the mock's status
	IntegDetail    string // payload format version
	Timeout        time.Duration
	TryStage       string
}

// apiAuthorizerView is an authorizer as the API page shows it.
type apiAuthorizerView struct {
	Name, Type     string
	IdentitySource string
	Function       string
	Pools          []string
	Issuers        []string
	Audiences      []string
	TTL            string
	Extra          []string
}

// apiDetail is the API page's data.
type apiDetail struct {
	apiSummary
	Region           string
	APIKeySource     string
	Routes           []apiRouteView
	Authorizers      []apiAuthorizerView
	CORS             *tollgate.CORSConfiguration
	CORSMaxAge       string
	Resource         *tollgate.ProtectedResource
	DomainNames      []tollgate.APIDomain
	BinaryMediaTypes []string
	NoExecuteAPI     bool
}

// apisPageData is the APIs page's data.
type apisPageData struct {
	APIs   []apiSummary
	Readme string
	// Change says how the APIs are changed where they are declared.
	Change string
}

// consoleAPIs returns the APIs in service, by name; none without a
// Backend.
func (c *Console) consoleAPIs() []API {
	if c.opts.Backend == nil {
		return nil
	}
	apis := slices.Clone(c.opts.Backend.ConsoleAPIs())
	slices.SortStableFunc(apis, func(a, b API) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return apis
}

func (c *Console) apisPage(w http.ResponseWriter, r *http.Request) {
	var d apisPageData
	d.Readme = apisReadme
	d.Change = apiChange("")
	for i, a := range c.consoleAPIs() {
		d.APIs = append(d.APIs, summarizeAPI(a))
		if i == 0 {
			d.Change = apiChange(a.Source)
		}
	}
	c.render(w, r, http.StatusOK, "apis", Page{Title: "APIs", Nav: "apis", Data: d})
}

func (c *Console) apiPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, a := range c.consoleAPIs() {
		if a.ID == id {
			c.render(w, r, http.StatusOK, "apis_api", Page{Title: a.Name, Nav: "apis", Data: detailAPI(a)})
			return
		}
	}
	c.fail(w, r, tollgate.Errorf(tollgate.KindNotFound, "No API has the id %s here: the APIs in service are listed on the APIs page.", id))
}

// apiDeclared says where a is declared: its Source and its logical id
// there, or what its config key says when the server did not tell.
func apiDeclared(a API) string {
	if a.Source == "" {
		if a.ConfigKey == "" {
			return "the running configuration"
		}
		return tollgate.DeclaredIn(a.ConfigKey)
	}
	logical := a.ConfigKey
	if _, l, ok := tollgate.SplitStackKey(a.ConfigKey); ok {
		logical = l
	} else if _, l, ok := tollgate.SplitConfigKey(a.ConfigKey); ok {
		logical = l
	}
	if logical == "" {
		return a.Source
	}
	return a.Source + ` (as "` + logical + `")`
}

// apiChange says how the APIs of source (API.Source) are changed.
func apiChange(source string) string {
	switch {
	case strings.HasPrefix(source, "stack "):
		return "Change the stack's template and synthesize it again: the server deploys it again on SIGHUP, and tollgate dev on save too."
	case strings.HasPrefix(source, "config file "):
		return "Edit the file: the server applies it again on SIGHUP, and tollgate dev on save too."
	case strings.HasPrefix(source, `config "seed"`):
		return "The seed is built into tollgate dev: to change these APIs, write a config file of your own and run tollgate dev --config FILE."
	}
	return "Change them where they are declared: the server applies its config file or template again on SIGHUP."
}

// apiKind names the API's kind.
func apiKind(a *tollgate.RestAPI) string {
	if a.IsHTTP() {
		return "HTTP API"
	}
	return "REST API"
}

func summarizeAPI(a API) apiSummary {
	s := apiSummary{ID: a.ID, Name: a.Name, Kind: apiKind(a.RestAPI), ConfigKey: a.ConfigKey, Routes: len(a.Routes),
		Declared: apiDeclared(a), Change: apiChange(a.Source)}
	for _, st := range a.Stages {
		v := apiStageView{
			Name: st.Name, URL: a.BaseURLs[st.Name],
			Throttle: throttleText(st.Throttle), ClientThrottle: throttleText(st.ClientThrottle),
			RouteThrottle: throttleText(st.RouteThrottle),
		}
		for _, k := range slices.Sorted(maps.Keys(st.RouteThrottles)) {
			v.RouteThrottles = append(v.RouteThrottles, apiNamedThrottle{k, throttleText(st.RouteThrottles[k])})
		}
		for _, k := range slices.Sorted(maps.Keys(st.Variables)) {
			v.Variables = append(v.Variables, apiNamedThrottle{k, st.Variables[k]})
		}
		s.Stages = append(s.Stages, v)
	}
	return s
}

// throttleText says what a throttle allows: "10 req/s, bursts of 20", ""
// when it limits nothing.
func throttleText(t tollgate.Throttle) string {
	if !t.Enabled() {
		return ""
	}
	return fmt.Sprintf("%s req/s, bursts of %d", trimFloat(t.Rate), t.Burst)
}

func trimFloat(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", f), ".0") }

func detailAPI(a API) apiDetail {
	d := apiDetail{
		apiSummary: summarizeAPI(a), Region: a.Region, CORS: a.CORS, Resource: a.Resource,
		DomainNames: a.DomainNames, BinaryMediaTypes: a.BinaryMediaTypes, NoExecuteAPI: a.DisableExecuteAPIEndpoint,
	}
	if !a.IsHTTP() {
		d.APIKeySource = cmp.Or(a.APIKeySource, tollgate.APIKeySourceHeader)
	}
	if a.CORS != nil && a.CORS.MaxAge != nil {
		d.CORSMaxAge = fmt.Sprintf("%d s", *a.CORS.MaxAge)
	}
	tryStage := ""
	if len(a.Stages) > 0 {
		tryStage = a.Stages[0].Name
	}
	seen := map[*tollgate.Authorizer]bool{}
	for i := range a.Routes {
		rt := &a.Routes[i]
		d.Routes = append(d.Routes, routeView(a.RestAPI, i, rt, tryStage))
		if au := rt.Authorizer; au != nil && !seen[au] {
			seen[au] = true
			d.Authorizers = append(d.Authorizers, authorizerView(au))
		}
	}
	slices.SortStableFunc(d.Authorizers, func(x, y apiAuthorizerView) int { return cmp.Compare(x.Name, y.Name) })
	d.Authorizers = slices.CompactFunc(d.Authorizers, func(x, y apiAuthorizerView) bool {
		return x.Name == y.Name && x.Type == y.Type
	})
	return d
}

// authTypeText names an authorizer's type for operators.
func authTypeText(k tollgate.AuthorizerType) string {
	switch k {
	case tollgate.AuthorizerCognito:
		return "Cognito user pools"
	case tollgate.AuthorizerJWT:
		return "JWT"
	case tollgate.AuthorizerToken:
		return "Lambda TOKEN"
	case tollgate.AuthorizerRequest:
		return "Lambda REQUEST"
	}
	return string(k)
}

func routeView(a *tollgate.RestAPI, i int, rt *tollgate.Route, tryStage string) apiRouteView {
	v := apiRouteView{
		Index: i, Method: rt.Method, Path: rt.ResourcePath, Key: rt.Key(), Default: rt.IsDefault(),
		AuthType: "NONE", Scopes: rt.AuthorizationScopes, APIKeyRequired: rt.APIKeyRequired, TryStage: tryStage,
	}
	if rt.Authorizer != nil {
		v.AuthType = authTypeText(rt.Authorizer.Kind())
		v.AuthName = rt.Authorizer.Name
	}
	switch {
	case rt.RequireBinding != "":
		v.Binding, v.BindingFrom = rt.RequireBinding, "route"
	case a.Resource != nil && a.Resource.RequireBinding != "":
		v.Binding, v.BindingFrom = a.Resource.RequireBinding, "API"
	}
	in := rt.Integration
	v.IntegType = string(in.Type)
	switch in.Type {
	case tollgate.IntegrationAWSProxy:
		v.IntegTarget = in.Function
		if in.PayloadFormatVersion != "" {
			v.IntegDetail = "payload " + in.PayloadFormatVersion
		}
	case tollgate.IntegrationHTTPProxy:
		m := in.Method
		if m == "" || m == "ANY" {
			m = "(request's method)"
		}
		v.IntegTarget = m + " " + in.URI
	case tollgate.IntegrationMock:
		v.IntegTarget = fmt.Sprintf("answers %d", cmp.Or(in.MockStatus, http.StatusOK))
	}
	v.Timeout = in.Timeout
	if v.Timeout == 0 && in.Type != tollgate.IntegrationMock {
		v.Timeout = tollgate.DefaultIntegrationTimeout
		if a.IsHTTP() {
			v.Timeout = tollgate.DefaultHTTPIntegrationTimeout
		}
	}
	return v
}

func authorizerView(au *tollgate.Authorizer) apiAuthorizerView {
	v := apiAuthorizerView{Name: au.Name, Type: authTypeText(au.Kind()), IdentitySource: au.IdentitySource, Function: au.Function}
	switch au.Kind() {
	case tollgate.AuthorizerCognito:
		v.IdentitySource = cmp.Or(v.IdentitySource, "method.request.header.Authorization")
		v.Pools = au.PoolIDs
		for _, is := range au.Issuers {
			v.Issuers = append(v.Issuers, is.Issuer)
		}
	case tollgate.AuthorizerJWT:
		if au.JWT != nil {
			for _, is := range au.JWT.Issuers {
				if is.PoolID != "" {
					v.Pools = append(v.Pools, is.PoolID)
				} else {
					v.Issuers = append(v.Issuers, is.Issuer)
				}
				v.Audiences = append(v.Audiences, is.Audiences...)
				for _, cl := range is.Claims {
					req := ""
					if cl.Required {
						req = " (required)"
					}
					v.Extra = append(v.Extra, "claim "+cl.Name+req+": "+strings.Join(cl.ExpectedValues, ", "))
				}
			}
			if len(au.JWT.Algorithms) > 0 {
				v.Extra = append(v.Extra, "algorithms "+strings.Join(au.JWT.Algorithms, ", "))
			}
		}
	case tollgate.AuthorizerToken, tollgate.AuthorizerRequest:
		if au.Kind() == tollgate.AuthorizerRequest {
			v.IdentitySource = strings.Join(au.IdentitySources, ", ")
		}
		if au.ResultTTL > 0 {
			v.TTL = au.ResultTTL.String()
		} else {
			v.TTL = "no caching"
		}
		if au.IdentityValidationExpression != "" {
			v.Extra = append(v.Extra, "token must match "+au.IdentityValidationExpression)
		}
		if au.PayloadFormatVersion != "" {
			v.Extra = append(v.Extra, "payload "+au.PayloadFormatVersion)
		}
		if au.SimpleResponses {
			v.Extra = append(v.Extra, "simple responses")
		}
	}
	return v
}
