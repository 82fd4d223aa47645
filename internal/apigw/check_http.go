package apigw

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// HTTP API limits. Sources: the AWS::ApiGatewayV2::Integration,
// Authorizer and Api references and the HTTP API quotas page, limits.md
// (apigw-beyond §4.3–§4.5).
const (
	// MaxHTTPAudiences is the most audiences a JWT authorizer's issuer may
	// list (50, apigw-beyond §4.3).
	MaxHTTPAudiences = 50
	// MaxHTTPRouteScopes is the most authorization scopes a route may list
	// (10, apigw-beyond §4.3).
	MaxHTTPRouteScopes = 10
	// MinHTTPIntegrationTimeout and MaxHTTPIntegrationTimeout bound an HTTP
	// API integration's TimeoutInMillis: 50 to 30,000 ms. CDK validates
	// 29 s at most (its REST limit; apigw-beyond §5.7); the API and
	// CloudFormation allow 30 s, which is what Tollgate follows.
	MinHTTPIntegrationTimeout = 50 * time.Millisecond
	MaxHTTPIntegrationTimeout = tollgate.DefaultHTTPIntegrationTimeout
	// MinCORSMaxAge and MaxCORSMaxAge bound Cors.MaxAge, in seconds
	// (BOTO apigatewayv2 Cors: "-1 to 86400"; -1 disables caching).
	MinCORSMaxAge = -1
	MaxCORSMaxAge = 86400
)

// Payload format versions of an HTTP API's Lambda integrations and Lambda
// authorizers.
const (
	PayloadFormat1 = "1.0"
	PayloadFormat2 = "2.0"
)

// checkHTTP checks an HTTP API (api.IsHTTP()) by HTTP API rules, sharing
// with REST what the two kinds share.
func checkHTTP(probs *Problems, api *tollgate.RestAPI) {
	if len(api.BinaryMediaTypes) > 0 {
		probs.Add(-1, "BinaryMediaTypes", "binary media types are a REST API's: an HTTP API sends a Lambda function a body that is not text base64-encoded, whatever its type")
	}
	if api.CORS != nil {
		checkCORS(probs, api.CORS)
	}
	checkHTTPAPIKeys(probs, api)
	checkStages(probs, api)
	checkRouteThrottles(probs, api)
	probs.add(CheckRoutes(api.Routes))
	for i := range api.Routes {
		r := &api.Routes[i]
		checkHTTPAuthorization(probs, i, r)
		checkHTTPIntegration(probs, i, r)
	}
}

// add appends more problems.
func (ps *Problems) add(more Problems) { *ps = append(*ps, more...) }

// checkRouteThrottles checks an HTTP API's stages' throttles: the
// per-route default (DefaultRouteSettings) and the throttles by route key
// (RouteSettings), whose keys must be route keys (CheckRouteKey) of routes
// of the API. A REST API's
// stage throttles (Throttle, ClientThrottle) are refused.
func checkRouteThrottles(probs *Problems, api *tollgate.RestAPI) {
	keys := map[string]bool{}
	for i := range api.Routes {
		keys[api.Routes[i].Key()] = true
	}
	for i, st := range api.Stages {
		field := fmt.Sprintf("Stages[%d]", i)
		if st.Throttle != (tollgate.Throttle{}) {
			probs.Add(-1, field+".Throttle", "a stage-wide throttle is a REST API stage's: an HTTP API's stage limits each route (RouteThrottle, its DefaultRouteSettings)")
		}
		if st.ClientThrottle != (tollgate.Throttle{}) {
			probs.Add(-1, field+".ClientThrottle", "per-client throttling is a REST API stage's")
		}
		checkThrottle(probs, field+".RouteThrottle", st.RouteThrottle)
		for _, k := range slices.Sorted(maps.Keys(st.RouteThrottles)) {
			kf := fmt.Sprintf("%s.RouteThrottles[%q]", field, k)
			if msg := CheckRouteKey(k); msg != "" {
				probs.Add(-1, kf, "%s", msg)
			} else if !keys[k] {
				probs.Add(-1, kf, "route %q is not a route of this API%s", k, routeKeysHint(keys))
			}
			checkThrottle(probs, kf, st.RouteThrottles[k])
		}
	}
}

// routeKeysHint lists the route keys a RouteSettings key may name.
func routeKeysHint(keys map[string]bool) string {
	if len(keys) == 0 {
		return ": it has none"
	}
	if len(keys) > 10 {
		return ""
	}
	return " (want one of " + strings.Join(slices.Sorted(maps.Keys(keys)), ", ") + ")"
}

