package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// routeAuthorizer is a route's authorizer: *Authorizer (COGNITO_USER_POOLS)
// or *JWTAuthorizer (JWT, of a REST or an HTTP API). read and present are
// its tokenSource's.
type routeAuthorizer interface {
	Name() string
	Authorize(ctx context.Context, header string, scopes []string) Result
	read(r *http.Request) (v string, why string, ok bool)
	present(r *http.Request) bool
}

// buildAuthorizer sets the authorizer of the route rs (r declared), built
// once per declaration.
func (g *Gateway) buildAuthorizer(rs *routeState, r *tollgate.Route, opts Options, built *builtAuthorizers) error {
	decl := r.Authorizer
	if rs.http && decl.Kind() != tollgate.AuthorizerJWT && decl.Kind() != tollgate.AuthorizerRequest {
		return fmt.Errorf("authorizer %s: an HTTP API's authorizer is JWT or REQUEST, not %s", decl.Name, decl.Kind())
	}
	switch decl.Kind() {
	case tollgate.AuthorizerCognito, tollgate.AuthorizerJWT:
		a := built.tokens[decl]
		if a == nil {
			var err error
			if a, err = g.newAuthorizer(decl, opts, rs.http); err != nil {
				return err
			}
			built.tokens[decl] = a
		}
		rs.authz, rs.scopes = a, r.AuthorizationScopes
		if rs.http {
			rs.challenges = newHTTPChallenges(r.AuthorizationScopes)
		}
	case tollgate.AuthorizerToken, tollgate.AuthorizerRequest:
		a := built.lambda[decl]
		if a == nil {
			var err error
			a, err = NewLambdaAuthorizer(decl, LambdaAuthorizerOptions{
				Invoke:    opts.Invoke,
				Event:     opts.AuthorizerEvent,
				HTTPEvent: opts.HTTPAuthorizerEvent,
				HTTP:      rs.http,
				Cache:     g.policies,
				Now:       opts.Now,
			})
			if err != nil {
				return err
			}
			built.lambda[decl] = a
		}
		rs.lambda = a
	default:
		return fmt.Errorf("authorizer %s: unsupported type %s", decl.Name, decl.Kind())
	}
	return nil
}

// newAuthorizer builds the token authorizer a declares, of its kind:
// COGNITO_USER_POOLS or JWT (an HTTP API's when http).
func (g *Gateway) newAuthorizer(a *tollgate.Authorizer, opts Options, http bool) (routeAuthorizer, error) {
	if a.Kind() == tollgate.AuthorizerJWT {
		return NewJWTAuthorizer(a, JWTAuthorizerOptions{
			LocalIssuer: opts.LocalIssuer,
			Keys:        opts.Keys,
			Issuer:      opts.Issuer,
			HTTP:        http,
			JWKS:        g.jwks,
			Cache:       g.cache,
			Now:         opts.Now,
		})
	}
	return NewAuthorizer(a, AuthorizerOptions{
		Issuer:  opts.Issuer,
		Keys:    opts.Keys,
		JWKS:    g.jwks,
		Cache:   g.cache,
		Revoked: opts.Revoked,
		Now:     opts.Now,
	})
}

// guarded reports whether the route has an authorizer.
func (rs *routeState) guarded() bool { return rs.authz != nil || rs.lambda != nil }

// needsCurrentCatalog reports whether the route's answers depend on
// catalog state a store outage can leave stale (Options.Unavailable): the
// revocations a Cognito authorizer consults, or the API keys and usage
// plans of a method that requires a key (a key disabled or deleted
// meanwhile would still be admitted).
func (rs *routeState) needsCurrentCatalog() bool {
	if rs.keyRequired {
		return true
	}
	_, cognito := rs.authz.(*Authorizer)
	return cognito
}

// authorizerName returns the name of the route's authorizer.
func (rs *routeState) authorizerName() string {
	switch {
	case rs.authz != nil:
		return rs.authz.Name()
	case rs.lambda != nil:
		return rs.lambda.name
	}
	return ""
}

func newChallenges(realm string, scopes []string) *challenges {
	one := func(s string) []string { return []string{s} }
	return &challenges{
		noToken: one(oauth2.BearerChallenge(realm, nil)),
		invalid: one(oauth2.BearerChallenge(realm, oauth2.InvalidToken("the access token is not valid"))),
		expired: one(oauth2.BearerChallenge(realm, oauth2.InvalidToken("the access token expired"))),
		scope:   one(oauth2.BearerChallenge(realm, oauth2.InsufficientScope("the access token lacks the scope"), scopes...)),
	}
}

