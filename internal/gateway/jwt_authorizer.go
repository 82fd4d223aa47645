package gateway

// The JWT authorizer: a REST API method with AuthorizationType JWT
// (rest-api-jwt-authorizer.html; contract apigw-beyond.md §1.6, which
// mirrors the HTTP API's JWT authorizer, §4.3).
//
// The token is read from the identity source header, raw or after
// "Bearer ", and verified by bearer.VerifyJWT against the authorizer's
// JwtConfiguration: one of its algorithms, the keys of the issuer its iss
// names (only that issuer's), iss exactly that issuer, aud holding one of
// the issuer's audiences (client_id when there is no aud, as for Cognito
// access tokens), exp ahead, nbf and iat not ahead, and the issuer's
// additional claims. A method's AuthorizationScopes then need one of them
// in the token's scope or scp claim; a method without scopes takes any
// valid token (rest-api-jwt-authorizer-methods.html). There is no
// token_use check and no revocation check: API Gateway's JWT authorizers
// make neither.
//
// Keys: an issuer that is a pool of this Tollgate (Options.LocalIssuer)
// is verified with the pool's keys from the KeySource, with no HTTP
// fetch; any other comes from the jwks.Fetcher, by its JWKS URL or OpenID
// discovery, fetched again (rate-bounded) on an unknown kid.
//
// Answers (the gateway's refusal mapping, writeJWTRefusal): no token, a
// malformed, forged, foreign or expired token, 401 {"message":
// "Unauthorized"} (an expired token too: the "The incoming token has
// expired" message is the Cognito authorizer's, and the JWT authorizer's
// documented answer to any invalid token is Unauthorized:
// http-api-troubleshooting-jwt.html; REST's is unrecorded, contract §1.6
// "U"); a valid token without a scope of the method, 403 {"message":
// "Forbidden"} (rest-api-jwt-authorizer-methods.html: "A valid token that
// carries none of the method's scopes receives a 403 Forbidden response");
// an issuer whose keys cannot be had (a pool's keys unreadable, a key set
// never fetched) when the token needs them (well-formed, an allowed alg, a
// kid: bearer.UnknownKid), 500 AUTHORIZER_FAILURE.
//
// Verifications are cached as the Cognito authorizer's are (the gateway's
// Cache, keyed by the token's SHA-256 and the authorizer's configuration,
// never past exp). Downstream, the Invocation's Claims are the verified
// claims; JWTClaims gives them JSON-typed, as a Lambda proxy event's
// requestContext.authorizer.claims carries them for a JWT authorizer
// (rest-api-jwt-authorizer-claims.html).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/jwks"
)

