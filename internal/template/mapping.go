package template

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/config"
)

// props reads the resolved properties of one resource and reports those it
// does not know. As it reads a property into a field of the Config object
// the resource maps to (to names the field), it records the property as the
// field's origin, so that a problem the Config's rules find there is
// reported at the property: place records them once the object's path in
// the Config is known.
type props struct {
	d    *deployer
	id   string
	path string
	m    map[string]any
	used map[string]bool
	// origins maps paths under the object, relative to it
	// ("oAuth.scopes[0]"), to the template paths they were read from; at
	// is where this mapping's fields are under the object, dest the field
	// the next read fills (set by to).
	origins  map[string]string
	at, dest string
}

func (d *deployer) propsOf(id string) *props {
	return &props{d: d, id: id, path: "Resources." + id + ".Properties", m: d.props[id], used: map[string]bool{},
		origins: map[string]string{}}
}

// to returns p for reading a property into field, a path under the
// object ("identitySource", "integration.uri").
func (p *props) to(field string) *props {
	q := *p
	q.dest = joinPath(p.at, field)
	return &q
}

// under returns p for reading properties into the fields of the object at
// field, a path under p's object ("routes[0]").
func (p *props) under(field string) *props {
	q := *p
	q.at, q.dest = joinPath(p.at, field), ""
	return &q
}

// from records key, a property of p, as the origin of field.
func (p *props) from(field, key string) {
	p.origins[joinPath(p.at, field)] = p.path + "." + key
}

// place records the origins of the object mapped from p, now at path in
// the Config: the object itself is the resource's properties.
func (p *props) place(path string) {
	p.d.origins[path] = p.path
	for rel, at := range p.origins {
		p.d.origins[joinPath(path, rel)] = at
	}
}

// joinPath joins a Config path and a field or index under it.
func joinPath(path, field string) string {
	if path == "" || strings.HasPrefix(field, "[") {
		return path + field
	}
	return path + "." + field
}

func (p *props) fail(key, format string, args ...any) {
	path := p.path
	if key != "" {
		path += "." + key
	}
	p.d.fail(path, format, args...)
}

func (p *props) get(k string) (any, bool) {
	p.used[k] = true
	v, ok := p.m[k]
	if ok && p.dest != "" {
		p.origins[p.dest] = p.path + "." + k
	}
	return v, ok && v != nil
}

// scalar reads property k with conv, and reports a value conv refuses as
// not what the property wants.
func scalar[T any](p *props, k, want string, conv func(any) (T, bool)) (T, bool) {
	v, ok := p.get(k)
	if !ok {
		var zero T
		return zero, false
	}
	x, ok := conv(v)
	if !ok {
		p.fail(k, "want %s, got %s", want, describe(v))
	}
	return x, ok
}

func (p *props) str(k string) string {
	s, _ := scalar(p, k, "a string", scalarString)
	return s
}

func (p *props) num(k string) (float64, bool) { return scalar(p, k, "a number", toFloat) }

func (p *props) integer(k string) (int64, bool) { return scalar(p, k, "a whole number", toInt) }

func (p *props) boolean(k string) bool {
	b, _ := scalar(p, k, "true or false", toBool)
	return b
}

func (p *props) strings(k string) []string {
	v, ok := p.get(k)
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		p.fail(k, "want a list of strings, got %s", describe(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := scalarString(e)
		if !ok {
			p.fail(k+"["+strconv.Itoa(i)+"]", "want a string, got %s", describe(e))
			continue
		}
		if p.dest != "" {
			p.origins[p.dest+"["+strconv.Itoa(len(out))+"]"] = p.path + "." + k + "[" + strconv.Itoa(i) + "]"
		}
		out = append(out, s)
	}
	return out
}

func (p *props) object(k string) map[string]any {
	v, ok := p.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(k, "want a mapping, got %s", describe(v))
	}
	return m
}

// stringMap reads a mapping of strings.
func (p *props) stringMap(k string) map[string]string {
	vars := p.object(k)
	if vars == nil {
		return nil
	}
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		s, ok := scalarString(vars[name])
		if !ok {
			p.fail(k+"."+name, "want a string, got %s", describe(vars[name]))
		}
		if p.dest != "" {
			p.origins[p.dest+"."+name] = p.path + "." + k + "." + name
		}
		out[name] = s
	}
	return out
}

// sub reads a nested mapping with the same helpers. Its fields are under
// p.to's field, if any.
func (p *props) sub(k string) *props {
	return &props{d: p.d, id: p.id, path: p.path + "." + k, m: p.object(k), used: map[string]bool{},
		origins: p.origins, at: cmp.Or(p.dest, p.at)}
}

// items reads a list of mappings: one props for each item, whose fields
// are under the item of p.to's field, if any.
func (p *props) items(k string) []*props {
	v, ok := p.get(k)
	if !ok {
		return nil
	}
	list, _ := v.([]any)
	out := make([]*props, len(list))
	for i, e := range list {
		item := "[" + strconv.Itoa(i) + "]"
		q := &props{d: p.d, id: p.id, path: p.path + "." + k + item, used: map[string]bool{}, origins: p.origins, at: p.at}
		if p.dest != "" {
			q.at = p.dest + item
			p.origins[q.at] = q.path
		}
		q.m, _ = e.(map[string]any)
		out[i] = q
	}
	return out
}

// done reports the properties neither read nor listed as ignored: those
// that have no effect off AWS or in a pool without users.
func (p *props) done(ignored ...string) {
	for _, k := range slices.Sorted(maps.Keys(p.m)) {
		if !p.used[k] && !slices.Contains(ignored, k) {
			p.fail(k, "property %s of %s is not supported by Tollgate", k, p.d.types[p.id])
		}
	}
}

// refTo returns the logical id a value such as UserPoolId refers to: the
// id of a pool of the template, or one of the ids Deploy made up.
func (d *deployer) refTo(v string) string {
	return d.phys[v]
}

