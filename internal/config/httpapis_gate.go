package config

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// httpStageField is a problem's field about a stage: its index in the
// built API, and the rest.
var httpStageField = regexp.MustCompile(`^Stages\[(\d+)\]\.?(.*)$`)

// httpGatePath returns the config path of what a problem of apigw.Check on
// the HTTP API built from a (at ap) is about, or the nearest path that
// holds it.
func httpGatePath(r *report, a *HTTPAPI, ap string, p apigw.Problem) string {
	if p.Route >= 0 {
		return httpRoutePath(r, a, ap, p)
	}
	if m := httpStageField.FindStringSubmatch(p.Field); m != nil {
		k, _ := strconv.Atoi(m[1])
		if addsDefaultStage(a) {
			if k == 0 {
				return field(ap, "createDefaultStage")
			}
			k--
		}
		if k >= len(a.Stages) {
			return field(ap, "stages")
		}
		sp := index(field(ap, "stages"), k)
		if rest, ok := strings.CutPrefix(m[2], "RouteThrottles["); ok {
			if key, err := strconv.QuotedPrefix(rest); err == nil {
				return translate(field(field(sp, "routeThrottles"), mustUnquote(key)), strings.TrimPrefix(strings.TrimPrefix(rest[len(key):], "]"), "."))
			}
			return field(sp, "routeThrottles")
		}
		return translate(sp, m[2])
	}
	return translate(ap, p.Field)
}

func mustUnquote(s string) string {
	u, _ := strconv.Unquote(s) // QuotedPrefix returned a valid literal
	return u
}

// httpFieldNames maps the names of the built API's fields to the config's.
var httpFieldNames = map[string]string{
	"ID": "id", "CORS": "corsPreflight", "AllowOrigins": "allowOrigins", "AllowMethods": "allowMethods",
	"AllowHeaders": "allowHeaders", "ExposeHeaders": "exposeHeaders", "AllowCredentials": "allowCredentials", "MaxAge": "maxAge",
	"DisableExecuteAPIEndpoint": "disableExecuteApiEndpoint",
	"Name":                      "stageName", "Variables": "stageVariables", "RouteThrottle": "throttle", "Rate": "rateLimit", "Burst": "burstLimit",
	"Integration": "integration", "Type": "type", "URI": "url", "Function": "function", "Timeout": "timeout",
	"PayloadFormatVersion": "payloadFormatVersion", "Method": "method", "AuthorizationScopes": "authorizationScopes",
}

// translate appends to path the config's names of the built API's dotted
// field f, keeping indexes; it stops at the first name the config has not.
func translate(path, f string) string {
	for f != "" {
		part, rest, _ := strings.Cut(f, ".")
		name, idx, _ := strings.Cut(part, "[")
		m, ok := httpFieldNames[name]
		if !ok {
			return path
		}
		path = field(path, m)
		if idx != "" {
			path += "[" + idx
		}
		f = rest
	}
	return path
}

// httpRoutePath places a problem of a built route: at its route's path,
// method, integration, scopes, or at its authorizer's declaration.
func httpRoutePath(r *report, a *HTTPAPI, ap string, p apigw.Problem) string {
	n := 0
	for j, rt := range a.Routes {
		methods := routeMethods(rt)
		if k := p.Route - n; k < len(methods) {
			rp := index(field(ap, "routes"), j)
			switch {
			case p.Field == "ResourcePath" || p.Field == "Method" && rt.Path == tollgate.DefaultRouteKey:
				return field(rp, "path")
			case p.Field == "Method":
				return index(field(rp, "methods"), k)
			case strings.HasPrefix(p.Field, "Authorizer"):
				return authorizerPath(a, ap, cmp.Or(rt.Authorizer, a.DefaultAuthorizer), p.Field)
			case strings.HasPrefix(p.Field, "AuthorizationScopes") && rt.Authorizer == "" && !r.has(field(rp, "authorizationScopes")):
				// The route's scopes are the API's default ones.
				return field(ap, "defaultAuthorizationScopes") + strings.TrimPrefix(p.Field, "AuthorizationScopes")
			}
			return translate(rp, p.Field)
		}
		n += len(methods)
	}
	if a.DefaultIntegration != nil && p.Route == n {
		if strings.HasPrefix(p.Field, "Authorizer") {
			return authorizerPath(a, ap, a.DefaultAuthorizer, p.Field)
		}
		if rest, ok := strings.CutPrefix(p.Field, "Integration."); ok {
			return translate(field(ap, "defaultIntegration"), rest)
		}
		if rest, ok := strings.CutPrefix(p.Field, "AuthorizationScopes"); ok {
			return field(ap, "defaultAuthorizationScopes") + rest
		}
		return field(ap, "defaultIntegration")
	}
	return ap
}

// httpAuthorizerFields maps the fields of a built authorizer to the
// config's.
var httpAuthorizerFields = []struct{ built, config string }{
	{"Authorizer.IdentitySources", "identitySource"},
	{"Authorizer.IdentitySource", "identitySource[0]"},
	{"Authorizer.Function", "function"},
	{"Authorizer.ResultTTL", "resultsCacheTtl"},
	{"Authorizer.PayloadFormatVersion", "payloadFormatVersion"},
	{"Authorizer.SimpleResponses", "responseTypes"},
	{"Authorizer.JWT.Issuers[0].Issuer", "jwtIssuer"},
	{"Authorizer.JWT.Issuers[0].PoolID", "userPool"},
	{"Authorizer.Type", "type"},
}

// authorizerPath returns the config path of field f of the authorizer id
// of the API at ap.
func authorizerPath(a *HTTPAPI, ap, id, f string) string {
	j := slices.IndexFunc(a.Authorizers, func(au HTTPAuthorizer) bool { return au.ID == id })
	if j < 0 {
		return ap
	}
	au := &a.Authorizers[j]
	aup := index(field(ap, "authorizers"), j)
	if rest, ok := strings.CutPrefix(f, "Authorizer.JWT.Issuers[0].Audiences"); ok {
		if au.UserPool != "" {
			return field(aup, "userPoolClients") + rest
		}
		return field(aup, "jwtAudience") + rest
	}
	for _, m := range httpAuthorizerFields {
		if rest, ok := strings.CutPrefix(f, m.built); ok && (rest == "" || rest[0] == '[' || rest[0] == '.') {
			if m.built == "Authorizer.IdentitySources" {
				return field(aup, m.config) + rest
			}
			return field(aup, m.config)
		}
	}
	return aup
}

// unusedHTTPAuthorizers returns the ids of the authorizers of a that no
// route (nor the default integration) uses, in declaration order.
func unusedHTTPAuthorizers(a *HTTPAPI) []string {
	used := map[string]bool{}
	for _, rt := range a.Routes {
		used[cmp.Or(rt.Authorizer, a.DefaultAuthorizer)] = true
	}
	if a.DefaultIntegration != nil {
		used[a.DefaultAuthorizer] = true
	}
	var ids []string
	for _, au := range a.Authorizers {
		if !used[au.ID] {
			ids = append(ids, au.ID)
		}
	}
	return ids
}
