package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/claimsheader"
)

// LambdaAuthorizerTimeout bounds an authorizer function's invocation, over
// the function's own timeout (which the runner enforces): API Gateway
// documents no REST authorizer timeout, and its integrations stop at 29 s
// (apigw-beyond §1.5, §5 item 2). Running out of it is a 500
// AUTHORIZER_CONFIGURATION_ERROR.
const LambdaAuthorizerTimeout = 29 * time.Second

// AuthorizerEventFunc builds the event of a REQUEST authorizer: the Lambda
// proxy event of the request inv describes, without body and
// isBase64Encoded and with no requestContext.authorizer, after "type":
// "REQUEST" and methodArn (apigw-beyond §1.2). On a method that requires
// an API key from X-API-Key, inv.APIKey is the header's value, not yet
// checked, and inv.APIKeyID is "". internal/lambdaproxy's
// AuthorizerEvent is the one: the proxy event's headers, query and
// requestContext are rendered in one place.
type AuthorizerEventFunc func(r *http.Request, inv *Invocation, methodARN string) ([]byte, error)

// HTTPAuthorizerEventFunc builds the event of an HTTP API's REQUEST
// authorizer (apigw-beyond §4.4): for version "2.0", the 2.0 request event
// without body and isBase64Encoded, with "type":"REQUEST", routeArn and
// identitySource (the identity-source values, in the authorizer's order);
// for "1.0", the REQUEST event of a REST API with "version":"1.0", the
// methodArn routeARN, identitySource and authorizationToken (the values
// comma-joined). internal/lambdaproxy's HTTPAuthorizerEvent is the one.
type HTTPAuthorizerEventFunc func(r *http.Request, inv *Invocation, version, routeARN string, identity []string) ([]byte, error)