// mapResources builds the Config from the resolved resources.
func (d *deployer) mapResources(order []string) {
	cfg := &config.Config{File: d.t.File, Region: d.opts.Region}
	d.plan.Config = cfg
	byType := map[string][]string{}
	for _, id := range order {
		if _, ok := d.props[id]; ok {
			byType[d.types[id]] = append(byType[d.types[id]], id)
		}
	}
	for t := range byType {
		slices.Sort(byType[t])
	}
	functions := map[string]string{} // function name → logical id
	for _, id := range byType["AWS::Lambda::Function"] {
		p := d.propsOf(id)
		f := d.function(id, p)
		p.done(functionIgnored...)
		functions[f.FunctionName] = id
		p.place("functions[" + strconv.Itoa(len(cfg.Functions)) + "]")
		cfg.Functions = append(cfg.Functions, f)
	}
	pm := &poolMapper{d: d, cfg: cfg, pools: map[string]int{}, functions: functions}
	pm.userPools(byType["AWS::Cognito::UserPool"])
	pm.resourceServers(byType["AWS::Cognito::UserPoolResourceServer"])
	pm.clients(byType["AWS::Cognito::UserPoolClient"])
	pm.domains(byType["AWS::Cognito::UserPoolDomain"])
	d.restAPIs(cfg, byType, functions)
}

// poolMapper maps the Cognito resources of a template to the Config's
// userPools.
type poolMapper struct {
	d         *deployer
	cfg       *config.Config
	pools     map[string]int    // pool logical id → its index in cfg.UserPools
	functions map[string]string // function name → logical id
}

func (pm *poolMapper) userPools(ids []string) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pool := config.UserPool{ID: id, UserPoolName: cmp.Or(p.to("userPoolName").str("UserPoolName"), id), Region: pm.d.opts.Region}
		pool.LambdaTriggers = pm.lambdaTriggers(p.to("lambdaTriggers").sub("LambdaConfig"), p.str("UserPoolTier"))
		p.done(userPoolIgnored...)
		pm.pools[id] = len(pm.cfg.UserPools)
		p.place("userPools[" + strconv.Itoa(len(pm.cfg.UserPools)) + "]")
		pm.cfg.UserPools = append(pm.cfg.UserPools, pool)
	}
}

// lambdaTriggers maps a pool's LambdaConfig: its pre token generation
// trigger, as CDK's addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
// fn, LambdaVersion.V3_0) writes it (PreTokenGenerationConfig), or the
// legacy PreTokenGeneration ARN, which is a V1_0 trigger. The other
// triggers belong to flows with users, which Tollgate has not. tier is
// the pool's UserPoolTier: a V2_0 or V3_0 trigger needs the Essentials
// (the default) or Plus feature plan, not LITE.
func (pm *poolMapper) lambdaTriggers(lc *props, tier string) *config.LambdaTriggers {
	if lc.m == nil {
		return nil
	}
	var trigger *config.PreTokenGenerationTrigger
	legacy := lc.str("PreTokenGeneration")
	if ptc := lc.to("preTokenGeneration").sub("PreTokenGenerationConfig"); ptc.m != nil {
		arn := ptc.str("LambdaArn")
		trigger = &config.PreTokenGenerationTrigger{
			Function:      pm.d.functionOf(ptc, "LambdaArn", arn, pm.functions),
			LambdaVersion: ptc.to("preTokenGeneration.lambdaVersion").str("LambdaVersion"),
		}
		ptc.from("preTokenGeneration.function", "LambdaArn")
		if v := trigger.LambdaVersion; tier == "LITE" && (v == tollgate.LambdaVersionV2 || v == tollgate.LambdaVersionV3) {
			// "In user pools with the Essentials or Plus feature plan, you
			// can generate the version two or V2_0 trigger event ... and the
			// version three or V3_0 trigger event" (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html).
			ptc.fail("LambdaVersion", "a %s pre token generation trigger needs the Essentials or Plus feature plan, and this pool's UserPoolTier is LITE: set UserPoolTier to ESSENTIALS or PLUS, or use LambdaVersion V1_0", v)
		}
		ptc.done()
		if legacy != "" && legacy != arn {
			// Cognito: "PreTokenGeneration must equal LambdaArn of
			// PreTokenGenerationConfig when both are set".
			lc.fail("PreTokenGeneration", "PreTokenGeneration must be the LambdaArn of PreTokenGenerationConfig when both are set, got %q and %q", legacy, arn)
		}
	} else if legacy != "" {
		trigger = &config.PreTokenGenerationTrigger{
			Function:      pm.d.functionOf(lc, "PreTokenGeneration", legacy, pm.functions),
			LambdaVersion: tollgate.LambdaVersionV1,
		}
		lc.from("preTokenGeneration", "PreTokenGeneration")
	}
	for _, k := range slices.Sorted(maps.Keys(lc.m)) {
		if !lc.used[k] && k != "KMSKeyID" {
			lc.fail(k, "the %s trigger is not supported: Tollgate's pools have no users, and run the pre token generation trigger only (PreTokenGenerationConfig)", k)
			lc.used[k] = true
		}
	}
	lc.done("KMSKeyID")
	if trigger == nil {
		return nil
	}
	return &config.LambdaTriggers{PreTokenGeneration: trigger}
}

// functionOf returns the logical id of the function of this template
// whose ARN is arn, read from property key of p, and reports one that is
// not.
func (d *deployer) functionOf(p *props, key, arn string, functions map[string]string) string {
	name, ok := tollgate.FunctionNameFromARN(arn)
	if !ok {
		p.fail(key, "want the Arn of a function of this template (Fn::GetAtt [Fn, Arn]), got %q", arn)
		return ""
	}
	fn, ok := functions[name]
	if !ok {
		p.fail(key, "the function %s is not a function of this template", name)
	}
	return fn
}

// poolOf returns the pool a resource's UserPoolId names, and the path of
// the pool in the Config.
func (pm *poolMapper) poolOf(p *props) (*config.UserPool, string) {
	v := p.str("UserPoolId")
	pool := pm.d.refTo(v)
	i, ok := pm.pools[pool]
	if !ok {
		if v == "" {
			p.fail("UserPoolId", "UserPoolId is required")
		} else {
			p.fail("UserPoolId", "UserPoolId must refer to a user pool of this template (Ref of an AWS::Cognito::UserPool), got %q", v)
		}
		return nil, ""
	}
	return &pm.cfg.UserPools[i], "userPools[" + strconv.Itoa(i) + "]"
}

