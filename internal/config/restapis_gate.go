package config

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// madeUpIDs stand in for Apply's ids when the gate builds an API from a
// config that has not been applied: the rules do not look at their
// values, only at their shape.
type madeUpIDs struct{ region string }

func (m madeUpIDs) PoolID(string) (string, bool)             { return m.region + "_Validate", true }
func (m madeUpIDs) ClientID(_, client string) (string, bool) { return "validate-" + client, true }

// gateAPIs builds each REST and HTTP API as serve would and runs
// apigw.Check on it, the gate the gateway runs before it serves an API, so
// that a config that validates is one the gateway accepts. It runs on
// each API whose own checks found nothing, with the functions and pools
// it names and the region (gateable), whatever the rest of the config
// holds, so that every problem is said in one run; and it reports each
// problem at the config value it came from (a problem placed twice at
// one value, as a default shared by several routes, once).
func (c *Config) gateAPIs(r *report) {
	ids := madeUpIDs{cmp.Or(c.Region, DefaultRegion)}
	seen := map[[2]string]bool{}
	report := func(probs apigw.Problems, place func(apigw.Problem) string) {
		for _, p := range probs {
			k := [2]string{place(p), p.Message}
			switch {
			case seen[k]:
			case strings.HasSuffix(p.Field, `"]`):
				// A problem with a mapping's entry as a whole (a route
				// throttle's route key) is the key's.
				r.addKey(k[0], "%s", p.Message)
			default:
				r.add(k[0], "%s", p.Message)
			}
			seen[k] = true
		}
	}
	gate := func(ap string, api *tollgate.RestAPI, err error, place func(apigw.Problem) string) {
		if err != nil {
			r.add(ap, "%v", err)
			return
		}
		report(apigw.Check(api), place)
	}
	for i := range c.RestAPIs {
		a, ap := &c.RestAPIs[i], index("restApis", i)
		if !c.gateable(r, ap, a.references) {
			continue
		}
		api, err := c.buildRestAPI(a, ids)
		gate(ap, api, err, func(p apigw.Problem) string { return gatePath(a, ap, p) })
	}
	for i := range c.HTTPAPIs {
		a, ap := &c.HTTPAPIs[i], index("httpApis", i)
		if !c.gateable(r, ap, a.references) {
			continue
		}
		api, err := c.buildHTTPAPI(a, ids)
		gate(ap, api, err, func(p apigw.Problem) string { return httpGatePath(r, a, ap, p) })
		if err != nil {
			continue
		}
		// The gate sees the authorizers the routes use; those no route
		// uses pass the same rules at their declaration.
		authorizers, _ := c.buildHTTPAuthorizers(a, ids) // built above without error
		for _, id := range unusedHTTPAuthorizers(a) {
			if au := authorizers[id]; au != nil {
				report(apigw.CheckHTTPAuthorizer(au), func(p apigw.Problem) string { return authorizerPath(a, ap, id, p.Field) })
			}
		}
	}
}

// gateable reports whether the API at ap can be built and gated: its own
// checks, the region's and those of the functions and user pools it names
// (refs calls its argument with each of their ids) found nothing. Were one
// of them broken, its problems are said, and the API's wait for them.
func (c *Config) gateable(r *report, ap string, refs func(fn, pool func(id string))) bool {
	ok := r.clean(ap) && r.clean("region")
	refs(func(id string) {
		for i := range c.Functions {
			if id != "" && c.Functions[i].ID == id && !r.clean(index("functions", i)) {
				ok = false
			}
		}
	}, func(id string) {
		for i := range c.UserPools {
			if id != "" && c.UserPools[i].ID == id && !r.clean(index("userPools", i)) {
				ok = false
			}
		}
	})
	return ok
}

// references calls fn with the id of each function the API names and pool
// with each user pool's.
func (a *RestAPI) references(fn, pool func(id string)) {
	for _, au := range a.Authorizers {
		fn(au.Function)
		for _, p := range au.CognitoUserPools {
			pool(p)
		}
	}
	for _, res := range a.Resources {
		for _, m := range res.Methods {
			if m.Integration != nil {
				fn(m.Integration.Function)
			}
		}
	}
}