// JWTAuthorizerOptions are what a JWTAuthorizer needs from the rest of
// Tollgate.
type JWTAuthorizerOptions struct {
	// LocalIssuer returns the local pool whose tokens carry iss, if one
	// does: its keys then come from Keys. It is called on first use, not by
	// NewJWTAuthorizer (a server knows its issuer URLs only once it
	// listens). Nil means no issuer is local.
	LocalIssuer func(iss string) (poolID string, ok bool)
	// Keys gives local pools' keys; required with LocalIssuer, and for
	// issuers naming a pool (JWTIssuer.PoolID).
	Keys KeySource
	// Issuer returns a local pool's issuer URL: the iss of the tokens of
	// an issuer naming a pool (an HTTP API's HttpUserPoolAuthorizer),
	// which are verified with the pool's keys from Keys, never fetched.
	// Required for such issuers; called on first use, as LocalIssuer.
	Issuer func(poolID string) string
	// HTTP marks an HTTP API's JWT authorizer (contract §4.3): its
	// identity source is in v2's spelling, $request.header.{Name} or
	// $request.querystring.{name}, and it accepts the RSA algorithms
	// only (httpJWTAlgorithms), whatever JWT.Algorithms says.
	HTTP bool
	// JWKS holds the keys of the other issuers; it must know them all
	// (jwks.Fetcher.Has).
	JWKS *jwks.Fetcher
	// Cache, if set, remembers verifications.
	Cache *Cache
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// JWTAuthorizer is a JWT authorizer (see the top of this file). It is safe
// for concurrent use.
type JWTAuthorizer struct {
	name string
	tokenSource
	issuers map[string]*jwtIssuer
	// pooled are the issuers naming a local pool, keyed in issuers by
	// their pool's issuer URL on first use.
	pooled []*jwtIssuer
	algs   []string // the algorithms allowed
	opts   JWTAuthorizerOptions
	ident  uint64 // the cache's number for the configuration

	once sync.Once // resolves the issuers' pools
}

// jwtIssuer is one trusted issuer: its rules, and the local pool whose
// keys verify its tokens ("" for an external issuer).
type jwtIssuer struct {
	expect bearer.ExpectJWT
	pool   string
}

// NewJWTAuthorizer returns the JWT authorizer a declares.
func NewJWTAuthorizer(a *tollgate.Authorizer, opts JWTAuthorizerOptions) (*JWTAuthorizer, error) {
	fail := func(why string) (*JWTAuthorizer, error) {
		return nil, errors.New("JWT authorizer " + a.Name + ": " + why)
	}
	// A REST API's: a header, method.request.header.{name} or the bare
	// name config builds; never a query string or another source.
	header, ok := identityHeader(a.IdentitySource)
	src := tokenSource{header: header}
	algs := httpJWTAlgorithms
	switch {
	case opts.HTTP:
		if src, ok = httpTokenSource(a.IdentitySource); !ok {
			return fail("identity source " + a.IdentitySource + " is not $request.header.{name} or $request.querystring.{name}")
		}
	case !ok:
		return fail("identity source " + a.IdentitySource + " does not name a header")
	case a.JWT != nil:
		algs = a.JWT.Algorithms
	}
	switch {
	case a.JWT == nil || len(a.JWT.Issuers) == 0:
		return fail("no issuer")
	case len(algs) == 0:
		return fail("no algorithm")
	case opts.LocalIssuer != nil && opts.Keys == nil:
		return fail("local issuers need Keys")
	}
	for _, alg := range algs {
		if !slices.Contains(bearer.JWTAlgorithms, alg) {
			return fail("algorithm " + alg + " is not one of " + strings.Join(bearer.JWTAlgorithms, ", "))
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	z := &JWTAuthorizer{name: a.Name, tokenSource: src, algs: algs, issuers: make(map[string]*jwtIssuer, len(a.JWT.Issuers)), opts: opts}
	if why := z.addIssuers(a.JWT.Issuers, algs); why != "" {
		return fail(why)
	}
	if opts.Cache != nil {
		// Two authorizers share verifications only if they check the same:
		// the identity is the configuration, not the name.
		canon, err := json.Marshal(struct {
			Kind       tollgate.AuthorizerType
			JWT        *tollgate.JWTConfiguration
			Algorithms []string
		}{tollgate.AuthorizerJWT, a.JWT, algs})
		if err != nil {
			return fail(err.Error())
		}
		z.ident = opts.Cache.identity(string(canon))
	}
	return z, nil
}

// addIssuers adds the rules of the authorizer's issuers, or returns why it
// cannot: an issuer (or a pool) named twice, or newJWTIssuer's reason.
func (a *JWTAuthorizer) addIssuers(issuers []tollgate.JWTIssuer, algs []string) string {
	pools := map[string]bool{}
	for _, iss := range issuers {
		ji, why := newJWTIssuer(&iss, algs, a.opts)
		switch {
		case why != "":
			return why
		case iss.PoolID != "" && pools[iss.PoolID], iss.PoolID == "" && a.issuers[iss.Issuer] != nil:
			return "issuer " + strconv.Quote(iss.Issuer+iss.PoolID) + " is named twice"
		case iss.PoolID != "":
			pools[iss.PoolID] = true
			a.pooled = append(a.pooled, ji)
		default:
			a.issuers[iss.Issuer] = ji
		}
	}
	return ""
}

// httpTokenSource returns where an HTTP API's JWT authorizer reads its
// token: the header or query string parameter of its identity source
// ($request.header.{Name}, case-insensitive; $request.querystring.{name},
// case-sensitive: CreateAuthorizer's IdentitySource, contract §4.3). ok is
// false for any other source.
func httpTokenSource(source string) (tokenSource, bool) {
	switch k, name, ok := apigw.ParseHTTPIdentitySource(source); {
	case ok && k == apigw.SourceHeader:
		return tokenSource{header: textproto.CanonicalMIMEHeaderKey(name)}, true
	case ok && k == apigw.SourceQueryString:
		return tokenSource{query: name}, true
	}
	return tokenSource{}, false
}

// newJWTIssuer returns the rules of one issuer of a JWT authorizer, or why
// it cannot be. An issuer naming a local pool needs opts' Issuer and Keys;
// any other, a URL Tollgate fetches from and opts.JWKS knowing it.
func newJWTIssuer(iss *tollgate.JWTIssuer, algs []string, opts JWTAuthorizerOptions) (*jwtIssuer, string) {
	if iss.PoolID != "" {
		if opts.Issuer == nil || opts.Keys == nil {
			return nil, "pool " + iss.PoolID + ": local pools need Issuer and Keys"
		}
		if why := checkJWTRules(iss); why != "" {
			return nil, "pool " + iss.PoolID + ": " + why
		}
	} else {
		if why := checkJWTIssuer(iss); why != "" {
			return nil, "issuer " + strconv.Quote(iss.Issuer) + ": " + why
		}
		if opts.JWKS == nil || !opts.JWKS.Has(iss.Issuer) {
			// Even a local issuer needs it: which issuers are local is
			// known only on first use.
			return nil, "no JWKS for issuer " + iss.Issuer
		}
	}
	rules := make([]bearer.ClaimRule, len(iss.Claims))
	for i, c := range iss.Claims {
		rules[i] = bearer.ClaimRule{Name: c.Name, Values: c.ExpectedValues, Required: c.Required}
	}
	return &jwtIssuer{pool: iss.PoolID, expect: bearer.ExpectJWT{
		Algorithms: algs,
		Issuer:     iss.Issuer,
		Audiences:  iss.Audiences,
		Claims:     rules,
		// A Tollgate extension: a local pool's tokens also pass with the
		// alg their key is pinned to (ES256, EdDSA), which AWS's lists
		// (and an HTTP API's, RSA only) may lack.
		LocalPool: iss.PoolID != "",
	}}, ""
}

// reservedClaims are the claims an additional claim rule cannot name
// (API_JwtAdditionalClaim.html: "cannot be iss, aud, exp, nbf, iat, scope,
// or scp").
var reservedClaims = []string{"iss", "aud", "exp", "nbf", "iat", "scope", "scp"}

// checkJWTIssuer returns what is wrong with a JWT authorizer's issuer, or
// "": its URL must be one Tollgate fetches from (https, or http on
// loopback; apigw.CheckFetchURL) with no query (API_JwtIssuerInput.html:
// "an absolute https URL with no query string or fragment"), it needs an
// audience, and its additional claims name no reserved claim.
func checkJWTIssuer(iss *tollgate.JWTIssuer) string {
	if why := apigw.CheckFetchURL(iss.Issuer); why != "" {
		return why
	}
	if strings.Contains(iss.Issuer, "?") {
		return "a query is not allowed"
	}
	return checkJWTRules(iss)
}

// checkJWTRules returns what is wrong with the rules of a JWT authorizer's
// issuer, or "": it needs an audience, and its additional claims name no
// reserved claim.
func checkJWTRules(iss *tollgate.JWTIssuer) string {
	if len(iss.Audiences) == 0 {
		return "no audience"
	}
	for _, c := range iss.Claims {
		if c.Name == "" || slices.Contains(reservedClaims, c.Name) {
			return "additional claim " + strconv.Quote(c.Name) + " is empty or reserved"
		}
	}
	return ""
}

// JWKS returns the fetcher of the gateway's external issuers' keys: pass
// it as jwks.Options.Previous to the gateway built on a config change, so
// that it starts with the keys this one fetched.
func (g *Gateway) JWKS() *jwks.Fetcher { return g.jwks }

// Name returns the authorizer's name.
func (a *JWTAuthorizer) Name() string { return a.name }

func (a *JWTAuthorizer) resolve() {
	if a.opts.LocalIssuer != nil {
		for iss, ji := range a.issuers {
			if pool, ok := a.opts.LocalIssuer(iss); ok {
				ji.pool = pool
			}
		}
	}
	// An issuer naming a pool wins over another claiming its URL, as a
	// local pool does for the Cognito authorizer.
	for _, ji := range a.pooled {
		ji.expect.Issuer = a.opts.Issuer(ji.pool)
		a.issuers[ji.expect.Issuer] = ji
	}
}

// Authorize decides a request from the value of its identity source header
// ("" when absent) and the method's AuthorizationScopes. A valid token
// lacking every scope is refused with its Claims set: the gateway answers
// that 403, every other refusal 401 (writeJWTRefusal).
func (a *JWTAuthorizer) Authorize(ctx context.Context, header string, scopes []string) Result {
	v, cached, refused := verifiedToken(ctx, header, a.opts.Cache, a.ident, a.opts.Now(), a)
	if v == nil {
		return refused
	}
	claims := v.claims
	if len(scopes) > 0 && !claims.HasAnyScope(scopes) {
		return Result{Claims: claims, Cached: cached, Reason: "token carries none of the method's authorization scopes", v: v}
	}
	return Result{Decision: Allow, Claims: claims, Cached: cached, v: v}
}

// verify checks the token with the keys and rules of the issuer it names.
// It returns the claims, or nil and the refusal.
func (a *JWTAuthorizer) verify(ctx context.Context, tok string, now time.Time) (*bearer.Claims, Result) {
	a.once.Do(a.resolve)
	// The iss is read before verification only to choose the keys and the
	// rules; VerifyJWT then requires the signed iss to be that issuer.
	iss, ok := peekIssuer(tok)
	if !ok {
		return nil, Result{Reason: "malformed token", why: malformed(tok, a.algs)}
	}
	ji := a.issuers[iss]
	if ji == nil {
		return nil, Result{Reason: fmt.Sprintf("iss (%d bytes) is not an issuer of the authorizer", len(iss)), why: refusal{kind: refusedIssuer}}
	}
	var keys bearer.JWTKeySet
	if ji.pool != "" {
		m, refused := poolKeys(ctx, a.opts.Keys, ji.pool)
		if m == nil {
			return nil, refused
		}
		keys = m
	} else {
		keys = a.opts.JWKS.JWTKeySet(ctx, iss)
	}
	expect := ji.expect
	expect.Now = func() time.Time { return now }
	claims, err := bearer.VerifyJWT(tok, keys, expect)
	switch {
	case err == nil:
		c := claims.Claims // what the cache keeps: not the rest of JWTClaims
		return &c, Result{}
	case errors.Is(err, bearer.ErrExpired):
		return nil, Result{Decision: Expired, Reason: err.Error(), why: refusal{kind: refusedExpired}}
	case ji.pool == "" && bearer.UnknownKid(err) && !a.opts.JWKS.Loaded(iss):
		// A well-formed token of an allowed alg whose kid is unknown because
		// no key set was ever fetched: no token of the issuer can pass. That
		// is the authorizer failing, not the token. Any other refusal, a
		// forgery's, is the token's (401, logged at debug), so that junk
		// sent while the issuer is down does not flood the error log.
		return nil, Result{Decision: Failed, Reason: "no key set of issuer " + iss + " could be fetched"}
	default:
		return nil, Result{Reason: jwtRefusalReason(tok, err), why: classifyJWT(tok, err, a.algs)}
	}
}

// jwtRefusalReason is refusalReason with the alg rule of a JWT authorizer.
func jwtRefusalReason(tok string, err error) string {
	var be *bearer.Error
	if errors.As(err, &be) && strings.HasPrefix(be.Reason, "parse: ") {
		var h struct {
			Alg any `json:"alg"`
		}
		if peekSegment(tok, 0, &h) {
			if alg, ok := h.Alg.(string); ok {
				return fmt.Sprintf("%v: parse: alg (%d bytes) not allowed, or a malformed token", be.Err, len(alg))
			}
		}
	}
	return refusalReason(tok, err)
}

// writeJWTRefusal answers a request a JWT authorizer refused (a Failed
// decision excepted, which the gateway answers as for any authorizer): 403
// Forbidden for a valid token without a scope of the method, 401
// Unauthorized otherwise. With c (Options.Challenge), either carries an
// RFC 6750 §3 challenge: insufficient_scope on the 403, invalid_token on
// the 401, or none with an error code when there was no token (§3.1).
func writeJWTRefusal(w http.ResponseWriter, res Result, c *challenges, hadToken bool) {
	t := ResponseUnauthorized
	if res.Claims != nil {
		t = ResponseForbidden
	}
	if c != nil {
		v := c.invalid
		switch {
		case t == ResponseForbidden:
			v = c.scope
		case !hadToken:
			v = c.noToken
		case res.Decision == Expired:
			v = c.expired
		}
		w.Header()[headerWWWAuthenticate] = v
	}
	WriteResponse(w, t)
}

// JWTClaims returns the claims of the token a JWT authorizer allowed, as
// signed: JSON-typed, numbers as numbers and arrays as arrays, as API
// Gateway puts them in a Lambda proxy event's requestContext.authorizer.
// claims for a JWT authorizer (rest-api-jwt-authorizer-claims.html;
// contract §1.6 "Claims downstream"), where a Cognito authorizer's are
// strings (ClaimStrings). It is nil for a method without a JWT authorizer.
func (inv *Invocation) JWTClaims() json.RawMessage {
	if inv.Claims == nil || inv.Route == nil || inv.Route.Authorizer == nil || inv.Route.Authorizer.Kind() != tollgate.AuthorizerJWT {
		return nil
	}
	return inv.Claims.Raw
}