// checkCORS checks an HTTP API's CORS configuration (CorsConfiguration).
func checkCORS(probs *Problems, c *tollgate.CORSConfiguration) {
	for i, o := range c.AllowOrigins {
		if msg := checkOrigin(o); msg != "" {
			probs.Add(-1, fmt.Sprintf("CORS.AllowOrigins[%d]", i), "%s", msg)
		}
	}
	// CDK's HttpApi: "CORS preflight - allowCredentials is not supported
	// when allowOrigin is '*'" (aws-apigatewayv2/lib/http/api.ts); the
	// Fetch standard forbids the pair too (CORS protocol, credentialed
	// requests).
	if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		probs.Add(-1, "CORS.AllowCredentials", "allowCredentials is not supported when allowOrigins is '*': list the origins")
	}
	for i, m := range c.AllowMethods {
		// CDK's CorsHttpMethod: ANY is written "*", the others by name.
		if m != "*" && (MethodIndex(m) < 0 || m == MethodAny) {
			probs.Add(-1, fmt.Sprintf("CORS.AllowMethods[%d]", i), "invalid method %q: want * or one of %s", m, strings.Join(Methods[:AnyIndex], ", "))
		}
	}
	checkHeaderList(probs, "CORS.AllowHeaders", c.AllowHeaders)
	checkHeaderList(probs, "CORS.ExposeHeaders", c.ExposeHeaders)
	if c.MaxAge != nil && (*c.MaxAge < MinCORSMaxAge || *c.MaxAge > MaxCORSMaxAge) {
		probs.Add(-1, "CORS.MaxAge", "max age %d is not between %d and %d seconds", *c.MaxAge, MinCORSMaxAge, MaxCORSMaxAge)
	}
}