// references calls fn with the id of each function the API names and pool
// with each user pool's.
func (a *HTTPAPI) references(fn, pool func(id string)) {
	for _, au := range a.Authorizers {
		fn(au.Function)
		pool(au.UserPool)
	}
	if a.DefaultIntegration != nil {
		fn(a.DefaultIntegration.Function)
	}
	for _, rt := range a.Routes {
		if rt.Integration != nil {
			fn(rt.Integration.Function)
		}
	}
}

// gatePath returns the config path of what a problem of apigw.Check on the
// API built from a (at ap) is about. Routes are built one per method, in
// file order.
func gatePath(a *RestAPI, ap string, p apigw.Problem) string {
	if p.Route < 0 {
		return apiField(ap, p.Field)
	}
	route := 0
	for j := range a.Resources {
		rp := index(field(ap, "resources"), j)
		if k := p.Route - route; k < len(a.Resources[j].Methods) {
			if p.Field == "ResourcePath" {
				return field(rp, "path")
			}
			if rest, ok := strings.CutPrefix(p.Field, "Authorizer."); ok {
				if i := slices.IndexFunc(a.Authorizers, func(au Authorizer) bool { return au.ID == a.Resources[j].Methods[k].Authorizer }); i >= 0 {
					return authorizerField(index(field(ap, "authorizers"), i), rest)
				}
			}
			return methodField(index(field(rp, "methods"), k), p.Field)
		}
		route += len(a.Resources[j].Methods)
	}
	return ap
}

// apiFields maps the API-level fields of a built API to the config's.
var apiFields = map[string]string{
	"ID":                             "id",
	"APIKeySource":                   "apiKeySourceType",
	"Stages":                         "deployOptions",
	"Stages[0].Name":                 "deployOptions.stageName",
	"Stages[0].Variables":            "deployOptions.variables",
	"Stages[0].Throttle.Rate":        "deployOptions.throttlingRateLimit",
	"Stages[0].Throttle.Burst":       "deployOptions.throttlingBurstLimit",
	"Stages[0].ClientThrottle.Rate":  "clientThrottling.rateLimit",
	"Stages[0].ClientThrottle.Burst": "clientThrottling.burstLimit",
}

func apiField(ap, f string) string {
	if name, ok := apiFields[f]; ok {
		return field(ap, name)
	}
	return ap
}

// authorizerFields maps the fields of a built authorizer to the config's.
var authorizerFields = map[string]string{
	"Type":                         "type",
	"PoolIDs":                      "cognitoUserPools",
	"Issuers":                      "cognitoUserPools",
	"Function":                     "function",
	"IdentitySource":               "identitySource",
	"IdentitySources":              "identitySources",
	"IdentityValidationExpression": "validationRegex",
	"ResultTTL":                    "resultsCacheTtl",
	"JWT":                          "jwtConfiguration",
}

// authorizerField returns the config path of field f of the authorizer at
// aup: the field's own, with its index for a list of strings.
func authorizerField(aup, f string) string {
	name, rest := f, ""
	if i := strings.IndexAny(f, "[."); i >= 0 {
		name, rest = f[:i], f[i:]
	}
	m, ok := authorizerFields[name]
	if !ok {
		return aup
	}
	if name != "IdentitySources" {
		rest = "" // the built JWT and issuers are not the config's shape
	}
	return field(aup, m) + rest
}

// methodFields maps the fields of a built route to its method's.
var methodFields = map[string]string{
	"Method":                  "httpMethod",
	"Authorizer":              "authorizer",
	"AuthorizationScopes":     "authorizationScopes",
	"APIKeyRequired":          "apiKeyRequired",
	"Integration":             "integration",
	"Integration.Type":        "integration.type",
	"Integration.URI":         "integration.uri",
	"Integration.Timeout":     "integration.timeout",
	"Integration.MockStatus":  "integration.statusCode",
	"Integration.MockHeaders": "integration.responseHeaders",
}

func methodField(mp, f string) string {
	name, rest := f, ""
	if i := strings.IndexAny(f, "[."); i >= 0 && !strings.HasPrefix(f, "Integration.") {
		name, rest = f[:i], f[i:]
	}
	if m, ok := methodFields[name]; ok {
		if name != "AuthorizationScopes" {
			rest = "" // an authorizer's fields are the API's authorizer's
		}
		return field(mp, m) + rest
	}
	return mp
}