// poolChildren maps the resources ids of a kind that belongs to a pool
// (UserPoolId), each with mapOne, into the list of its pool that list
// returns, named field in the Config.
func poolChildren[T any](pm *poolMapper, ids []string, field string, list func(*config.UserPool) *[]T,
	mapOne func(id string, p *props, pool *config.UserPool) T) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pool, at := pm.poolOf(p)
		v := mapOne(id, p, pool)
		if pool != nil {
			l := list(pool)
			p.place(at + "." + field + "[" + strconv.Itoa(len(*l)) + "]")
			*l = append(*l, v)
		}
	}
}

func (pm *poolMapper) resourceServers(ids []string) {
	poolChildren(pm, ids, "resourceServers", func(u *config.UserPool) *[]config.ResourceServer { return &u.ResourceServers },
		func(id string, p *props, _ *config.UserPool) config.ResourceServer {
			rs := config.ResourceServer{ID: id, Identifier: p.to("identifier").str("Identifier"),
				UserPoolResourceServerName: p.to("userPoolResourceServerName").str("Name")}
			for _, sp := range p.to("scopes").items("Scopes") {
				rs.Scopes = append(rs.Scopes, config.Scope{ScopeName: sp.to("scopeName").str("ScopeName"),
					ScopeDescription: sp.to("scopeDescription").str("ScopeDescription")})
				sp.done()
			}
			p.done()
			return rs
		})
}

func (pm *poolMapper) clients(ids []string) {
	poolChildren(pm, ids, "clients", func(u *config.UserPool) *[]config.Client { return &u.Clients },
		func(id string, p *props, pool *config.UserPool) config.Client {
			c := pm.d.client(id, p)
			p.done(clientIgnored...)
			if pool != nil {
				pm.d.plan.clientPools[id] = pool.ID
			}
			return c
		})
}

func (pm *poolMapper) domains(ids []string) {
	poolChildren(pm, ids, "domains", func(u *config.UserPool) *[]config.Domain { return &u.Domains },
		func(id string, p *props, _ *config.UserPool) config.Domain { return pm.domain(id, p) })
}

// domain maps an AWS::Cognito::UserPoolDomain: a Cognito prefix domain,
// or a custom domain.
func (pm *poolMapper) domain(id string, p *props) config.Domain {
	dom := config.Domain{ID: id}
	name := p.str("Domain")
	pm.d.plan.domains[name] = true
	if cd := p.sub("CustomDomainConfig"); cd.m != nil {
		// The ACM certificate stays on AWS: the domain is served with
		// the listener's TLS setup, or behind a proxy.
		cd.str("CertificateArn")
		cd.done()
		dom.CustomDomain = &config.CustomDomain{DomainName: name}
		p.from("customDomain", "CustomDomainConfig")
		p.from("customDomain.domainName", "Domain")
	} else {
		dom.CognitoDomain = &config.CognitoDomain{DomainPrefix: name}
		p.from("cognitoDomain.domainPrefix", "Domain")
	}
	p.done("ManagedLoginVersion")
	return dom
}

// Properties with no effect in Tollgate: user sign-up, messages, MFA,
// triggers and the like belong to pools with users, which Tollgate does not
// have; tags and descriptions change nothing.
var (
	userPoolIgnored = []string{
		"AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes",
		"DeletionProtection", "DeviceConfiguration", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
		"EmailConfiguration", "EmailVerificationMessage", "EmailVerificationSubject", "EnabledMfas",
		"MfaConfiguration", "Policies", "Schema", "SmsAuthenticationMessage",
		"SmsConfiguration", "SmsVerificationMessage", "UserAttributeUpdateSettings", "UserPoolAddOns",
		"UserPoolTags", "UserPoolTier", "UsernameAttributes", "UsernameConfiguration",
		"VerificationMessageTemplate", "WebAuthnRelyingPartyID", "WebAuthnUserVerification",
	}
	clientIgnored = []string{
		"AllowedOAuthFlowsUserPoolClient", "AnalyticsConfiguration", "AuthSessionValidity", "CallbackURLs",
		"DefaultRedirectURI", "EnablePropagateAdditionalUserContextData", "EnableTokenRevocation",
		"LogoutURLs", "PreventUserExistenceErrors", "ReadAttributes", "RefreshTokenRotation",
		"SupportedIdentityProviders", "WriteAttributes",
	}
	functionIgnored = []string{
		"Architectures", "CodeSigningConfigArn", "DeadLetterConfig", "Description", "EphemeralStorage",
		"FileSystemConfigs", "KmsKeyArn", "LoggingConfig", "PackageType", "RecursiveLoop", "Role",
		"RuntimeManagementConfig", "SnapStart", "Tags", "TracingConfig", "VpcConfig",
	}
)

// client maps an AWS::Cognito::UserPoolClient.
func (d *deployer) client(id string, p *props) config.Client {
	c := config.Client{ID: id, UserPoolClientName: clientName(id, p.m), GenerateSecret: p.to("generateSecret").boolean("GenerateSecret")}
	p.to("userPoolClientName").get("ClientName")
	oauthFlows(p, &c)
	c.OAuth.Scopes = p.to("oAuth.scopes").strings("AllowedOAuthScopes")
	authFlows(p, &c)
	units := p.sub("TokenValidityUnits")
	validity := func(field, key, unitKey string, def tollgate.TimeUnit) tollgate.Validity {
		n, ok := p.to(field).integer(key)
		if !ok {
			return tollgate.Validity{}
		}
		unit := tollgate.TimeUnit(cmp.Or(units.to(field+".unit").str(unitKey), string(def)))
		if unit.Duration() == 0 {
			units.fail(unitKey, "unknown unit %q: want seconds, minutes, hours or days", unit)
		}
		return tollgate.Validity{Value: n, Unit: unit}
	}
	c.AccessTokenValidity = validity("accessTokenValidity", "AccessTokenValidity", "AccessToken", tollgate.Hours)
	c.IDTokenValidity = validity("idTokenValidity", "IdTokenValidity", "IdToken", tollgate.Hours)
	c.RefreshTokenValidity = validity("refreshTokenValidity", "RefreshTokenValidity", "RefreshToken", tollgate.Days)
	if units.m != nil {
		units.str("AccessToken")
		units.str("IdToken")
		units.str("RefreshToken")
		units.done()
	}
	return c
}

