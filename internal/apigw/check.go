package apigw

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// Check checks an API declaration whole, without starting anything, and
// returns every problem (nil when there is none). It is the one gate
// before an API is served: the gateway runs it in New, and config runs it
// on the APIs a config or a template builds.
//
// What both kinds share is checked once: the routes (CheckRoutes), stage
// names, variables and throttles, scopes, HTTP_PROXY URIs (parsed by
// ParseIntegrationURI, which config and the proxy both call, their
// placeholders naming the route's path parameters), JWT issuers and
// REQUEST authorizers' functions and TTLs. A REST API's authorizers are
// checked by type (Cognito: at least one pool or issuer, pool ids of
// Cognito's shape, JWKS URLs; TOKEN and REQUEST: the validation
// expression and identity sources; JWT: algorithms, issuers, audiences and
// claim names; each its one token header but REQUEST) and its
// integrations' types, MOCK statuses and headers, and its API key source.
// An HTTP API is checked
// by HTTP API rules (checkHTTP, check_http.go); the fields of one kind
// are refused on the other.
func Check(api *tollgate.RestAPI) Problems {
	var probs Problems
	if api.ID == "" {
		probs.Add(-1, "ID", "the API has no id")
	}
	switch api.Protocol {
	case tollgate.ProtocolREST, "":
	case tollgate.ProtocolHTTP:
		checkHTTP(&probs, api)
		return probs
	default:
		probs.Add(-1, "Protocol", "unknown API protocol %q: want %s or %s", api.Protocol, tollgate.ProtocolREST, tollgate.ProtocolHTTP)
		return probs
	}
	checkRESTOnly(&probs, api)
	checkAPIKeySource(&probs, api)
	checkStages(&probs, api)
	probs = append(probs, CheckRoutes(api.Routes)...)
	for i := range api.Routes {
		r := &api.Routes[i]
		if r.IsDefault() {
			probs.Add(i, "ResourcePath", "a REST API has no $default route: that is an HTTP API's (a REST API catches the rest with ANY /{proxy+})")
		}
		if a := r.Authorizer; a != nil {
			checkAuthorizer(&probs, i, a)
		}
		checkIntegration(&probs, i, r)
	}
	return probs
}

// checkRESTOnly refuses on a REST API the fields of an HTTP API.
func checkRESTOnly(probs *Problems, api *tollgate.RestAPI) {
	if api.CORS != nil {
		probs.Add(-1, "CORS", "a CORS configuration is an HTTP API's: a REST API answers preflights with OPTIONS methods (MOCK integrations)")
	}
	if api.DisableExecuteAPIEndpoint {
		probs.Add(-1, "DisableExecuteAPIEndpoint", "DisableExecuteAPIEndpoint is supported on HTTP APIs only")
	}
	for i, st := range api.Stages {
		if st.RouteThrottle.Enabled() || st.RouteThrottle.Burst != 0 || len(st.RouteThrottles) > 0 {
			probs.Add(-1, fmt.Sprintf("Stages[%d].RouteThrottles", i), "route throttles (DefaultRouteSettings, RouteSettings) are an HTTP API's stage's: a REST API's stage has Throttle")
		}
	}
	for i := range api.Routes {
		r := &api.Routes[i]
		if in := &r.Integration; in.PayloadFormatVersion != "" {
			probs.Add(i, "Integration.PayloadFormatVersion", "a REST API's Lambda proxy integration has payload format 1.0 only: leave PayloadFormatVersion empty")
		}
		if r.Integration.Method != "" {
			probs.Add(i, "Integration.Method", "an integration method is an HTTP API's HTTP_PROXY integration's: a REST API's sends the request's")
		}
		if a := r.Authorizer; a != nil {
			if a.PayloadFormatVersion != "" || a.SimpleResponses {
				probs.Add(i, "Authorizer.PayloadFormatVersion", "authorizer %q: a payload format version and simple responses are an HTTP API's REQUEST authorizer's", a.Name)
			}
			if a.JWT != nil && slices.ContainsFunc(a.JWT.Issuers, func(iss tollgate.JWTIssuer) bool { return iss.PoolID != "" }) {
				probs.Add(i, "Authorizer.JWT.Issuers", "authorizer %q: an issuer named by a local pool id is an HTTP API's JWT authorizer's (a REST API names its pools with a COGNITO_USER_POOLS authorizer)", a.Name)
			}
		}
	}
}