// LambdaAuthorizerOptions are what a LambdaAuthorizer needs from the rest
// of Tollgate.
type LambdaAuthorizerOptions struct {
	// Invoke runs the authorizer's function; required.
	Invoke tollgate.InvokeFunc
	// Event builds a REQUEST authorizer's event; required for REQUEST.
	Event AuthorizerEventFunc
	// HTTPEvent builds an HTTP API REQUEST authorizer's event; required
	// for those.
	HTTPEvent HTTPAuthorizerEventFunc
	// HTTP marks an HTTP API's authorizer (contract §4.4): REQUEST only,
	// its identity sources in v2's spelling and all required, its event
	// by HTTPEvent in its PayloadFormatVersion, its answer an IAM policy
	// or, with SimpleResponses, {"isAuthorized": …}, its function given
	// tollgate.HTTPLambdaAuthorizerTimeout.
	HTTP bool
	// Cache holds the policies of the authorizers of a gateway; nil makes
	// the authorizer cache nothing, whatever its TTL.
	Cache *PolicyCache
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// LambdaAuthorizer is a TOKEN or REQUEST authorizer (apigw-beyond §1): it
// invokes a Lambda function with the request's identity and evaluates the
// IAM policy it answers against the request's methodArn. It is safe for
// concurrent use.
//
// With a result TTL, the function's parsed answer — the policy, not the
// decision — is cached per API and stage under the token (TOKEN) or all
// the identity-source values together (REQUEST: each as the event shows
// it, a header's or query parameter's last value), and evaluated again
// against each request's methodArn: a policy naming only the first
// request's method refuses the others until it expires (the caching trap,
// §1.4). A burst of requests with the same uncached identity invokes the
// function once; the invocation runs on its own (a caller that goes away
// does not end it for the others) for at most LambdaAuthorizerTimeout, up
// to maxDetached (64) at a time per authorizer, beyond which it runs on
// its first caller's context. An "Unauthorized" answer and failures are
// not cached: the function is asked again (§1.4 leaves it open; a
// function that refuses a token today and accepts it after a fix should
// not be held to its refusal).
type LambdaAuthorizer struct {
	name     string
	kind     tollgate.AuthorizerType
	function string
	header   string         // TOKEN: canonical header name
	validate *regexp.Regexp // TOKEN: whole-token match, or nil
	sources  []identitySource
	ttl      time.Duration
	timeout  time.Duration // the function's invocation's
	invoke   tollgate.InvokeFunc
	event    AuthorizerEventFunc
	cache    *PolicyCache

	// What differs between the kinds, chosen when the authorizer is
	// built: how its event is built and its answer parsed, how a
	// $context source is read, whether the identity sources are required
	// without caching, and what its refusals call the ARN.
	buildEvent   func(r *http.Request, inv *Invocation, arn, token string) ([]byte, error)
	parse        func(payload []byte) (*AuthorizerOutput, error)
	contextValue func(r *http.Request, inv *Invocation, name string) string
	required     bool
	arnName      string

	// An HTTP API's authorizer: its event builder and payload format
	// version, and whether it answers simple responses.
	http      bool
	httpEvent HTTPAuthorizerEventFunc
	version   string
	simple    bool

	id       uint32 // the cache's number for the authorizer
	flight   singleflight.Group
	detached chan struct{} // a token per invocation running detached
	now      func() time.Time
}

// identitySource is a REQUEST authorizer's identity source, parsed.
type identitySource struct {
	kind apigw.SourceKind
	name string // a header's canonical name
}

// NewLambdaAuthorizer returns the TOKEN or REQUEST authorizer a declares.
func NewLambdaAuthorizer(a *tollgate.Authorizer, opts LambdaAuthorizerOptions) (*LambdaAuthorizer, error) {
	kind := a.Kind()
	if kind != tollgate.AuthorizerToken && kind != tollgate.AuthorizerRequest {
		return nil, fmt.Errorf("authorizer %s: type %s is not a Lambda authorizer", a.Name, kind)
	}
	if a.Function == "" {
		return nil, errors.New("authorizer " + a.Name + " names no function")
	}
	if opts.Invoke == nil {
		return nil, errors.New("authorizer " + a.Name + ": no function invoker")
	}
	if a.ResultTTL < 0 || a.ResultTTL > tollgate.MaxAuthorizerResultTTL {
		return nil, fmt.Errorf("authorizer %s: result TTL %s is not within 0s and %s", a.Name, a.ResultTTL, tollgate.MaxAuthorizerResultTTL)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	z := &LambdaAuthorizer{name: a.Name, kind: kind, function: a.Function, ttl: a.ResultTTL,
		timeout: LambdaAuthorizerTimeout, invoke: opts.Invoke, event: opts.Event, cache: opts.Cache, now: opts.Now,
		parse: ParseAuthorizerOutput, contextValue: contextValue, arnName: "methodArn", detached: make(chan struct{}, maxDetached)}
	if z.cache == nil {
		z.ttl = 0
	} else {
		z.id = z.cache.nextID()
	}
	if opts.HTTP {
		return z.forHTTP(a, opts)
	}
	if kind == tollgate.AuthorizerToken {
		h, ok := identityHeader(a.IdentitySource)
		if !ok {
			return nil, errors.New("authorizer " + a.Name + ": identity source " + a.IdentitySource + " does not name a header")
		}
		z.header, z.buildEvent = h, z.tokenAuthorizerEvent
		if a.IdentityValidationExpression != "" {
			// API Gateway matches the whole token (Java's String.matches:
			// the examples anchor nothing and end in ".*", e.g. SAM's
			// ValidationExpression "Bearer.*").
			re, err := regexp.Compile(`^(?:` + a.IdentityValidationExpression + `)$`)
			if err != nil {
				return nil, fmt.Errorf("authorizer %s: identity validation expression: %w", a.Name, err)
			}
			z.validate = re
		}
		return z, nil
	}
	if opts.Event == nil {
		return nil, errors.New("authorizer " + a.Name + ": no REQUEST event builder")
	}
	z.buildEvent = z.requestEvent
	for _, s := range a.IdentitySources {
		k, name, ok := apigw.ParseIdentitySource(s)
		if !ok {
			return nil, fmt.Errorf("authorizer %s: %q is not an identity source", a.Name, s)
		}
		if k == apigw.SourceHeader {
			name = textproto.CanonicalMIMEHeaderKey(name)
		}
		z.sources = append(z.sources, identitySource{k, name})
	}
	if z.ttl > 0 && len(z.sources) == 0 {
		return nil, errors.New("authorizer " + a.Name + " caches its results but has no identity source")
	}
	return z, nil
}

// Name returns the authorizer's name.
func (a *LambdaAuthorizer) Name() string { return a.name }

// outcome is what one invocation of the function gave: a grant (a valid
// answer), or a refusal (Unauthorized, Misconfigured) and why.
type outcome struct {
	grant    *lambdaGrant
	decision Decision
	reason   string
	latency  time.Duration
	cached   bool // the grant came from the cache
}

// Authorize decides the request r, which inv describes (as the gateway
// builds it before authorizing: API and Stage set, its authorizer fields
// still empty). The function is given the methodArn of the path as sent;
// its policy must allow that and the methodArn of every other form the
// request can be served as (evaluate): its canonical form, so that
// "/admin//secret" is not allowed on a policy that denies "/admin/*", and
// lenient, the lenient reading of the path (normalizePath), so that
// "/admin%2Fsecret" is not allowed either, to an upstream that decodes it.
//
// An HTTP API's authorizer is decided alike (contract §4.4): its routeArn
// is the methodArn of the request, not of its route (recorded events:
// routeKey "GET /api/{proxy+}" with routeArn "…/$default/GET/api/v1/graph-data",
// routeKey "ANY /{proxy+}" with rawPath "/dev/" and routeArn "…/dev/GET/";
// http_lambda_authorizer_test.go cites them), and a simple answer decides
// without a policy.
func (a *LambdaAuthorizer) Authorize(r *http.Request, inv *Invocation, lenient string) Result {
	// The key's material is built on the stack for tokens of up to 2 KiB:
	// the API and the stage (ids without NUL), then the token or the
	// identity-source values.
	var buf [2048]byte
	material := append(append(append(append(buf[:0], inv.API.ID...), 0), inv.Stage.Name...), 0)
	token, material, res, ok := a.identity(r, inv, material)
	if !ok {
		return res
	}
	arn := methodARN(r.Method, inv, inv.Path)
	if len(arn) > MaxMethodARNBytes {
		return Result{Decision: URITooLong, Reason: fmt.Sprintf("methodArn of %d bytes", len(arn))}
	}
	o, cached := a.decide(r, inv, arn, token, material)
	if o.grant == nil {
		return Result{Decision: o.decision, Reason: o.reason}
	}
	res = Result{Decision: Allow, Cached: cached, grant: o.grant, latency: o.latency}
	if out := o.grant.out; out.Simple {
		if !out.Authorized {
			res.Decision, res.Reason = Denied, "the function answered isAuthorized false"
		}
		return res
	}
	switch a.evaluate(o.grant.out.Policy, r.Method, inv, arn, lenient) {
	case PolicyExplicitDeny:
		res.Decision, res.Reason = ExplicitDeny, "the policy denies the "+a.arnName
	case PolicyImplicitDeny:
		res.Decision, res.Reason = Denied, "the policy does not allow the "+a.arnName
	}
	return res
}

// decide returns the function's answer for the request: invoked, or, with
// a TTL, from the cache under the key of material (cached true) or
// invoked once for every concurrent request with that key (shared).
// token is a TOKEN authorizer's.
func (a *LambdaAuthorizer) decide(r *http.Request, inv *Invocation, arn, token string, material []byte) (o outcome, cached bool) {
	if a.ttl <= 0 {
		return a.call(r.Context(), r, inv, arn, token), false
	}
	key := policyKey{authz: a.id, sum: sha256.Sum256(material)}
	if g := a.cache.get(key, a.now()); g != nil {
		return outcome{grant: g}, true
	}
	o = a.shared(r, inv, arn, token, key)
	return o, o.cached
}

// evaluate decides p for every path the request can be served as: the
// path as sent (whose methodArn, arn, the function saw), its canonical
// form (canonicalPath: the router and a greedy {proxy+} ignore repeated
// and trailing slashes, so "/admin//secret" and "/admin/secret/" reach the
// route and upstream path of "/admin/secret"), and the lenient reading
// and its canonical form when they differ. Each must be allowed: an
// explicit Deny of any form is an explicit deny, else a form not allowed
// is an implicit one.
func (a *LambdaAuthorizer) evaluate(p *Policy, verb string, inv *Invocation, arn, lenient string) PolicyDecision {
	d := p.Evaluate(arn)
	if d == PolicyExplicitDeny {
		return d
	}
	var forms [3]string
	n := 0
	add := func(f string) {
		if f == inv.Path {
			return
		}
		for _, g := range forms[:n] {
			if g == f {
				return
			}
		}
		forms[n] = f
		n++
	}
	add(canonicalPath(inv.Path))
	if lenient != "" {
		add(lenient)
		add(canonicalPath(lenient))
	}
	for _, f := range forms[:n] {
		switch p.Evaluate(methodARN(verb, inv, f)) {
		case PolicyExplicitDeny:
			return PolicyExplicitDeny
		case PolicyImplicitDeny:
			d = PolicyImplicitDeny
		}
	}
	return d
}

// canonicalPath returns p with each run of slashes as one and without a
// trailing slash, "/" staying "/": the path the router matches and a
// greedy parameter carries. It returns p itself when p is canonical.
func canonicalPath(p string) string {
	if !strings.Contains(p, "//") && (len(p) <= 1 || p[len(p)-1] != '/') {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && len(b) > 0 && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	if len(b) > 1 && b[len(b)-1] == '/' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// shared runs the function once for every concurrent request with the same
// key, and caches a valid answer. The event is built here, on the
// goroutine that serves r (headercase.Names' rule), and the invocation
// runs on a context of its own (the first caller's values, not its
// cancellation), so that a caller that goes away stops waiting while the
// others still get the answer. At most maxDetached such invocations of
// the authorizer run at a time: beyond, an invocation runs on its first
// caller's context, and ends when that caller goes away, so that clients
// that leave cannot pile up invocations nobody waits for.
func (a *LambdaAuthorizer) shared(r *http.Request, inv *Invocation, arn, token string, key policyKey) outcome {
	event, err := a.buildEvent(r, inv, arn, token)
	if err != nil {
		return eventError(err)
	}
	ctx, trace := r.Context(), inv.TraceID
	ch := a.flight.DoChan(string(key.sum[:]), func() (any, error) {
		// A flight that ended between this caller's look in the cache
		// and now has left its answer there.
		if g := a.cache.get(key, a.now()); g != nil {
			return outcome{grant: g, cached: true}, nil
		}
		run := ctx
		select {
		case a.detached <- struct{}{}:
			defer func() { <-a.detached }()
			run = context.WithoutCancel(ctx)
		default:
		}
		o := a.invokeEvent(run, trace, event)
		if o.grant != nil {
			now := a.now()
			a.cache.put(key, o.grant, now, now.Add(a.ttl))
		}
		return o, nil
	})
	select {
	case res := <-ch:
		return res.Val.(outcome)
	case <-r.Context().Done():
		return outcome{decision: Misconfigured, reason: "the client went away while the authorizer ran"}
	}
}

// maxDetached bounds the invocations of one authorizer that run on a
// context of their own (shared): each holds its event and waits for an
// instance of the function.
const maxDetached = 64

// call builds the event of the request r and invokes the function with it.
func (a *LambdaAuthorizer) call(ctx context.Context, r *http.Request, inv *Invocation, arn, token string) outcome {
	event, err := a.buildEvent(r, inv, arn, token)
	if err != nil {
		return eventError(err)
	}
	return a.invokeEvent(ctx, inv.TraceID, event)
}

// tokenAuthorizerEvent is a TOKEN authorizer's buildEvent.
func (a *LambdaAuthorizer) tokenAuthorizerEvent(_ *http.Request, _ *Invocation, arn, token string) ([]byte, error) {
	return tokenEvent(token, arn)
}

// requestEvent is a REST API REQUEST authorizer's buildEvent.
func (a *LambdaAuthorizer) requestEvent(r *http.Request, inv *Invocation, arn, _ string) ([]byte, error) {
	return a.event(r, inv, arn)
}

// httpRequestEvent is an HTTP API REQUEST authorizer's buildEvent. The
// identity values were read for the cache key; they are read again for
// the event only when the function is invoked, so that a cached decision
// allocates nothing for them.
func (a *LambdaAuthorizer) httpRequestEvent(r *http.Request, inv *Invocation, arn, _ string) ([]byte, error) {
	var identity []string
	if _, _, ok := a.sourceValues(r, inv, &identity, nil); !ok {
		return nil, errors.New("an identity source changed while the authorizer ran")
	}
	return a.httpEvent(r, inv, a.version, arn, identity)
}

func eventError(err error) outcome {
	return outcome{decision: Misconfigured, reason: "building the event: " + err.Error()}
}

// invokeEvent invokes the function with event and reads its answer.
func (a *LambdaAuthorizer) invokeEvent(ctx context.Context, traceID string, event []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	start := time.Now()
	payload, fnErr, err := a.invoke(ctx, a.function, traceID, event)
	o := outcome{decision: Misconfigured, latency: time.Since(start)}
	switch {
	case err != nil:
		o.reason = "invoking " + a.function + ": " + err.Error()
	case fnErr:
		if msg, typ := functionError(payload); msg == "Unauthorized" {
			o.decision, o.reason = Unauthorized, lambdaUnauthorized
		} else {
			o.reason = fmt.Sprintf("function error (errorType %.64q, errorMessage of %d bytes)", typ, len(msg))
		}
	default:
		out, err := a.parse(payload)
		if err != nil {
			o.reason = "the function's answer is not a valid authorizer output: " + err.Error()
			break
		}
		o.grant = &lambdaGrant{out: out, size: int64(3*len(payload)) + grantOverhead, http: a.http}
	}
	return o
}

// functionError reads Lambda's error document: {"errorMessage": …,
// "errorType": …}. A function's callback("Unauthorized"), throw new
// Error("Unauthorized") or raise Exception("Unauthorized") all give
// errorMessage "Unauthorized".
func functionError(payload []byte) (message, errorType string) {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	_ = json.Unmarshal(payload, &doc) // anything else is not "Unauthorized"
	return doc.ErrorMessage, doc.ErrorType
}

// tokenEvent is a TOKEN authorizer's event: exactly these three keys, in
// this order, the header's value verbatim (apigw-beyond §1.2).
func tokenEvent(token, arn string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Type               string `json:"type"`
		AuthorizationToken string `json:"authorizationToken"`
		MethodArn          string `json:"methodArn"`
	}{"TOKEN", token, arn})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// methodARN is the methodArn of a request to inv's API and stage for the
// path after the stage: arn:aws:execute-api:{region}:{account}:{apiId}/
// {stage}/{VERB}/{path without its leading slash}.
func methodARN(verb string, inv *Invocation, path string) string {
	return buildMethodARN(inv.API.Region, tollgate.AccountID, inv.API.ID, inv.Stage.Name, verb, path)
}

// identity reads the request's identity: the token (TOKEN), appended to
// buf, or the identity-source values one after another, each after its
// length (REQUEST, when results are cached or the sources are required).
// ok is false with the refusal when a value is missing or empty, the token
// fails the validation expression, or its header is sent twice.
func (a *LambdaAuthorizer) identity(r *http.Request, inv *Invocation, buf []byte) (token string, material []byte, refusal Result, ok bool) {
	if a.kind == tollgate.AuthorizerToken {
		vs := EventHeaderValues(r, a.header)
		switch {
		case len(vs) > 1 || hasTwin(r.Header, a.header):
			return "", nil, Result{Reason: "more than one " + a.header + " header"}, false
		case len(vs) == 0 || vs[0] == "":
			return "", nil, Result{Reason: "no token"}, false
		case a.validate != nil && !a.validate.MatchString(vs[0]):
			return "", nil, Result{Reason: "the token does not match the identity validation expression"}, false
		}
		return vs[0], append(buf, vs[0]...), Result{}, true
	}
	if a.ttl <= 0 && !a.required {
		// Without caching a REST API's sources are not required (the API
		// reference's identitySource), and nothing is keyed by them.
		return "", nil, Result{}, true
	}
	material, refused, ok := a.sourceValues(r, inv, nil, buf)
	return "", material, refused, ok
}

// sourceValues reads the values of a REQUEST authorizer's identity
// sources, in their order, appending each, after its length, to material
// (the cache key's, when not nil) and to *values (when not nil). ok is
// false with the refusal when one is missing, empty or sent twice
// (sourceValue).
func (a *LambdaAuthorizer) sourceValues(r *http.Request, inv *Invocation, values *[]string, material []byte) ([]byte, Result, bool) {
	for _, s := range a.sources {
		v, refused, ok := a.sourceValue(r, inv, s)
		if !ok {
			return nil, refused, false
		}
		if values != nil {
			*values = append(*values, v)
		}
		if material != nil {
			material = appendKeyValue(material, v)
		}
	}
	return material, Result{}, true
}

// sourceValue reads one identity source of a REQUEST authorizer, of a REST
// or an HTTP API: a header or query string parameter as the event shows it
// (its last value), a stage variable, a $context variable. ok is false,
// with the refusal, when the value is missing or empty, or sent more than
// once: a header or query parameter sent twice, a header beside a twin
// another server reads as it (X_Token for X-Token), or a query parameter
// another parser could read otherwise (queryParam), is refused as TOKEN's
// header is, since a function reading another copy than the one the cache
// is keyed by would have its answer served to callers sending only the
// key's value.
func (a *LambdaAuthorizer) sourceValue(r *http.Request, inv *Invocation, s identitySource) (string, Result, bool) {
	var v string
	switch s.kind {
	case apigw.SourceHeader:
		vs := EventHeaderValues(r, s.name)
		if len(vs) > 1 || hasTwin(r.Header, s.name) {
			return "", Result{Reason: "more than one " + s.name + " header"}, false
		}
		v = last(vs)
	case apigw.SourceQueryString:
		var why string
		if v, why = queryParam(r.URL.RawQuery, s.name); why != "" {
			return "", Result{Reason: why}, false
		}
	case apigw.SourceStageVariable:
		v = inv.StageVariables[s.name]
	case apigw.SourceContext:
		v = a.contextValue(r, inv, s.name)
	}
	if v == "" {
		return "", Result{Reason: "identity source " + s.name + " is missing or empty"}, false
	}
	return v, Result{}, true
}

// appendKeyValue appends an identity value to a cache key's material,
// after its length, so that values cannot run into one another.
func appendKeyValue(material []byte, v string) []byte {
	material = binary.AppendUvarint(material, uint64(len(v)))
	return append(material, v...)
}

func last(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// EventHeaderValues returns the values of the header canonical (a
// canonical name) as a Lambda event shows them to the function, the last
// in headers and all in multiValueHeaders: the request's, but for Host
// (net/http keeps it in r.Host) and the X-Forwarded-For, -Proto and -Port
// API Gateway sets in front of an integration (ForwardedHeaders). The
// event's headers and a Lambda authorizer's identity are read by it, so
// that they cannot disagree.
func EventHeaderValues(r *http.Request, canonical string) []string {
	switch canonical {
	case "Host":
		if r.Host == "" {
			return nil
		}
		return []string{r.Host}
	case "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port":
		xff, proto, port := ForwardedHeaders(r)
		switch canonical {
		case "X-Forwarded-For":
			return []string{xff}
		case "X-Forwarded-Proto":
			return []string{proto}
		}
		return []string{port}
	}
	return r.Header[canonical]
}

// ForwardedHeaders returns the X-Forwarded-For, X-Forwarded-Proto and
// X-Forwarded-Port API Gateway sets on the request r in front of an
// integration: the caller's address after the X-Forwarded-For it sent,
// "https" or "http", and the port the request came to (443 or 80 when the
// server's address is unknown).
func ForwardedHeaders(r *http.Request) (xff, proto, port string) {
	xff = SourceIP(r)
	if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		xff = strings.Join(prior, ", ") + ", " + xff
	}
	proto, port = "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port = p
		}
	}
	return xff, proto, port
}

// SourceIP is the caller's address as the gateway sees it
// (requestContext.identity.sourceIp).
func SourceIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// contextValue is the $context variable name (apigw.ContextSources) of the
// request.
func contextValue(r *http.Request, inv *Invocation, name string) string {
	switch name {
	case "accountId":
		return tollgate.AccountID
	case "apiId":
		return inv.API.ID
	case "domainName":
		return inv.DomainName
	case "domainPrefix":
		return inv.DomainPrefix
	case "extendedRequestId":
		return inv.ExtendedRequestID
	case "httpMethod":
		return r.Method
	case "identity.sourceIp":
		return SourceIP(r)
	case "identity.userAgent":
		return r.UserAgent()
	case "path":
		return inv.ContextPath()
	case "protocol":
		return r.Proto
	case "requestId":
		return inv.RequestID
	case "resourceId":
		return inv.ResourceID
	case "resourcePath":
		return inv.ResourcePath
	case "stage":
		return inv.Stage.Name
	}
	return ""
}

// lambdaGrant is a Lambda authorizer's valid answer, shared by every
// request its cache entry serves: what integrations derive from its
// context is computed once, on first use.
type lambdaGrant struct {
	out  *AuthorizerOutput
	size int64 // what the cache charges for it

	http bool // an HTTP API's: objects and arrays of its context kept

	once    sync.Once
	strings map[string]string
	header  string
}

// grantOverhead is what a cache entry costs beyond three times the
// function's answer (the parsed answer and its derivations).
const grantOverhead = 512

func (g *lambdaGrant) load() *lambdaGrant {
	g.once.Do(func() {
		if g.http {
			g.strings = httpContextStrings(g.out.Context)
		} else {
			g.strings = contextStrings(g.out.Context)
		}
		g.header = claimsheader.Encode(g.strings)
	})
	return g
}

// contextStrings renders an authorizer context as REST APIs pass it on
// (StringifyContextValue); null values are left out.
func contextStrings(c map[string]any) map[string]string {
	if len(c) == 0 {
		return nil
	}
	m := make(map[string]string, len(c))
	for k, v := range c {
		if s, ok := StringifyContextValue(v); ok {
			m[k] = s
		}
	}
	return m
}

// httpContextStrings renders an HTTP API authorizer's context, which may
// hold objects and arrays (http-api-lambda-authorizer.html's example
// answers "arrayKey" and "mapKey"), as contextStrings does, objects and
// arrays as their JSON text.
func httpContextStrings(c map[string]any) map[string]string {
	m := contextStrings(c)
	for k, v := range c {
		switch v.(type) {
		case map[string]any, []any:
			// As JSON.stringify writes it: "<" and "&" unescaped.
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if enc.Encode(v) == nil {
				m[k] = string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
			}
		}
	}
	return m
}

// DefaultPolicyCacheBytes bounds a gateway's Lambda authorizer cache: 8 MiB.
const DefaultPolicyCacheBytes = 8 << 20

const policyShards = 16

// PolicyCache holds the answers of a gateway's Lambda authorizers, keyed by
// authorizer, API, stage and identity (the SHA-256 of the token or of the
// identity-source values), each until its authorizer's TTL has passed. Like
// Cache it is bounded by the estimated memory of its entries (three times
// the function's answer, plus some), each of its shards holding a 16th of
// the budget, and it evicts expired entries first, then arbitrary ones.
type PolicyCache struct {
	shards   [policyShards]policyShard
	perShard int64
	mu       sync.Mutex
	ids      uint32
}

type policyShard struct {
	mu    sync.RWMutex
	m     map[policyKey]policyEntry
	bytes int64
}

type policyKey struct {
	authz uint32
	sum   [32]byte
}

type policyEntry struct {
	g     *lambdaGrant
	until int64 // UnixNano after which the entry is not used
}

// NewPolicyCache returns an empty cache of at most bytes (0 means
// DefaultPolicyCacheBytes; negative keeps nothing).
func NewPolicyCache(bytes int64) *PolicyCache {
	if bytes == 0 {
		bytes = DefaultPolicyCacheBytes
	}
	c := &PolicyCache{perShard: max(bytes, 0) / policyShards}
	for i := range c.shards {
		c.shards[i].m = map[policyKey]policyEntry{}
	}
	return c
}

func (c *PolicyCache) nextID() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids++
	return c.ids
}

