package template

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/config"
)

// props reads the resolved properties of one resource and reports those it
// does not know.
type props struct {
	d    *deployer
	id   string
	path string
	m    map[string]any
	used map[string]bool
}

func (d *deployer) propsOf(id string) *props {
	return &props{d: d, id: id, path: "Resources." + id + ".Properties", m: d.props[id], used: map[string]bool{}}
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
	return v, ok && v != nil
}

func (p *props) str(k string) string {
	v, ok := p.get(k)
	if !ok {
		return ""
	}
	s, ok := scalarString(v)
	if !ok {
		p.fail(k, "want a string, got %s", describe(v))
	}
	return s
}

func (p *props) num(k string) (float64, bool) {
	v, ok := p.get(k)
	if !ok {
		return 0, false
	}
	f, ok := toFloat(v)
	if !ok {
		p.fail(k, "want a number, got %s", describe(v))
	}
	return f, ok
}

func (p *props) integer(k string) (int64, bool) {
	v, ok := p.get(k)
	if !ok {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok {
		p.fail(k, "want a whole number, got %s", describe(v))
	}
	return n, ok
}

func (p *props) boolean(k string) bool {
	v, ok := p.get(k)
	if !ok {
		return false
	}
	b, ok := toBool(v)
	if !ok {
		p.fail(k, "want true or false, got %s", describe(v))
	}
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

// sub reads a nested mapping with the same helpers.
func (p *props) sub(k string) *props {
	return &props{d: p.d, id: p.id, path: p.path + "." + k, m: p.object(k), used: map[string]bool{}}
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

// configPaths maps paths of the Config to the template, for problems found
// by config validation.
type configPaths map[string]string

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
	d.where = configPaths{}
	pm := &poolMapper{d: d, cfg: cfg, pools: map[string]int{}}
	pm.userPools(byType["AWS::Cognito::UserPool"])
	pm.resourceServers(byType["AWS::Cognito::UserPoolResourceServer"])
	pm.clients(byType["AWS::Cognito::UserPoolClient"])
	pm.domains(byType["AWS::Cognito::UserPoolDomain"])
	functions := map[string]string{} // function name → logical id
	for _, id := range byType["AWS::Lambda::Function"] {
		p := d.propsOf(id)
		f := d.function(id, p)
		p.done(functionIgnored...)
		functions[f.FunctionName] = id
		d.where["functions["+strconv.Itoa(len(cfg.Functions))+"]"] = p.path
		cfg.Functions = append(cfg.Functions, f)
	}
	d.restAPIs(cfg, byType, functions)
}

// poolMapper maps the Cognito resources of a template to the Config's
// userPools.
type poolMapper struct {
	d     *deployer
	cfg   *config.Config
	pools map[string]int // pool logical id → its index in cfg.UserPools
}

func (pm *poolMapper) userPools(ids []string) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pm.pools[id] = len(pm.cfg.UserPools)
		pm.d.where["userPools["+strconv.Itoa(len(pm.cfg.UserPools))+"]"] = p.path
		pm.cfg.UserPools = append(pm.cfg.UserPools, config.UserPool{ID: id, UserPoolName: cmp.Or(p.str("UserPoolName"), id), Region: pm.d.opts.Region})
		p.done(userPoolIgnored...)
	}
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

func (pm *poolMapper) resourceServers(ids []string) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pool, at := pm.poolOf(p)
		rs := config.ResourceServer{ID: id, Identifier: p.str("Identifier"), UserPoolResourceServerName: p.str("Name")}
		if v, ok := p.get("Scopes"); ok {
			list, _ := v.([]any)
			for i := range list {
				sp := p.sub("Scopes[" + strconv.Itoa(i) + "]")
				sp.m, _ = list[i].(map[string]any)
				rs.Scopes = append(rs.Scopes, config.Scope{ScopeName: sp.str("ScopeName"), ScopeDescription: sp.str("ScopeDescription")})
				sp.done()
			}
		}
		p.done()
		if pool != nil {
			pm.d.where[at+".resourceServers["+strconv.Itoa(len(pool.ResourceServers))+"]"] = p.path
			pool.ResourceServers = append(pool.ResourceServers, rs)
		}
	}
}