// checkStages checks the stages' names (an HTTP API's may be $default),
// variables and stage throttles.
func checkStages(probs *Problems, api *tollgate.RestAPI) {
	stages, http := api.Stages, api.IsHTTP()
	if len(stages) == 0 {
		probs.Add(-1, "Stages", "the API has no stage, so it cannot be invoked")
	}
	seen := map[string]bool{}
	for i, st := range stages {
		field := fmt.Sprintf("Stages[%d]", i)
		switch {
		case http && st.Name == tollgate.DefaultStageName:
		case !StageNamePattern.MatchString(st.Name) && http:
			probs.Add(-1, field+".Name", "stage name %q: want $default or 1 to 128 of a-zA-Z0-9_-", st.Name)
		case !StageNamePattern.MatchString(st.Name):
			probs.Add(-1, field+".Name", "stage name %q may only hold a-zA-Z0-9_- (1 to 128 characters)", st.Name)
		}
		if seen[st.Name] {
			probs.Add(-1, field+".Name", "stage %q is declared twice", st.Name)
		}
		seen[st.Name] = true
		if !http {
			checkThrottle(probs, field+".Throttle", st.Throttle)
			checkThrottle(probs, field+".ClientThrottle", st.ClientThrottle)
		}
		for _, k := range slices.Sorted(maps.Keys(st.Variables)) {
			if !StageVariableNamePattern.MatchString(k) || !StageVariableValuePattern.MatchString(st.Variables[k]) {
				probs.Add(-1, field+".Variables", "stage variable %q = %q: a name is 1 to 64 of a-zA-Z0-9_, a value 1 to 512 of a-zA-Z0-9-._~:/?#&=,", k, st.Variables[k])
			}
		}
	}
}

func checkThrottle(probs *Problems, field string, t tollgate.Throttle) {
	switch {
	case t.Rate < 0:
		probs.Add(-1, field+".Rate", "rate %g is negative", t.Rate)
	case t.Rate > MaxRate:
		probs.Add(-1, field+".Rate", "rate %g is more than %g requests per second", t.Rate, float64(MaxRate))
	}
	if t.Burst < 0 {
		probs.Add(-1, field+".Burst", "burst %d is negative", t.Burst)
	}
}

func checkAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	switch a.Kind() {
	case tollgate.AuthorizerCognito:
		checkCognitoAuthorizer(probs, route, a)
	case tollgate.AuthorizerToken, tollgate.AuthorizerRequest:
		checkLambdaAuthorizer(probs, route, a)
	case tollgate.AuthorizerJWT:
		checkJWTAuthorizer(probs, route, a)
	default:
		probs.Add(route, "Authorizer.Type", "authorizer %q has unknown type %q", a.Name, a.Type)
		return
	}
	if a.Kind() != tollgate.AuthorizerRequest {
		if _, ok := TokenHeader(a.IdentitySource); !ok {
			probs.Add(route, "Authorizer.IdentitySource", "%q does not name a request header (method.request.header.{name})", a.IdentitySource)
		}
	}
}

func checkCognitoAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	if len(a.PoolIDs) == 0 && len(a.Issuers) == 0 {
		probs.Add(route, "Authorizer", "authorizer %q names no user pool and no issuer, so it accepts no token", a.Name)
	}
	for i, id := range a.PoolIDs {
		if !tollgate.PoolIDPattern.MatchString(id) {
			probs.Add(route, fmt.Sprintf("Authorizer.PoolIDs[%d]", i), "%q is not a user pool id ({region}_{alphanumerics})", id)
		}
	}
	for i, iss := range a.Issuers {
		field := fmt.Sprintf("Authorizer.Issuers[%d]", i)
		if iss.Issuer == "" {
			probs.Add(route, field+".Issuer", "the issuer is empty")
		}
		u, err := url.Parse(iss.JWKSURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			probs.Add(route, field+".JWKSURL", "%q is not an http(s) URL", iss.JWKSURL)
		}
	}
}