// Len returns the number of entries held.
func (c *PolicyCache) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

func (c *PolicyCache) get(k policyKey, now time.Time) *lambdaGrant {
	sh := &c.shards[k.sum[0]%policyShards]
	sh.mu.RLock()
	e, ok := sh.m[k]
	sh.mu.RUnlock()
	if !ok {
		return nil
	}
	if now.UnixNano() >= e.until {
		sh.mu.Lock()
		if cur, ok := sh.m[k]; ok && cur.g == e.g {
			sh.drop(k, cur)
		}
		sh.mu.Unlock()
		return nil
	}
	return e.g
}

// put keeps g under k until until; now is the current time.
func (c *PolicyCache) put(k policyKey, g *lambdaGrant, now, until time.Time) {
	if g.size > c.perShard {
		return
	}
	sh := &c.shards[k.sum[0]%policyShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if old, ok := sh.m[k]; ok {
		sh.drop(k, old)
	}
	if sh.bytes+g.size > c.perShard {
		ns := now.UnixNano()
		for k, e := range sh.m {
			if ns >= e.until {
				sh.drop(k, e)
			}
		}
		for k, e := range sh.m {
			if sh.bytes+g.size <= c.perShard {
				break
			}
			sh.drop(k, e)
		}
	}
	sh.m[k] = policyEntry{g: g, until: until.UnixNano()}
	sh.bytes += g.size
}

func (sh *policyShard) drop(k policyKey, e policyEntry) {
	delete(sh.m, k)
	sh.bytes -= e.g.size
}
