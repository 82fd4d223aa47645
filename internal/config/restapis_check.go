package config

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// API Gateway's limits and patterns for the restApis section. Sources: the
// CreateStage, CreateResource, PutMethod, PutIntegration, CreateAuthorizer
// and CreateBasePathMapping API references and the API Gateway quotas page.
var (
	// mediaTypePattern is a media type without parameters (RFC 6838
	// §4.2), where either part may be "*".
	mediaTypePattern = regexp.MustCompile(`^(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})$`)
	// basePathPattern is a base path mapping's path: one or more parts of
	// letters, digits, '.', '_' and '-', joined by '/'.
	basePathPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

const (
	// DefaultStageName is the stage CDK's RestApi deploys to.
	DefaultStageName = "prod"
	// DefaultIdentitySource is where a Cognito authorizer finds the token,
	// as CDK writes it.
	DefaultIdentitySource = apigw.DefaultIdentitySource
	// DefaultMockStatus is the status of a MOCK integration that names
	// none.
	DefaultMockStatus = 200

	maxListedScopes = 10 // scopes a problem lists as the valid ones
)

// apiChecker validates one REST API.
type apiChecker struct {
	r          *report
	api        *RestAPI
	ap         string          // the API's path
	poolScopes poolScopes      // of the config's pools
	functions  map[string]bool // logical ids of the config's functions
	// authorizers maps the ids of the API's well-formed authorizers to
	// their type and local pools.
	authorizers map[string]authorizerInfo
	// brokenAuthorizers holds the ids of the authorizers whose type is
	// wrong: their problem is reported once, not at each method naming
	// them.
	brokenAuthorizers map[string]bool
	params            map[int][]string // resource index → its path parameters, for well-formed paths
}

// poolScopes holds, by pool logical id, the full names of the scopes its
// resource servers define.
type poolScopes map[string]map[string]bool

// scopesOfPools returns the scopes of the config's pools.
func (c *Config) scopesOfPools() poolScopes {
	out := poolScopes{}
	for _, p := range c.UserPools {
		if p.ID == "" || out[p.ID] != nil {
			continue
		}
		set := map[string]bool{}
		for _, rs := range p.ResourceServers {
			for _, s := range rs.Scopes {
				set[rs.Identifier+"/"+s.ScopeName] = true
			}
		}
		out[p.ID] = set
	}
	return out
}

// checkRestAPIs fills the defaults of the restApis section and validates
// it. domains holds the domains of the pools, which no API may take; ids
// the APIs' logical ids, unique across restApis and httpApis.
func (c *Config) checkRestAPIs(r *report, domains, ids firstSeen) {
	functions := c.functionIDs()
	scopes := c.scopesOfPools()
	rsIDs := c.resourceServerIDs()
	for i := range c.RestAPIs {
		a := &c.RestAPIs[i]
		ac := &apiChecker{r: r, api: a, ap: index("restApis", i), poolScopes: scopes, functions: functions}
		ids.checkID(r, a.ID, field(ac.ap, "id"), "API id")
		if a.RestAPIName == "" {
			a.RestAPIName = a.ID
		}
		ac.checkEndpointTypes()
		ac.checkStage()
		ac.checkBinaryMediaTypes()
		ac.checkAuthorizers()
		ac.checkResources()
		ac.checkDomainNames(domains, c.dir())
		if a.ProtectedResource != nil {
			checkProtectedResource(r, a.ProtectedResource, field(ac.ap, "protectedResource"))
			local, routes := ac.resourceUse()
			checkResourceUse(r, a.ProtectedResource, field(ac.ap, "protectedResource"), local, rsIDs, routes)
		}
	}
}

func (ac *apiChecker) checkEndpointTypes() {
	list := field(ac.ap, "endpointTypes")
	if len(ac.api.EndpointTypes) > 1 {
		ac.r.addKey(list, "an API has one endpoint type, got %d", len(ac.api.EndpointTypes))
	}
	for j, t := range ac.api.EndpointTypes {
		switch t {
		case "REGIONAL", "EDGE":
		case "PRIVATE":
			ac.r.add(index(list, j), "PRIVATE is not supported: a private API is reached through a VPC endpoint, which Tollgate has not; use REGIONAL")
		default:
			ac.r.add(index(list, j), "unknown endpoint type %q: want REGIONAL or EDGE, which Tollgate serves alike", t)
		}
	}
}

func (ac *apiChecker) checkStage() {
	r, d := ac.r, &ac.api.DeployOptions
	dp := field(ac.ap, "deployOptions")
	sp := field(dp, "stageName")
	if d.StageName == "" && !r.has(sp) {
		d.StageName = DefaultStageName
	} else if !apigw.StageNamePattern.MatchString(d.StageName) {
		r.add(sp, "invalid stage name %q: want 1 to 128 letters, digits and '_'", d.StageName)
	}
	checkThrottle(r, &d.ThrottlingRateLimit, &d.ThrottlingBurstLimit, field(dp, "throttlingRateLimit"), field(dp, "throttlingBurstLimit"))
	ct := &ac.api.ClientThrottling
	cp := field(ac.ap, "clientThrottling")
	checkThrottle(r, &ct.RateLimit, &ct.BurstLimit, field(cp, "rateLimit"), field(cp, "burstLimit"))

	checkStageVariables(r, field(dp, "variables"), d.Variables)
}

// checkStageVariables checks the stage variables at vp, of a REST or an
// HTTP API's stage.
func checkStageVariables(r *report, vp string, vars map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		kp := field(vp, k)
		if !apigw.StageVariableNamePattern.MatchString(k) {
			r.addKey(kp, "invalid stage variable name %q: want 1 to 64 letters, digits and '_'", k)
		}
		if v := vars[k]; !apigw.StageVariableValuePattern.MatchString(v) {
			r.add(kp, "invalid value %q of stage variable %s: want 1 to 512 letters, digits and -._~:/?#&=,", v, k)
		}
	}
}