// oauthFlows maps a client's AllowedOAuthFlows.
func oauthFlows(p *props, c *config.Client) {
	p.flags("AllowedOAuthFlows", "oAuth.flows", map[string]flag{
		"client_credentials": {"clientCredentials", &c.OAuth.Flows.ClientCredentials},
		"code":               {"authorizationCodeGrant", &c.OAuth.Flows.AuthorizationCodeGrant},
		"implicit":           {"implicitCodeGrant", &c.OAuth.Flows.ImplicitCodeGrant},
	}, "unknown OAuth flow %q: want client_credentials, code or implicit")
}

// authFlows maps a client's ExplicitAuthFlows.
func authFlows(p *props, c *config.Client) {
	p.flags("ExplicitAuthFlows", "authFlows", map[string]flag{
		// Refresh tokens come with user sign-in; accepted, unused.
		"ALLOW_REFRESH_TOKEN_AUTH":       {},
		"ALLOW_USER_SRP_AUTH":            {"userSrp", &c.AuthFlows.UserSRP},
		"ALLOW_USER_PASSWORD_AUTH":       {"userPassword", &c.AuthFlows.UserPassword},
		"ALLOW_ADMIN_USER_PASSWORD_AUTH": {"adminUserPassword", &c.AuthFlows.AdminUserPassword},
		"ALLOW_CUSTOM_AUTH":              {"custom", &c.AuthFlows.Custom},
		"ALLOW_USER_AUTH":                {"user", &c.AuthFlows.User},
	}, "unknown auth flow %q")
}

// flag is a Config field a name in a list of flows turns on.
type flag struct {
	field string // under the list's field; "" for a name accepted that sets nothing
	set   *bool
}

// flags maps property k, a list of names, to the flags under field that
// they turn on; unknown is the problem with a name flags does not list.
func (p *props) flags(k, field string, flags map[string]flag, unknown string) {
	p.from(field, k)
	for i, name := range p.strings(k) {
		key := k + "[" + strconv.Itoa(i) + "]"
		f, ok := flags[name]
		switch {
		case !ok:
			p.fail(key, unknown, name)
		case f.set != nil:
			*f.set = true
			p.from(field+"."+f.field, key)
		}
	}
}

// function maps an AWS::Lambda::Function; its code is an asset of the
// cloud assembly.
func (d *deployer) function(id string, p *props) config.Function {
	f := config.Function{
		ID: id, FunctionName: d.functionName(id, p.m), Runtime: p.to("runtime").str("Runtime"), Handler: p.to("handler").str("Handler"),
	}
	p.to("functionName").get("FunctionName")
	if n, ok := p.to("timeout").integer("Timeout"); ok {
		f.Timeout = time.Duration(n) * time.Second
	}
	if n, ok := p.to("memorySize").integer("MemorySize"); ok {
		f.MemorySize = int(n)
	}
	if n, ok := p.to("reservedConcurrency").integer("ReservedConcurrentExecutions"); ok {
		f.ReservedConcurrency = int(n)
	}
	if env := p.sub("Environment"); env.m != nil {
		f.Environment = env.to("environment").stringMap("Variables")
		env.done()
	}
	if layers := p.strings("Layers"); len(layers) > 0 {
		p.fail("Layers", "Lambda layers are not supported: bundle what the function needs into its code asset")
	}
	code := p.to("code").sub("Code")
	code.str("S3Bucket")
	key := code.str("S3Key")
	code.str("S3ObjectVersion")
	switch {
	case d.t.assets[id] != "":
		f.Code = d.t.assets[id]
	case key != "" && d.t.s3Assets[key] != "":
		f.Code = d.t.s3Assets[key]
	case code.str("ZipFile") != "":
		code.fail("ZipFile", "inline code is not supported: use lambda.Code.fromAsset and deploy the cloud assembly (cdk.out)")
	case code.str("ImageUri") != "":
		code.fail("ImageUri", "container image functions are not supported")
	default:
		code.fail("", "the code of %s is in S3, which Tollgate cannot read: run `tollgate serve --template` on the cdk.out directory, whose assets hold the code", id)
	}
	code.done()
	if f.Code != "" {
		if fi, err := os.Stat(f.Code); err == nil && !fi.IsDir() {
			code.fail("", "the code asset %s is a file: Tollgate runs code from a directory (lambda.Code.fromAsset of a directory)", f.Code)
		}
	}
	return f
}

// apiMapper maps the API Gateway resources of a template to the Config's
// restApis.
type apiMapper struct {
	d         *deployer
	cfg       *config.Config
	byType    map[string][]string
	functions map[string]string // function name → logical id
	apis      map[string]int    // API logical id → its index in cfg.RestAPIs
	// resources holds the AWS::ApiGateway::Resource resources by logical
	// id, to build full paths from their parents.
	resources   map[string]apiResource
	authorizers map[string]string // logical id of each mapped authorizer → its Type
}

// apiResource is an AWS::ApiGateway::Resource: a path part under a parent.
type apiResource struct{ parent, part, api string }

// restAPIs maps the API Gateway resources: one config.RestAPI per
// AWS::ApiGateway::RestApi, its resources' full paths from their parents,
// methods grouped by path, and the one stage; then the HTTP APIs
// (httpapis.go), and the API keys and usage plans (usageplans.go).
func (d *deployer) restAPIs(cfg *config.Config, byType map[string][]string, functions map[string]string) {
	m := &apiMapper{d: d, cfg: cfg, byType: byType, functions: functions, apis: map[string]int{},
		resources: map[string]apiResource{}, authorizers: map[string]string{}}
	m.restAPIs()
	m.resourcePaths()
	m.authorizersOf()
	m.methods()
	m.stages()
	m.httpAPIs()
	m.usagePlans()
}