func (pm *poolMapper) clients(ids []string) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pool, at := pm.poolOf(p)
		c := pm.d.client(id, p)
		p.done(clientIgnored...)
		if pool != nil {
			pm.d.plan.clientPools[id] = pool.ID
			pm.d.where[at+".clients["+strconv.Itoa(len(pool.Clients))+"]"] = p.path
			pool.Clients = append(pool.Clients, c)
		}
	}
}

func (pm *poolMapper) domains(ids []string) {
	for _, id := range ids {
		p := pm.d.propsOf(id)
		pool, at := pm.poolOf(p)
		dom := config.Domain{ID: id}
		name := p.str("Domain")
		pm.d.plan.domains[name] = true
		if cd := p.sub("CustomDomainConfig"); cd.m != nil {
			// The ACM certificate stays on AWS: the domain is served with
			// the listener's TLS setup, or behind a proxy.
			cd.str("CertificateArn")
			cd.done()
			dom.CustomDomain = &config.CustomDomain{DomainName: name}
		} else {
			dom.CognitoDomain = &config.CognitoDomain{DomainPrefix: name}
		}
		p.done("ManagedLoginVersion")
		if pool != nil {
			pm.d.where[at+".domains["+strconv.Itoa(len(pool.Domains))+"]"] = p.path
			pool.Domains = append(pool.Domains, dom)
		}
	}
}