// checkThrottle checks a token bucket's rate and burst, and gives the burst
// its default: the rate rounded up. Zero is unset: a rate or burst written
// as 0 is a problem, since 0 would refuse every request.
func checkThrottle(r *report, rate *float64, burst *int, ratePath, burstPath string) {
	rateOK := true
	switch {
	case math.IsNaN(*rate) || *rate < 0 || *rate == 0 && r.has(ratePath):
		r.add(ratePath, "the rate must be more than 0 requests per second, got %g (leave it out for no limit)", *rate)
		rateOK = false
	case *rate > apigw.MaxRate:
		r.add(ratePath, "the rate must be at most %g requests per second, got %g", float64(apigw.MaxRate), *rate)
		rateOK = false
	}
	switch {
	case *burst < 0 || *burst == 0 && r.has(burstPath):
		r.add(burstPath, "the burst must be at least 1 request, got %d: a burst of 0 would refuse every request", *burst)
	case *burst > 0 && *rate == 0 && rateOK:
		r.add(burstPath, "a burst needs a rate: set %s too", ratePath[strings.LastIndexByte(ratePath, '.')+1:])
	case *burst == 0 && *rate > 0 && rateOK:
		*burst = apigw.DefaultBurst(*rate)
	}
}

func (ac *apiChecker) checkBinaryMediaTypes() {
	list := field(ac.ap, "binaryMediaTypes")
	seen := firstSeen{}
	for j, t := range ac.api.BinaryMediaTypes {
		p := index(list, j)
		if !mediaTypePattern.MatchString(t) {
			ac.r.add(p, "invalid media type %q: want type/subtype, like image/png, image/* or */*", t)
			continue
		}
		seen.check(ac.r, strings.ToLower(t), p, "media type")
	}
}

// authorizerInfo is what a method's checks need of its authorizer.
type authorizerInfo struct {
	typ string
	// local holds the logical ids of a Cognito authorizer's pools of this
	// config; pools on AWS, named by ARN, have scopes Tollgate cannot see.
	local  []string
	remote bool
}

// authorizerTypes are the authorizer types, in the order messages list
// them.
var authorizerTypes = []string{AuthorizerCognito, AuthorizerToken, AuthorizerRequest, AuthorizerJWT}