func (m *apiMapper) restAPIs() {
	d, cfg := m.d, m.cfg
	for _, id := range m.byType["AWS::ApiGateway::RestApi"] {
		p := d.propsOf(id)
		a := config.RestAPI{ID: id, RestAPIName: cmp.Or(p.to("restApiName").str("Name"), id)}
		if ec := p.sub("EndpointConfiguration"); ec.m != nil {
			a.EndpointTypes = ec.to("endpointTypes").strings("Types")
			ec.done("VpcEndpointIds", "IpAddressType")
		}
		a.BinaryMediaTypes = p.to("binaryMediaTypes").strings("BinaryMediaTypes")
		// HEADER (X-API-Key) or AUTHORIZER (a Lambda authorizer's
		// usageIdentifierKey): contract §3, "Key source".
		a.APIKeySourceType = p.to("apiKeySourceType").str("ApiKeySourceType")
		for _, k := range []string{"Body", "BodyS3Location", "CloneFrom"} {
			if _, ok := p.get(k); ok {
				p.fail(k, "an API defined by %s is not supported: declare its resources and methods", k)
			}
		}
		p.done("Description", "Policy", "Tags", "MinimumCompressionSize",
			"DisableExecuteApiEndpoint", "FailOnWarnings", "Mode", "Parameters")
		m.apis[id] = len(cfg.RestAPIs)
		d.plan.apis[tollgate.RestAPIID(id)] = id
		p.place("restApis[" + strconv.Itoa(len(cfg.RestAPIs)) + "]")
		cfg.RestAPIs = append(cfg.RestAPIs, a)
	}
}

// apiOf returns the API a resource's RestApiId names, and its index.
func (m *apiMapper) apiOf(p *props) (*config.RestAPI, int) {
	v := p.str("RestApiId")
	for id, i := range m.apis {
		if tollgate.RestAPIID(id) == v {
			return &m.cfg.RestAPIs[i], i
		}
	}
	p.fail("RestApiId", "RestApiId must refer to a REST API of this template (Ref of an AWS::ApiGateway::RestApi), got %q", v)
	return nil, -1
}

// resourcePaths reads the resources, each a path part under its parent,
// and checks that each leads to the API's root.
func (m *apiMapper) resourcePaths() {
	for _, id := range m.byType["AWS::ApiGateway::Resource"] {
		p := m.d.propsOf(id)
		a, _ := m.apiOf(p)
		r := apiResource{parent: p.str("ParentId"), part: p.str("PathPart")}
		if a != nil {
			r.api = a.ID
		}
		p.done()
		m.resources[id] = r
	}
	for _, id := range m.byType["AWS::ApiGateway::Resource"] {
		if _, ok := m.pathOf(id); !ok {
			m.d.fail("Resources."+id+".Properties.ParentId", "ParentId must be the RootResourceId of the API or a resource of it, reached without a cycle")
		}
	}
}

// pathOf returns the full path of a resource, from its parent chain.
func (m *apiMapper) pathOf(id string) (string, bool) {
	var parts []string
	for range len(m.resources) + 1 {
		r, ok := m.resources[id]
		if !ok {
			return "", false
		}
		parts = append(parts, r.part)
		parent := m.d.phys[r.parent]
		if physicalID("root", parent) == r.parent {
			slices.Reverse(parts)
			return "/" + strings.Join(parts, "/"), true
		}
		id = parent
	}
	return "", false
}

func (m *apiMapper) authorizersOf() {
	d := m.d
	for _, id := range m.byType["AWS::ApiGateway::Authorizer"] {
		p := d.propsOf(id)
		a, ai := m.apiOf(p)
		au := config.Authorizer{ID: id, Type: p.to("type").str("Type")}
		if au.Type == "" {
			// AWS::ApiGateway::Authorizer: Type is required. Nothing else
			// is said of an authorizer of no type (a Type that is not a
			// string is reported as such), nor of its methods.
			if v := p.m["Type"]; v == nil {
				p.fail("", "Type is required: TOKEN, REQUEST, COGNITO_USER_POOLS or JWT")
			}
			m.authorizers[id] = ""
			continue
		}
		m.authorizerPools(p, &au)
		if uri := p.str("AuthorizerUri"); uri != "" {
			// CDK's lambdaAuthorizerArn: arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{fn.functionArn}/invocations
			// (aws-apigateway/lib/authorizers/lambda.ts).
			p.from("function", "AuthorizerUri")
			au.Function = invokedFunction(p, "AuthorizerUri", "a Lambda authorizer's AuthorizerUri", uri, m.functions)
		}
		// With no role, CDK grants apigateway.amazonaws.com the function
		// (an AWS::Lambda::Permission, which does not apply here); a role
		// to assume changes nothing either: Tollgate invokes the function.
		p.str("AuthorizerCredentials")
		source := p.str("IdentitySource")
		switch au.Type {
		case config.AuthorizerRequest:
			au.IdentitySources = identitySources(p, source)
			for i := range au.IdentitySources {
				p.from("identitySources["+strconv.Itoa(i)+"]", "IdentitySource")
			}
			// API Gateway ignores a REQUEST authorizer's
			// IdentityValidationExpression (contract apigw-beyond.md §1.1).
			p.str("IdentityValidationExpression")
		default:
			au.IdentitySource = source
			p.from("identitySource", "IdentitySource")
			au.ValidationRegex = p.to("validationRegex").str("IdentityValidationExpression")
		}
		switch au.Type {
		case config.AuthorizerToken, config.AuthorizerRequest:
			if n, ok := p.to("resultsCacheTtl").integer("AuthorizerResultTtlInSeconds"); ok {
				ttl := time.Duration(n) * time.Second
				au.ResultsCacheTTL = &ttl
			}
		default:
			// A COGNITO_USER_POOLS authorizer's TTL (CDK writes 300) caches
			// nothing Tollgate does not check on each request.
			p.str("AuthorizerResultTtlInSeconds")
		}
		au.JWTConfiguration = jwtConfiguration(p.to("jwtConfiguration").sub("JwtConfiguration"))
		p.done("Name", "AuthType")
		if a != nil {
			m.authorizers[id] = au.Type
			p.place("restApis[" + strconv.Itoa(ai) + "].authorizers[" + strconv.Itoa(len(a.Authorizers)) + "]")
			a.Authorizers = append(a.Authorizers, au)
		}
	}
}

