package apigw

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// Check checks a REST API declaration whole, without starting anything,
// and returns every problem (nil when there is none): the routes
// (CheckRoutes), stage names and throttles, authorizers by type (Cognito:
// at least one pool or issuer, pool ids of Cognito's shape, JWKS URLs;
// TOKEN and REQUEST: a function, the result TTL, the validation expression
// and identity sources; JWT: algorithms, issuers, audiences and claim
// names; each its one token header but REQUEST) and integrations (types, MOCK statuses and headers, timeouts). An HTTP_PROXY
// URI is parsed by ParseIntegrationURI, which config and the proxy both
// call, and its placeholders are checked against the route's path
// parameters where they are written (config). It is the one gate before an API is served: the
// gateway runs it in New, and config runs it on the APIs a config or a
// template builds.
func Check(api *tollgate.RestAPI) Problems {
	var probs Problems
	if api.ID == "" {
		probs.Add(-1, "ID", "the API has no id")
	}
	checkStages(&probs, api.Stages)
	probs = append(probs, CheckRoutes(api.Routes)...)
	for i := range api.Routes {
		r := &api.Routes[i]
		if a := r.Authorizer; a != nil {
			checkAuthorizer(&probs, i, a)
		}
		checkIntegration(&probs, i, r)
	}
	return probs
}

func checkStages(probs *Problems, stages []tollgate.Stage) {
	if len(stages) == 0 {
		probs.Add(-1, "Stages", "the API has no stage, so it cannot be invoked")
	}
	seen := map[string]bool{}
	for i, st := range stages {
		field := fmt.Sprintf("Stages[%d]", i)
		if !StageNamePattern.MatchString(st.Name) {
			probs.Add(-1, field+".Name", "stage name %q may only hold a-zA-Z0-9_ (1 to 128 characters)", st.Name)
		}
		if seen[st.Name] {
			probs.Add(-1, field+".Name", "stage %q is declared twice", st.Name)
		}
		seen[st.Name] = true
		checkThrottle(probs, field+".Throttle", st.Throttle)
		checkThrottle(probs, field+".ClientThrottle", st.ClientThrottle)
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
	if a.Function == "" {
		probs.Add(route, "Authorizer.Function", "authorizer %q names no function", a.Name)
	}
	if msg := CheckResultTTL(a.ResultTTL); msg != "" {
		probs.Add(route, "Authorizer.ResultTTL", "%s", msg)
	}
	if a.Kind() == tollgate.AuthorizerToken {
		if a.IdentityValidationExpression != "" {
			if msg := CheckValidationExpression(a.IdentityValidationExpression); msg != "" {
				probs.Add(route, "Authorizer.IdentityValidationExpression", "%s", msg)
			}
		}
		return
	}
	for i, s := range a.IdentitySources {
		if msg := CheckRequestIdentitySource(s); msg != "" {
			probs.Add(route, fmt.Sprintf("Authorizer.IdentitySources[%d]", i), "%s", msg)
		}
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
	for i, alg := range c.Algorithms {
		if msg := CheckJWTAlgorithm(alg); msg != "" {
			probs.Add(route, fmt.Sprintf("Authorizer.JWT.Algorithms[%d]", i), "%s", msg)
		}
	}
	for i, iss := range c.Issuers {
		field := fmt.Sprintf("Authorizer.JWT.Issuers[%d]", i)
		if msg := CheckJWTIssuer(iss.Issuer); msg != "" {
			probs.Add(route, field+".Issuer", "%s", msg)
		}
		if iss.JWKSURL != "" {
			if msg := CheckFetchURL(iss.JWKSURL); msg != "" {
				probs.Add(route, field+".JWKSURL", "invalid JWKS URL %q: %s", iss.JWKSURL, msg)
			}
		}
		if len(iss.Audiences) == 0 {
			probs.Add(route, field+".Audiences", "issuer %q has no audience, so no token can match", iss.Issuer)
		}
		for k, cl := range iss.Claims {
			if msg := CheckJWTClaimName(cl.Name); msg != "" {
				probs.Add(route, fmt.Sprintf("%s.Claims[%d].Name", field, k), "%s", msg)
			}
		}
	}
}

func checkIntegration(probs *Problems, i int, r *tollgate.Route) {
	for k, s := range r.AuthorizationScopes {
		if !ValidScope(s) {
			probs.Add(i, fmt.Sprintf("AuthorizationScopes[%d]", k), "invalid scope %q: want printable ASCII characters other than space, '\"' and '\\'", s)
		}
	}
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
// unknown method, duplicate method and conflicting variable siblings.
func CheckRoutes(routes []tollgate.Route) Problems {
	var probs Problems
	var tree Tree
	defined := map[string]*[NumMethods]int{} // resource path → 1 + the route of each method
	for i := range routes {
		r := &routes[i]
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
