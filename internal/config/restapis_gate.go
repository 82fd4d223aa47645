package config

import (
	"strings"

	"github.com/tollgate/tollgate/internal/apigw"
)

// gateRestAPIs builds each API as serve would and runs apigw.Check on it,
// the gate the gateway runs before it serves an API, so that a config that
// validates is one the gateway accepts. It runs on a config whose own
// checks found nothing, and reports each problem at the config value the
// route or stage field came from.
func (c *Config) gateRestAPIs(r *report) {
	madeUp := func(string) (string, bool) { return c.Region + "_Validate", true }
	for i := range c.RestAPIs {
		a := &c.RestAPIs[i]
		api, err := c.buildRestAPI(a, madeUp)
		if err != nil {
			r.add(index("restApis", i), "%v", err)
			continue
		}
		ap := index("restApis", i)
		for _, p := range apigw.Check(api) {
			r.add(gatePath(a, ap, p), "%s", p.Message)
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
			return methodField(index(field(rp, "methods"), k), p.Field)
		}
		route += len(a.Resources[j].Methods)
	}
	return ap
}

// apiFields maps the API-level fields of a built API to the config's.
var apiFields = map[string]string{
	"ID":                             "id",
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

// methodFields maps the fields of a built route to its method's.
var methodFields = map[string]string{
	"Method":                  "httpMethod",
	"Authorizer":              "authorizer",
	"AuthorizationScopes":     "authorizationScopes",
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