// identitySources splits a REQUEST authorizer's IdentitySource: CDK joins
// identitySources with ","; the API reference says "a comma-separated
// list". An empty entry is one problem for the list, and is dropped.
func identitySources(p *props, source string) []string {
	list := apigw.SplitIdentitySources(source)
	if slices.Contains(list, "") {
		p.fail("IdentitySource", "invalid identity source %q: empty entry in the comma-separated list", source)
		list = slices.DeleteFunc(list, func(s string) bool { return s == "" })
	}
	return list
}

// authorizerPools maps a Cognito authorizer's ProviderARNs: a pool of this
// template by its logical id, a pool on AWS by its ARN.
func (m *apiMapper) authorizerPools(p *props, au *config.Authorizer) {
	for i, arn := range p.strings("ProviderARNs") {
		key := "ProviderARNs[" + strconv.Itoa(i) + "]"
		p.from("cognitoUserPools["+strconv.Itoa(len(au.CognitoUserPools))+"]", key)
		if pool := m.d.refTo(arn[strings.LastIndexByte(arn, '/')+1:]); pool != "" {
			au.CognitoUserPools = append(au.CognitoUserPools, pool)
			continue
		}
		// A pool that lives on AWS: config checks the ARN and trusts its
		// tokens by its JWKS.
		au.CognitoUserPools = append(au.CognitoUserPools, arn)
	}
	p.from("cognitoUserPools", "ProviderARNs")
}

// jwtConfiguration maps a JWT authorizer's JwtConfiguration (CFN's
// AWS::ApiGateway::Authorizer JwtConfiguration, JwtIssuer and
// JwtAdditionalClaim: contract apigw-beyond.md §1.6).
func jwtConfiguration(p *props) *config.JWTConfiguration {
	if p.m == nil {
		return nil
	}
	c := &config.JWTConfiguration{DefaultAlgorithms: p.to("defaultAlgorithms").strings("DefaultAlgorithms")}
	for _, ip := range p.to("issuers").items("Issuers") {
		iss := config.JWTIssuer{Issuer: ip.to("issuer").str("Issuer"), Audiences: ip.to("audiences").strings("Audiences")}
		for _, cp := range ip.to("additionalClaims").items("AdditionalClaims") {
			iss.AdditionalClaims = append(iss.AdditionalClaims, config.AdditionalClaim{
				ClaimName:      cp.to("claimName").str("ClaimName"),
				ExpectedValues: cp.to("expectedValues").strings("ExpectedValues"),
				Format:         cp.to("format").str("Format"),
				Required:       cp.to("required").boolean("Required"),
			})
			cp.done()
		}
		ip.done()
		c.Issuers = append(c.Issuers, iss)
	}
	p.done()
	return c
}

// methodAt is a mapped AWS::ApiGateway::Method and its resource's path.
type methodAt struct {
	p    *props
	path string
	m    config.Method
}

// methods maps the methods and groups them by API and path, as the
// Config's resources.
func (m *apiMapper) methods() {
	byAPI := map[string][]methodAt{}
	for _, id := range m.byType["AWS::ApiGateway::Method"] {
		p := m.d.propsOf(id)
		a, _ := m.apiOf(p)
		if ma := m.method(id, p); a != nil && ma.path != "" {
			byAPI[a.ID] = append(byAPI[a.ID], ma)
		}
	}
	for i := range m.cfg.RestAPIs {
		a := &m.cfg.RestAPIs[i]
		ms := byAPI[a.ID]
		slices.SortStableFunc(ms, func(x, y methodAt) int { return cmp.Compare(x.path, y.path) })
		for _, ma := range ms {
			if n := len(a.Resources); n == 0 || a.Resources[n-1].Path != ma.path {
				a.Resources = append(a.Resources, config.Resource{Path: ma.path})
			}
			r := &a.Resources[len(a.Resources)-1]
			rp := "restApis[" + strconv.Itoa(i) + "].resources[" + strconv.Itoa(len(a.Resources)-1) + "]"
			if len(r.Methods) == 0 {
				// The resource's path is that of its first method's resource.
				m.d.origins[rp+".path"] = ma.p.path + ".ResourceId"
			}
			ma.p.place(rp + ".methods[" + strconv.Itoa(len(r.Methods)) + "]")
			r.Methods = append(r.Methods, ma.m)
		}
	}
}