// Properties with no effect in Tollgate: user sign-up, messages, MFA,
// triggers and the like belong to pools with users, which Tollgate does not
// have; tags and descriptions change nothing.
var (
	userPoolIgnored = []string{
		"AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes",
		"DeletionProtection", "DeviceConfiguration", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
		"EmailConfiguration", "EmailVerificationMessage", "EmailVerificationSubject", "EnabledMfas",
		"LambdaConfig", "MfaConfiguration", "Policies", "Schema", "SmsAuthenticationMessage",
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
	c := config.Client{ID: id, UserPoolClientName: clientName(id, p.m), GenerateSecret: p.boolean("GenerateSecret")}
	p.used["ClientName"] = true
	oauthFlows(p, &c)
	c.OAuth.Scopes = p.strings("AllowedOAuthScopes")
	authFlows(p, &c)
	units := p.sub("TokenValidityUnits")
	validity := func(key, unitKey string, def tollgate.TimeUnit) tollgate.Validity {
		n, ok := p.integer(key)
		if !ok {
			return tollgate.Validity{}
		}
		unit := tollgate.TimeUnit(cmp.Or(units.str(unitKey), string(def)))
		if unit.Duration() == 0 {
			units.fail(unitKey, "unknown unit %q: want seconds, minutes, hours or days", unit)
		}
		return tollgate.Validity{Value: n, Unit: unit}
	}
	c.AccessTokenValidity = validity("AccessTokenValidity", "AccessToken", tollgate.Hours)
	c.IDTokenValidity = validity("IdTokenValidity", "IdToken", tollgate.Hours)
	c.RefreshTokenValidity = validity("RefreshTokenValidity", "RefreshToken", tollgate.Days)
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
	for i, f := range p.strings("AllowedOAuthFlows") {
		switch f {
		case "client_credentials":
			c.OAuth.Flows.ClientCredentials = true
		case "code":
			c.OAuth.Flows.AuthorizationCodeGrant = true
		case "implicit":
			c.OAuth.Flows.ImplicitCodeGrant = true
		default:
			p.fail("AllowedOAuthFlows["+strconv.Itoa(i)+"]", "unknown OAuth flow %q: want client_credentials, code or implicit", f)
		}
	}
}

// authFlows maps a client's ExplicitAuthFlows.
func authFlows(p *props, c *config.Client) {
	for i, f := range p.strings("ExplicitAuthFlows") {
		switch f {
		case "ALLOW_REFRESH_TOKEN_AUTH":
			// Refresh tokens come with user sign-in; accepted, unused.
		case "ALLOW_USER_SRP_AUTH":
			c.AuthFlows.UserSRP = true
		case "ALLOW_USER_PASSWORD_AUTH":
			c.AuthFlows.UserPassword = true
		case "ALLOW_ADMIN_USER_PASSWORD_AUTH":
			c.AuthFlows.AdminUserPassword = true
		case "ALLOW_CUSTOM_AUTH":
			c.AuthFlows.Custom = true
		case "ALLOW_USER_AUTH":
			c.AuthFlows.User = true
		default:
			p.fail("ExplicitAuthFlows["+strconv.Itoa(i)+"]", "unknown auth flow %q", f)
		}
	}
}

// function maps an AWS::Lambda::Function; its code is an asset of the
// cloud assembly.
func (d *deployer) function(id string, p *props) config.Function {
	f := config.Function{
		ID: id, FunctionName: d.functionName(id, p.m), Runtime: p.str("Runtime"), Handler: p.str("Handler"),
	}
	p.used["FunctionName"] = true
	if n, ok := p.integer("Timeout"); ok {
		f.Timeout = time.Duration(n) * time.Second
	}
	if n, ok := p.integer("MemorySize"); ok {
		f.MemorySize = int(n)
	}
	if n, ok := p.integer("ReservedConcurrentExecutions"); ok {
		f.ReservedConcurrency = int(n)
	}
	if env := p.sub("Environment"); env.m != nil {
		if vars := env.object("Variables"); vars != nil {
			f.Environment = map[string]string{}
			for _, k := range slices.Sorted(maps.Keys(vars)) {
				s, ok := scalarString(vars[k])
				if !ok {
					env.fail("Variables."+k, "want a string, got %s", describe(vars[k]))
				}
				f.Environment[k] = s
			}
		}
		env.done()
	}
	if layers := p.strings("Layers"); len(layers) > 0 {
		p.fail("Layers", "Lambda layers are not supported: bundle what the function needs into its code asset")
	}
	code := p.sub("Code")
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
	authorizers map[string]bool // logical ids of the mapped authorizers
}

// apiResource is an AWS::ApiGateway::Resource: a path part under a parent.
type apiResource struct{ parent, part, api string }

// restAPIs maps the API Gateway resources: one config.RestAPI per
// AWS::ApiGateway::RestApi, its resources' full paths from their parents,
// methods grouped by path, and the one stage.
func (d *deployer) restAPIs(cfg *config.Config, byType map[string][]string, functions map[string]string) {
	m := &apiMapper{d: d, cfg: cfg, byType: byType, functions: functions, apis: map[string]int{},
		resources: map[string]apiResource{}, authorizers: map[string]bool{}}
	m.restAPIs()
	m.resourcePaths()
	m.authorizersOf()
	m.methods()
	m.stages()
}

func (m *apiMapper) restAPIs() {
	d, cfg := m.d, m.cfg
	for _, id := range m.byType["AWS::ApiGateway::RestApi"] {
		p := d.propsOf(id)
		a := config.RestAPI{ID: id, RestAPIName: cmp.Or(p.str("Name"), id)}
		if ec := p.sub("EndpointConfiguration"); ec.m != nil {
			a.EndpointTypes = ec.strings("Types")
			ec.done("VpcEndpointIds", "IpAddressType")
		}
		a.BinaryMediaTypes = p.strings("BinaryMediaTypes")
		for _, k := range []string{"Body", "BodyS3Location", "CloneFrom"} {
			if _, ok := p.get(k); ok {
				p.fail(k, "an API defined by %s is not supported: declare its resources and methods", k)
			}
		}
		p.done("Description", "Policy", "Tags", "MinimumCompressionSize", "ApiKeySourceType",
			"DisableExecuteApiEndpoint", "FailOnWarnings", "Mode", "Parameters")
		m.apis[id] = len(cfg.RestAPIs)
		d.plan.apis[tollgate.RestAPIID(id)] = id
		d.where["restApis["+strconv.Itoa(len(cfg.RestAPIs))+"]"] = p.path
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
		au := config.Authorizer{ID: id, IdentitySource: p.str("IdentitySource")}
		if t := p.str("Type"); t != "COGNITO_USER_POOLS" {
			p.fail("Type", "authorizer type %q is not supported: want COGNITO_USER_POOLS", t)
		}
		for i, arn := range p.strings("ProviderARNs") {
			if pool := d.refTo(arn[strings.LastIndexByte(arn, '/')+1:]); pool != "" {
				au.CognitoUserPools = append(au.CognitoUserPools, pool)
				continue
			}
			// A pool that lives on AWS: trust its tokens by its JWKS.
			if c := cognitoARN.FindStringSubmatch(arn); c != nil {
				iss := "https://cognito-idp." + c[1] + ".amazonaws.com/" + c[2]
				au.ExternalIssuers = append(au.ExternalIssuers, config.ExternalIssuer{Issuer: iss, JWKSURL: iss + "/.well-known/jwks.json"})
				continue
			}
			p.fail("ProviderARNs["+strconv.Itoa(i)+"]", "want the Arn of a user pool (Fn::GetAtt [Pool, Arn]), got %q", arn)
		}
		p.done("Name", "AuthorizerResultTtlInSeconds", "IdentityValidationExpression", "AuthType")
		if a != nil {
			m.authorizers[id] = true
			d.where["restApis["+strconv.Itoa(ai)+"].authorizers["+strconv.Itoa(len(a.Authorizers))+"]"] = p.path
			a.Authorizers = append(a.Authorizers, au)
		}
	}
}

// methodAt is a mapped AWS::ApiGateway::Method and its resource's path.
type methodAt struct {
	id, path string
	m        config.Method
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
			m.d.where["restApis["+strconv.Itoa(i)+"].resources["+strconv.Itoa(len(a.Resources)-1)+"].methods["+strconv.Itoa(len(r.Methods))+"]"] = "Resources." + ma.id + ".Properties"
			r.Methods = append(r.Methods, ma.m)
		}
	}
}