func (ac *apiChecker) checkAuthorizers() {
	r := ac.r
	ac.authorizers = map[string]authorizerInfo{}
	ac.brokenAuthorizers = map[string]bool{}
	list := field(ac.ap, "authorizers")
	ids := firstSeen{}
	for j := range ac.api.Authorizers {
		au := &ac.api.Authorizers[j]
		ap := index(list, j)
		ids.checkID(r, au.ID, field(ap, "id"), "authorizer id")
		tp := field(ap, "type")
		switch {
		case au.Type == "" && !r.has(tp):
			au.Type = AuthorizerCognito
		case slices.Contains(authorizerTypes, strings.ToUpper(au.Type)) && au.Type != strings.ToUpper(au.Type):
			r.add(tp, "invalid authorizer type %q (write it in upper case: %s)", au.Type, strings.ToUpper(au.Type))
			ac.brokenAuthorizers[au.ID] = true
			continue
		case !slices.Contains(authorizerTypes, au.Type):
			r.add(tp, "unknown authorizer type %q: want one of %s", au.Type, strings.Join(authorizerTypes, ", "))
			ac.brokenAuthorizers[au.ID] = true
			continue
		}
		ac.checkForeignAuthorizerFields(au, ap)
		info := authorizerInfo{typ: au.Type}
		switch au.Type {
		case AuthorizerCognito:
			info.local, info.remote = ac.checkCognitoAuthorizer(au, ap)
		case AuthorizerToken, AuthorizerRequest:
			ac.checkLambdaAuthorizer(au, ap)
		case AuthorizerJWT:
			ac.checkJWTAuthorizer(au, ap)
		}
		if au.Type != AuthorizerRequest {
			sp := field(ap, "identitySource")
			if au.IdentitySource == "" && !r.has(sp) {
				au.IdentitySource = DefaultIdentitySource
			} else if msg := apigw.CheckIdentitySource(au.IdentitySource); msg != "" {
				r.add(sp, "%s", msg)
			}
		}
		if au.ID != "" && logicalIDPattern.MatchString(au.ID) {
			if _, dup := ac.authorizers[au.ID]; !dup {
				ac.authorizers[au.ID] = info
			}
		}
	}
}

// checkForeignAuthorizerFields reports the fields of an authorizer that
// belong to other types.
func (ac *apiChecker) checkForeignAuthorizerFields(au *Authorizer, ap string) {
	r := ac.r
	for _, f := range []struct {
		name  string
		types []string
		set   bool
		hint  string
	}{
		{"cognitoUserPools", []string{AuthorizerCognito}, len(au.CognitoUserPools) > 0, ""},
		{"function", []string{AuthorizerToken, AuthorizerRequest}, au.Function != "", ""},
		{"identitySource", []string{AuthorizerCognito, AuthorizerToken, AuthorizerJWT}, au.IdentitySource != "",
			": a REQUEST authorizer lists identitySources"},
		{"identitySources", []string{AuthorizerRequest}, len(au.IdentitySources) > 0,
			": this one reads the token from the one header of identitySource"},
		{"validationRegex", []string{AuthorizerToken}, au.ValidationRegex != "", ""},
		{"resultsCacheTtl", []string{AuthorizerToken, AuthorizerRequest}, au.ResultsCacheTTL != nil, ""},
		{"jwtConfiguration", []string{AuthorizerJWT}, au.JWTConfiguration != nil, ""},
	} {
		if f.set && !slices.Contains(f.types, au.Type) {
			hint := f.hint
			if hint == "" {
				hint = ", and this one is " + au.Type
			}
			r.addKey(field(ap, f.name), "%s applies to %s authorizers only%s", f.name, strings.Join(f.types, " and "), hint)
		}
	}
}

