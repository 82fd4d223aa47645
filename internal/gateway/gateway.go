package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/headerpolicy"
	"github.com/tollgate/tollgate/internal/jwks"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/replay"
)

// Limits of API Gateway's REST APIs (limits.md, contract §4.2), which HTTP
// APIs share (apigw-beyond §4.5 "Limits": payload 10 MB; request line and
// headers 10,240 bytes).
const (
	// MaxBodyBytes is the largest request body: 10 MiB.
	MaxBodyBytes = 10 << 20
	// MaxHeaderBytes bounds the request line and header values together.
	MaxHeaderBytes = 10240
)

// Integration serves the requests of one route's integration: an
// HTTP_PROXY upstream (internal/proxy), a Lambda proxy function
// (internal/lambdaproxy) or a MOCK answer (this package). The gateway calls
// Serve once it has routed, authorized and throttled a request, with what
// it decided in inv; the request itself is as received (its URL still
// holds the stage), so an integration works from inv. An integration
// writes every answer itself, its failures included, as API Gateway's
// gateway responses (WriteResponse: ResponseIntegrationFailure,
// ResponseIntegrationTimeout…), before it writes anything else. It must
// not modify inv, which may share its derived claims with other requests.
type Integration interface {
	Serve(w http.ResponseWriter, r *http.Request, inv *Invocation)
}

// Integrations builds the integrations of routes. The gateway calls it
// once per route, when it is built, for every integration but MOCK, which
// it serves itself; what can be computed once per route (a parsed URI, a
// resolved function) is computed then, not per request.
type Integrations interface {
	Integration(api *tollgate.RestAPI, route *tollgate.Route) (Integration, error)
}

// IntegrationsFunc adapts a function to Integrations.
type IntegrationsFunc func(api *tollgate.RestAPI, route *tollgate.Route) (Integration, error)

// Integration calls f.
func (f IntegrationsFunc) Integration(api *tollgate.RestAPI, route *tollgate.Route) (Integration, error) {
	return f(api, route)
}

// Observer receives the gateway's measurements, for metrics. The label
// values it is given are the declaration's own strings (API id, stage name,
// resource path, method as declared, authorizer name), never anything from
// the request, so their number is bounded by the config; requests that
// match no API, stage or route have "" for what is unknown. Its methods are
// called on the request's goroutine and must be fast.
type Observer interface {
	// ObserveRequest is called once per request the gateway answers or
	// hands on, with the status written and the time taken.
	ObserveRequest(api, stage, resource, method string, status int, d time.Duration)
	// ObserveAuthorizer is called once per authorizer decision.
	ObserveAuthorizer(authorizer string, decision Decision, cached bool)
}

// Options configure a Gateway.
type Options struct {
	// APIs are the REST APIs to serve. The gateway keeps its own copy.
	APIs []*tollgate.RestAPI
	// BaseDomain is the parent domain of execute-api hosts:
	// {apiId}.execute-api.{region}.{BaseDomain}. Default "localhost".
	BaseDomain string
	// Integrations builds the non-MOCK integrations; required if any
	// route has one.
	Integrations Integrations

	// Issuer returns a local pool's issuer URL, Keys its public keys;
	// required when an authorizer names pools.
	Issuer func(poolID string) string
	Keys   KeySource
	// LocalIssuer returns the local pool whose tokens carry iss, if one
	// does: a JWT authorizer's issuer that is a local pool is verified with
	// Keys, never fetched (JWTAuthorizerOptions.LocalIssuer). Nil means
	// every JWT issuer is external.
	LocalIssuer func(iss string) (poolID string, ok bool)
	// Revoked reports whether a jti is revoked (see AuthorizerOptions).
	Revoked func(jti string) bool
	// Unavailable, if set and true, makes routes with a COGNITO_USER_POOLS
	// authorizer, and REST methods that require an API key, answer
	// ResponseServiceUnavailable, before any authorizer runs: the server
	// cannot vouch for what it would check (its revocations, API keys and
	// usage plans are older than it accepts: a key disabled or deleted
	// meanwhile would be admitted). JWT and Lambda authorizers consult no
	// revocations; their routes are not affected unless they require a
	// key.
	Unavailable func() bool
	// Cache remembers verified tokens; default a new Cache of
	// DefaultCacheBytes. Pass the same Cache to the gateways built on
	// config changes to keep it warm.
	Cache *Cache
	// JWKS configures the fetcher of external issuers' keys.
	JWKS jwks.Options

	// Invoke runs the functions of Lambda (TOKEN, REQUEST) authorizers;
	// required when a route has one. The server passes the same function
	// to Lambda proxy integrations.
	Invoke tollgate.InvokeFunc
	// AuthorizerEvent builds REQUEST authorizers' events
	// (lambdaproxy.AuthorizerEvent); required when a route has one.
	AuthorizerEvent AuthorizerEventFunc
	// HTTPAuthorizerEvent builds HTTP API REQUEST authorizers' events
	// (lambdaproxy.HTTPAuthorizerEvent); required when a route has one.
	HTTPAuthorizerEvent HTTPAuthorizerEventFunc
	// PolicyCacheBytes bounds the cache of Lambda authorizers' answers
	// (NewPolicyCache). It is the gateway's own: a config change starts
	// it afresh, as a redeployment flushes API Gateway's.
	PolicyCacheBytes int64

	// Replay remembers DPoP proofs' jti until they expire (RFC 9449
	// §11.1), in memory or in the Redis every node shares. Nil: a request
	// with a DPoP-bound token is refused (the proof cannot be checked for
	// replay).
	Replay replay.Cache
	// ClientCert returns the TLS client certificate a request came with:
	// the connection's or, from a trusted proxy, its header's
	// (internal/mtls); nil, nil: none. Nil: no request has one, and every
	// certificate-bound token is refused.
	ClientCert func(r *http.Request) (*x509.Certificate, error)
	// ExternalURL returns the scheme and host a request was sent to, as the
	// client saw them, for a DPoP proof's htu (RFC 9449 §4.3): behind a
	// trusted proxy, its forwarded scheme and host. Nil: "https" when the
	// request came over TLS, else "http", and the Host header.
	ExternalURL func(r *http.Request) string
	// AuthDomain reports whether host (lowercase, without port) is a user
	// pool's auth domain, its prefix domain or a custom domain: the RFC
	// 9728 metadata of an API addressed by path (/apis/{id}/…) is not
	// served there (ServeResourceMetadata), the pool's own answers are.
	// Hosts of the form of prefix domains,
	// {prefix}.auth.{region}.{BaseDomain}, are auth domains whatever it
	// says. Nil: only those.
	AuthDomain func(host string) bool

	// Observer, if set, receives measurements.
	Observer Observer
	// Challenge adds an RFC 6750 §3 WWW-Authenticate challenge to the 401
	// answers of Cognito and JWT authorizers (and a JWT authorizer's 403
	// for a missing scope); a Lambda authorizer's token need not be a
	// bearer token, so its answers get none. API Gateway sends none, so it
	// is off by default.
	Challenge bool
	// MaxThrottledClients bounds the per-client buckets of each stage;
	// default DefaultMaxThrottledClients.
	MaxThrottledClients int

	// APIKeys are the API keys and usage plans of methods that require a
	// key; nil: there are none, and such methods refuse every request.
	APIKeys APIKeys
	// Usage records what usage plans admitted; nil records nothing.
	Usage UsageRecorder
	// Limiter, if set, is shared by every node (limit.Redis): stage, route
	// and per-client throttles, usage plans' throttles and quotas are
	// counted in it, so that nodes together admit what one would. Nil: the
	// gateway counts in this process alone.
	Limiter limit.Limiter
	// LimiterFailOpen, when Limiter fails (unreachable, timed out), counts
	// the requests it would have counted in LocalLimiter instead, each node
	// alone: the client's throttle and usage plans' throttles and quotas
	// (a quota starting from QuotaUsed), the stage and route throttles
	// being the node's own buckets already. Otherwise such requests are
	// answered 503. The node's stage and route buckets apply either way.
	LimiterFailOpen bool
	// LocalLimiter counts usage plans' throttles and quotas when Limiter
	// is nil (each node alone), and what Limiter would count while it
	// fails with LimiterFailOpen. The server passes one limit.Local and
	// the same one to the gateways built on config changes, so that a
	// change forgets no count; nil: a small one of the gateway's own,
	// which a rebuilt gateway starts afresh.
	LocalLimiter limit.Limiter
	// QuotaUsed returns how many requests the key made in the usage plan
	// since start (a quota window's) as the store's usage records have
	// them: what processes before this one, and other nodes, counted. A
	// gateway counting locally asks it once per key and window (the
	// server remembers the answer), so that a restart forgets no quota.
	// Nil: none. With a shared Limiter, whose counts outlive the process,
	// it is asked only while Limiter fails with LimiterFailOpen.
	QuotaUsed func(ctx context.Context, planID, keyID string, start time.Time, epoch int64) int64

	Now    func() time.Time
	Logger *slog.Logger
}

