package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/jwks"
)

// KeySource gives a local pool's published public keys by kid: the keys its
// JWKS holds, each pinned to its alg (RS256, ES256 or EdDSA) and, for a pool
// issuing RFC 9068 access tokens, to typ at+jwt, so a token passes the
// gateway exactly when it verifies for any other relying party.
// internal/signer.Signer satisfies it (and caches the keys in memory); the
// map is not modified.
type KeySource interface {
	PublicKeys(ctx context.Context, poolID string) (bearer.Keys, error)
}

// Decision is an authorizer's answer.
type Decision int

// Decisions. The zero value refuses.
const (
	// Unauthorized refuses the request: 401 {"message":"Unauthorized"}.
	Unauthorized Decision = iota
	// Expired refuses a token that was valid until its exp: 401 {"message":
	// "The incoming token has expired"}.
	Expired
	// Allow lets the request through, with the token's claims.
	Allow
	// Failed means the authorizer could not decide, because a pool's keys
	// could not be read: 500, AUTHORIZER_FAILURE.
	Failed
	// Denied is a Lambda authorizer's policy that allows nothing matching
	// the request's methodArn: 403, ACCESS_DENIED.
	Denied
	// ExplicitDeny is a Lambda authorizer's policy whose Deny statement
	// matches the methodArn: 403, ACCESS_DENIED.
	ExplicitDeny
	// Misconfigured is a Lambda authorizer that failed or answered no valid
	// policy: 500, AUTHORIZER_CONFIGURATION_ERROR.
	Misconfigured
	// URITooLong refuses a request to a Lambda-authorized method whose
	// methodArn would exceed MaxMethodARNBytes: 414.
	URITooLong
)

var decisionNames = [...]string{"unauthorized", "expired", "allow", "error", "deny", "explicit_deny", "configuration_error", "uri_too_long"}

// String returns the decision's metric label: "allow", "unauthorized",
// "expired", "error", "deny", "explicit_deny", "configuration_error" or
// "uri_too_long".
func (d Decision) String() string {
	if d < 0 || int(d) >= len(decisionNames) {
		return "unknown"
	}
	return decisionNames[d]
}

// Result is what an authorizer decided, and why.
type Result struct {
	Decision Decision
	// Claims are the verified token's claims, with Allow (and with a
	// refusal that came after verification: a missing scope, a revoked
	// token).
	Claims *bearer.Claims
	// Cached tells whether the verification came from the cache.
	Cached bool
	// Reason says why a request was refused, for logs only: clients see
	// only the gateway response (contract §4.2). It holds nothing of a
	// token that was not verified: the iss read to choose the keys is
	// given by its length, and the reasons bearer words with go-jose's
	// errors, which quote the token's header, are replaced by texts of
	// the authorizer's own (refusalReason).
	Reason string

	v *verified // Claims and what derives from them, shared with the cache

	// why classifies a token's refusal for an HTTP API's
	// www-authenticate header (jwtChallenge).
	why refusal
	// bound is why checkBinding refused the token (binding.go); nil
	// otherwise.
	bound *bindRefusal

	// grant is what a Lambda authorizer allowed with (its parsed answer),
	// shared with its cache; latency how long its function took for this
	// request (0 when the answer came from the cache).
	grant   *lambdaGrant
	latency time.Duration
}

// AuthorizerOptions are what an Authorizer needs from the rest of Tollgate.
type AuthorizerOptions struct {
	// Issuer returns the iss of a local pool's tokens; required when the
	// authorizer names pools. It is called on first use, not by
	// NewAuthorizer, so that a server may build the gateway before it knows
	// its public URL.
	Issuer func(poolID string) string
	// Keys gives local pools' keys; required when the authorizer names pools.
	Keys KeySource
	// JWKS holds external issuers' keys; required when the authorizer names
	// external issuers, and it must know them.
	JWKS *jwks.Fetcher
	// Cache, if set, remembers verifications.
	Cache *Cache
	// Revoked reports whether a token's jti has been revoked (RFC 7009). It
	// is called on every request that presents a verified token, cached or
	// not, so it must be fast: an in-memory set. Nil means none is.
	Revoked func(jti string) bool
	// Now returns the current time; default time.Now.
	Now func() time.Time
}