// checkCognitoAuthorizer checks a Cognito authorizer's pools: logical ids
// of this config's pools, or ARNs of pools on AWS. It returns the local
// ones, and whether there are pools on AWS.
func (ac *apiChecker) checkCognitoAuthorizer(au *Authorizer, ap string) (local []string, remote bool) {
	r := ac.r
	pools := field(ap, "cognitoUserPools")
	seenPools := firstSeen{}
	for k, id := range au.CognitoUserPools {
		p := index(pools, k)
		if apigw.IsCognitoPoolARN(id) {
			if _, msg := apigw.ParseCognitoPoolARN(id); msg != "" {
				r.add(p, "%s", msg)
				continue
			}
			seenPools.check(r, id, p, "user pool")
			remote = true
			continue
		}
		if ac.poolScopes[id] == nil {
			r.add(p, "%q is not the id of a user pool of this config%s; a pool on AWS is named by its ARN, arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}", id, ac.poolHint())
			continue
		}
		seenPools.check(r, id, p, "user pool")
		local = append(local, id)
	}
	if len(au.CognitoUserPools) == 0 && !r.isBroken(pools) && !r.isBroken(field(ap, "externalIssuers")) {
		r.add(ap, "a COGNITO_USER_POOLS authorizer needs cognitoUserPools: ids of user pools of this config, or ARNs of pools on AWS (any other token issuer takes an authorizer of type JWT)")
	}
	return local, remote
}

// checkLambdaAuthorizer checks a TOKEN or REQUEST authorizer and fills
// its result TTL's default (CDK's resultsCacheTtl: Duration.minutes(5)).
func (ac *apiChecker) checkLambdaAuthorizer(au *Authorizer, ap string) {
	r := ac.r
	checkFunctionRef(r, ac.functions, au.Function, field(ap, "function"), authorizerFunction)
	checkResultsCacheTTL(r, &au.ResultsCacheTTL, field(ap, "resultsCacheTtl"))
	if au.Type == AuthorizerToken {
		if au.ValidationRegex != "" {
			if msg := apigw.CheckValidationExpression(au.ValidationRegex); msg != "" {
				r.add(field(ap, "validationRegex"), "%s", msg)
			}
		}
		return
	}
	list := field(ap, "identitySources")
	checkEach(r, list, au.IdentitySources, "identity source", checkRequestIdentitySource)
	// CDK refuses it too: "At least one Identity Source is required for a
	// REQUEST-based Lambda authorizer if caching is enabled."
	if len(au.IdentitySources) == 0 && *au.ResultsCacheTTL > 0 && !r.isBroken(list) {
		r.add(ap, "a REQUEST authorizer that caches its results (resultsCacheTtl %s) needs identitySources: they key the cache; set resultsCacheTtl: 0s to cache nothing", *au.ResultsCacheTTL)
	}
}

// checkRequestIdentitySource checks an item of a REQUEST authorizer's
// identitySources, which holds one source: CloudFormation's IdentitySource
// is a comma-separated list, this one a YAML list.
func checkRequestIdentitySource(s string) string {
	if strings.Contains(s, ",") {
		return fmt.Sprintf("invalid identity source %q: one source per list item", s)
	}
	return apigw.CheckRequestIdentitySource(s)
}

// checkJWTAuthorizer checks a JWT authorizer's jwtConfiguration.
func (ac *apiChecker) checkJWTAuthorizer(au *Authorizer, ap string) {
	r := ac.r
	cp := field(ap, "jwtConfiguration")
	c := au.JWTConfiguration
	if c == nil {
		r.add(cp, "jwtConfiguration is required: the defaultAlgorithms and issuers whose tokens the authorizer accepts")
		return
	}
	algs := field(cp, "defaultAlgorithms")
	if len(c.DefaultAlgorithms) == 0 && !r.isBroken(algs) {
		r.addKey(algs, "defaultAlgorithms is required: one or more of %s", strings.Join(apigw.JWTAlgorithms, ", "))
	}
	checkEach(r, algs, c.DefaultAlgorithms, "algorithm", apigw.CheckJWTAlgorithm)
	issuers := field(cp, "issuers")
	if len(c.Issuers) == 0 && !r.isBroken(issuers) {
		r.addKey(issuers, "issuers is required: each an issuer whose tokens the authorizer accepts, with its audiences")
	}
	seenIssuers := firstSeen{}
	for k := range c.Issuers {
		iss := &c.Issuers[k]
		ip := index(issuers, k)
		isp := field(ip, "issuer")
		switch msg := apigw.CheckJWTIssuer(iss.Issuer); {
		case iss.Issuer == "":
			r.add(isp, "issuer is required: the exact iss claim of the issuer's tokens, an https URL")
		case msg != "":
			r.add(isp, "%s", msg)
		default:
			seenIssuers.check(r, iss.Issuer, isp, "issuer")
		}
		ac.checkAudiences(iss, ip)
		ac.checkClaims(iss, ip)
	}
}

