package config

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// Values of the httpApis section.
const (
	// HTTPAuthorizerNone, as a route's authorizer, opts the route out of
	// the API's defaultAuthorizer (CDK's HttpNoneAuthorizer).
	HTTPAuthorizerNone = "NONE"
	// HTTPResponseIAM and HTTPResponseSimple are CDK's
	// HttpLambdaResponseType: an IAM policy, or {"isAuthorized": …}.
	HTTPResponseIAM    = "IAM"
	HTTPResponseSimple = "SIMPLE"
)

// httpAPIChecker validates one HTTP API.
type httpAPIChecker struct {
	r          *report
	api        *HTTPAPI
	ap         string // the API's path
	functions  map[string]bool
	pools      map[string]*UserPool // the config's pools by logical id
	poolScopes poolScopes
	// authorizers maps the ids of the API's well-formed authorizers to
	// their type and local pool; broken holds those whose type is wrong,
	// reported once.
	authorizers map[string]authorizerInfo
	broken      map[string]bool
}

// checkHTTPAPIs fills the defaults of the httpApis section and validates
// it. ids holds the logical ids of the REST APIs: the two kinds share one
// name space.
func (c *Config) checkHTTPAPIs(r *report, ids firstSeen) {
	pools := map[string]*UserPool{}
	for i := range c.UserPools {
		if p := &c.UserPools[i]; pools[p.ID] == nil {
			pools[p.ID] = p
		}
	}
	functions, scopes := c.functionIDs(), c.scopesOfPools()
	rsIDs := c.resourceServerIDs()
	for i := range c.HTTPAPIs {
		a := &c.HTTPAPIs[i]
		hc := &httpAPIChecker{r: r, api: a, ap: index("httpApis", i), functions: functions, pools: pools, poolScopes: scopes}
		ids.checkID(r, a.ID, field(hc.ap, "id"), "API id")
		if a.APIName == "" {
			a.APIName = a.ID
		}
		if a.CreateDefaultStage == nil {
			a.CreateDefaultStage = ptrTo(true)
		}
		hc.checkCORS()
		hc.checkAuthorizers()
		hc.checkRoutes()
		hc.checkStages()
		if a.ProtectedResource != nil {
			checkProtectedResource(r, a.ProtectedResource, field(hc.ap, "protectedResource"))
			local, routes := hc.resourceUse()
			checkResourceUse(r, a.ProtectedResource, field(hc.ap, "protectedResource"), local, rsIDs, routes)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// checkCORS checks what the gate cannot see of corsPreflight: maxAge in
// whole seconds. The rest (origins, methods, headers, the range of
// maxAge, credentials with "*") is apigw.Check's, placed by the gate.
func (hc *httpAPIChecker) checkCORS() {
	c := hc.api.CORSPreflight
	if c == nil || c.MaxAge == nil {
		return
	}
	if *c.MaxAge%time.Second != 0 {
		hc.r.add(field(field(hc.ap, "corsPreflight"), "maxAge"), "maxAge must be whole seconds (Access-Control-Max-Age), got %s", *c.MaxAge)
	}
}

// checkStages checks the named stages and the $default stage's settings.
// That route throttles name routes of the API is apigw.Check's.
func (hc *httpAPIChecker) checkStages() {
	r := hc.r
	list := field(hc.ap, "stages")
	names := firstSeen{}
	for j := range hc.api.Stages {
		st := &hc.api.Stages[j]
		sp := index(list, j)
		np := field(sp, "stageName")
		switch {
		case st.StageName == "":
			r.add(np, "stageName is required: the stage's name, its URL's first path segment, or $default")
		case st.StageName != tollgate.DefaultStageName && !apigw.StageNamePattern.MatchString(st.StageName):
			r.add(np, "invalid stage name %q: want $default or 1 to 128 letters, digits, '-' and '_'", st.StageName)
		default:
			names.check(r, st.StageName, np, "stage")
		}
		checkStageVariables(r, field(sp, "stageVariables"), st.StageVariables)
		if t := st.Throttle; t != nil {
			tp := field(sp, "throttle")
			checkThrottle(r, &t.RateLimit, &t.BurstLimit, field(tp, "rateLimit"), field(tp, "burstLimit"))
		}
		rtp := field(sp, "routeThrottles")
		for _, k := range slices.Sorted(maps.Keys(st.RouteThrottles)) {
			kp := field(rtp, k) // the key itself is apigw.Check's
			t := st.RouteThrottles[k]
			checkThrottle(r, &t.RateLimit, &t.BurstLimit, field(kp, "rateLimit"), field(kp, "burstLimit"))
			st.RouteThrottles[k] = t
		}
	}
}

// listHint lists a few valid names for a problem, or says there are none.
func listHint(set map[string]bool) string {
	switch n := len(set); {
	case n == 0:
		return ": it has none"
	case n <= maxListedScopes:
		return " (want one of " + strings.Join(slices.Sorted(maps.Keys(set)), ", ") + ")"
	}
	return ""
}

// httpAuthorizerTypes are the authorizer types of an HTTP API.
var httpAuthorizerTypes = []string{HTTPAuthorizerJWT, HTTPAuthorizerRequest}

func (hc *httpAPIChecker) checkAuthorizers() {
	r := hc.r
	hc.authorizers, hc.broken = map[string]authorizerInfo{}, map[string]bool{}
	list := field(hc.ap, "authorizers")
	ids := firstSeen{}
	for j := range hc.api.Authorizers {
		au := &hc.api.Authorizers[j]
		ap := index(list, j)
		ids.checkID(r, au.ID, field(ap, "id"), "authorizer id")
		if au.ID == HTTPAuthorizerNone {
			r.add(field(ap, "id"), "%s names no authorizer: routes write authorizer: NONE to opt out of the defaultAuthorizer; choose another id", HTTPAuthorizerNone)
		}
		tp := field(ap, "type")
		switch {
		case au.Type == "":
			r.add(tp, "type is required: %s (HttpJwtAuthorizer, HttpUserPoolAuthorizer) or %s (HttpLambdaAuthorizer)", HTTPAuthorizerJWT, HTTPAuthorizerRequest)
			hc.broken[au.ID] = true
			continue
		case slices.Contains(httpAuthorizerTypes, strings.ToUpper(au.Type)) && au.Type != strings.ToUpper(au.Type):
			r.add(tp, "invalid authorizer type %q (write it in upper case: %s)", au.Type, strings.ToUpper(au.Type))
			hc.broken[au.ID] = true
			continue
		case !slices.Contains(httpAuthorizerTypes, au.Type):
			r.add(tp, "unknown authorizer type %q: want %s or %s (an HTTP API has no COGNITO_USER_POOLS or TOKEN authorizer: a JWT authorizer with userPool trusts a pool)", au.Type, HTTPAuthorizerJWT, HTTPAuthorizerRequest)
			hc.broken[au.ID] = true
			continue
		}
		hc.checkForeignFields(au, ap)
		if au.IdentitySource == nil { // left out; [] says none
			au.IdentitySource = []string{apigw.HTTPDefaultIdentitySource}
		}
		info := authorizerInfo{typ: au.Type}
		if au.Type == HTTPAuthorizerJWT {
			info.local = hc.checkJWTAuthorizer(au, ap)
		} else {
			hc.checkLambdaAuthorizer(au, ap)
		}
		if au.ID != "" && logicalIDPattern.MatchString(au.ID) {
			if _, dup := hc.authorizers[au.ID]; !dup {
				hc.authorizers[au.ID] = info
			}
		}
	}
}

// checkForeignFields reports the fields of an authorizer that belong to
// the other type.
func (hc *httpAPIChecker) checkForeignFields(au *HTTPAuthorizer, ap string) {
	for _, f := range []struct {
		name, typ string
		set       bool
	}{
		{"jwtIssuer", HTTPAuthorizerJWT, au.JWTIssuer != ""},
		{"jwtAudience", HTTPAuthorizerJWT, len(au.JWTAudience) > 0},
		{"userPool", HTTPAuthorizerJWT, au.UserPool != ""},
		{"userPoolClients", HTTPAuthorizerJWT, len(au.UserPoolClients) > 0},
		{"function", HTTPAuthorizerRequest, au.Function != ""},
		{"responseTypes", HTTPAuthorizerRequest, len(au.ResponseTypes) > 0},
		{"payloadFormatVersion", HTTPAuthorizerRequest, au.PayloadFormatVersion != ""},
		{"resultsCacheTtl", HTTPAuthorizerRequest, au.ResultsCacheTTL != nil},
	} {
		if f.set && f.typ != au.Type {
			hc.r.addKey(field(ap, f.name), "%s applies to %s authorizers only, and this one is %s", f.name, f.typ, au.Type)
		}
	}
}

// checkJWTAuthorizer checks a JWT authorizer: one identity source, and
// either an issuer with its audiences (HttpJwtAuthorizer) or a pool of
// this config with its clients (HttpUserPoolAuthorizer). It returns the
// pool's logical id, if any.
func (hc *httpAPIChecker) checkJWTAuthorizer(au *HTTPAuthorizer, ap string) []string {
	r := hc.r
	sp := field(ap, "identitySource")
	if len(au.IdentitySource) != 1 { // the source itself is apigw.Check's
		r.addKey(sp, "a JWT authorizer reads its token from one identity source, got %d: like [%s]", len(au.IdentitySource), apigw.HTTPDefaultIdentitySource)
	}
	switch {
	case au.JWTIssuer != "" && au.UserPool != "":
		r.add(field(ap, "userPool"), "a JWT authorizer trusts jwtIssuer or userPool, not both")
	case au.JWTIssuer != "":
		// The issuer URL and the audiences' values are apigw.Check's.
		al := field(ap, "jwtAudience")
		if len(au.JWTAudience) == 0 && !r.isBroken(al) {
			r.addKey(al, "jwtAudience is required with jwtIssuer: a token's aud (or, without aud, its client_id) must be one of them")
		}
		checkEach(r, al, au.JWTAudience, "audience", func(string) string { return "" })
	case au.UserPool != "":
		if len(au.JWTAudience) > 0 {
			r.addKey(field(ap, "jwtAudience"), "jwtAudience applies with jwtIssuer: a userPool authorizer's audience is its userPoolClients' ids")
		}
		return hc.checkUserPoolRef(au, ap)
	default:
		r.add(ap, "a JWT authorizer needs jwtIssuer (with jwtAudience) or userPool (with userPoolClients)")
	}
	return nil
}

// checkUserPoolRef checks a JWT authorizer's userPool and userPoolClients,
// logical ids of a pool of this config and of its clients. CDK's
// HttpUserPoolAuthorizer makes a new client when given none; Tollgate asks
// for one.
func (hc *httpAPIChecker) checkUserPoolRef(au *HTTPAuthorizer, ap string) []string {
	r := hc.r
	pool := hc.pools[au.UserPool]
	if pool == nil {
		r.add(field(ap, "userPool"), "%q is not the id of a user pool of this config%s", au.UserPool, listHint(setOf(slices.Collect(maps.Keys(hc.pools)))))
		return nil
	}
	clients := map[string]bool{}
	for _, cl := range pool.Clients {
		clients[cl.ID] = true
	}
	cp := field(ap, "userPoolClients")
	if len(au.UserPoolClients) == 0 && !r.isBroken(cp) {
		r.addKey(cp, "userPoolClients is required with userPool: the ids of its clients, whose client ids are the audience%s", listHint(clients))
	}
	checkEach(r, cp, au.UserPoolClients, "client", func(id string) string {
		if !clients[id] {
			return "\"" + id + "\" is not the id of a client of user pool " + au.UserPool + listHint(clients)
		}
		return ""
	})
	return []string{au.UserPool}
}

func setOf(values []string) map[string]bool {
	set := make(map[string]bool, len(values))
	for _, v := range values {
		set[v] = true
	}
	return set
}

// checkLambdaAuthorizer checks a REQUEST authorizer and fills its
// defaults as CDK's HttpLambdaAuthorizer does
// (aws-apigatewayv2-authorizers/lib/http/lambda.ts): responseTypes [IAM]
// (payload 1.0), SIMPLE making it 2.0 with simple responses;
// resultsCacheTtl 300s.
func (hc *httpAPIChecker) checkLambdaAuthorizer(au *HTTPAuthorizer, ap string) {
	r := hc.r
	checkFunctionRef(r, hc.functions, au.Function, field(ap, "function"), authorizerFunction)
	rp := field(ap, "responseTypes")
	switch {
	case au.ResponseTypes == nil:
		au.ResponseTypes = []string{HTTPResponseIAM}
	case len(au.ResponseTypes) == 0:
		r.addKey(rp, "responseTypes needs IAM or SIMPLE (leave it out for IAM)")
	}
	checkEach(r, rp, au.ResponseTypes, "response type", func(t string) string {
		if t != HTTPResponseIAM && t != HTTPResponseSimple {
			return "invalid response type \"" + t + "\": want IAM or SIMPLE"
		}
		return ""
	})
	// The payload format version's value, and SIMPLE with 1.0, are
	// apigw.Check's; the identity sources too.
	if pp := field(ap, "payloadFormatVersion"); au.PayloadFormatVersion == "" && !r.has(pp) {
		au.PayloadFormatVersion = apigw.PayloadFormat1
		if slices.Contains(au.ResponseTypes, HTTPResponseSimple) {
			au.PayloadFormatVersion = apigw.PayloadFormat2
		}
	}
	checkResultsCacheTTL(r, &au.ResultsCacheTTL, field(ap, "resultsCacheTtl"))
}

// checkRoutes checks the routes and the defaultIntegration and fills
// their defaults.
func (hc *httpAPIChecker) checkRoutes() {
	r, a := hc.r, hc.api
	keys := firstSeen{}
	hc.checkDefaultAuthorization()
	list := field(hc.ap, "routes")
	for j := range a.Routes {
		rt := &a.Routes[j]
		rp := index(list, j)
		hc.checkRouteKeys(rt, rp, keys)
		ip := field(rp, "integration")
		if rt.Integration == nil {
			r.add(ip, "integration is required: AWS_PROXY (a function) or HTTP_PROXY (a URL)")
		} else {
			hc.checkIntegration(rt.Integration, ip)
		}
		hc.checkRouteAuthorization(rt, rp)
		hc.checkRouteBinding(rt, rp)
	}
	if in := a.DefaultIntegration; in != nil {
		ip := field(hc.ap, "defaultIntegration")
		hc.checkIntegration(in, ip)
		keys.check(r, tollgate.DefaultRouteKey, ip, "route")
	}
}

// checkRouteKeys checks a route's path and methods, fills its methods'
// default (ANY) and adds its route keys to keys.
func (hc *httpAPIChecker) checkRouteKeys(rt *HTTPRoute, rp string, keys firstSeen) {
	r := hc.r
	pp, mp := field(rp, "path"), field(rp, "methods")
	switch rt.Path {
	case "":
		r.add(pp, "path is required: the route's path, like /pets/{id} or /{proxy+}, or $default")
		return
	case tollgate.DefaultRouteKey:
		if len(rt.Methods) > 0 {
			r.addKey(mp, "the $default route has no methods: it takes every request no other route matches")
		}
		keys.check(r, tollgate.DefaultRouteKey, pp, "route")
		return
	}
	if _, err := apigw.ParsePath(rt.Path); err != nil {
		subject := ""
		if err.Part == "" {
			subject = "it "
		}
		r.add(pp, "invalid path %q: %s%s", rt.Path, subject, err.Reason)
		return
	}
	switch {
	case rt.Methods == nil:
		rt.Methods = []string{apigw.MethodAny}
	case len(rt.Methods) == 0:
		r.addKey(mp, "a route needs at least one method (leave methods out for ANY)")
	}
	for k, m := range rt.Methods {
		if msg := apigw.CheckMethod("method", m); msg != "" {
			r.add(index(mp, k), "%s", msg)
			continue
		}
		keys.check(r, m+" "+rt.Path, index(mp, k), "route")
	}
}

// checkDefaultAuthorization checks defaultAuthorizer and
// defaultAuthorizationScopes.
func (hc *httpAPIChecker) checkDefaultAuthorization() {
	a := hc.api
	dp := field(hc.ap, "defaultAuthorizer")
	_, known := hc.authorizers[a.DefaultAuthorizer]
	switch {
	case a.DefaultAuthorizer == "" || a.DefaultAuthorizer == HTTPAuthorizerNone || known || hc.broken[a.DefaultAuthorizer]:
	default:
		hc.r.add(dp, "%q is not an authorizer of this API%s", a.DefaultAuthorizer, listHint(setOf(slices.Collect(maps.Keys(hc.authorizers)))))
	}
	sp := field(hc.ap, "defaultAuthorizationScopes")
	if len(a.DefaultAuthorizationScopes) > 0 && (a.DefaultAuthorizer == "" || a.DefaultAuthorizer == HTTPAuthorizerNone) {
		hc.r.addKey(sp, "defaultAuthorizationScopes need a defaultAuthorizer (a JWT authorizer)")
	}
	hc.checkScopes(a.DefaultAuthorizer, a.DefaultAuthorizationScopes, sp)
}

// checkRouteAuthorization resolves a route's authorizer (its own, the
// API's default, or none for NONE) and checks its scopes, filling the
// API's default scopes for a route that names no authorizer.
func (hc *httpAPIChecker) checkRouteAuthorization(rt *HTTPRoute, rp string) {
	r, a := hc.r, hc.api
	sp := field(rp, "authorizationScopes")
	switch rt.Authorizer {
	case "":
		if len(rt.AuthorizationScopes) == 0 && !r.has(sp) {
			rt.AuthorizationScopes = slices.Clone(a.DefaultAuthorizationScopes)
			return // checked where they are written
		}
		hc.checkScopes(a.DefaultAuthorizer, rt.AuthorizationScopes, sp)
	case HTTPAuthorizerNone: // scopes without an authorizer are apigw.Check's
	default:
		_, known := hc.authorizers[rt.Authorizer]
		if !known && !hc.broken[rt.Authorizer] {
			r.add(field(rp, "authorizer"), "%q is not an authorizer of this API%s", rt.Authorizer, listHint(setOf(append(slices.Collect(maps.Keys(hc.authorizers)), HTTPAuthorizerNone))))
			return
		}
		hc.checkScopes(rt.Authorizer, rt.AuthorizationScopes, sp)
	}
}

// checkScopes checks the scopes at sp given with the authorizer id, by
// what the gate cannot see: a pool authorizer's scopes must be its pool's,
// and each is listed once. A scope's spelling, and scopes with no
// authorizer or one that is not JWT, are apigw.Check's.
func (hc *httpAPIChecker) checkScopes(id string, scopes []string, sp string) {
	info, known := hc.authorizers[id]
	if len(scopes) == 0 || !known || info.typ != HTTPAuthorizerJWT {
		return
	}
	r := hc.r
	var valid map[string]bool
	if len(info.local) > 0 {
		valid = hc.poolScopes[info.local[0]]
	}
	seen := firstSeen{}
	for k, s := range scopes {
		if p := index(sp, k); valid != nil && !valid[s] {
			r.add(p, "scope %q is not a scope of user pool %s%s", s, info.local[0], scopesHint(valid))
		} else {
			seen.check(r, s, p, "scope")
		}
	}
}

// checkIntegration checks what the gate cannot see of a route's
// integration (its type's fields, its function's logical id) and fills its
// defaults (CDK's HttpLambdaIntegration: payload 2.0; HttpUrlIntegration:
// method ANY; the timeout: 30s, the HTTP API's maximum and default). The
// values' rules (payload versions, the url and its placeholders, the
// method, the timeout's range) are apigw.Check's, placed by the gate.
func (hc *httpAPIChecker) checkIntegration(in *HTTPIntegration, ip string) {
	r := hc.r
	tp := field(ip, "type")
	pp := field(ip, "payloadFormatVersion")
	switch in.Type {
	case "":
		r.add(tp, "type is required: AWS_PROXY (a function) or HTTP_PROXY (a URL)")
		return
	case IntegrationAWSProxy:
		checkFunctionRef(r, hc.functions, in.Function, field(ip, "function"), routeFunction)
		if in.PayloadFormatVersion == "" && !r.has(pp) {
			in.PayloadFormatVersion = apigw.PayloadFormat2
		}
	case IntegrationHTTPProxy:
		if in.URL == "" {
			r.add(field(ip, "url"), "url is required: the upstream URL, like http://127.0.0.1:9000/{proxy}")
		}
		if mp := field(ip, "method"); in.Method == "" && !r.has(mp) {
			in.Method = apigw.MethodAny
		}
	default:
		r.add(tp, "unsupported integration type %q: want AWS_PROXY or HTTP_PROXY (an HTTP API has no MOCK integration)", in.Type)
		return
	}
	for _, f := range []struct {
		name, typ string
		set       bool
	}{
		{"function", IntegrationAWSProxy, in.Function != ""},
		{"url", IntegrationHTTPProxy, in.URL != ""},
		{"method", IntegrationHTTPProxy, in.Method != ""},
	} {
		if f.set && f.typ != in.Type {
			r.addKey(field(ip, f.name), "%s applies to %s integrations only, and this one is %s", f.name, f.typ, in.Type)
		}
	}
	switch timeoutPath := field(ip, "timeout"); {
	case in.Timeout != 0:
	case !r.has(timeoutPath):
		in.Timeout = tollgate.DefaultHTTPIntegrationTimeout
	default:
		// Written as 0, it is not the default: AWS refuses a
		// TimeoutInMillis under 50.
		r.add(timeoutPath, "timeout %s: want whole milliseconds from %s to %s (leave it out for %s)", in.Timeout,
			apigw.MinHTTPIntegrationTimeout, apigw.MaxHTTPIntegrationTimeout, tollgate.DefaultHTTPIntegrationTimeout)
	}
}

// checkRouteBinding checks a route's requireBinding against the
// authorizer it resolves to (its own or the API's default).
func (hc *httpAPIChecker) checkRouteBinding(rt *HTTPRoute, rp string) {
	id := rt.Authorizer
	if id == "" {
		id = hc.api.DefaultAuthorizer
	}
	typ := ""
	if info, known := hc.authorizers[id]; known && id != HTTPAuthorizerNone {
		typ = info.typ
	}
	checkRequireBinding(hc.r, rt.RequireBinding, field(rp, "requireBinding"), typ)
}

// resourceUse returns the local pools the API's authorizers accept and its
// routes with their authorizers' types, for checkResourceUse.
func (hc *httpAPIChecker) resourceUse() (local []string, routes []apiRoute) {
	for _, au := range hc.api.Authorizers {
		for _, p := range hc.authorizers[au.ID].local {
			if !slices.Contains(local, p) {
				local = append(local, p)
			}
		}
	}
	for _, rt := range hc.api.Routes {
		id := rt.Authorizer
		if id == "" {
			id = hc.api.DefaultAuthorizer
		}
		typ := ""
		if info, known := hc.authorizers[id]; known && id != HTTPAuthorizerNone {
			typ = info.typ
		}
		routes = append(routes, apiRoute{path: strings.TrimSpace(strings.Join(rt.Methods, ",") + " " + rt.Path), authorizerType: typ})
	}
	return local, routes
}