// checkLambdaAuthorizer checks a TOKEN or REQUEST authorizer: a function,
// a TTL in bounds, and its identity sources (REQUEST: each of the four
// kinds, at least one when it caches).
func checkLambdaAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	checkFunctionAndTTL(probs, route, a)
	if a.Kind() == tollgate.AuthorizerToken {
		if a.IdentityValidationExpression != "" {
			if msg := CheckValidationExpression(a.IdentityValidationExpression); msg != "" {
				probs.Add(route, "Authorizer.IdentityValidationExpression", "%s", msg)
			}
		}
		return
	}
	checkRequestSources(probs, route, a, CheckRequestIdentitySource)
}

// checkFunctionAndTTL checks what every Lambda authorizer has: a function
// and a result TTL in bounds.
func checkFunctionAndTTL(probs *Problems, route int, a *tollgate.Authorizer) {
	if a.Function == "" {
		probs.Add(route, "Authorizer.Function", "authorizer %q names no function", a.Name)
	}
	if msg := CheckResultTTL(a.ResultTTL); msg != "" {
		probs.Add(route, "Authorizer.ResultTTL", "%s", msg)
	}
}

// checkRequestSources checks a REQUEST authorizer's identity sources, each
// with check (the REST or the HTTP API spelling), and that one keys its
// cache when it caches: REST and HTTP APIs alike refuse a caching REQUEST
// authorizer without one (apigw-beyond §4.4, "needs ≥1 source"; CDK: "At
// least one Identity Source is required for a REQUEST-based Lambda
// authorizer if caching is enabled").
func checkRequestSources(probs *Problems, route int, a *tollgate.Authorizer, check func(string) string) {
	seen := map[string]bool{}
	for i, s := range a.IdentitySources {
		field := fmt.Sprintf("Authorizer.IdentitySources[%d]", i)
		if msg := check(s); msg != "" {
			probs.Add(route, field, "%s", msg)
		} else if seen[s] {
			probs.Add(route, field, "identity source %q is listed twice", s)
		}
		seen[s] = true
	}
	if len(a.IdentitySources) == 0 && a.ResultTTL > 0 {
		probs.Add(route, "Authorizer.IdentitySources", "REQUEST authorizer %q caches (TTL %s) but has no identity source to key its cache by", a.Name, a.ResultTTL)
	}
}

func checkJWTAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	c := a.JWT
	if c == nil || len(c.Algorithms) == 0 || len(c.Issuers) == 0 {
		probs.Add(route, "Authorizer.JWT", "JWT authorizer %q needs algorithms and issuers", a.Name)
		return
	}
	checkJWTAlgorithms(probs, route, c)
	for i := range c.Issuers {
		iss := &c.Issuers[i]
		field := fmt.Sprintf("Authorizer.JWT.Issuers[%d]", i)
		if msg := CheckJWTIssuer(iss.Issuer); msg != "" {
			probs.Add(route, field+".Issuer", "%s", msg)
		}
		checkJWTIssuerKeys(probs, route, field, iss)
		for k, cl := range iss.Claims {
			if msg := CheckJWTClaimName(cl.Name); msg != "" {
				probs.Add(route, fmt.Sprintf("%s.Claims[%d].Name", field, k), "%s", msg)
			}
		}
	}
}

func checkJWTAlgorithms(probs *Problems, route int, c *tollgate.JWTConfiguration) {
	for i, alg := range c.Algorithms {
		if msg := CheckJWTAlgorithm(alg); msg != "" {
			probs.Add(route, fmt.Sprintf("Authorizer.JWT.Algorithms[%d]", i), "%s", msg)
		}
	}
}

// checkJWTIssuerKeys checks what a JWT issuer of either kind of API has:
// its JWKS URL, if set, and its audiences (at least one).
func checkJWTIssuerKeys(probs *Problems, route int, field string, iss *tollgate.JWTIssuer) {
	if iss.JWKSURL != "" {
		if msg := CheckFetchURL(iss.JWKSURL); msg != "" {
			probs.Add(route, field+".JWKSURL", "invalid JWKS URL %q: %s", iss.JWKSURL, msg)
		}
	}
	if len(iss.Audiences) == 0 {
		probs.Add(route, field+".Audiences", "issuer %q has no audience, so no token can match", cmp.Or(iss.Issuer, iss.PoolID))
	}
}