func (ac *apiChecker) checkAudiences(iss *JWTIssuer, ip string) {
	r := ac.r
	list := field(ip, "audiences")
	if len(iss.Audiences) == 0 && !r.isBroken(list) {
		r.addKey(list, "audiences is required: a token's aud must hold one of them")
	}
	checkEach(r, list, iss.Audiences, "audience", func(a string) string {
		if a == "" {
			return "an audience must not be empty"
		}
		return ""
	})
}

// checkEach checks each value of the list at list with check, and that
// none of the good ones, each a what, is there twice.
func checkEach(r *report, list string, values []string, what string, check func(string) string) {
	seen := firstSeen{}
	for k, v := range values {
		p := index(list, k)
		if msg := check(v); msg != "" {
			r.add(p, "%s", msg)
			continue
		}
		seen.check(r, v, p, what)
	}
}

// checkClaims checks an issuer's additional claims and fills their
// format's default.
func (ac *apiChecker) checkClaims(iss *JWTIssuer, ip string) {
	r := ac.r
	list := field(ip, "additionalClaims")
	seen := firstSeen{}
	for k := range iss.AdditionalClaims {
		cl := &iss.AdditionalClaims[k]
		cp := index(list, k)
		np := field(cp, "claimName")
		if msg := apigw.CheckJWTClaimName(cl.ClaimName); msg != "" {
			r.add(np, "%s", msg)
		} else {
			seen.check(r, cl.ClaimName, np, "claim")
		}
		fp := field(cp, "format")
		switch {
		case cl.Format == "" && !r.has(fp):
			cl.Format = apigw.JWTClaimFormat
		case cl.Format != apigw.JWTClaimFormat:
			r.add(fp, "unsupported format %q: want %s, the one format of an additional claim", cl.Format, apigw.JWTClaimFormat)
		}
	}
}

// poolHint lists the config's pools for a problem about a pool reference.
func (ac *apiChecker) poolHint() string {
	if len(ac.poolScopes) == 0 {
		return ": the config declares no user pool"
	}
	return " (want one of " + strings.Join(slices.Sorted(maps.Keys(ac.poolScopes)), ", ") + ")"
}

func (ac *apiChecker) checkResources() {
	r := ac.r
	list := field(ac.ap, "resources")
	ac.params = map[int][]string{}
	var methods int
	paths := firstSeen{}
	var tree apigw.Tree
	for j := range ac.api.Resources {
		res := &ac.api.Resources[j]
		rp := index(list, j)
		ac.checkPath(&tree, paths, j, field(rp, "path"))
		if len(res.Methods) == 0 {
			r.add(field(rp, "methods"), "a resource needs at least one method: list them under methods (resources on the way to this one need not be declared)")
		}
		methods += len(res.Methods)
		ac.checkMethods(j, rp)
	}
	if methods == 0 {
		r.addKey(list, "an API needs at least one method: CDK refuses to deploy one without (\"The REST API doesn't contain any methods\")")
	}
}

// checkPath checks the path of resource j, at pp, and adds it to the API's
// tree; the parameters of a well-formed path go to ac.params.
func (ac *apiChecker) checkPath(tree *apigw.Tree, paths firstSeen, j int, pp string) {
	r, path := ac.r, ac.api.Resources[j].Path
	if path == "" {
		r.add(pp, "path is required: the resource's full path, like /pets/{id} or /{proxy+}")
		return
	}
	parts, err := apigw.ParsePath(path)
	if err != nil {
		subject := ""
		if err.Part == "" {
			subject = "it "
		}
		r.add(pp, "invalid path %q: %s%s", path, subject, err.Reason)
		return
	}
	ac.params[j] = apigw.Params(parts)
	_, dup := paths[path]
	paths.check(r, path, pp, "resource path")
	if dup {
		return
	}
	if c := tree.Add(parts, j); c != nil {
		// API Gateway: "A sibling ({id}) of this resource already has a
		// variable path part -- only one is allowed".
		o := r.origin.Value(field(index(field(ac.ap, "resources"), c.Owner), "path"))
		r.add(pp, "path part %s conflicts with its sibling %s under %s (from %s, line %d): API Gateway allows one variable path part per level",
			c.Part, c.Sibling, c.Parent, o.Path, o.Line)
	}
}

