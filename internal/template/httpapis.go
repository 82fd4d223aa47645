package template

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/config"
)

// The API Gateway v2 resources of HTTP APIs (AWS::ApiGatewayV2::*,
// contract apigw-beyond.md §4.6 and §4.7), mapped to the Config's
// httpApis by the same props accessors, origins and function lookups as
// the REST APIs' resources.

// httpMapper maps the AWS::ApiGatewayV2 resources of a template.
type httpMapper struct {
	*apiMapper
	apis map[string]int // API logical id → its index in cfg.HTTPAPIs
	// integrations are the mapped integrations by logical id: each route
	// whose Target names one gets it.
	integrations map[string]httpIntegration
	// authorizers are the mapped authorizers' types by logical id, and the
	// API each belongs to.
	authorizers map[string]httpAuthorizer
	// stages are the stage names of each API, by API logical id, to find
	// a stage declared twice.
	stages map[string]map[string]string
	// quick are the APIs made by quick create, which have their $default
	// stage.
	quick map[string]bool
}

// httpIntegration is a mapped AWS::ApiGatewayV2::Integration, the
// properties it was read from and its API's logical id.
type httpIntegration struct {
	p   *props
	in  *config.HTTPIntegration
	api string
}

// httpAuthorizer is a mapped AWS::ApiGatewayV2::Authorizer's type and
// API.
type httpAuthorizer struct{ typ, api string }

// httpAPIs maps the HTTP APIs: their integrations first, which routes
// name by id, then authorizers, routes and stages.
func (m *apiMapper) httpAPIs() {
	h := &httpMapper{apiMapper: m, apis: map[string]int{}, integrations: map[string]httpIntegration{},
		authorizers: map[string]httpAuthorizer{}, stages: map[string]map[string]string{}, quick: map[string]bool{}}
	h.apisOf()
	h.integrationsOf()
	h.authorizersOf()
	h.routes()
	h.stagesOf()
}

// apiIgnored are the properties of an AWS::ApiGatewayV2::Api with no
// effect in Tollgate: descriptions and tags; WebSocket APIs' selection
// expressions; what applies only to an API imported from Body; the
// IP address types the endpoint takes; and CredentialsArn, the role quick
// create's integration assumes (Tollgate invokes the function itself).
var apiIgnored = []string{"Description", "Tags", "Version", "ApiKeySelectionExpression", "RouteSelectionExpression",
	"DisableSchemaValidation", "FailOnWarnings", "BasePath", "IpAddressType", "CredentialsArn"}

func (h *httpMapper) apisOf() {
	d, cfg := h.d, h.cfg
	for _, id := range h.byType["AWS::ApiGatewayV2::Api"] {
		p := d.propsOf(id)
		a := config.HTTPAPI{ID: id, APIName: cmp.Or(p.to("apiName").str("Name"), id)}
		switch pt := p.str("ProtocolType"); pt {
		case "HTTP":
		case "WEBSOCKET":
			p.fail("ProtocolType", "WebSocket APIs are not supported: Tollgate runs HTTP APIs (ProtocolType HTTP) and REST APIs")
		case "":
			p.fail("ProtocolType", "ProtocolType is required: HTTP")
		default:
			p.fail("ProtocolType", "unknown protocol type %q: want HTTP", pt)
		}
		for _, k := range []string{"Body", "BodyS3Location"} {
			if _, ok := p.get(k); ok {
				p.fail(k, "an API defined by %s (an OpenAPI definition) is not supported: declare its routes, integrations and stages as resources", k)
			}
		}
		a.CORSPreflight = corsConfiguration(p.to("corsPreflight").sub("CorsConfiguration"))
		a.DisableExecuteAPIEndpoint = p.to("disableExecuteApiEndpoint").boolean("DisableExecuteApiEndpoint")
		// The $default stage is the template's to declare (CDK's HttpApi
		// writes it as an AWS::ApiGatewayV2::Stage), except in quick
		// create, which makes it.
		noDefault := false
		a.CreateDefaultStage = &noDefault
		h.quickCreate(p, &a)
		p.done(apiIgnored...)
		h.apis[id] = len(cfg.HTTPAPIs)
		d.plan.apis[tollgate.RestAPIID(id)] = id
		p.place(h.apiPath(len(cfg.HTTPAPIs)))
		cfg.HTTPAPIs = append(cfg.HTTPAPIs, a)
	}
}