// method maps one AWS::ApiGateway::Method.
func (m *apiMapper) method(id string, p *props) methodAt {
	d := m.d
	ma := methodAt{p: p, m: config.Method{HTTPMethod: p.to("httpMethod").str("HttpMethod"),
		AuthorizationScopes: p.to("authorizationScopes").strings("AuthorizationScopes")}}
	rid := p.str("ResourceId")
	if parent := d.phys[rid]; parent != "" && physicalID("root", parent) == rid {
		ma.path = "/"
	} else if rp, ok := m.pathOf(d.phys[rid]); ok {
		ma.path = rp
	} else {
		p.fail("ResourceId", "ResourceId must be a resource of the API or its RootResourceId, got %q", rid)
	}
	switch t := p.str("AuthorizationType"); t {
	case "", "NONE":
	case config.AuthorizerCognito, "CUSTOM", config.AuthorizerJWT:
		au := d.phys[p.to("authorizer").str("AuthorizerId")]
		typ, ok := m.authorizers[au]
		switch {
		case !ok:
			p.fail("AuthorizerId", "AuthorizerId must refer to an AWS::ApiGateway::Authorizer of this template")
		case typ == "":
			// An authorizer of no type: its own problem says so.
		case !authorizes(t, typ):
			// API Gateway: CUSTOM takes a Lambda (TOKEN or REQUEST)
			// authorizer; COGNITO_USER_POOLS and JWT their own type.
			p.fail("AuthorizationType", "authorization type %s does not go with the %s authorizer %s: want %s", t, typ, au, authorizationTypeOf(typ))
		}
		ma.m.Authorizer = au
	case "AWS_IAM":
		p.fail("AuthorizationType", "authorization type AWS_IAM is not supported: want NONE, COGNITO_USER_POOLS, CUSTOM (a TOKEN or REQUEST authorizer) or JWT")
	default:
		p.fail("AuthorizationType", "authorization type %q is not supported: want NONE, COGNITO_USER_POOLS, CUSTOM or JWT", t)
	}
	p.used["AuthorizerId"] = true
	ma.m.Integration = d.integration(p.to("integration").sub("Integration"), m.functions)
	// Only a method that requires a key checks one, and only there do a
	// usage plan's limits apply (contract §3, "When checked").
	ma.m.APIKeyRequired = p.to("apiKeyRequired").boolean("ApiKeyRequired")
	p.done("MethodResponses", "OperationName", "RequestModels", "RequestParameters", "RequestValidatorId")
	return ma
}

// authorizationTypeOf is the AuthorizationType of a method behind an
// authorizer of type typ.
func authorizationTypeOf(typ string) string {
	if typ == config.AuthorizerToken || typ == config.AuthorizerRequest {
		return "CUSTOM"
	}
	return typ
}

// authorizes reports whether a method of authorization type t may name an
// authorizer of type typ. A type config does not know is left to it.
func authorizes(t, typ string) bool {
	switch typ {
	case config.AuthorizerCognito, config.AuthorizerToken, config.AuthorizerRequest, config.AuthorizerJWT:
		return authorizationTypeOf(typ) == t
	}
	return true
}

// stageIgnored are the properties of a stage with no effect in Tollgate.
var stageIgnored = []string{"Description", "TracingEnabled", "AccessLogSetting", "CacheClusterEnabled", "CacheClusterSize",
	"CanarySetting", "ClientCertificateId", "DocumentationVersion", "Tags", "LoggingLevel", "MetricsEnabled",
	"DataTraceEnabled", "CachingEnabled", "CacheTtlInSeconds", "CacheDataEncrypted", "AccessLogSettings"}

// stages maps each API's one stage: from a Stage resource, or a
// Deployment's StageName.
func (m *apiMapper) stages() {
	stageOf := map[string]string{} // API logical id → the resource that declares its stage
	for _, id := range m.byType["AWS::ApiGateway::Deployment"] {
		p := m.d.propsOf(id)
		a, ai := m.apiOf(p)
		if name := p.str("StageName"); name != "" && a != nil {
			sd := p.sub("StageDescription")
			m.setStage(stageOf, p, a, ai, name, sd)
			sd.done(stageIgnored...)
		} else {
			p.sub("StageDescription")
		}
		p.done("Description", "DeploymentCanarySettings")
	}
	for _, id := range m.byType["AWS::ApiGateway::Stage"] {
		p := m.d.propsOf(id)
		a, ai := m.apiOf(p)
		p.str("DeploymentId")
		if a != nil {
			m.setStage(stageOf, p, a, ai, p.str("StageName"), p)
		}
		p.done(stageIgnored...)
	}
}

// setStage maps a stage named name, declared by p, whose settings are q
// (p itself, or a Deployment's StageDescription).
func (m *apiMapper) setStage(stageOf map[string]string, p *props, a *config.RestAPI, ai int, name string, q *props) {
	if prev, ok := stageOf[a.ID]; ok {
		p.fail("StageName", "the API already has stage %s (declared by %s): Tollgate serves one stage per API", a.DeployOptions.StageName, prev)
		return
	}
	stageOf[a.ID] = p.id
	a.DeployOptions.StageName = name
	p.from("stageName", "StageName")
	if vars := q.to("variables").object("Variables"); vars != nil {
		a.DeployOptions.Variables = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			s, _ := scalarString(vars[k])
			a.DeployOptions.Variables[k] = s
			q.from("variables."+k, "Variables."+k)
		}
	}
	setThrottle(&a.DeployOptions, q)
	for _, ms := range q.items("MethodSettings") {
		if ms.str("ResourcePath") != "/*" || ms.str("HttpMethod") != "*" {
			ms.fail("", "only stage-wide method settings (ResourcePath /*, HttpMethod *) are supported")
		}
		setThrottle(&a.DeployOptions, ms)
		ms.done("LoggingLevel", "MetricsEnabled", "DataTraceEnabled", "CachingEnabled", "CacheTtlInSeconds", "CacheDataEncrypted")
	}
	p.place("restApis[" + strconv.Itoa(ai) + "].deployOptions")
}

// setThrottle maps the throttling properties of a stage or method setting.
func setThrottle(o *config.DeployOptions, q *props) {
	if rate, ok := q.to("throttlingRateLimit").num("ThrottlingRateLimit"); ok {
		o.ThrottlingRateLimit = rate
	}
	if burst, ok := q.to("throttlingBurstLimit").integer("ThrottlingBurstLimit"); ok {
		o.ThrottlingBurstLimit = int(burst)
	}
}