// setDecision records in inv what the route's authorizer allowed the
// request with.
func (inv *Invocation) setDecision(rs *routeState, res *Result) {
	if res.Claims != nil {
		inv.Authorizer, inv.Claims, inv.ClientID, inv.verified = rs.authz.Name(), res.Claims, res.Claims.ClientID, res.v
	}
	if g := res.grant; g != nil {
		inv.Authorizer, inv.grant = rs.lambda.name, g
		inv.PrincipalID, inv.AuthorizerContext, inv.AuthorizerLatency = g.out.PrincipalID, g.out.Context, res.latency
	}
}

// authorizeLambda runs a route's Lambda authorizer on the request inv
// describes; lenient is the lenient reading of its path.
func (g *Gateway) authorizeLambda(r *http.Request, inv *Invocation, rs *routeState, lenient string) Result {
	res := rs.lambda.Authorize(r, inv, lenient)
	if g.obs != nil {
		g.obs.ObserveAuthorizer(rs.lambda.name, res.Decision, res.Cached)
	}
	return res
}

// authorize runs a route's authorizer on the request's credentials: its
// identity source's value, two copies of which are refused
// (tokenSource.read).
func (g *Gateway) authorize(r *http.Request, rs *routeState) Result {
	a := rs.authz
	var res Result
	if token, why, ok := a.read(r); !ok {
		res = Result{Decision: Unauthorized, Reason: why, why: refusal{kind: refusedMalformed}}
	} else {
		res = a.Authorize(r.Context(), token, rs.scopes)
		if rs.bind == nil && hasDPoPScheme(strings.Trim(token, " \t")) && !dpopBound(&res) {
			// A route declaring nothing takes the DPoP scheme for
			// DPoP-bound tokens only (whose proof checkBinding checks).
			// Any other token sent with it is refused (RFC 9449 §7.2)
			// as API Gateway refuses a value that is no token, with no
			// DPoP challenge: the scheme's name read as part of the
			// token (undeclaredScheme).
			res = a.Authorize(r.Context(), undeclaredScheme(token), rs.scopes)
		}
		if res.Decision == Allow && needsBindingCheck(rs, res.Claims, token) {
			g.checkBinding(r, rs, token, &res)
		}
	}
	if g.obs != nil {
		g.obs.ObserveAuthorizer(a.Name(), res.Decision, res.Cached)
	}
	return res
}

// dpopBound reports whether the authorizer allowed a token bound to a
// DPoP key (cnf.jkt, RFC 9449 §6.1).
func dpopBound(res *Result) bool {
	return res.Decision == Allow && res.Claims != nil && res.Claims.Cnf != nil && res.Claims.Cnf.JKT != ""
}

// undeclaredScheme returns an identity source value whose token is v,
// trimmed, as a whole, "DPoP " included: what API Gateway verifies of a
// value with a scheme other than Bearer, and so the answer (401, an HTTP
// API's "token is malformed" challenge) of a route that does not take the
// DPoP scheme. tokenFromHeader strips the "Bearer " put before it, and
// only that.
func undeclaredScheme(v string) string {
	return "Bearer " + strings.Trim(v, " \t")
}

// implies reports whether a request the route strict allows is also one
// the route other would allow: other has no authorizer, or the same one
// with every scope of strict (a Cognito authorizer allows a token holding
// any one of the route's scopes; none means ID tokens only), and requires
// no API key unless strict does (else "/admin%2Fx" would reach an
// upstream's "/admin/x" through an open "/{proxy+}" without the key, nor
// its usage plan's count, that "/admin/{proxy+}" requires), nor a binding
// or audiences other checks and strict does not (bindsAsStrictly: else a
// bearer token would reach through "/{proxy+}" what "/admin/{proxy+}"
// serves only to DPoP-bound tokens, RFC 9449 §7.2).
func implies(strict, other *routeState) bool {
	if other.keyRequired && !strict.keyRequired {
		return false
	}
	if !bindsAsStrictly(strict.bind, other.bind) {
		return false
	}
	if !other.guarded() {
		return true
	}
	if other.lambda != nil {
		// Only a TOKEN authorizer decides alike whichever route serves
		// the request: its event is the token and the methodArn, and its
		// policy is evaluated against every form the path can be served
		// as. A REQUEST authorizer's event names the route (resource;
		// an HTTP API's routeKey) and its function may decide by it, and
		// a simple answer is checked against no path: a request that
		// another route would serve is refused rather than judged as
		// this route's ("/admin%2Fsecret" asked of ANY /{proxy+} while
		// ANY /admin/{proxy+} guards "/admin/secret").
		return strict.lambda == other.lambda && other.lambda.decidesEveryRouteAlike()
	}
	if _, jwt := other.authz.(*JWTAuthorizer); jwt && strict.authz == other.authz && len(other.scopes) == 0 {
		// A JWT authorizer's route without scopes takes any valid token.
		return true
	}
	if strict.authz != other.authz || (len(strict.scopes) == 0) != (len(other.scopes) == 0) {
		return false
	}
	for _, s := range strict.scopes {
		if !slices.Contains(other.scopes, s) {
			return false
		}
	}
	return true
}