// method maps one AWS::ApiGateway::Method.
func (m *apiMapper) method(id string, p *props) methodAt {
	d := m.d
	ma := methodAt{id: id, m: config.Method{HTTPMethod: p.str("HttpMethod"), AuthorizationScopes: p.strings("AuthorizationScopes")}}
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
	case "COGNITO_USER_POOLS":
		au := d.phys[p.str("AuthorizerId")]
		if !m.authorizers[au] {
			p.fail("AuthorizerId", "AuthorizerId must refer to an AWS::ApiGateway::Authorizer of this template")
		}
		ma.m.Authorizer = au
	default:
		p.fail("AuthorizationType", "authorization type %q is not supported: want NONE or COGNITO_USER_POOLS", t)
	}
	p.used["AuthorizerId"] = true
	ma.m.Integration = d.integration(p.sub("Integration"), m.functions)
	if p.boolean("ApiKeyRequired") {
		p.fail("ApiKeyRequired", "API keys are not supported")
	}
	p.done("MethodResponses", "OperationName", "RequestModels", "RequestParameters", "RequestValidatorId")
	return ma
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
	m.d.where["restApis["+strconv.Itoa(ai)+"].deployOptions"] = p.path
	if vars := q.object("Variables"); vars != nil {
		a.DeployOptions.Variables = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(vars)) {
			s, _ := scalarString(vars[k])
			a.DeployOptions.Variables[k] = s
		}
	}
	setThrottle(&a.DeployOptions, q)
	if v, ok := q.get("MethodSettings"); ok {
		list, _ := v.([]any)
		for i, e := range list {
			ms := q.sub("MethodSettings[" + strconv.Itoa(i) + "]")
			ms.m, _ = e.(map[string]any)
			if ms.str("ResourcePath") != "/*" || ms.str("HttpMethod") != "*" {
				ms.fail("", "only stage-wide method settings (ResourcePath /*, HttpMethod *) are supported")
			}
			setThrottle(&a.DeployOptions, ms)
			ms.done("LoggingLevel", "MetricsEnabled", "DataTraceEnabled", "CachingEnabled", "CacheTtlInSeconds", "CacheDataEncrypted")
		}
	}
}

// setThrottle maps the throttling properties of a stage or method setting.
func setThrottle(o *config.DeployOptions, q *props) {
	if rate, ok := q.num("ThrottlingRateLimit"); ok {
		o.ThrottlingRateLimit = rate
	}
	if burst, ok := q.integer("ThrottlingBurstLimit"); ok {
		o.ThrottlingBurstLimit = int(burst)
	}
}