// checkOrigin returns what is wrong with an allowed origin, or "": "*", or
// an origin as a browser sends it (RFC 6454 §6.1): scheme://host[:port],
// nothing else. Whether AWS accepts wildcard subdomains
// ("https://*.example.com") in an HTTP API's AllowOrigins is not
// documented in what the contract cites (apigw-beyond §4.5 lists origins
// and "*" only), and a search found nothing AWS-specific: Tollgate refuses
// them, so that the gateway's match is exact and a pattern is never
// silently taken for a literal origin.
func checkOrigin(o string) string {
	if o == "*" {
		return ""
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(o, "?#") {
		return fmt.Sprintf("invalid origin %q: want * or scheme://host[:port], like https://app.example.com", o)
	}
	if u.Scheme != strings.ToLower(u.Scheme) || u.Host != strings.ToLower(u.Host) {
		// A browser's Origin header is lower case; an origin that is not
		// would never match.
		return fmt.Sprintf("invalid origin %q: write it in lower case, as a browser sends it", o)
	}
	return ""
}

// checkHeaderList checks CORS header names: each "*" or a field name.
func checkHeaderList(probs *Problems, field string, names []string) {
	for i, h := range names {
		if h != "*" && !headerNamePattern.MatchString(h) {
			probs.Add(-1, fmt.Sprintf("%s[%d]", field, i), "invalid header name %q: want * or a header name", h)
		}
	}
}

// checkHTTPAuthorization checks a route's authorizer and scopes by HTTP
// API rules: JWT or REQUEST authorizers only; scopes (at most 10) with a
// JWT authorizer only.
func checkHTTPAuthorization(probs *Problems, i int, r *tollgate.Route) {
	checkScopes(probs, i, r)
	if len(r.AuthorizationScopes) > MaxHTTPRouteScopes {
		probs.Add(i, "AuthorizationScopes", "a route lists at most %d authorization scopes, got %d", MaxHTTPRouteScopes, len(r.AuthorizationScopes))
	}
	a := r.Authorizer
	if a == nil {
		if len(r.AuthorizationScopes) > 0 {
			probs.Add(i, "AuthorizationScopes", "authorization scopes need a JWT authorizer: without one the route is open to anyone")
		}
		return
	}
	if a.Type == tollgate.AuthorizerRequest && len(r.AuthorizationScopes) > 0 {
		probs.Add(i, "AuthorizationScopes", "authorization scopes apply to JWT authorizers only: %q is a REQUEST authorizer, whose function decides", a.Name)
	}
	checkHTTPAuthorizer(probs, i, a)
}

// CheckHTTPAuthorizer checks an HTTP API's authorizer that no route uses
// by the rules Check applies to one a route uses: its problems' fields
// are "Authorizer…", with Route -1.
func CheckHTTPAuthorizer(a *tollgate.Authorizer) Problems {
	var probs Problems
	checkHTTPAuthorizer(&probs, -1, a)
	return probs
}

// checkHTTPAuthorizer checks the authorizer of route i by HTTP API rules:
// JWT or REQUEST, with none of the other kinds' fields.
func checkHTTPAuthorizer(probs *Problems, i int, a *tollgate.Authorizer) {
	switch a.Type {
	case tollgate.AuthorizerJWT:
		checkHTTPJWTAuthorizer(probs, i, a)
	case tollgate.AuthorizerRequest:
		checkHTTPRequestAuthorizer(probs, i, a)
	default:
		probs.Add(i, "Authorizer.Type", "authorizer %q has type %q: an HTTP API's authorizers are JWT or REQUEST (COGNITO_USER_POOLS is a JWT authorizer trusting the pool; TOKEN is a REQUEST authorizer)", a.Name, a.Kind())
		return
	}
	if a.IdentityValidationExpression != "" {
		probs.Add(i, "Authorizer.IdentityValidationExpression", "authorizer %q: an identity validation expression is a REST API TOKEN authorizer's", a.Name)
	}
	if len(a.PoolIDs) > 0 || len(a.Issuers) > 0 {
		probs.Add(i, "Authorizer.PoolIDs", "authorizer %q: user pools are named in a JWT authorizer's issuers (JWTIssuer.PoolID) on an HTTP API", a.Name)
	}
}

// checkHTTPJWTAuthorizer checks an HTTP API's JWT authorizer: one identity
// source, $request.header.X or $request.querystring.x ("" reads
// $request.header.Authorization); one issuer, a local pool (PoolID) or an
// issuer URL, with 1 to 50 audiences; no algorithms but JWTAlgorithms and
// no additional claims (a REST API JWT authorizer's); none of a Lambda
// authorizer's fields.
func checkHTTPJWTAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	if a.IdentitySource != "" {
		if msg := CheckHTTPTokenSource(a.IdentitySource); msg != "" {
			probs.Add(route, "Authorizer.IdentitySource", "%s", msg)
		}
	}
	if len(a.IdentitySources) > 0 {
		probs.Add(route, "Authorizer.IdentitySources", "JWT authorizer %q reads its token from its one IdentitySource; IdentitySources are a REQUEST authorizer's", a.Name)
	}
	if a.Function != "" || a.ResultTTL != 0 || a.PayloadFormatVersion != "" || a.SimpleResponses {
		probs.Add(route, "Authorizer.Function", "JWT authorizer %q: a function, result TTL, payload format version and simple responses are a REQUEST authorizer's", a.Name)
	}
	c := a.JWT
	if c == nil || len(c.Issuers) != 1 {
		probs.Add(route, "Authorizer.JWT", "JWT authorizer %q needs one issuer (JwtConfiguration's Issuer and Audience)", a.Name)
		return
	}
	checkJWTAlgorithms(probs, route, c)
	iss := &c.Issuers[0]
	const field = "Authorizer.JWT.Issuers[0]"
	switch {
	case iss.PoolID != "" && iss.Issuer != "":
		probs.Add(route, field+".PoolID", "the issuer is a local pool (%s) or an issuer URL (%s), not both", iss.PoolID, iss.Issuer)
	case iss.PoolID != "":
		if !tollgate.PoolIDPattern.MatchString(iss.PoolID) {
			probs.Add(route, field+".PoolID", "%q is not a user pool id ({region}_{alphanumerics})", iss.PoolID)
		}
	case iss.Issuer == "":
		probs.Add(route, field+".Issuer", "the issuer is empty: name an issuer URL or a local pool")
	default:
		if msg := CheckJWTIssuer(iss.Issuer); msg != "" {
			probs.Add(route, field+".Issuer", "%s", msg)
		}
	}
	checkJWTIssuerKeys(probs, route, field, iss)
	if len(iss.Audiences) > MaxHTTPAudiences {
		probs.Add(route, field+".Audiences", "an issuer lists at most %d audiences, got %d", MaxHTTPAudiences, len(iss.Audiences))
	}
	for k, aud := range iss.Audiences {
		if aud == "" {
			probs.Add(route, fmt.Sprintf("%s.Audiences[%d]", field, k), "an audience must not be empty")
		}
	}
	if len(iss.Claims) > 0 {
		probs.Add(route, field+".Claims", "additional claims are a REST API JWT authorizer's")
	}
}