// hasTwin reports whether h holds, besides the canonical name, another
// header name that some server reads as it: the same letters in another
// case (a map built in code) or with '_' for '-' (CGI-style servers).
func hasTwin(h http.Header, canonical string) bool {
	for k := range h {
		if len(k) == len(canonical) && k != canonical && foldHeaderName(k, canonical) {
			return true
		}
	}
	return false
}

// foldHeaderName compares header names ASCII case-insensitively, with '_'
// matching '-'.
func foldHeaderName(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == '_' {
			x = '-'
		}
		if y == '_' {
			y = '-'
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// refusals are the gateway responses of the refusing decisions.
var refusals = [...]ResponseType{
	Unauthorized:  ResponseUnauthorized,
	Expired:       ResponseExpiredToken,
	Failed:        ResponseAuthorizerFailure,
	Denied:        ResponseAccessDenied,
	ExplicitDeny:  ResponseAccessDeniedExplicit,
	Misconfigured: ResponseAuthorizerConfigurationError,
	URITooLong:    ResponseRequestURITooLong,
}

// refuse answers a request its authorizer did not allow. The reason is
// logged (never a token: see Result.Reason); failures at level error.
func (g *Gateway) refuse(w http.ResponseWriter, r *http.Request, t *target, rs *routeState, res Result, id string) {
	level, msg := slog.LevelDebug, "gateway: request refused"
	if (res.Decision == Failed || res.Decision == Misconfigured) && r.Context().Err() == nil {
		// (A client gone while the authorizer ran is no failure of it.)
		level, msg = slog.LevelError, "gateway: authorizer failed"
	}
	g.log.LogAttrs(r.Context(), level, msg,
		slog.String("request_id", id), slog.String("authorizer", rs.authorizerName()),
		slog.String("decision", res.Decision.String()), slog.String("reason", res.Reason))
	if res.bound != nil || (rs.bind != nil && rs.bind.res != nil) {
		if g.refuseBound(w, r, t, rs, &res) {
			return
		}
	}
	if rs.http {
		refuseHTTP(w, rs, &res)
		return
	}
	if _, ok := rs.authz.(*JWTAuthorizer); ok && res.Decision != Failed {
		writeJWTRefusal(w, res, rs.challenges, rs.authz.present(r)) // 401, or 403 for a missing scope
		return
	}
	t0 := ResponseUnauthorized
	if int(res.Decision) < len(refusals) && refusals[res.Decision] != 0 {
		t0 = refusals[res.Decision]
	}
	if c := rs.challenges; c != nil && (t0 == ResponseUnauthorized || t0 == ResponseExpiredToken) {
		w.Header()[headerWWWAuthenticate] = restChallenge(r, rs, &res)
	}
	WriteResponse(w, t0)
}

// restChallenge is the Options.Challenge value of a REST API's 401.
func restChallenge(r *http.Request, rs *routeState, res *Result) []string {
	c := rs.challenges
	switch {
	case !rs.authz.present(r):
		return c.noToken
	case res.Decision == Expired:
		return c.expired
	case res.Claims != nil && !res.Claims.HasAnyScope(rs.scopes):
		return c.scope
	}
	return c.invalid
}

// refuseBound answers the refusals of checkBinding, and the 401s of a
// route of an API declaring a ProtectedResource, with their challenges
// (challengeValues), in the API's form and gateway responses. A replay
// cache that could not answer is the server's failure, not the client's:
// 503 Service Unavailable, the answer of a server that cannot vouch for
// what it would check (Options.Unavailable), which a client may retry. It
// reports false for the other refusals, which refuse answers as without
// bindings.
func (g *Gateway) refuseBound(w http.ResponseWriter, r *http.Request, t *target, rs *routeState, res *Result) bool {
	if res.bound != nil && res.Decision == Failed {
		t.api.write(w, ResponseServiceUnavailable)
		return true
	}
	unauthorized := res.Decision == Unauthorized || res.Decision == Expired
	_, jwt := rs.authz.(*JWTAuthorizer)
	if !unauthorized || rs.authz == nil || (res.Claims != nil && res.bound == nil && (jwt || rs.http)) {
		return false // a 403 (a JWT authorizer's valid token without a scope), a failure, a Lambda authorizer's answer
	}
	hadToken := rs.authz.present(r)
	var base []string
	switch {
	case rs.http:
		base = jwtChallenge(res.why)
		if !hadToken {
			base = rs.challenges.noToken
		}
	case rs.challenges != nil:
		base = restChallenge(r, rs, res)
	}
	w.Header()[headerWWWAuthenticate] = g.challengeValues(r, t, rs, res, base)
	rt := ResponseUnauthorized
	if res.Decision == Expired && !rs.http && !jwt {
		rt = ResponseExpiredToken
	}
	t.api.write(w, rt)
	return true
}