var cognitoARN = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/([A-Za-z0-9-]+_[A-Za-z0-9]+)$`)

// integration maps a method's Integration property.
func (d *deployer) integration(p *props, functions map[string]string) *config.Integration {
	if p.m == nil {
		return nil
	}
	in := &config.Integration{Type: p.str("Type")}
	if ms, ok := p.integer("TimeoutInMillis"); ok {
		in.Timeout = time.Duration(ms) * time.Millisecond
	}
	uri := p.str("Uri")
	switch in.Type {
	case config.IntegrationAWSProxy:
		name, ok := apigw.LambdaFunction(uri)
		if !ok {
			p.fail("Uri", "an AWS_PROXY integration's Uri must invoke a Lambda function of this template, got %q", uri)
			break
		}
		fn, ok := functions[name]
		if !ok {
			p.fail("Uri", "the function %s is not a function of this template", name)
		}
		in.Function = fn
		p.str("IntegrationHttpMethod")
	case config.IntegrationHTTPProxy:
		in.URI = uri
		p.str("IntegrationHttpMethod")
	case config.IntegrationMock:
		if v, ok := p.get("IntegrationResponses"); ok {
			list, _ := v.([]any)
			mockResponses(p, in, list)
		}
		p.used["RequestTemplates"] = true
	default:
		p.fail("Type", "integration type %q is not supported: want AWS_PROXY, HTTP_PROXY or MOCK", in.Type)
	}
	p.done("PassthroughBehavior", "ContentHandling", "CacheKeyParameters", "CacheNamespace",
		"RequestParameters", "Credentials", "ConnectionType", "ConnectionId", "IntegrationResponses", "RequestTemplates")
	return in
}

// mockResponses maps a MOCK integration's IntegrationResponses: the first
// (default) response is served, with its literal headers and a mapping
// template without VTL as the body; what is left out is a limitation of
// the plan.
func mockResponses(p *props, in *config.Integration, list []any) {
	var lost []string
	for i, e := range list {
		r := p.sub("IntegrationResponses[" + strconv.Itoa(i) + "]")
		r.m, _ = e.(map[string]any)
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
// template's resources.
func (d *deployer) validate() {
	err := d.plan.Config.Validate()
	var probs config.Problems
	if err != nil && !errors.As(err, &probs) {
		d.fail("", "%v", err)
		return
	}
	for _, p := range probs {
		d.problems = append(d.problems, d.t.problem(d.where.translate(p.Path), "%s", p.Message))
	}
}

// translate turns a Config path into the template path of the resource that
// gave it, keeping the Config's field names after it in brackets when they
// have no single template property.
func (w configPaths) translate(path string) string {
	best := ""
	for prefix := range w {
		if (path == prefix || strings.HasPrefix(path, prefix+".") || strings.HasPrefix(path, prefix+"[")) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return path
	}
	rest := strings.TrimPrefix(path[len(best):], ".")
	if rest == "" {
		return w[best]
	}
	field := ""
	for f := range fieldNames {
		if (rest == f || strings.HasPrefix(rest, f+"[") || strings.HasPrefix(rest, f+".")) && len(f) > len(field) {
			field = f
		}
	}
	if field != "" {
		return w[best] + "." + fieldNames[field] + rest[len(field):]
	}
	return w[best] + " (" + rest + ")"
}

// fieldNames maps Config fields to the template properties they come from.
var fieldNames = map[string]string{
	"userPoolName": "UserPoolName", "identifier": "Identifier", "userPoolResourceServerName": "Name",
	"scopes": "Scopes", "userPoolClientName": "ClientName", "generateSecret": "GenerateSecret",
	"oAuth.scopes": "AllowedOAuthScopes", "oAuth.flows": "AllowedOAuthFlows", "authFlows": "ExplicitAuthFlows",
	"accessTokenValidity": "AccessTokenValidity", "idTokenValidity": "IdTokenValidity",
	"refreshTokenValidity": "RefreshTokenValidity", "cognitoDomain.domainPrefix": "Domain",
	"customDomain.domainName": "Domain", "functionName": "FunctionName", "runtime": "Runtime",
	"handler": "Handler", "code": "Code", "timeout": "Timeout", "memorySize": "MemorySize",
	"environment": "Environment.Variables", "reservedConcurrency": "ReservedConcurrentExecutions",
	"restApiName": "Name", "endpointTypes": "EndpointConfiguration.Types", "binaryMediaTypes": "BinaryMediaTypes",
	"cognitoUserPools": "ProviderARNs", "identitySource": "IdentitySource", "httpMethod": "HttpMethod",
	"authorizer": "AuthorizerId", "authorizationScopes": "AuthorizationScopes", "integration.uri": "Integration.Uri",
	"integration.timeout": "Integration.TimeoutInMillis", "integration": "Integration", "stageName": "StageName",
	"throttlingRateLimit": "ThrottlingRateLimit", "throttlingBurstLimit": "ThrottlingBurstLimit", "variables": "Variables",
}

// quotedLiteral returns the text of an API Gateway literal mapping value,
// written in single quotes ('*', 'GET,POST').
func quotedLiteral(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1], true
	}
	return "", false
}