// Authorizer is a COGNITO_USER_POOLS authorizer (contract §4.1). It is safe
// for concurrent use.
//
// A token passes when it is in the identity source header, raw or after a
// "Bearer " scheme (any case; API Gateway documents the raw token and
// accepts both in practice), and bearer.Verify accepts it with alg pinned
// to its key's (RS256, Cognito's; ES256 or EdDSA for a local pool declared
// with them), the typ its pool requires (at+jwt for a pool issuing RFC 9068
// tokens), and its iss one of the authorizer's issuers, verified with the
// keys of that issuer only: a token naming pool A's issuer is checked
// against pool A's keys, never pool B's, even when the authorizer accepts
// both. Its token_use must be "access", its exp ahead, its jti not revoked,
// and it must carry one of the method's AuthorizationScopes.
//
// A method without AuthorizationScopes wants an ID token (§4.1); Tollgate
// verifies access tokens only, so such methods refuse every request
// (config validation refuses to declare one).
type Authorizer struct {
	name string
	tokenSource
	pools    []string
	external []string
	opts     AuthorizerOptions
	ident    uint64 // the cache's number for the pools and issuers

	once    sync.Once
	issuers map[string]issuerKeys // by iss, built on first use
}

// issuerKeys says where an issuer's keys come from: a local pool, or the
// JWKS fetcher when pool is "".
type issuerKeys struct {
	pool string
}