func (ac *apiChecker) checkMethods(j int, rp string) {
	r := ac.r
	res := &ac.api.Resources[j]
	list := field(rp, "methods")
	seen := firstSeen{}
	for k := range res.Methods {
		m := &res.Methods[k]
		mp := index(list, k)
		hp := field(mp, "httpMethod")
		if msg := apigw.CheckMethod("httpMethod", m.HTTPMethod); msg != "" {
			r.add(hp, "%s", msg)
		} else {
			seen.check(r, m.HTTPMethod, hp, "method")
		}
		ac.checkAuthorization(m, mp, res.Path)
		checkRequireBinding(r, m.RequireBinding, field(mp, "requireBinding"), ac.authorizers[m.Authorizer].typ)
		ac.checkIntegration(m, mp, j)
	}
}

// checkAuthorization checks a method's authorizer and scopes (contract
// §4.1: with authorizationScopes a Cognito authorizer wants an access token
// holding one of them; without, an ID token).
func (ac *apiChecker) checkAuthorization(m *Method, mp, resourcePath string) {
	r := ac.r
	sp := field(mp, "authorizationScopes")
	info, known := ac.authorizers[m.Authorizer]
	switch {
	case m.Authorizer == "":
		if len(m.AuthorizationScopes) > 0 {
			r.addKey(sp, "authorizationScopes need an authorizer: without one the method is open to anyone and the scopes are never checked")
		}
	case !known && ac.brokenAuthorizers[m.Authorizer]:
		// The authorizer's own problem says what is wrong.
	case !known:
		r.add(field(mp, "authorizer"), "%q is not an authorizer of this API%s", m.Authorizer, ac.authorizerHint())
	case info.typ == AuthorizerToken || info.typ == AuthorizerRequest:
		// AWS::ApiGateway::Method's AuthorizationScopes "are used with a
		// COGNITO_USER_POOLS authorizer" (and a JWT one); a Lambda
		// authorizer's policy decides alone.
		if len(m.AuthorizationScopes) > 0 {
			r.addKey(sp, "authorizationScopes apply to COGNITO_USER_POOLS and JWT authorizers only: %q is a %s authorizer, whose function's policy decides", m.Authorizer, info.typ)
			return
		}
	case info.typ == AuthorizerCognito && len(m.AuthorizationScopes) == 0:
		r.add(sp, "%s %s has authorizer %q but no authorizationScopes: API Gateway then accepts ID tokens only, and Tollgate issues none (client_credentials gives access tokens), so every request would be answered 401 Unauthorized; add the scopes a token must carry, like default/default",
			m.HTTPMethod, resourcePath, m.Authorizer)
	}
	var valid map[string]bool
	if known && info.typ == AuthorizerCognito && len(info.local) > 0 && !info.remote {
		valid = map[string]bool{}
		for _, p := range info.local {
			for s := range ac.poolScopes[p] {
				valid[s] = true
			}
		}
	}
	seen := firstSeen{}
	for k, s := range m.AuthorizationScopes {
		p := index(sp, k)
		switch {
		case !apigw.ValidScope(s):
			r.add(p, "invalid scope %q: want printable ASCII characters other than space, '\"' and '\\'", s)
			continue
		case valid != nil && !valid[s]:
			r.add(p, "scope %q is not a scope of the authorizer's user pools (%s)%s", s, strings.Join(info.local, ", "), scopesHint(valid))
			continue
		}
		seen.check(r, s, p, "scope")
	}
}

func (ac *apiChecker) authorizerHint() string {
	if len(ac.authorizers) == 0 {
		return ": the API declares no authorizer"
	}
	return " (want one of " + strings.Join(slices.Sorted(maps.Keys(ac.authorizers)), ", ") + ")"
}