// checkScopes checks a route's scopes, each a scope token.
func checkScopes(probs *Problems, i int, r *tollgate.Route) {
	for k, s := range r.AuthorizationScopes {
		if !ValidScope(s) {
			probs.Add(i, fmt.Sprintf("AuthorizationScopes[%d]", k), "invalid scope %q: want printable ASCII characters other than space, '\"' and '\\'", s)
		}
	}
}

func checkIntegration(probs *Problems, i int, r *tollgate.Route) {
	checkScopes(probs, i, r)
	in := &r.Integration
	switch in.Type {
	case tollgate.IntegrationHTTPProxy, tollgate.IntegrationAWSProxy, tollgate.IntegrationMock:
	default:
		probs.Add(i, "Integration.Type", "integration type %q is not HTTP_PROXY, AWS_PROXY or MOCK", in.Type)
	}
	if s := in.MockStatus; in.Type == tollgate.IntegrationMock && s != 0 && (s < 100 || s > 599) {
		probs.Add(i, "Integration.MockStatus", "status %d is not an HTTP status", s)
	}
	for _, k := range slices.Sorted(maps.Keys(in.MockHeaders)) {
		if CheckHeader(k, in.MockHeaders[k]) != "" {
			probs.Add(i, "Integration.MockHeaders", "header %q: %q is not a valid header name and value", k, in.MockHeaders[k])
		}
	}
	if in.Timeout < 0 {
		probs.Add(i, "Integration.Timeout", "timeout %s is negative", in.Timeout)
	}
}

// PlaceholderProblem says that an integration URI's placeholder name is not
// a path parameter of the resource path, whose parameters are params.
func PlaceholderProblem(name, path string, params []string) string {
	hint := ", which has none"
	if len(params) > 0 {
		hint = " (want one of " + strings.Join(params, ", ") + ")"
	}
	return fmt.Sprintf("placeholder {%s} is not a path parameter of %s%s", name, path, hint)
}

// CheckHeader returns what is wrong with a static response header, or "":
// a token name (RFC 9110 §5.6.2) and a value without control characters.
func CheckHeader(name, value string) string {
	if name == "" {
		return "a header name must not be empty"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return fmt.Sprintf("%q is not a valid header name", name)
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Sprintf("the value of header %s holds a control character", name)
		}
	}
	return ""
}

// CheckRoutes checks the route tree of an API: every bad resource path,
// unknown method, duplicate method (a route key defined twice) and
// conflicting variable siblings, and an HTTP API's $default route (method
// ANY, at most one). The routes of both kinds share one tree, so an HTTP
// API's paths follow the same template rule (ParsePath) and keep one
// variable per level: AWS documents that rule for REST APIs; for HTTP APIs
// it is unverified (http-api-develop-routes.md says nothing of sibling
// variables), and Tollgate keeps it because its one route tree matches a
// level's variable by one name.
func CheckRoutes(routes []tollgate.Route) Problems {
	var probs Problems
	var tree Tree
	defined := map[string]*[NumMethods]int{} // resource path → 1 + the route of each method
	defaultRoute := -1
	for i := range routes {
		r := &routes[i]
		if r.IsDefault() {
			// An HTTP API's catch-all: not in the tree, one per API; Check
			// refuses it on a REST API.
			if r.Method != MethodAny {
				probs.Add(i, "Method", "the $default route's method is ANY, got %q", r.Method)
			}
			if defaultRoute >= 0 {
				probs.Add(i, "ResourcePath", "the $default route is defined twice (also by route %d)", defaultRoute)
			}
			defaultRoute = i
			continue
		}
		if msg := CheckMethod("method", r.Method); msg != "" {
			probs.Add(i, "Method", "%s", msg)
		}
		parts, err := ParsePath(r.ResourcePath)
		if err != nil {
			probs.Add(i, "ResourcePath", "%s", err)
			continue
		}
		if c := tree.Add(parts, i); c != nil {
			probs.Add(i, "ResourcePath", "%s", c.Error())
			continue
		}
		slot := MethodIndex(r.Method)
		if slot < 0 {
			continue
		}
		path := FormatPath(parts)
		if defined[path] == nil {
			defined[path] = new([NumMethods]int)
		}
		if prev := defined[path][slot]; prev != 0 {
			probs.Add(i, "Method", "method %s is defined twice on %q (also by route %d)", r.Method, path, prev-1)
			continue
		}
		defined[path][slot] = i + 1
	}
	return probs
}