// integration maps a method's Integration property.
func (d *deployer) integration(p *props, functions map[string]string) *config.Integration {
	if p.m == nil {
		return nil
	}
	in := &config.Integration{Type: p.to("type").str("Type")}
	if ms, ok := p.to("timeout").integer("TimeoutInMillis"); ok {
		in.Timeout = time.Duration(ms) * time.Millisecond
	}
	uri := p.str("Uri")
	switch in.Type {
	case config.IntegrationAWSProxy:
		p.from("function", "Uri")
		in.Function = invokedFunction(p, "Uri", "an AWS_PROXY integration's Uri", uri, functions)
		p.str("IntegrationHttpMethod")
	case config.IntegrationHTTPProxy:
		in.URI = uri
		p.from("uri", "Uri")
		p.str("IntegrationHttpMethod")
	case config.IntegrationMock:
		mockResponses(p, in)
		p.used["RequestTemplates"] = true
	default:
		p.fail("Type", "integration type %q is not supported: want AWS_PROXY, HTTP_PROXY or MOCK", in.Type)
	}
	p.done("PassthroughBehavior", "ContentHandling", "CacheKeyParameters", "CacheNamespace",
		"RequestParameters", "Credentials", "ConnectionType", "ConnectionId", "IntegrationResponses", "RequestTemplates")
	return in
}

// invokedFunction returns the logical id of the function of this template
// that uri, a Lambda invocation URI read from property key (what names
// it), invokes, and reports one that is not.
func invokedFunction(p *props, key, what, uri string, functions map[string]string) string {
	name, ok := apigw.LambdaFunction(uri)
	if !ok {
		p.fail(key, "%s must invoke a Lambda function of this template, got %q", what, uri)
		return ""
	}
	fn, ok := functions[name]
	if !ok {
		p.fail(key, "the function %s is not a function of this template", name)
	}
	return fn
}

// mockResponses maps a MOCK integration's IntegrationResponses: the first
// (default) response is served, with its literal headers and a mapping
// template without VTL as the body; what is left out is a limitation of
// the plan.
func mockResponses(p *props, in *config.Integration) {
	list := p.items("IntegrationResponses")
	var lost []string
	for i, r := range p.items("IntegrationResponses") {
		if n, ok := r.integer("StatusCode"); ok && i == 0 {
			in.StatusCode = int(n)
		}
		params := r.object("ResponseParameters")
		templates := r.object("ResponseTemplates")
		r.str("SelectionPattern")
		r.done("ContentHandling")
		if i == 0 {
			lost = append(lost, mockHeaders(in, params)...)
			lost = append(lost, mockBody(in, templates)...)
		}
	}
	if len(list) > 1 {
		lost = append(lost, "integration responses after the first (selected by SelectionPattern)")
	}
	if len(lost) > 0 {
		p.d.plan.Limitations = append(p.d.plan.Limitations, fmt.Sprintf(
			"%s: MOCK integration answers with status %d and its first response's literal headers and body, without %s",
			p.path, cmp.Or(in.StatusCode, 200), strings.Join(lost, "; ")))
	}
}

// mockHeaders maps the response parameters whose value is a quoted
// literal ('*') to headers, and returns those it cannot.
func mockHeaders(in *config.Integration, params map[string]any) (lost []string) {
	for _, k := range slices.Sorted(maps.Keys(params)) {
		name, isHeader := strings.CutPrefix(k, "method.response.header.")
		val, _ := params[k].(string)
		if lit, ok := quotedLiteral(val); ok && isHeader {
			if in.ResponseHeaders == nil {
				in.ResponseHeaders = map[string]string{}
			}
			in.ResponseHeaders[name] = lit
		} else {
			lost = append(lost, "response parameter "+k+" (not a literal)")
		}
	}
	return lost
}

// mockBody maps the first mapping template without VTL to the body, and
// returns those it cannot serve.
func mockBody(in *config.Integration, templates map[string]any) (lost []string) {
	for _, ct := range slices.Sorted(maps.Keys(templates)) {
		t, _ := templates[ct].(string)
		switch {
		case t == "":
		case strings.ContainsAny(t, "$#"):
			lost = append(lost, "mapping template for "+ct+" (VTL)")
		case in.Body == "":
			in.Body = t
			if in.ResponseHeaders["Content-Type"] == "" && ct != "application/json" {
				if in.ResponseHeaders == nil {
					in.ResponseHeaders = map[string]string{}
				}
				in.ResponseHeaders["Content-Type"] = ct
			}
		default:
			lost = append(lost, "mapping template for "+ct+" (one body is served)")
		}
	}
	return lost
}

// validate runs the Config's own rules and reports what they find at the
// template's properties the values came from.
func (d *deployer) validate() {
	err := d.plan.Config.ValidateFrom(mappedFrom{d})
	var probs config.Problems
	if err != nil && !errors.As(err, &probs) {
		d.fail("", "%v", err)
		return
	}
	d.problems = append(d.problems, probs...)
}

// mappedFrom are the config.Origins of the Config a template is mapped
// to: each path of the Config is placed at the template property its
// value came from, as the mapper recorded it (props.place), or at that of
// its nearest ancestor, followed by the rest of the Config path in
// brackets: "Resources.Api.Properties (resources[0].path)".
type mappedFrom struct{ d *deployer }

func (o mappedFrom) Value(path string) config.Problem { return o.place(path, o.d.t.at) }
func (o mappedFrom) Key(path string) config.Problem   { return o.place(path, o.d.t.keyAt) }

// Has reports whether a property written in the template was read into
// path itself: the mapper records the origin of each property it reads
// (some before knowing whether it is there), and the template's positions
// say whether that property is written (as zero or not).
func (o mappedFrom) Has(path string) bool {
	from, ok := o.d.origins[path]
	if !ok {
		return false
	}
	at, ok := o.d.t.positions[from]
	return ok && at.line > 0
}

func (o mappedFrom) place(path string, at func(string) config.Problem) config.Problem {
	for q := path; ; q = configParent(q) {
		if from, ok := o.d.origins[q]; ok {
			p := at(from)
			if rest := strings.TrimPrefix(path[len(q):], "."); rest != "" {
				p.Path += " (" + rest + ")"
			}
			return p
		}
		if q == "" {
			return config.Problem{File: o.d.t.File, Path: path}
		}
	}
}

// configParent returns a Config path one level up: "a.b[2]" → "a.b",
// "a.b" → "a", "a" → "".
func configParent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// quotedLiteral returns the text of an API Gateway literal mapping value,
// written in single quotes ('*', 'GET,POST').
func quotedLiteral(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1], true
	}
	return "", false
}