// scopesHint lists the valid scopes for a problem, if there are few.
func scopesHint(valid map[string]bool) string {
	switch n := len(valid); {
	case n == 0:
		return ": they define no scope; add a resource server with scopes to one of them"
	case n <= maxListedScopes:
		return ": want one of " + strings.Join(slices.Sorted(maps.Keys(valid)), ", ")
	}
	return ""
}

func (ac *apiChecker) checkIntegration(m *Method, mp string, j int) {
	r := ac.r
	ip := field(mp, "integration")
	in := m.Integration
	if in == nil {
		r.add(ip, "integration is required: AWS_PROXY (a function), HTTP_PROXY (a URL) or MOCK")
		return
	}
	types := strings.Join([]string{IntegrationAWSProxy, IntegrationHTTPProxy, IntegrationMock}, ", ")
	switch in.Type {
	case "":
		r.add(field(ip, "type"), "type is required: one of %s", types)
		return
	case IntegrationAWSProxy:
		checkFunctionRef(r, ac.functions, in.Function, field(ip, "function"), methodFunction)
	case IntegrationHTTPProxy:
		ac.checkURI(in, field(ip, "uri"), j)
	case IntegrationMock:
		ac.checkMock(in, ip)
	default:
		r.add(field(ip, "type"), "unsupported integration type %q: want one of %s", in.Type, types)
		return
	}
	ac.checkForeignFields(in, ip)
	tp := field(ip, "timeout")
	switch {
	case in.Type == IntegrationMock:
		if in.Timeout != 0 || r.has(tp) {
			r.addKey(tp, "timeout applies to AWS_PROXY and HTTP_PROXY integrations only: a MOCK integration answers at once")
		}
	case in.Timeout == 0 && !r.has(tp):
		in.Timeout = tollgate.DefaultIntegrationTimeout
	case in.Timeout < minIntegrationTimeout || in.Timeout > maxIntegrationTimeout:
		r.add(tp, "an integration's timeout must be between 50ms and 29s, got %s", in.Timeout)
	}
}

// checkForeignFields reports the fields of an integration that belong to
// another integration type.
func (ac *apiChecker) checkForeignFields(in *Integration, ip string) {
	r := ac.r
	for _, f := range []struct {
		name, typ string
		set       bool
	}{
		{"function", IntegrationAWSProxy, in.Function != ""},
		{"uri", IntegrationHTTPProxy, in.URI != ""},
		{"statusCode", IntegrationMock, in.StatusCode != 0},
		{"responseHeaders", IntegrationMock, len(in.ResponseHeaders) > 0},
		{"body", IntegrationMock, in.Body != ""},
	} {
		path := field(ip, f.name)
		if f.typ != in.Type && (f.set || f.typ == IntegrationMock && r.has(path)) {
			r.addKey(path, "%s applies to %s integrations only, and this one is %s", f.name, f.typ, in.Type)
		}
	}
}

// What a function reference is for, said when it is missing.
const (
	authorizerFunction = "the id of the function that decides (its Lambda authorizer handler)"
	methodFunction     = "the id of the function that serves the method"
	routeFunction      = "the id of the function that serves the route"
)

// checkFunctionRef checks a reference, at fp, to a function of the config:
// required (what says what for), and one of functions.
func checkFunctionRef(r *report, functions map[string]bool, id, fp, what string) {
	switch {
	case id == "":
		r.add(fp, "function is required: %s", what)
	case !functions[id]:
		r.add(fp, "%q is not the id of a function of this config%s", id, functionsHint(functions))
	}
}

// checkResultsCacheTTL checks a Lambda authorizer's resultsCacheTtl at
// path, or gives it its default: CDK's Duration.minutes(5).
func checkResultsCacheTTL(r *report, ttl **time.Duration, path string) {
	if *ttl == nil {
		*ttl = ptrTo(tollgate.DefaultAuthorizerResultTTL)
	} else if msg := apigw.CheckResultTTL(**ttl); msg != "" {
		r.add(path, "resultsCacheTtl must be whole seconds from 0s (no caching) to 3600s, got %s", **ttl)
	}
}