// apiPath is the Config path of the i-th HTTP API.
func (h *httpMapper) apiPath(i int) string { return "httpApis[" + strconv.Itoa(i) + "]" }

// quickCreate maps an API's quick create properties: Target, a Lambda
// function's ARN (an AWS_PROXY integration) or a URL (HTTP_PROXY), served
// by the route RouteKey ($default by default) in the $default stage,
// which quick create deploys automatically. "Quick create produces an API
// with an integration, a default catch-all route, and a default stage
// which is configured to automatically deploy changes. For HTTP
// integrations, specify a fully qualified URL. For Lambda integrations,
// specify a function ARN. The type of the integration will be HTTP_PROXY
// or AWS_PROXY, respectively." (CreateApi's Target). The payload format
// version of a quick created Lambda integration is not documented; 2.0,
// the latest, is what the console chooses ("If you don't specify a
// payload format version, the AWS Management Console uses the latest
// version by default", http-api-develop-integrations-lambda.html).
func (h *httpMapper) quickCreate(p *props, a *config.HTTPAPI) {
	target := p.str("Target")
	key := p.str("RouteKey")
	if target == "" {
		if key != "" {
			p.fail("RouteKey", "RouteKey is part of quick create: it needs Target (a Lambda function's ARN or a URL)")
		}
		return
	}
	r := h.routeOf(p.under("routes[0]"), cmp.Or(key, tollgate.DefaultRouteKey))
	in := &config.HTTPIntegration{}
	if strings.HasPrefix(target, "arn:") {
		in.Type, in.PayloadFormatVersion = config.IntegrationAWSProxy, "2.0"
		in.Function = h.d.functionOf(p, "Target", target, h.functions)
		p.from("routes[0].integration.function", "Target")
	} else {
		// The request's method, as an HttpUrlIntegration's default.
		in.Type, in.URL, in.Method = config.IntegrationHTTPProxy, target, "ANY"
		p.from("routes[0].integration.url", "Target")
	}
	p.from("routes[0].integration", "Target")
	r.Integration = in
	a.Routes = append(a.Routes, r)
	withDefault := true
	a.CreateDefaultStage = &withDefault
	h.quick[a.ID] = true
}

// corsConfiguration maps an API's CorsConfiguration (CDK's
// corsPreflight).
func corsConfiguration(p *props) *config.CORSPreflight {
	if p.m == nil {
		return nil
	}
	c := &config.CORSPreflight{
		AllowOrigins:     p.to("allowOrigins").strings("AllowOrigins"),
		AllowMethods:     p.to("allowMethods").strings("AllowMethods"),
		AllowHeaders:     p.to("allowHeaders").strings("AllowHeaders"),
		ExposeHeaders:    p.to("exposeHeaders").strings("ExposeHeaders"),
		AllowCredentials: p.to("allowCredentials").boolean("AllowCredentials"),
	}
	if n, ok := p.to("maxAge").integer("MaxAge"); ok {
		age := time.Duration(n) * time.Second
		c.MaxAge = &age
	}
	p.done()
	return c
}

// apiOf returns the logical id of the HTTP API a resource's ApiId names,
// and its index in cfg.HTTPAPIs.
func (h *httpMapper) apiOf(p *props) (string, int) {
	v := p.str("ApiId")
	for id, i := range h.apis {
		if tollgate.RestAPIID(id) == v {
			return id, i
		}
	}
	if v == "" {
		p.fail("ApiId", "ApiId is required")
	} else {
		p.fail("ApiId", "ApiId must refer to an HTTP API of this template (Ref of an AWS::ApiGatewayV2::Api), got %q", v)
	}
	return "", -1
}