// Gateway serves REST APIs. It is an http.Handler, safe for concurrent use,
// immutable once built: a config change builds a new one.
type Gateway struct {
	apis    map[string]*apiState
	domains map[string][]*domainMapping // by lowercase host, longest base path first
	hostSfx string                      // "." + BaseDomain
	jwks    *jwks.Fetcher
	cache   *Cache
	// policies caches Lambda authorizers' answers.
	policies *PolicyCache
	obs      Observer
	now      func() time.Time
	log      *slog.Logger
	// unavailable is Options.Unavailable.
	unavailable func() bool
	// replay and bind are Options.Replay, ClientCert and ExternalURL
	// (binding.go).
	replay replay.Cache
	bind   bindOptions

	// keys, usage, shared, local, failOpen and quotaUsed are
	// Options.APIKeys, Usage, Limiter, LocalLimiter, LimiterFailOpen and
	// QuotaUsed.
	keys      APIKeys
	usage     UsageRecorder
	shared    limit.Limiter
	local     limit.Limiter
	failOpen  bool
	quotaUsed func(ctx context.Context, planID, keyID string, start time.Time, epoch int64) int64
	// outageStart is when the limiter's current outage began, in Unix
	// nanoseconds, and 0 while it answers (plans.go, outage): the epoch of
	// what the local limiter counts in the shared one's place, so that
	// each outage starts from the store's usage records of its own start,
	// and an outage is logged once. limiterErrors counts the failures.
	outageStart   atomic.Int64
	limiterErrors atomic.Int64
}

type apiState struct {
	api    *tollgate.RestAPI
	router *Router
	stages map[string]*stageState
	routes []routeState // parallel to api.Routes
	// http is api.IsHTTP(): the API answers in HTTP APIs' form, selects
	// stages and routes as they do.
	http bool
	// def is the HTTP API's $default stage, served without a stage
	// segment; nil for none (and on REST APIs).
	def *stageState
	// cors is the HTTP API's CORS configuration, compiled; nil for none.
	cors *cors
	// write writes the API's gateway responses, in its kind's form.
	write responseWriter
	// resource is the API's ProtectedResource, compiled; nil for none.
	resource *resourceState
}

type stageState struct {
	stage    *tollgate.Stage
	throttle *throttle
	// shared are the stage's throttles as checks of Options.Limiter; nil
	// without it.
	shared *sharedStage
}

type routeState struct {
	integration Integration
	// http is set on an HTTP API's routes.
	http bool
	// key is the HTTP API route's key (tollgate.Route.Key), "" on REST.
	key string
	// The route's authorizer, of one kind: authz (COGNITO_USER_POOLS, JWT)
	// or lambda (TOKEN, REQUEST); nil for none.
	authz      routeAuthorizer
	lambda     *LambdaAuthorizer
	scopes     []string
	resourceID string
	// name is "METHOD /resource/path" (an HTTP API's route key), for
	// access logs.
	name string
	// challenges are the WWW-Authenticate values, by refusal, when
	// Options.Challenge is set.
	challenges *challenges
	// keyRequired is set on a REST method with APIKeyRequired; methodKey
	// is then its key in a usage plan stage's per-method throttles
	// (tollgate.MethodThrottleKey of the path and method as declared: an
	// ANY method's is ".../ANY", the method API Gateway declares).
	keyRequired bool
	methodKey   string
	// bind are the route's checks of tokens beyond its authorizer's
	// (binding.go); nil when neither the route nor its API declares any.
	bind *binding
}

type challenges struct {
	noToken, invalid, expired, scope []string
}

type domainMapping struct {
	api      *apiState
	stage    *stageState
	basePath string // without slashes; "" maps the root
}