// checkURI checks an HTTP_PROXY integration's URI with the parser the
// proxy runs, and its placeholders against the resource's parameters.
func (ac *apiChecker) checkURI(in *Integration, up string, j int) {
	r := ac.r
	if in.URI == "" {
		r.add(up, "uri is required: the upstream URL, like http://127.0.0.1:9000/{proxy}")
		return
	}
	u, msg := apigw.ParseIntegrationURI(in.URI)
	if msg != "" {
		r.add(up, "%s", msg)
		return
	}
	params, pathOK := ac.params[j]
	if !pathOK {
		return
	}
	for _, n := range u.Params() {
		if !slices.Contains(params, n) {
			r.add(up, "%s", apigw.PlaceholderProblem(n, ac.api.Resources[j].Path, params))
		}
	}
}

func (ac *apiChecker) checkMock(in *Integration, ip string) {
	r := ac.r
	hp, cp := field(ip, "responseHeaders"), field(ip, "statusCode")
	for _, k := range slices.Sorted(maps.Keys(in.ResponseHeaders)) {
		if msg := apigw.CheckHeader(k, in.ResponseHeaders[k]); msg != "" {
			r.addKey(field(hp, k), "%s", msg)
		}
	}
	switch {
	case in.StatusCode == 0 && !r.has(cp):
		in.StatusCode = DefaultMockStatus
	case in.StatusCode < 100 || in.StatusCode > 599:
		r.add(cp, "statusCode must be an HTTP status, 100 to 599, got %d", in.StatusCode)
	}
}

func functionsHint(functions map[string]bool) string {
	if len(functions) == 0 {
		return ": the config declares no function (see functions)"
	}
	return " (want one of " + strings.Join(slices.Sorted(maps.Keys(functions)), ", ") + ")"
}

func (ac *apiChecker) checkDomainNames(domains firstSeen, dir string) {
	r := ac.r
	list := field(ac.ap, "domainNames")
	stage := ac.api.DeployOptions.StageName
	for j := range ac.api.DomainNames {
		d := &ac.api.DomainNames[j]
		dp := index(list, j)
		np := field(dp, "domainName")
		if msg := checkHostName(d.DomainName); msg != "" {
			r.add(np, "%s", msg)
		} else {
			domains.check(r, d.DomainName, np, "domain")
		}
		sp := field(dp, "stage")
		if d.Stage == "" && !r.has(sp) {
			d.Stage = stage
		} else if d.Stage != stage {
			r.add(sp, "stage %q is not the API's stage: want %q (deployOptions.stageName)", d.Stage, stage)
		}
		if d.BasePath != "" {
			bp := field(dp, "basePath")
			switch {
			case strings.HasPrefix(d.BasePath, "/") || strings.HasSuffix(d.BasePath, "/"):
				r.add(bp, "invalid base path %q: write it without leading or trailing '/', like v1 or orders/v2", d.BasePath)
			case !basePathPattern.MatchString(d.BasePath) || apigw.HasDotSegment(d.BasePath):
				r.add(bp, "invalid base path %q: want parts of letters, digits, '.', '_' and '-' joined by '/', like v1 or orders/v2", d.BasePath)
			}
		}
		if d.Certificate != nil {
			checkCertificate(r, d.Certificate, field(dp, "certificate"), d.DomainName, dir)
		}
	}
}

// resourceUse returns the local pools the API's authorizers accept and its
// methods with their authorizers' types, for checkResourceUse.
func (ac *apiChecker) resourceUse() (local []string, routes []apiRoute) {
	for _, au := range ac.api.Authorizers {
		for _, p := range ac.authorizers[au.ID].local {
			if !slices.Contains(local, p) {
				local = append(local, p)
			}
		}
	}
	for _, res := range ac.api.Resources {
		for _, m := range res.Methods {
			typ := ""
			if m.Authorizer != "" {
				typ = ac.authorizers[m.Authorizer].typ
			}
			routes = append(routes, apiRoute{path: m.HTTPMethod + " " + res.Path, authorizerType: typ})
		}
	}
	return local, routes
}