// checkHTTPRequestAuthorizer checks an HTTP API's Lambda (REQUEST)
// authorizer: a function, a TTL of whole seconds up to an hour, identity
// sources in the v2 spelling (at least one when it caches), payload
// format 1.0 or 2.0 (CreateAuthorizer's AuthorizerPayloadFormatVersion:
// "Supported values are 1.0 and 2.0"), simple responses with 2.0 only
// (apigw-beyond §4.4: "2.0 + EnableSimpleResponses"; CDK's
// HttpLambdaAuthorizer pairs SIMPLE with 2.0).
func checkHTTPRequestAuthorizer(probs *Problems, route int, a *tollgate.Authorizer) {
	checkFunctionAndTTL(probs, route, a)
	checkRequestSources(probs, route, a, CheckHTTPIdentitySource)
	if a.IdentitySource != "" {
		probs.Add(route, "Authorizer.IdentitySource", "REQUEST authorizer %q lists its identity sources in IdentitySources", a.Name)
	}
	if a.JWT != nil {
		probs.Add(route, "Authorizer.JWT", "REQUEST authorizer %q: a JWT configuration is a JWT authorizer's", a.Name)
	}
	switch a.PayloadFormatVersion {
	case PayloadFormat1:
		if a.SimpleResponses {
			probs.Add(route, "Authorizer.PayloadFormatVersion", "simple responses need payload format version 2.0, and authorizer %q's is 1.0", a.Name)
		}
	case PayloadFormat2:
	default:
		probs.Add(route, "Authorizer.PayloadFormatVersion", "authorizer %q: payload format version %q: want 1.0 or 2.0", a.Name, a.PayloadFormatVersion)
	}
}

// checkHTTPIntegration checks an HTTP API route's integration: AWS_PROXY
// (a function, payload 1.0 or 2.0) or HTTP_PROXY (payload 1.0, a URI
// whose placeholders name the route's path parameters, a method), with a
// timeout of 50 ms to 30 s in whole milliseconds (0: the default).
func checkHTTPIntegration(probs *Problems, i int, r *tollgate.Route) {
	in := &r.Integration
	switch in.Type {
	case tollgate.IntegrationAWSProxy:
		if in.Function == "" {
			probs.Add(i, "Integration.Function", "the AWS_PROXY integration names no function")
		}
		if in.PayloadFormatVersion != PayloadFormat1 && in.PayloadFormatVersion != PayloadFormat2 {
			probs.Add(i, "Integration.PayloadFormatVersion", "payload format version %q: an AWS_PROXY integration's is 1.0 or 2.0", in.PayloadFormatVersion)
		}
		if in.URI != "" || in.Method != "" {
			probs.Add(i, "Integration.URI", "a URI and a method are an HTTP_PROXY integration's")
		}
	case tollgate.IntegrationHTTPProxy:
		// AWS::ApiGatewayV2::Integration: "For HTTP integrations, specify
		// 1.0"; "" is taken for it.
		if in.PayloadFormatVersion != "" && in.PayloadFormatVersion != PayloadFormat1 {
			probs.Add(i, "Integration.PayloadFormatVersion", "payload format version %q: an HTTP_PROXY integration's is 1.0", in.PayloadFormatVersion)
		}
		if in.Method != "" {
			if msg := CheckMethod("integration method", in.Method); msg != "" {
				probs.Add(i, "Integration.Method", "%s", msg)
			}
		}
		checkHTTPIntegrationURI(probs, i, r)
	default:
		probs.Add(i, "Integration.Type", "integration type %q: an HTTP API's integrations are AWS_PROXY or HTTP_PROXY", in.Type)
	}
	if in.MockStatus != 0 || len(in.MockHeaders) > 0 || in.MockBody != "" {
		probs.Add(i, "Integration.MockStatus", "a static status, headers and body are a REST API MOCK integration's")
	}
	if t := in.Timeout; t != 0 && (t < MinHTTPIntegrationTimeout || t > MaxHTTPIntegrationTimeout || t%time.Millisecond != 0) {
		probs.Add(i, "Integration.Timeout", "timeout %s: want whole milliseconds from 50ms to 30s", t)
	}
}

// checkHTTPIntegrationURI parses an HTTP_PROXY URI and checks that its
// placeholders name path parameters of the route (the $default route has
// none: it forwards the request's full path).
func checkHTTPIntegrationURI(probs *Problems, i int, r *tollgate.Route) {
	u, msg := ParseIntegrationURI(r.Integration.URI)
	if msg != "" {
		probs.Add(i, "Integration.URI", "%s", msg)
		return
	}
	if r.IsDefault() {
		for _, n := range u.Params() {
			probs.Add(i, "Integration.URI", "placeholder {%s}: the $default route has no path parameters; it sends the request's full path after the URI's", n)
		}
		return
	}
	parts, err := ParsePath(r.ResourcePath)
	if err != nil {
		return // CheckRoutes said so
	}
	params := Params(parts)
	for _, n := range u.Params() {
		if !slices.Contains(params, n) {
			probs.Add(i, "Integration.URI", "%s", PlaceholderProblem(n, r.Key(), params))
		}
	}
}