// New builds the gateway of opts.APIs, checking every API (Validate) and
// building every route's authorizer and integration; it reports every
// problem at once. It fetches nothing: call Start.
func New(opts Options) (*Gateway, error) {
	if opts.BaseDomain == "" {
		opts.BaseDomain = "localhost"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Cache == nil {
		opts.Cache = NewCache(CacheOptions{Now: opts.Now})
	}
	if opts.MaxThrottledClients <= 0 {
		opts.MaxThrottledClients = DefaultMaxThrottledClients
	}
	g := &Gateway{
		apis:    map[string]*apiState{},
		domains: map[string][]*domainMapping{},
		hostSfx: "." + strings.ToLower(strings.TrimSuffix(opts.BaseDomain, ".")),
		cache:   opts.Cache,
		obs:     opts.Observer,

		policies: NewPolicyCache(opts.PolicyCacheBytes),
		now:      opts.Now,
		log:      opts.Logger,

		unavailable: opts.Unavailable, replay: opts.Replay, bind: bindOptions{clientCert: opts.ClientCert, externalURL: opts.ExternalURL, authDomain: opts.AuthDomain},

		keys: opts.APIKeys, usage: opts.Usage,
		shared: opts.Limiter, local: localLimiterOf(opts), failOpen: opts.LimiterFailOpen,
		quotaUsed: opts.QuotaUsed,
	}
	g.jwks = newJWKS(opts)

	var errs []error
	if err := conflictingJWKS(opts.APIs); err != nil {
		errs = append(errs, err)
	}
	authorizers := &builtAuthorizers{tokens: map[*tollgate.Authorizer]routeAuthorizer{}, lambda: map[*tollgate.Authorizer]*LambdaAuthorizer{}}
	for _, src := range opts.APIs {
		if err := Validate(src); err != nil {
			errs = append(errs, fmt.Errorf("API %s (%s):\n%w", src.ID, src.Name, err))
			continue
		}
		if _, dup := g.apis[src.ID]; dup {
			errs = append(errs, fmt.Errorf("API %s (%s) is declared twice", src.ID, src.Name))
			continue
		}
		st, err := g.buildAPI(copyAPI(src), opts, authorizers)
		if err != nil {
			errs = append(errs, fmt.Errorf("API %s (%s):\n%w", src.ID, src.Name, err))
			continue
		}
		g.apis[st.api.ID] = st
	}
	errs = append(errs, g.mapDomains()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// localLimiterOf returns Options.LocalLimiter, or a limit.Local of the
// gateway's own, which a rebuild starts afresh.
func localLimiterOf(opts Options) limit.Limiter {
	if opts.LocalLimiter != nil {
		return opts.LocalLimiter
	}
	return limit.NewLocal(limit.LocalOptions{})
}

// newJWKS returns the fetcher of the keys of every external issuer an
// authorizer of opts.APIs names.
// conflictingJWKS refuses an issuer that authorizers name with two
// different JWKS URLs: the fetcher keeps one key set an issuer, so one
// authorizer would verify with keys the other named and refuse its own.
// (An issuer found by discovery shares the set of one named with a URL.)
func conflictingJWKS(apis []*tollgate.RestAPI) error {
	urls := map[string]string{}
	var errs []error
	see := func(iss, url string) {
		if url == "" {
			return
		}
		if was, ok := urls[iss]; ok && was != url {
			errs = append(errs, fmt.Errorf("issuer %s is named with two JWKS URLs, %s and %s: its authorizers must agree on one", iss, was, url))
			return
		}
		urls[iss] = url
	}
	for _, api := range apis {
		for _, r := range api.Routes {
			a := r.Authorizer
			if a == nil {
				continue
			}
			for _, iss := range a.Issuers {
				see(iss.Issuer, iss.JWKSURL)
			}
			if a.Kind() == tollgate.AuthorizerJWT && a.JWT != nil {
				for _, iss := range a.JWT.Issuers {
					see(iss.Issuer, iss.JWKSURL)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func newJWKS(opts Options) *jwks.Fetcher {
	var external []tollgate.ExternalIssuer
	for _, api := range opts.APIs {
		for _, r := range api.Routes {
			if r.Authorizer != nil {
				external = append(external, r.Authorizer.Issuers...)
			}
			// A JWT authorizer's issuers: by discovery unless a JWKS URL is
			// given; never fetched when local (jwks.Options.Local).
			if a := r.Authorizer; a != nil && a.Kind() == tollgate.AuthorizerJWT && a.JWT != nil {
				for _, iss := range a.JWT.Issuers {
					if iss.PoolID == "" { // a pool's keys are the signer's
						external = append(external, tollgate.ExternalIssuer{Issuer: iss.Issuer, JWKSURL: iss.JWKSURL})
					}
				}
			}
		}
	}
	jwksOpts := opts.JWKS
	if local := opts.LocalIssuer; local != nil && jwksOpts.Local == nil {
		jwksOpts.Local = func(iss string) bool { _, ok := local(iss); return ok }
	}
	if jwksOpts.Now == nil {
		jwksOpts.Now = opts.Now
	}
	if jwksOpts.Logger == nil {
		jwksOpts.Logger = opts.Logger
	}
	return jwks.New(external, jwksOpts)
}

// copyAPI copies what the gateway keeps of an API, so that the caller's
// later changes cannot race with requests.
func copyAPI(src *tollgate.RestAPI) *tollgate.RestAPI {
	api := *src
	api.Stages = slices.Clone(src.Stages)
	api.Routes = slices.Clone(src.Routes)
	api.DomainNames = slices.Clone(src.DomainNames)
	api.BinaryMediaTypes = slices.Clone(src.BinaryMediaTypes)
	if src.Resource != nil {
		pr := *src.Resource
		pr.Audiences = slices.Clone(pr.Audiences)
		pr.AuthorizationServers = slices.Clone(pr.AuthorizationServers)
		pr.Scopes = slices.Clone(pr.Scopes)
		pr.DPoPAlgorithms = slices.Clone(pr.DPoPAlgorithms)
		api.Resource = &pr
	}
	for i := range api.Routes {
		api.Routes[i].AuthorizationScopes = slices.Clone(api.Routes[i].AuthorizationScopes)
	}
	return &api
}

// builtAuthorizers are the authorizers built so far, by declaration: routes
// naming the same declaration share one (and its cache).
type builtAuthorizers struct {
	tokens map[*tollgate.Authorizer]routeAuthorizer // COGNITO_USER_POOLS, JWT
	lambda map[*tollgate.Authorizer]*LambdaAuthorizer
}

func (g *Gateway) buildAPI(api *tollgate.RestAPI, opts Options, authorizers *builtAuthorizers) (*apiState, error) {
	newRouter := NewRouter
	if api.IsHTTP() {
		newRouter = NewHTTPRouter
	}
	router, err := newRouter(api.Routes)
	if err != nil {
		return nil, err
	}
	st := &apiState{
		api: api, router: router, stages: map[string]*stageState{}, routes: make([]routeState, len(api.Routes)),
		http: api.IsHTTP(), write: responseWriterOf(api), resource: newResourceState(api.Resource),
	}
	for i := range api.Stages {
		s := &api.Stages[i]
		ss := &stageState{stage: s, throttle: newThrottle(s, api.Routes, opts.MaxThrottledClients)}
		if opts.Limiter != nil {
			ss.shared = newSharedStage(api, s)
		}
		st.stages[s.Name] = ss
	}
	if st.http {
		st.def = st.stages[tollgate.DefaultStageName]
		st.cors = newCORS(api.CORS)
	}
	var errs []error
	for i := range api.Routes {
		r := &api.Routes[i]
		rs := &st.routes[i]
		rs.http, rs.bind = api.IsHTTP(), bindingOf(st, r)
		rs.resourceID = resourceID(api.ID, r.ResourcePath)
		rs.name = r.Method + " " + r.ResourcePath
		if r.APIKeyRequired && !api.IsHTTP() { // HTTP APIs have no API keys (apigw-beyond §3)
			rs.keyRequired = true
			rs.methodKey = tollgate.MethodThrottleKey(r.ResourcePath, r.Method)
		}
		if rs.http {
			rs.key = r.Key()
			rs.name = rs.key
		}
		if r.Authorizer != nil {
			if err := g.buildAuthorizer(rs, r, opts, authorizers); err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", r.Method, r.ResourcePath, err))
				continue
			}
			if opts.Challenge && rs.authz != nil && !rs.http { // an HTTP API's are always sent
				rs.challenges = newChallenges(api.ID, r.AuthorizationScopes)
			}
		}
		if err := buildIntegration(rs, api, r, opts); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return st, nil
}

// buildIntegration sets the integration of the route rs (r declared): a
// MOCK of the gateway's own, or one opts.Integrations builds.
func buildIntegration(rs *routeState, api *tollgate.RestAPI, r *tollgate.Route, opts Options) error {
	if r.Integration.Type == tollgate.IntegrationMock {
		rs.integration = newMock(r.Integration)
		return nil
	}
	if opts.Integrations == nil {
		return fmt.Errorf("%s %s: no integrations to serve %s", r.Method, r.ResourcePath, r.Integration.Type)
	}
	in, err := opts.Integrations.Integration(api, r)
	if err == nil && in == nil {
		err = errors.New("no integration")
	}
	if err != nil {
		return fmt.Errorf("%s %s: integration: %w", r.Method, r.ResourcePath, err)
	}
	rs.integration = in
	return nil
}

// mapDomains indexes the custom domain names of every API.
func (g *Gateway) mapDomains() []error {
	var errs []error
	for _, st := range g.apis {
		for _, d := range st.api.DomainNames {
			host := strings.ToLower(strings.TrimSuffix(d.DomainName, "."))
			stage := st.stages[d.Stage]
			if host == "" || stage == nil {
				errs = append(errs, fmt.Errorf("API %s: domain %q maps to unknown stage %q", st.api.ID, d.DomainName, d.Stage))
				continue
			}
			bp := strings.Trim(d.BasePath, "/")
			for _, m := range g.domains[host] {
				if m.basePath == bp {
					errs = append(errs, fmt.Errorf("API %s: base path %q of domain %q is mapped twice", st.api.ID, bp, host))
				}
			}
			g.domains[host] = append(g.domains[host], &domainMapping{api: st, stage: stage, basePath: bp})
		}
	}
	for _, ms := range g.domains {
		slices.SortFunc(ms, func(a, b *domainMapping) int { return len(b.basePath) - len(a.basePath) })
	}
	return errs
}

// resourceID derives a stable 6-character id for a resource, shaped like
// API Gateway's resource ids.
func resourceID(apiID, path string) string {
	sum := sha256.Sum256([]byte("tollgate/resource/" + apiID + path))
	s := new(big.Int).SetBytes(sum[:8]).Text(36)
	for len(s) < 6 {
		s = "0" + s
	}
	return s[len(s)-6:]
}

// Start starts fetching external issuers' keys in the background, until ctx
// ends. Requests are served before it is called and before the first fetch
// is over (a token of an issuer whose keys are not there yet makes its
// request wait for that fetch).
func (g *Gateway) Start(ctx context.Context) { g.jwks.Start(ctx) }

// addressing is how a request names its API and stage.
type addressing int

const (
	notGateway     addressing = iota
	byHost                    // {apiId}.execute-api.{region}.{base}/{stage}/…
	byCustomDomain            // a custom domain name, with its base path mapping
	byRestAPIsPath            // /restapis/{apiId}/{stage}/_user_request_/…
	byAPIsPath                // /apis/{apiId}/{stage}/…
)

// target is what a request addresses.
type target struct {
	how     addressing
	api     *apiState
	stage   *stageState
	host    string // without port, lowercase
	prefix  string // the domain prefix
	rest    string // the escaped path after the stage, as received ("" for none)
	rawPath string // HTTP APIs: Invocation.RawPath
	found   bool   // resolve found the API and stage
	lenient string // the lenient reading of rest (normalizePath), once routed
	// lenientRoute is 1 + the index of the route the lenient reading
	// selects when it is another than the route matched, else 0: its
	// route throttle is charged too, so that "/login%2F" served as
	// "/login" upstream is counted as POST /login's.
	lenientRoute int
	ctxPath      string // requestContext.path when not /{stage}{rest}
}

// Owns reports whether a request is addressed to the gateway: its host is
// an execute-api host under the base domain or a custom domain of an API,
// or its path is one of the path forms /restapis/{apiId}/{stage}/
// _user_request_/… (LocalStack's) and /apis/{apiId}/{stage}/… (Tollgate's,
// for hosts without DNS such as 127.0.0.1). The gateway answers such a
// request even if the API or stage does not exist (403 Missing
// Authentication Token, as API Gateway does; an HTTP API's unknown stage,
// 404 Not Found), so the server should hand it
// every request Owns claims, before its own routing (whose path cleaning
// would alter the raw paths the gateway must see).
func (g *Gateway) Owns(r *http.Request) bool {
	return g.classify(r) != notGateway
}

func requestHost(r *http.Request) string {
	h := r.Host
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	} else if strings.HasPrefix(h, "[") {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

func (g *Gateway) classify(r *http.Request) addressing {
	host := requestHost(r)
	if _, _, ok := g.executeAPIHost(host); ok {
		return byHost
	}
	if _, ok := g.domains[host]; ok {
		return byCustomDomain
	}
	p := r.URL.Path
	if strings.HasPrefix(p, "/restapis/") {
		return byRestAPIsPath
	}
	if strings.HasPrefix(p, "/apis/") {
		return byAPIsPath
	}
	return notGateway
}

// executeAPIHost splits "{apiId}.execute-api.{region}.{base}".
func (g *Gateway) executeAPIHost(host string) (apiID, region string, ok bool) {
	if !strings.HasSuffix(host, g.hostSfx) {
		return "", "", false
	}
	apiID, rest, ok := strings.Cut(host[:len(host)-len(g.hostSfx)], ".")
	if !ok {
		return "", "", false
	}
	region, ok = strings.CutPrefix(rest, "execute-api.")
	if !ok || apiID == "" || region == "" || strings.Contains(region, ".") {
		return "", "", false
	}
	return apiID, region, true
}

// resolve finds the API and stage a request addresses; ok is false when
// the request is not the gateway's or names an unknown API or stage.
func (g *Gateway) resolve(r *http.Request) (t target, ok bool) {
	host := requestHost(r)
	path := r.URL.EscapedPath()
	t.host = host
	if id, region, isHost := g.executeAPIHost(host); isHost {
		t.how, t.prefix = byHost, id
		st := g.executeAPI(id)
		if st == nil || (st.api.Region != "" && !strings.EqualFold(st.api.Region, region)) {
			return t, false
		}
		t.api = st
		return t, t.selectStage(path)
	} else if ms, isDomain := g.domains[host]; isDomain {
		// Base paths are cut from the path as routes see it, so that
		// "/%76%31/x" or "//v1/x" picks the "v1" mapping as "/v1/x" does.
		t.how = byCustomDomain
		var ok bool
		if path, _, ok = normalizePath(path); !ok {
			return t, false
		}
		t.ctxPath = path
		t.prefix, _, _ = strings.Cut(host, ".")
		for _, m := range ms {
			rest, ok := cutBasePath(path, m.basePath)
			if ok {
				t.api, t.stage, t.rest = m.api, m.stage, rest
				if m.api.http {
					// The path as received, base path included.
					t.rawPath = r.URL.EscapedPath()
				}
				return t, true
			}
		}
		return t, false
	} else if rest, isPath := strings.CutPrefix(path, "/restapis/"); isPath {
		return t, g.resolveRestAPIsPath(&t, rest)
	} else if rest, isPath := strings.CutPrefix(path, "/apis/"); isPath {
		t.how = byAPIsPath
		apiID, rest := cutSegment(rest)
		t.prefix = apiID
		if t.api = g.executeAPI(apiID); t.api == nil {
			return t, false
		}
		return t, t.selectStage(rest)
	}
	return t, false
}

// executeAPI returns the API of an id on its execute-api endpoint (the
// host and the path forms): nil when there is none or the endpoint is
// disabled.
func (g *Gateway) executeAPI(id string) *apiState {
	st := g.apis[id]
	if st == nil || st.api.DisableExecuteAPIEndpoint {
		return nil
	}
	return st
}

// resolveRestAPIsPath resolves LocalStack's path form, p being the path
// after /restapis/: {apiId}/{stage}/_user_request_/…. The stage is named,
// an HTTP API's $default included.
func (g *Gateway) resolveRestAPIsPath(t *target, p string) bool {
	t.how = byRestAPIsPath
	apiID, rest := cutSegment(p)
	stage, rest := cutSegment(rest)
	var ok bool
	if t.rest, ok = strings.CutPrefix(rest, "/_user_request_"); !ok || (t.rest != "" && t.rest[0] != '/') {
		return false
	}
	t.prefix = apiID
	if t.api = g.executeAPI(apiID); t.api == nil {
		return false
	}
	if t.stage = t.api.stages[stage]; t.stage == nil {
		return false
	}
	if t.api.http {
		t.rawPath = t.rest
		if stage != tollgate.DefaultStageName {
			t.rawPath = "/" + stage + t.rest
		}
	}
	return true
}

// selectStage selects the stage of t.api that the path p (after the API's
// host or /apis/{apiId}) names, and sets t.rest. A REST API's stage is
// p's first segment. An HTTP API's is its first segment when that names
// a stage other than $default (stripped for routing, kept in RawPath);
// otherwise its $default stage, if it has one, with the whole path
// (apigw-beyond §4.1). It reports false when there is no such stage.
//
// An HTTP API's first segment is read as routes read the path
// (decodeUnreserved: "%64ev" is "dev"), so that "/%64ev/admin/x" is not
// routed on $default as "/dev/admin/x", a path a plain request never gets
// there; and a first segment whose lenient reading (lenientPath) names a
// stage its own reading does not ("dev%2Fadmin") is refused, as
// ambiguous.
func (t *target) selectStage(p string) bool {
	stage, rest := cutSegment(p)
	if !t.api.http {
		t.rest = rest
		t.stage = t.api.stages[stage]
		return t.stage != nil
	}
	t.rawPath = p
	if t.rawPath == "" {
		t.rawPath = "/"
	}
	if !plainPath(stage) {
		stage = decodeUnreserved(stage)
		if lenient, ok := lenientPath("/" + stage); ok {
			if other, _ := cutSegment(lenient); other != stage && t.api.namedStage(other) != nil {
				return false
			}
		}
	}
	if s := t.api.namedStage(stage); s != nil {
		t.stage, t.rest = s, rest
		return true
	}
	t.stage, t.rest = t.api.def, p
	return t.stage != nil
}

// namedStage returns the stage a path segment selects: one of the API's
// stages, but for an HTTP API's $default, which no segment names.
func (st *apiState) namedStage(name string) *stageState {
	if name == tollgate.DefaultStageName {
		return nil
	}
	return st.stages[name]
}

// cutSegment splits "/seg/rest…" into "seg" and "/rest…". Leading
// slashes count as one: API Gateway routes "//prod/x" to the stage prod.
func cutSegment(p string) (seg, rest string) {
	p = strings.TrimLeft(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

// cutBasePath removes a base path mapping's path from the request path.
func cutBasePath(p, base string) (string, bool) {
	if base == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, "/"+base)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", false
	}
	return rest, true
}

// headerBytes returns the size API Gateway limits: the request line and
// the header values.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto)
	for _, vs := range r.Header {
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// ServeHTTP serves a request addressed to the gateway: it resolves the API
// and stage, checks the size limits, answers an HTTP API's CORS preflight,
// matches the route, applies the stage and route throttles, the authorizer,
// the API key, the client throttle and the usage plan's limits (one Take
// of the shared limiter, if any), and answers MOCK integrations or hands the
// request to the route's integration. Every answer of a REST API (or of an
// unknown one) carries x-amzn-RequestId and x-amz-apigw-id, every answer
// of an HTTP API apigw-requestid; ids already set on w by a server
// middleware are kept.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{}
	t, ok := g.resolve(r)
	isHTTP := t.api != nil && t.api.http
	// A server middleware that set the ids first (to log them) wins.
	h := w.Header()
	var id, ext string
	if isHTTP {
		// One id, shaped as the extended id is ("WSg1ihmdliAEJXA=", a
		// recorded answer: code-index file 27491341443): apigw-requestid
		// and requestContext.requestId (apigw-beyond §4.2).
		if id = h.Get(HeaderHTTPRequestID); id == "" {
			var trace string
			_, id, trace = newIDs(g.now())
			x.trace = trace
			h[HeaderHTTPRequestID] = x.value(valueID, id)
		}
		ext = id
	} else if id, ext = h.Get(HeaderRequestID), h.Get(HeaderExtendedRequestID); id == "" || ext == "" {
		// The trace id the integration gets is made with the ids, for a
		// caller that sends none: one read of the random source, one
		// allocation.
		newID, newExt, trace := newIDs(g.now())
		x.trace = trace
		if id == "" {
			id = newID
			h[HeaderRequestID] = x.value(valueID, id)
		}
		if ext == "" {
			ext = newExt
			h[HeaderExtendedRequestID] = x.value(valueExt, ext)
		}
	}

	// The recorder also puts the ids back on the final answer after an
	// informational one: ReverseProxy clears the header map once it has
	// passed an upstream's 1xx (100 Continue, 103 Early Hints) on.
	raw := w
	x.rec = statusRecorder{ResponseWriter: w, id: id, ext: ext, http: isHTTP}
	if isHTTP && t.api.cors != nil {
		x.rec.cors = t.api.cors
		if o := r.Header[headerOrigin]; t.api.cors.allowed(o) {
			// The slot of x-amz-apigw-id, which an HTTP API does not send.
			x.values[valueOrigin] = o[0]
			x.rec.origin = (*[1]string)(x.values[valueOrigin : valueOrigin+1])
		}
	}
	t.found = ok
	l := g.serve(x, r, raw, t)
	if g.obs != nil {
		status := int(x.rec.status)
		if status == 0 {
			status = http.StatusOK
		}
		g.obs.ObserveRequest(l.api, l.stage, l.resource, l.method, status, time.Since(start))
	}
	if f := logFields(raw); f != nil {
		if l.reason == "" && x.rec.why != whyNone {
			l.reason, l.detail = whys[x.rec.why].reason, whys[x.rec.why].detail
		}
		*f = LogFields{RequestID: id, API: l.api, Stage: l.stage, Route: l.route, ClientID: l.clientID, APIKeyID: l.apiKeyID, Reason: l.reason, Detail: l.detail}
	}
}

// labels describe a request the gateway served, for metrics and logs: the
// declaration's strings, "" for what the request did not reach.
type labels struct {
	api, stage, resource, method string
	route                        string // routeState.name
	clientID                     string
	apiKeyID                     string // LogFields.APIKeyID
	// reason and detail say why an authorizer refused the request (else
	// the recorder's why says what the gateway refused it for).
	reason, detail string
}

// exchange is what the gateway allocates for a request, in one piece:
// the recorder of its answer, the invocation its integration is handed
// with room for a few path parameters, and the header values it sets.
type exchange struct {
	rec    statusRecorder
	inv    Invocation
	params [4]Param
	values [numValues]string
	trace  string // a fresh X-Amzn-Trace-Id, made with the request ids
}

// Header values the gateway sets, by index in exchange.values.
const (
	valueID    = iota // x-amzn-RequestId
	valueExt          // x-amz-apigw-id
	valueTrace        // X-Amzn-Trace-Id, to the integration
	numValues

	valueOrigin = valueExt // an HTTP API's Access-Control-Allow-Origin (it has no x-amz-apigw-id)
)

// value returns v as a header value held by x: a one-element slice with
// no room to grow, so that an append elsewhere copies it.
func (x *exchange) value(i int, v string) []string {
	x.values[i] = v
	return x.values[i : i+1 : i+1]
}

// serve does ServeHTTP's work and returns the labels of the request. raw
// is the server's ResponseWriter, which x's recorder wraps; t is what
// resolve found.
func (g *Gateway) serve(x *exchange, r *http.Request, raw http.ResponseWriter, t target) (l labels) {
	w, id := &x.rec, x.rec.id
	m, ok := g.route(w, r, &l, &t)
	if !ok {
		return l
	}
	rs := &t.api.routes[m.Index]
	l.resource, l.method, l.route = m.Resource, m.Route.Method, rs.name
	now := g.now()
	throttle := t.stage.throttle
	if !throttle.allowStage(now) || !throttle.allowRoute(m.Index, now) ||
		(t.lenientRoute > 0 && !throttle.allowRoute(t.lenientRoute-1, now)) {
		t.api.write(w, ResponseThrottled) // whyStageThrottle
		return
	}

	if g.unavailable != nil && rs.needsCurrentCatalog() && g.unavailable() {
		t.api.write(w, ResponseServiceUnavailable) // whyCatalogUnavailable
		return
	}
	var res Result
	prepared := false
	if rs.guarded() {
		if rs.lambda != nil {
			// The function sees the request as the integration would
			// (a REQUEST event holds its headers and requestContext).
			g.prepare(x, r, &t, &m, rs, now)
			prepared = true
			if rs.keyRequired && rs.lambda.kind == tollgate.AuthorizerRequest && t.api.api.APIKeySource != tollgate.APIKeySourceAuthorizer {
				x.inv.key = presentedKey(r)
			}
			res = g.authorizeLambda(r, &x.inv, rs, t.lenient)
		} else {
			res = g.authorize(r, rs)
		}
		if res.Decision != Allow {
			g.refuse(w, r, &t, rs, res, id)
			l.refused(r, rs, &res)
			return
		}
		if res.Claims != nil {
			l.clientID = res.Claims.ClientID
		}
	}
	key, ok := g.meter(w, r, &l, &t, m.Index, rs, &res, now)
	if !ok {
		return
	}
	if !prepared {
		g.prepare(x, r, &t, &m, rs, now)
	}
	x.inv.setDecision(rs, &res)
	x.inv.key = key
	if r.Body != nil && r.Body != http.NoBody {
		// The server's own writer, so that an overrun closes the connection.
		r.Body = http.MaxBytesReader(raw, r.Body, MaxBodyBytes)
	}
	rs.integration.Serve(w, r, &x.inv)
	return l
}

// meter checks the API key of a method that requires one and holds the
// request to its limits counted after authorization: the client's
// throttle, and its usage plan's limits (plans.go), in one Take of the
// shared limiter, which also counts the stage and route throttles, or of
// the local one. It returns the key the request presented (nil for none),
// and names the key it found in l; when ok is false it has answered r.
func (g *Gateway) meter(w http.ResponseWriter, r *http.Request, l *labels, t *target, index int, rs *routeState, res *Result, now time.Time) (key *keyUse, ok bool) {
	var pk planKey
	if rs.keyRequired {
		pk, ok = g.apiKey(r, t.api.api, t.stage.stage.Name, res)
		if pk.key != nil {
			l.apiKeyID = pk.key.ID
		}
		if !ok {
			if pk.value == "" {
				refused(w, whyKeyMissing)
			}
			t.api.write(w, ResponseInvalidAPIKey)
			return nil, false
		}
	}
	if g.shared == nil && !t.stage.throttle.allowClient(res.clientKey(), now) {
		refused(w, whyClientThrottle)
		t.api.write(w, ResponseThrottled)
		return nil, false
	}
	if pk.plan == nil && (g.shared == nil || t.stage.shared.none()) {
		return nil, true // nothing to count: no allocation
	}
	c := new(checks)
	if pk.key != nil {
		c.use = keyUse{value: pk.value, id: pk.key.ID}
		key = &c.use
	}
	if g.shared != nil {
		t.stage.shared.addStage(c, index, t.lenientRoute, res.clientKey())
	}
	if pk.plan != nil {
		var used int64
		if q := pk.plan.Quota; q != nil && g.shared == nil && g.quotaUsed != nil {
			start, _, _ := q.Window(now, pk.plan.CreatedAt)
			used = g.quotaUsed(r.Context(), pk.plan.ID, pk.key.ID, start, 0)
		}
		pk.addPlan(c, rs.methodKey, now, used)
		if t.lenientRoute > 0 {
			pk.addLenientMethod(c, t.api.routes[t.lenientRoute-1].methodKey, rs.methodKey)
		}
	}
	if c.n > 0 && !g.limits(w, r, t.api, c, &pk, now) {
		return nil, false
	}
	if pk.plan != nil {
		g.admitted(&pk, now)
	}
	return key, true
}

// route checks the size limits of r, whose API and stage resolve found (t),
// answers an HTTP API's CORS preflight and matches the route, filling in l
// as it goes. When ok is false it has answered r.
func (g *Gateway) route(w http.ResponseWriter, r *http.Request, l *labels, t *target) (m Match, ok bool) {
	ok = t.found
	write := responseWriter(WriteResponse)
	if t.api != nil {
		write = t.api.write
		l.api = t.api.api.ID
		if t.stage != nil {
			l.stage = t.stage.stage.Name
		}
	}
	if r.ContentLength > MaxBodyBytes || headerBytes(r) > MaxHeaderBytes {
		write(w, ResponseRequestTooLarge)
		return m, false
	}
	// A CORS preflight goes to the route its OPTIONS request selects (an
	// OPTIONS or ANY route, or $default: AWS's remedy for an authorizer
	// refusing preflights is an OPTIONS /{proxy+} route without one,
	// http-api-cors.md and apigw-beyond §4.5; an ANY /{proxy+} route with
	// an authorizer refuses them on AWS, as recorded in "Fixing up CORS
	// errors in HTTP API", dev.to/aws-builders, 2023); when none does, the
	// gateway answers it from the API's configuration, before authorizers
	// ("API Gateway automatically sends a response to preflight OPTIONS
	// requests, even if there isn't an OPTIONS route configured").
	preflight := ok && t.api.cors != nil && isPreflight(r)
	var lenient string
	rejected := false // the path, for the access log
	if ok {
		t.rest, lenient, ok = normalizePath(t.rest)
		rejected = !ok
	}
	if ok {
		t.lenient = lenient
		m, ok = t.api.router.Match(r.Method, t.rest)
		if ok {
			t.lenientRoute, ok = t.api.sameGrant(r.Method, lenient, t.rest, m.Index)
			rejected = !ok
		}
	}
	if preflight && !ok {
		// Answered before authorizers, whatever the path.
		g.preflight(w, r, t.api.cors)
		return m, false
	}
	if !ok {
		if rejected {
			refused(w, whyPathRejected)
		}
		noRoute(w, r, t.api)
		return m, false
	}
	return m, true
}

// noRoute answers a request for an unknown API, stage, resource or
// method of st: an HTTP API's 404 Not Found (apigw-beyond §4.1), or REST's
// 403 (writeNoRoute), which is also the answer when the API is unknown
// (st nil), its kind with it.
func noRoute(w http.ResponseWriter, r *http.Request, st *apiState) {
	if st != nil && st.http {
		WriteHTTPResponse(w, ResponseNotFound)
		return
	}
	writeNoRoute(w, r)
}

// preflight answers a CORS preflight request from the API's
// configuration. The recorder, which would drop the Access-Control-*
// headers of other answers, is told not to.
func (g *Gateway) preflight(w http.ResponseWriter, r *http.Request, c *cors) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.cors = nil
	}
	c.preflight(w, r)
}

// prepare readies the request for its integration (or its Lambda
// authorizer): it removes what no integration may see (framing and
// hop-by-hop headers, a caller's copies of Tollgate's own decision
// headers), sets its X-Amzn-Trace-Id and fills in x.inv.
func (g *Gateway) prepare(x *exchange, r *http.Request, t *target, m *Match, rs *routeState, now time.Time) {
	headerpolicy.StripRequest(r.Header)
	trace := traceID(r.Header[headerpolicy.TraceID], now, x.trace)
	r.Header[headerpolicy.TraceID] = x.value(valueTrace, trace)
	t.invocation(x, m, rs, trace, now)
}

// invocation sets x.inv, but for the authorizer's decision (setDecision):
// what the route's integration is told of the request.
func (t *target) invocation(x *exchange, m *Match, rs *routeState, trace string, now time.Time) {
	inv := &x.inv
	*inv = Invocation{
		API:               t.api.api,
		Stage:             t.stage.stage,
		Route:             m.Route,
		ResourcePath:      m.Resource,
		ResourceID:        rs.resourceID,
		Path:              t.rest,
		StageVariables:    t.stage.stage.Variables,
		RequestID:         x.rec.id,
		ExtendedRequestID: x.rec.ext,
		RequestTime:       now,
		DomainName:        t.host,
		DomainPrefix:      t.prefix,
		TraceID:           trace,
		RouteKey:          rs.key,
		RawPath:           t.rawPath,
		contextPath:       t.ctxPath,
		rawRest:           t.rest,
	}
	if inv.Path == "" {
		inv.Path = "/"
	}
	if len(inv.StageVariables) == 0 {
		inv.StageVariables = nil
	}
	inv.setParams(m, x.params[:0])
}

// sameGrant reports whether the lenient reading of a request's path
// (normalizePath) selects no route that guards more than the route the
// path itself matched (index), by its authorizer or by requiring an API
// key (implies): otherwise "/admin%2Fx" would pass the open
// "/{proxy+}" to an upstream that decodes %2F and serves "/admin/x", which
// the guarded "/admin/{proxy+}" is there to protect.
//
// other is 1 + the index of the route the lenient reading selects when it
// is another, else 0.
func (st *apiState) sameGrant(method, lenient, path string, index int) (other int, ok bool) {
	if lenient == path {
		return 0, true
	}
	lm, ok := st.router.Match(method, lenient)
	if !ok || lm.Index == index {
		return 0, true
	}
	return lm.Index + 1, implies(&st.routes[index], &st.routes[lm.Index])
}

// traceID returns the X-Amzn-Trace-Id the integration gets: the caller's,
// when it sent one well-formed value, or a fresh one.
// made is a fresh one made beforehand, or "".
func traceID(sent []string, now time.Time, made string) string {
	if len(sent) == 1 && headerpolicy.ValidTraceID(sent[0]) {
		return sent[0]
	}
	if made != "" {
		return made
	}
	return headerpolicy.NewTraceID(now)
}

// mock is a MOCK integration: it answers with the integration's status,
// its static headers (Content-Type application/json unless they say
// otherwise) and body, built once.
type mock struct {
	status int
	static http.Header
	body   []byte
}

func newMock(in tollgate.Integration) *mock {
	m := &mock{status: in.MockStatus, static: http.Header{headerContentType: jsonContentTypeValue}, body: []byte(in.MockBody)}
	if m.status == 0 {
		m.status = http.StatusOK
	}
	for k, v := range in.MockHeaders {
		m.static.Set(k, v)
	}
	m.static[headerContentLength] = []string{strconv.Itoa(len(in.MockBody))}
	return m
}

// Serve answers as API Gateway's MOCK integration does, with the
// request's X-Amzn-Trace-Id.
func (m *mock) Serve(w http.ResponseWriter, r *http.Request, inv *Invocation) {
	h := w.Header()
	for k, v := range m.static {
		h[k] = v
	}
	if inv.TraceID != "" {
		h[headerpolicy.TraceID] = []string{inv.TraceID}
	}
	w.WriteHeader(m.status)
	if r.Method != http.MethodHead {
		w.Write(m.body)
	}
}

// statusRecorder remembers the status an answer was written with, for the
// Observer, and keeps the request ids on the final answer when an
// informational one went before it. It unwraps for
// http.ResponseController, so that integrations can flush.
type statusRecorder struct {
	http.ResponseWriter
	id, ext string
	// cors, for an HTTP API with a CORS configuration, readies the
	// final answer's Access-Control-* headers; origin holds the
	// request's Origin when allowed (in the exchange's values, so that
	// echoing it does not allocate), or is nil.
	cors   *cors
	origin *[1]string
	// status is the final answer's, 0 until it is written. (It and the
	// two flags share a word, so that the exchange, with its allocation
	// header, fits the 768-byte size class.)
	status int32
	// http is set for an HTTP API's request: its id is apigw-requestid.
	http bool
	// informational is set once a 1xx answer has gone out.
	informational bool
	// why is the refusal the gateway answered with, for the access log.
	why why
}

func (s *statusRecorder) WriteHeader(code int) {
	if code < 200 && code != http.StatusSwitchingProtocols {
		s.informational = true
		s.ResponseWriter.WriteHeader(code)
		return
	}
	s.final(code)
	s.ResponseWriter.WriteHeader(code)
}

// final records the status of the final answer, before its headers go out.
func (s *statusRecorder) final(code int) {
	if s.status != 0 {
		return
	}
	s.status = int32(code) //nolint:gosec // an HTTP status: net/http refuses one outside 100–999
	if s.cors != nil {
		s.cors.answer(s.Header(), s.origin)
	}
	if s.informational {
		h := s.Header()
		if s.http {
			if len(h[HeaderHTTPRequestID]) == 0 {
				h[HeaderHTTPRequestID] = []string{s.id}
			}
			return
		}
		if len(h[HeaderRequestID]) == 0 {
			h[HeaderRequestID] = []string{s.id}
		}
		if len(h[HeaderExtendedRequestID]) == 0 {
			h[HeaderExtendedRequestID] = []string{s.ext}
		}
	}
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.final(http.StatusOK)
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	s.final(http.StatusOK)
	http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