// integrationIgnored are the properties of an integration with no effect
// in Tollgate: its description, the role it assumes (Tollgate invokes
// functions itself), and the TLS server name to verify (the upstream's
// certificate is verified against its URL's host).
var integrationIgnored = []string{"Description", "CredentialsArn", "TlsConfig"}

func (h *httpMapper) integrationsOf() {
	for _, id := range h.byType["AWS::ApiGatewayV2::Integration"] {
		p := h.d.propsOf(id)
		api, _ := h.apiOf(p)
		in := &config.HTTPIntegration{Type: p.to("type").str("IntegrationType")}
		uri := p.str("IntegrationUri")
		version := p.to("payloadFormatVersion").str("PayloadFormatVersion")
		subtype := p.str("IntegrationSubtype")
		switch {
		case subtype != "":
			// An AWS service integration (SQS-SendMessage,
			// EventBridge-PutEvents, …): its parameters are mapped from
			// the request by RequestParameters, and no function is named.
			p.fail("IntegrationSubtype", "AWS service integrations (IntegrationSubtype %s) are not supported: want a Lambda function (AWS_PROXY) or a URL (HTTP_PROXY)", subtype)
			p.used["RequestParameters"] = true
		case in.Type == config.IntegrationAWSProxy:
			// CDK's HttpLambdaIntegration writes the function's bare ARN
			// (GetAtt Fn.Arn); the API reference also takes Lambda's
			// invocation URI.
			p.from("function", "IntegrationUri")
			in.Function = h.lambdaOf(p, "IntegrationUri", "an AWS_PROXY integration's IntegrationUri", uri)
			in.PayloadFormatVersion = version
			// Lambda is invoked with POST: API Gateway refuses another
			// method, "BadRequestException: HttpMethod must be POST for
			// AWS_PROXY IntegrationType" (hashicorp/terraform-provider-aws
			// #42391); CDK's HttpLambdaIntegration writes POST.
			if m := p.str("IntegrationMethod"); m != "" && m != http.MethodPost {
				p.fail("IntegrationMethod", "an AWS_PROXY integration's IntegrationMethod must be POST (API Gateway invokes Lambda with POST), got %q", m)
			}
		case in.Type == config.IntegrationHTTPProxy:
			in.URL = uri
			p.from("url", "IntegrationUri")
			in.Method = p.to("method").str("IntegrationMethod")
			// Config holds it to 1.0: "For all other integrations, 1.0 is
			// the only supported value" (AWS::ApiGatewayV2::Integration).
			in.PayloadFormatVersion = version
		case in.Type == "":
			p.fail("", "IntegrationType is required: AWS_PROXY or HTTP_PROXY")
		default:
			p.fail("IntegrationType", "integration type %q is not supported on an HTTP API: want AWS_PROXY or HTTP_PROXY", in.Type)
		}
		if version == "" && in.Type != "" && subtype == "" {
			// "PayloadFormatVersion ... Required for HTTP APIs" (the
			// CloudFormation reference): CloudFormation refuses the
			// template without it.
			p.fail("", "PayloadFormatVersion is required for an HTTP API's integration: 1.0 or 2.0 (AWS_PROXY), 1.0 (HTTP_PROXY)")
		}
		if ms, ok := p.to("timeout").integer("TimeoutInMillis"); ok {
			in.Timeout = time.Duration(ms) * time.Millisecond
		}
		for _, k := range []string{"RequestParameters", "ResponseParameters", "RequestTemplates"} {
			if v, ok := p.get(k); ok && !isEmpty(v) && subtype == "" {
				p.fail(k, "parameter mapping (%s) is not supported: Tollgate forwards requests and responses as they are", k)
			}
		}
		switch ct := p.str("ConnectionType"); ct {
		case "", "INTERNET":
		default:
			p.fail("ConnectionType", "connection type %q is not supported: Tollgate reaches integrations over the network (INTERNET)", ct)
		}
		p.done(integrationIgnored...)
		h.integrations[id] = httpIntegration{p: p, in: in, api: api}
	}
}