// NewAuthorizer returns the authorizer a declares.
func NewAuthorizer(a *tollgate.Authorizer, opts AuthorizerOptions) (*Authorizer, error) {
	header, ok := identityHeader(a.IdentitySource)
	if !ok {
		return nil, errors.New("authorizer " + a.Name + ": identity source " + a.IdentitySource + " does not name a header")
	}
	if len(a.PoolIDs) == 0 && len(a.Issuers) == 0 {
		return nil, errors.New("authorizer " + a.Name + " names no user pool and no issuer")
	}
	if len(a.PoolIDs) > 0 && (opts.Issuer == nil || opts.Keys == nil) {
		return nil, errors.New("authorizer " + a.Name + ": local pools need Issuer and Keys")
	}
	for _, iss := range a.Issuers {
		if opts.JWKS == nil || !opts.JWKS.Has(iss.Issuer) {
			return nil, errors.New("authorizer " + a.Name + ": no JWKS for issuer " + iss.Issuer)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	z := &Authorizer{name: a.Name, tokenSource: tokenSource{header: header}, pools: slices.Clone(a.PoolIDs), opts: opts}
	parts := make([]string, 0, len(a.PoolIDs)+len(a.Issuers))
	for _, p := range a.PoolIDs {
		parts = append(parts, "pool "+p)
	}
	for _, iss := range a.Issuers {
		z.external = append(z.external, iss.Issuer)
		// The JWKS URL too: a reload that points the issuer at other
		// keys must not keep what the old ones verified.
		parts = append(parts, "iss "+iss.Issuer+"\x00"+iss.JWKSURL)
	}
	if opts.Cache != nil {
		slices.Sort(parts)
		z.ident = opts.Cache.identity(strings.Join(slices.Compact(parts), "\n"))
	}
	return z, nil
}

// identityHeader returns the canonical name of the header a COGNITO_USER_POOLS,
// TOKEN or JWT authorizer's identity source names (apigw.TokenHeader, the
// rule of the three); ok is false when it names no header.
func identityHeader(source string) (string, bool) {
	h, ok := apigw.TokenHeader(source)
	if !ok {
		return "", false
	}
	return textproto.CanonicalMIMEHeaderKey(h), true
}

// Name returns the authorizer's name.
func (a *Authorizer) Name() string { return a.name }

func (a *Authorizer) resolve() {
	a.issuers = make(map[string]issuerKeys, len(a.pools)+len(a.external))
	for _, iss := range a.external {
		a.issuers[iss] = issuerKeys{}
	}
	// A local pool wins over an external issuer claiming the same iss.
	for _, p := range a.pools {
		a.issuers[a.opts.Issuer(p)] = issuerKeys{pool: p}
	}
}

// Authorize decides a request from the value of its identity source header
// ("" when absent) and the method's AuthorizationScopes.
func (a *Authorizer) Authorize(ctx context.Context, header string, scopes []string) Result {
	if len(scopes) == 0 {
		return Result{Reason: "the method has no authorization scopes, so it wants an ID token, and Tollgate issues none"}
	}
	v, cached, refused := verifiedToken(ctx, header, a.opts.Cache, a.ident, a.opts.Now(), a)
	if v == nil {
		return refused
	}
	claims := v.claims
	if claims.JTI != "" && a.opts.Revoked != nil && a.opts.Revoked(claims.JTI) {
		return Result{Claims: claims, Cached: cached, Reason: reasonRevoked, v: v}
	}
	if !claims.HasAnyScope(scopes) {
		return Result{Claims: claims, Cached: cached, Reason: "token carries none of the method's authorization scopes", v: v}
	}
	return Result{Decision: Allow, Claims: claims, Cached: cached, v: v}
}

// verify checks the token with the keys of the issuer it names. It returns
// the claims, or nil and the refusal.
func (a *Authorizer) verify(ctx context.Context, tok string, now time.Time) (*bearer.Claims, Result) {
	a.once.Do(a.resolve)
	// The iss is read before verification only to choose the keys; Verify
	// then requires the signed iss to be that same issuer, so a token
	// signed by one issuer's key and naming another fails.
	iss, ok := peekIssuer(tok)
	if !ok {
		return nil, Result{Reason: "malformed token"}
	}
	src, ok := a.issuers[iss]
	if !ok {
		// iss is read before any signature is checked: the caller's bytes,
		// logged by length only.
		return nil, Result{Reason: fmt.Sprintf("iss (%d bytes) is not an issuer of the authorizer", len(iss))}
	}
	var keys bearer.KeySet
	if src.pool != "" {
		m, refused := poolKeys(ctx, a.opts.Keys, src.pool)
		if m == nil {
			return nil, refused
		}
		keys = m
	} else {
		keys = a.opts.JWKS.KeySet(ctx, iss)
	}
	claims, err := bearer.Verify(tok, keys, bearer.Expect{Issuer: iss, Now: func() time.Time { return now }})
	switch {
	case err == nil:
		return claims, Result{}
	case errors.Is(err, bearer.ErrExpired):
		return nil, Result{Decision: Expired, Reason: err.Error()}
	default:
		return nil, Result{Reason: refusalReason(tok, err)}
	}
}

// refusalReason is why bearer refused a token, as the log may show it.
// bearer words two of its reasons with go-jose's errors, which quote the
// token's header as sent, before any signature is verified ("parse: …",
// "signature: …"; see bearer.Error): anyone may send anything as a token,
// a secret pasted in the wrong place included, so those get a text of the
// authorizer's own, which gives the alg by its length. Every other reason
// is a fixed text, a length, or quotes a verified claim, and is kept.
func refusalReason(tok string, err error) string {
	var be *bearer.Error
	if !errors.As(err, &be) {
		return err.Error()
	}
	switch {
	case strings.HasPrefix(be.Reason, "parse: "):
		var h struct {
			Alg any `json:"alg"`
		}
		if peekSegment(tok, 0, &h) {
			if alg, ok := h.Alg.(string); ok && alg != "RS256" && alg != "ES256" && alg != "EdDSA" {
				return fmt.Sprintf("%v: parse: alg (%d bytes) is not RS256, ES256 or EdDSA", be.Err, len(alg))
			}
		}
		return fmt.Sprintf("%v: parse: not a compact JWS go-jose reads (a malformed header or segment)", be.Err)
	case strings.HasPrefix(be.Reason, "signature: "):
		return fmt.Sprintf("%v: signature: refused by go-jose with the key of its kid", be.Err)
	}
	return err.Error()
}

// tokenFromHeader returns the token of an identity source header: the
// whole value, or what follows a "Bearer" scheme (case-insensitive,
// RFC 9110 §11.1), without surrounding white space.
func tokenFromHeader(v string) string {
	v = strings.Trim(v, " \t")
	if len(v) > len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ") {
		v = strings.TrimLeft(v[len("Bearer "):], " \t")
	} else if hasDPoPScheme(v) {
		v = strings.TrimLeft(v[len("DPoP "):], " \t") // RFC 9449 §7.1
	}
	return v
}

// peekIssuer returns the iss claim of a compact JWS without verifying it.
func peekIssuer(tok string) (string, bool) {
	var p struct {
		Iss string `json:"iss"`
	}
	if !peekSegment(tok, 1, &p) || p.Iss == "" {
		return "", false
	}
	return p.Iss, true
}

// peekSegment decodes the JSON of a compact JWS's header (i 0) or payload
// (i 1) into v, without verifying anything. It reports whether the token
// has such a segment and it decoded.
func peekSegment(tok string, i int, v any) bool {
	header, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	seg := header
	if i == 1 {
		if seg, _, ok = strings.Cut(rest, "."); !ok {
			return false
		}
	}
	if seg == "" {
		return false
	}
	buf := make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))
	n, err := base64.RawURLEncoding.Decode(buf, []byte(seg))
	return err == nil && json.Unmarshal(buf[:n], v) == nil
}