// isEmpty reports whether a property's value is an empty mapping or list.
func isEmpty(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// lambdaOf returns the logical id of the function of this template that
// uri, an integration's, read from property key of p, names: Lambda's
// invocation URI (…:lambda:path/2015-03-31/functions/{arn}/invocations) or
// a bare function ARN. An authorizer's takes the first form only.
func (h *httpMapper) lambdaOf(p *props, key, what, uri string) string {
	if _, ok := apigw.LambdaFunction(uri); ok {
		return invokedFunction(p, key, what, uri, h.functions)
	}
	return h.d.functionOf(p, key, uri, h.functions)
}

func (h *httpMapper) authorizersOf() {
	for _, id := range h.byType["AWS::ApiGatewayV2::Authorizer"] {
		p := h.d.propsOf(id)
		api, ai := h.apiOf(p)
		au := config.HTTPAuthorizer{ID: id, Type: p.to("type").str("AuthorizerType"),
			IdentitySource: p.to("identitySource").strings("IdentitySource")}
		switch au.Type {
		case config.HTTPAuthorizerJWT:
			h.jwtAuthorizer(p.sub("JwtConfiguration"), &au)
		case config.HTTPAuthorizerRequest:
			h.lambdaAuthorizer(p, &au)
			if au.IdentitySource == nil {
				// Left out, a REQUEST authorizer has none in CloudFormation
				// (the API's; "optional" when it caches nothing), not the
				// Authorization header config and CDK default to.
				au.IdentitySource = []string{}
			}
		case "":
			p.fail("", "AuthorizerType is required: JWT or REQUEST")
		default:
			p.fail("AuthorizerType", "authorizer type %q is not supported on an HTTP API: want JWT or REQUEST", au.Type)
		}
		// Name changes nothing; AuthorizerCredentialsArn is the role API
		// Gateway assumes to invoke the function, which Tollgate invokes
		// itself.
		p.done("Name", "AuthorizerCredentialsArn")
		h.authorizers[id] = httpAuthorizer{typ: au.Type, api: api}
		if ai >= 0 {
			a := &h.cfg.HTTPAPIs[ai]
			p.place(h.apiPath(ai) + ".authorizers[" + strconv.Itoa(len(a.Authorizers)) + "]")
			a.Authorizers = append(a.Authorizers, au)
		}
	}
}

// jwtAuthorizer maps a JWT authorizer's JwtConfiguration. An Issuer that
// is the issuer URL of a pool of this template (CDK's
// HttpUserPoolAuthorizer writes Fn::Join ["https://cognito-idp.", Region,
// ".amazonaws.com/", Ref Pool]; GetAtt Pool.ProviderURL is the same URL,
// contract §5.10) makes the authorizer trust that pool, its audiences
// being the pool's clients; any other issuer is trusted by its JWKS.
func (h *httpMapper) jwtAuthorizer(jc *props, au *config.HTTPAuthorizer) {
	issuer := jc.str("Issuer")
	audience := jc.strings("Audience")
	pool := h.localPool(issuer)
	if pool == "" {
		au.JWTIssuer, au.JWTAudience = issuer, audience
		jc.from("jwtIssuer", "Issuer")
		for i := range audience {
			jc.from("jwtAudience["+strconv.Itoa(i)+"]", "Audience["+strconv.Itoa(i)+"]")
		}
		jc.done()
		return
	}
	au.UserPool = pool
	jc.from("userPool", "Issuer")
	for i, aud := range audience {
		key := "Audience[" + strconv.Itoa(i) + "]"
		client := h.clientOf(pool, aud)
		if client == "" {
			jc.fail(key, "%q is not a client of the pool %s: the audience of a JWT authorizer that trusts a pool of this template is its clients' ids (Ref of an AWS::Cognito::UserPoolClient of the pool)", aud, pool)
			continue
		}
		jc.from("userPoolClients["+strconv.Itoa(len(au.UserPoolClients))+"]", key)
		au.UserPoolClients = append(au.UserPoolClients, client)
	}
	jc.done()
}

// localPool returns the logical id of the pool of this template whose
// issuer URL is issuer, or "".
func (h *httpMapper) localPool(issuer string) string {
	m := issuerURL.FindStringSubmatch(issuer)
	if m == nil || m[2] != "" {
		return ""
	}
	if pool := h.d.refTo(m[1]); h.d.types[pool] == "AWS::Cognito::UserPool" {
		return pool
	}
	return ""
}

// clientOf returns the logical id of the client of pool whose id is cid,
// or "".
func (h *httpMapper) clientOf(pool, cid string) string {
	for _, id := range slices.Sorted(maps.Keys(h.d.plan.clientIDs)) {
		if h.d.plan.clientIDs[id] == cid && h.d.plan.clientPools[id] == pool {
			return id
		}
	}
	return ""
}

// lambdaAuthorizer maps a REQUEST authorizer: CDK's HttpLambdaAuthorizer
// writes AuthorizerUri in API Gateway's invocation form, and
// AuthorizerPayloadFormatVersion 2.0 with EnableSimpleResponses for
// SIMPLE responses, 1.0 for IAM ones (contract §4.7).
func (h *httpMapper) lambdaAuthorizer(p *props, au *config.HTTPAuthorizer) {
	p.from("function", "AuthorizerUri")
	// Unlike an integration's IntegrationUri, AuthorizerUri takes the
	// invocation URI only: "For REQUEST authorizers, this must be a
	// well-formed Lambda function URI, for example,
	// arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:{account_id}:function:{lambda_function_name}/invocations"
	// (API Gateway V2 API reference, Authorizer authorizerUri).
	uri := p.str("AuthorizerUri")
	if _, ok := apigw.LambdaFunction(uri); !ok && strings.HasPrefix(uri, "arn:") && strings.Contains(uri, ":lambda:") && strings.Contains(uri, ":function:") {
		p.fail("AuthorizerUri", "a REQUEST authorizer's AuthorizerUri is the function's invocation URI, arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations, not the function's ARN: got %q", uri)
	} else {
		au.Function = invokedFunction(p, "AuthorizerUri", "a Lambda authorizer's AuthorizerUri", uri, h.functions)
	}
	au.PayloadFormatVersion = p.to("payloadFormatVersion").str("AuthorizerPayloadFormatVersion")
	if au.PayloadFormatVersion == "" {
		// "AuthorizerPayloadFormatVersion ... Required: Conditional"
		// (REQUEST authorizers of HTTP APIs): API Gateway refuses one
		// without it.
		p.fail("", "AuthorizerPayloadFormatVersion is required for a REQUEST authorizer: 1.0 or 2.0")
	}
	au.ResponseTypes = []string{"IAM"}
	if p.to("responseTypes").boolean("EnableSimpleResponses") {
		au.ResponseTypes = []string{"SIMPLE"}
	}
	// Absent, AuthorizerResultTtlInSeconds is 0 in CloudFormation, which
	// caches nothing (contract §4.4: API default 0; CDK writes 300).
	ttl := time.Duration(0)
	if n, ok := p.to("resultsCacheTtl").integer("AuthorizerResultTtlInSeconds"); ok {
		ttl = time.Duration(n) * time.Second
	}
	au.ResultsCacheTTL = &ttl
}

// routeIgnored are the properties of a route with no effect on an HTTP
// API: its operation name, and WebSocket APIs' response selection.
var routeIgnored = []string{"OperationName", "RouteResponseSelectionExpression"}

func (h *httpMapper) routes() {
	for _, id := range h.byType["AWS::ApiGatewayV2::Route"] {
		p := h.d.propsOf(id)
		api, ai := h.apiOf(p)
		r := h.routeOf(p, p.str("RouteKey"))
		r.AuthorizationScopes = p.to("authorizationScopes").strings("AuthorizationScopes")
		r.Authorizer = h.routeAuthorizer(p, api)
		in := h.routeIntegration(p, api)
		if in != nil {
			// Routes share the integration in the template; each has its
			// own in the Config, as a config file writes them.
			c := *in.in
			r.Integration = &c
		}
		if p.boolean("ApiKeyRequired") {
			p.fail("ApiKeyRequired", "API keys are not supported on HTTP APIs")
		}
		p.done(routeIgnored...)
		if ai < 0 {
			continue
		}
		a := &h.cfg.HTTPAPIs[ai]
		rp := h.apiPath(ai) + ".routes[" + strconv.Itoa(len(a.Routes)) + "]"
		p.place(rp)
		if in != nil {
			in.p.place(rp + ".integration")
		}
		a.Routes = append(a.Routes, r)
	}
}

// routeOf maps a route key, read from p's RouteKey (or quick create's), to
// the route's path and method: "GET /pets/{id}", "ANY /{proxy+}" or
// "$default". The path and the method are checked by config.
func (h *httpMapper) routeOf(p *props, key string) config.HTTPRoute {
	p.from("path", "RouteKey")
	if key == tollgate.DefaultRouteKey {
		return config.HTTPRoute{Path: key}
	}
	method, path, ok := strings.Cut(key, " ")
	switch {
	case key == "":
		p.fail("", "RouteKey is required: METHOD /path (GET /pets/{id}) or $default")
	case !ok || method == "" || path == "" || strings.Contains(path, " "):
		p.fail("RouteKey", "invalid route key %q: want METHOD /path (GET /pets/{id}) or $default", key)
	}
	p.from("methods[0]", "RouteKey")
	return config.HTTPRoute{Path: path, Methods: []string{method}}
}

// routeAuthorizer maps a route's AuthorizationType and AuthorizerId to the
// id of its authorizer: JWT takes a JWT authorizer, CUSTOM a REQUEST one,
// of the route's API.
func (h *httpMapper) routeAuthorizer(p *props, api string) string {
	t := p.str("AuthorizationType")
	ref := p.to("authorizer").str("AuthorizerId")
	switch t {
	case "", "NONE":
		if ref != "" {
			// Dropping it would open the route its author meant to guard.
			p.fail("AuthorizerId", "an authorizer needs AuthorizationType JWT or CUSTOM, and this route's is %s", cmp.Or(t, "NONE (left out)"))
		}
		return ""
	case "AWS_IAM":
		p.fail("AuthorizationType", "authorization type AWS_IAM (requests signed with SigV4) is not supported: want NONE, JWT or CUSTOM")
		return ""
	case "JWT", "CUSTOM":
	default:
		p.fail("AuthorizationType", "unknown authorization type %q: want NONE, JWT or CUSTOM", t)
		return ""
	}
	id := h.d.phys[ref]
	au, ok := h.authorizers[id]
	want := map[string]string{"JWT": config.HTTPAuthorizerJWT, "CUSTOM": config.HTTPAuthorizerRequest}[t]
	switch {
	case !ok:
		p.fail("AuthorizerId", "AuthorizerId must refer to an AWS::ApiGatewayV2::Authorizer of this template (authorization type %s), got %q", t, ref)
	case au.api != api:
		p.fail("AuthorizerId", "the authorizer %s belongs to another API", id)
	case au.typ != "" && au.typ != want:
		p.fail("AuthorizationType", "authorization type %s does not go with the %s authorizer %s: want %s", t, au.typ, id,
			map[string]string{config.HTTPAuthorizerJWT: "JWT", config.HTTPAuthorizerRequest: "CUSTOM"}[au.typ])
	}
	return id
}

// routeIntegration returns the integration a route's Target names:
// "integrations/{id}", as CDK writes it (Fn::Join ["integrations/", Ref]).
func (h *httpMapper) routeIntegration(p *props, api string) *httpIntegration {
	target := p.str("Target")
	ref, ok := strings.CutPrefix(target, "integrations/")
	if !ok {
		if target == "" {
			p.fail("", "Target is required: the route's integration, integrations/{IntegrationId}")
		} else {
			p.fail("Target", "want integrations/{IntegrationId} (Fn::Join [\"\", [\"integrations/\", Ref Integration]]), got %q", target)
		}
		return nil
	}
	id := h.d.phys[ref]
	in, ok := h.integrations[id]
	switch {
	case !ok:
		p.fail("Target", "Target must name an AWS::ApiGatewayV2::Integration of this template, got %q", target)
		return nil
	case in.api != api:
		p.fail("Target", "the integration %s belongs to another API", id)
		return nil
	}
	return &in
}

// stageIgnoredV2 are the properties of an HTTP API's stage with no effect
// in Tollgate: access logs, its description and tags, the client
// certificate for the backend, and the deployment (a stage serves what
// the template declares, as AutoDeploy does).
var stageIgnoredV2 = []string{"AccessLogSettings", "Description", "Tags", "ClientCertificateId", "DeploymentId"}

func (h *httpMapper) stagesOf() {
	for _, id := range h.byType["AWS::ApiGatewayV2::Stage"] {
		p := h.d.propsOf(id)
		api, ai := h.apiOf(p)
		st := config.HTTPStage{StageName: p.to("stageName").str("StageName")}
		if _, ok := p.get("AutoDeploy"); ok {
			auto := p.to("autoDeploy").boolean("AutoDeploy")
			st.AutoDeploy = &auto
		}
		st.StageVariables = p.to("stageVariables").stringMap("StageVariables")
		st.Throttle = routeThrottle(p.to("throttle").sub("DefaultRouteSettings"))
		rs := p.to("routeThrottles").sub("RouteSettings")
		for _, key := range slices.Sorted(maps.Keys(rs.m)) {
			if t := routeThrottle(rs.to(key).sub(key)); t != nil {
				if st.RouteThrottles == nil {
					st.RouteThrottles = map[string]config.ThrottleSettings{}
				}
				st.RouteThrottles[key] = *t
			}
		}
		p.done(stageIgnoredV2...)
		if ai < 0 {
			continue
		}
		if st.StageName == "" {
			p.fail("", "StageName is required: $default or a name")
			continue
		}
		if h.stages[api] == nil {
			h.stages[api] = map[string]string{}
		}
		if prev, dup := h.stages[api][st.StageName]; dup {
			p.fail("StageName", "the API already has stage %s, declared by %s", st.StageName, prev)
			continue
		}
		a := &h.cfg.HTTPAPIs[ai]
		if st.StageName == tollgate.DefaultStageName && h.quick[api] {
			p.fail("StageName", "the API's quick create (Target) already made its $default stage")
			continue
		}
		h.stages[api][st.StageName] = id
		if st.StageName == tollgate.DefaultStageName {
			withDefault := true
			a.CreateDefaultStage = &withDefault
		}
		p.place(h.apiPath(ai) + ".stages[" + strconv.Itoa(len(a.Stages)) + "]")
		a.Stages = append(a.Stages, st)
	}
}

// routeThrottle maps a stage's DefaultRouteSettings or one of its
// RouteSettings: the throttle, if either limit is set. Logging and metrics
// settings have no effect in Tollgate.
func routeThrottle(q *props) *config.ThrottleSettings {
	if q.m == nil {
		return nil
	}
	var t config.ThrottleSettings
	rate, hasRate := q.to("rateLimit").num("ThrottlingRateLimit")
	burst, hasBurst := q.to("burstLimit").integer("ThrottlingBurstLimit")
	q.done("DetailedMetricsEnabled", "LoggingLevel", "DataTraceEnabled")
	if !hasRate && !hasBurst {
		return nil
	}
	t.RateLimit, t.BurstLimit = rate, int(burst)
	return &t
}
