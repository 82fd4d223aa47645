package gateway

// What an HTTP API's authorizers (API Gateway v2; contract apigw-beyond.md
// §4.3, §4.4) answer differently from a REST API's, on the same
// authorizers, cache and verification: the www-authenticate header of a
// JWT authorizer's refusals, the answers in an HTTP API's form, and a
// Lambda REQUEST authorizer's $context sources, answer and settings.

import (
	"errors"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/bearer"
)

// httpJWTAlgorithms are the algorithms an HTTP API's JWT authorizer
// accepts, which it does not configure: "Currently, only RSA-based
// algorithms are supported" (http-api-jwt-authorizer.html, step 3; contract
// §4.3 "RSA only"); an ES256 token is refused with "signing method ES256 is
// invalid" (a user's capture, code-index file 55619222399).
var httpJWTAlgorithms = []string{"RS256", "RS384", "RS512"}

// refusalKind classifies why a JWT authorizer refused a token, for the
// error_description of an HTTP API's www-authenticate header.
type refusalKind uint8

// Refusal kinds. The zero value is a token refused for its claims.
const (
	refusedClaims refusalKind = iota
	refusedNoToken
	refusedSegments
	refusedMalformed
	refusedAlg        // an alg of jwsAlgorithms not allowed: refusal.alg names it
	refusedAlgUnknown // an alg that is no JWS algorithm
	refusedSignature
	refusedKid
	refusedIssuer
	refusedAudience
	refusedExpired
	refusedNotYet
	refusedIssuedLater
	numRefusalKinds
)

// refusal is a refusalKind, with the index in jwsAlgorithms of the alg of
// a refusedAlg.
type refusal struct {
	kind refusalKind
	alg  uint8
}

// jwsAlgorithms are the JWS algorithm names (RFC 7518 §3.1, RFC 8037 §3.1)
// a refusedAlg's description names: only these fixed texts, never the
// caller's bytes, reach the header.
var jwsAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA", "none"}

// refusalDescriptions are the error_description of each refusal kind.
// AWS documents one ("the token does not have a valid audience",
// http-api-troubleshooting-jwt.html); captures show others worded as
// github.com/golang-jwt/jwt's errors ("token contains an invalid number of
// segments" for "Bearer not-a-token", code-index file 66745600351;
// "signing method ES256 is invalid", file 55619222399) and an access log's
// "issuer does not match" (file 68871343232). Tollgate therefore words the
// unrecorded ones as golang-jwt (v4) does: "token is expired", "token is
// not valid yet", "token used before issued", "signing method (alg) is
// unavailable.", "crypto/rsa: verification error"; "token is malformed",
// "token has invalid claims" and the kid's are its own choice (the
// contract, §5 item 8, lists them as unverified).
var refusalDescriptions = [numRefusalKinds]string{
	refusedClaims:      "token has invalid claims",
	refusedSegments:    "token contains an invalid number of segments",
	refusedMalformed:   "token is malformed",
	refusedAlgUnknown:  "signing method (alg) is unavailable.",
	refusedSignature:   "crypto/rsa: verification error",
	refusedKid:         "the token's kid is not one of the issuer's keys",
	refusedIssuer:      "issuer does not match",
	refusedAudience:    "the token does not have a valid audience",
	refusedExpired:     "token is expired",
	refusedNotYet:      "token is not valid yet",
	refusedIssuedLater: "token used before issued",
}

// invalidTokenChallenge is an HTTP API's www-authenticate value for an
// invalid token, as http-api-troubleshooting-jwt.html shows it: scope
// empty, the parameters separated by spaces (not RFC 6750's commas).
func invalidTokenChallenge(description string) []string {
	return []string{`Bearer scope="" error="invalid_token" error_description="` + description + `"`}
}

// jwtChallenges are the www-authenticate values of the refusal kinds, and
// algChallenges those of refusedAlg by jwsAlgorithms index, built once: a
// refusal costs no formatting. A request without a token gets "Bearer"
// alone (a capture: code-index file 66745600351, "no token | 401,
// www-authenticate: Bearer").
var jwtChallenges, algChallenges = func() (k [numRefusalKinds][]string, a [][]string) {
	for i, d := range refusalDescriptions {
		k[i] = invalidTokenChallenge(d)
	}
	k[refusedNoToken] = []string{"Bearer"}
	for _, alg := range jwsAlgorithms {
		a = append(a, invalidTokenChallenge("signing method "+alg+" is invalid"))
	}
	return k, a
}()

// jwtChallenge returns the www-authenticate value of a refused token.
func jwtChallenge(why refusal) []string {
	if why.kind == refusedAlg && int(why.alg) < len(algChallenges) {
		return algChallenges[why.alg]
	}
	if why.kind < numRefusalKinds {
		return jwtChallenges[why.kind]
	}
	return jwtChallenges[refusedClaims]
}

// scopeChallenge is an HTTP API's www-authenticate value for a valid token
// without a scope of the route: `Bearer scope="A B"
// error="insufficient_scope" error_description="expected scopes: [A B]"`
// (a capture of 2024-06-16, code-index file 21323955638).
func scopeChallenge(scopes []string) []string {
	list := strings.Join(scopes, " ")
	return []string{`Bearer scope="` + list + `" error="insufficient_scope" error_description="expected scopes: [` + list + `]"`}
}

// newHTTPChallenges are the www-authenticate values of an HTTP API's JWT
// route: always sent, whatever Options.Challenge (contract §4.3). Only
// noToken and scope are per route; the invalid tokens' come from
// jwtChallenge.
func newHTTPChallenges(scopes []string) *challenges {
	return &challenges{noToken: jwtChallenges[refusedNoToken], scope: scopeChallenge(scopes)}
}

// classifyJWT returns the refusal kind of a token JWTAuthorizer.verify
// refused with err (bearer.VerifyJWT's error); algs are the algorithms it
// allows.
func classifyJWT(tok string, err error, algs []string) refusal {
	if errors.Is(err, bearer.ErrExpired) {
		return refusal{kind: refusedExpired}
	}
	var be *bearer.Error
	if !errors.As(err, &be) {
		return refusal{kind: refusedMalformed}
	}
	r := be.Reason
	switch {
	case r == "not a JWS in compact serialization", r == "token longer than MaxTokenSize":
		return malformed(tok, algs)
	case strings.HasPrefix(r, "parse: "):
		return algRefusal(tok, algs)
	case strings.HasPrefix(r, "signature: "), strings.HasPrefix(r, "alg "), strings.HasPrefix(r, "the key of its kid"):
		return refusal{kind: refusedSignature}
	case r == "no kid", bearer.UnknownKid(err):
		return refusal{kind: refusedKid}
	case strings.HasPrefix(r, "iss "):
		return refusal{kind: refusedIssuer}
	case strings.HasPrefix(r, "aud "), strings.HasPrefix(r, "no aud"):
		return refusal{kind: refusedAudience}
	case r == "nbf is in the future":
		return refusal{kind: refusedNotYet}
	case r == "iat is in the future":
		return refusal{kind: refusedIssuedLater}
	}
	return refusal{kind: refusedClaims}
}

// malformed is the refusal of a token that is no compact JWS, or whose iss
// cannot be read: golang-jwt's segment count, else its alg's refusal as
// golang-jwt checks it before the rest (an unsecured "x.y." included).
func malformed(tok string, algs []string) refusal {
	if strings.Count(tok, ".") != 2 {
		return refusal{kind: refusedSegments}
	}
	return algRefusal(tok, algs)
}

// algRefusal is the refusal of a token whose header go-jose would not
// parse with the allowed algorithms algs: its alg, when it is a JWS
// algorithm not allowed; else an unknown alg, or a malformed token.
func algRefusal(tok string, algs []string) refusal {
	var h struct {
		Alg any `json:"alg"`
	}
	if !peekSegment(tok, 0, &h) {
		return refusal{kind: refusedMalformed}
	}
	alg, ok := h.Alg.(string)
	if !ok || slices.Contains(algs, alg) {
		return refusal{kind: refusedMalformed}
	}
	if i := slices.Index(jwsAlgorithms, alg); i >= 0 {
		return refusal{kind: refusedAlg, alg: uint8(i)} //nolint:gosec // fewer than 256 algorithms
	}
	return refusal{kind: refusedAlgUnknown}
}

// httpRefusals are the answers of an HTTP API's refusing decisions: 401
// {"message":"Unauthorized"}, 403 {"message":"Forbidden"} for a Lambda
// authorizer's deny, and 500 {"message":"Internal Server Error"} for an
// authorizer that failed (contract §4.4, §4.5's error table).
var httpRefusals = [...]ResponseType{
	Unauthorized:  ResponseUnauthorized,
	Expired:       ResponseUnauthorized,
	Failed:        ResponseAuthorizerFailure,
	Denied:        ResponseForbidden,
	ExplicitDeny:  ResponseForbidden,
	Misconfigured: ResponseAuthorizerFailure,
	URITooLong:    ResponseAuthorizerFailure,
}

// refuseHTTP answers a request an HTTP API's authorizer refused. A JWT
// authorizer's refusals carry the www-authenticate header AWS sends:
// insufficient_scope on the 403 of a valid token without a scope of the
// route, invalid_token (or "Bearer" alone, with no token) on the 401.
func refuseHTTP(w http.ResponseWriter, rs *routeState, res *Result) {
	t := ResponseAuthorizerFailure
	if int(res.Decision) < len(httpRefusals) && httpRefusals[res.Decision] != 0 {
		t = httpRefusals[res.Decision]
	}
	if rs.authz != nil && res.Decision != Failed {
		c := rs.challenges
		switch {
		case res.Claims != nil:
			t = ResponseForbidden
			if c != nil {
				w.Header()[headerWWWAuthenticate] = c.scope
			}
		default:
			w.Header()[headerWWWAuthenticate] = jwtChallenge(res.why)
		}
	}
	WriteHTTPResponse(w, t)
}

// httpContextValue is the $context variable name (apigw.HTTPContextSources)
// of a request to an HTTP API: routeKey the route's key, path the path as
// sent (http-api-logging-variables.md: "$context.path The request path.
// For example, /{stage}/root/child"), the others as a REST API's.
func httpContextValue(r *http.Request, inv *Invocation, name string) string {
	switch name {
	case "routeKey":
		return inv.RouteKey
	case "path":
		return inv.RawPath
	}
	return contextValue(r, inv, name)
}

// forHTTP completes a, the authorizer decl declares, as an HTTP API's.
func (a *LambdaAuthorizer) forHTTP(decl *tollgate.Authorizer, opts LambdaAuthorizerOptions) (*LambdaAuthorizer, error) {
	fail := func(why string) (*LambdaAuthorizer, error) {
		return nil, errors.New("authorizer " + decl.Name + ": " + why)
	}
	switch {
	case a.kind != tollgate.AuthorizerRequest:
		return fail("an HTTP API's Lambda authorizer is a REQUEST authorizer, not " + string(a.kind))
	case opts.HTTPEvent == nil:
		return fail("no HTTP API authorizer event builder")
	case decl.PayloadFormatVersion != "1.0" && decl.PayloadFormatVersion != "2.0":
		return fail("payload format version " + strconv.Quote(decl.PayloadFormatVersion) + " is not 1.0 or 2.0")
	case decl.SimpleResponses && decl.PayloadFormatVersion != "2.0":
		return fail("simple responses need payload format version 2.0")
	}
	a.http, a.httpEvent, a.version, a.simple = true, opts.HTTPEvent, decl.PayloadFormatVersion, decl.SimpleResponses
	a.timeout = tollgate.HTTPLambdaAuthorizerTimeout
	// Every source is required, whether results are cached or not: a
	// missing or empty one is a 401, the function not invoked
	// (http-api-lambda-authorizer.html).
	a.contextValue, a.required, a.arnName = httpContextValue, true, "routeArn"
	a.buildEvent = a.httpRequestEvent
	a.parse = func(payload []byte) (*AuthorizerOutput, error) { return ParseHTTPAuthorizerOutput(payload, a.version) }
	if a.simple {
		a.parse = ParseSimpleAuthorizerOutput
	}
	for _, s := range decl.IdentitySources {
		k, name, ok := apigw.ParseHTTPIdentitySource(s)
		if !ok {
			return fail(strconv.Quote(s) + " is not an HTTP API identity source")
		}
		if k == apigw.SourceHeader {
			name = textproto.CanonicalMIMEHeaderKey(name)
		}
		a.sources = append(a.sources, identitySource{k, name})
	}
	if a.ttl > 0 && len(a.sources) == 0 {
		return fail("caches its results but has no identity source")
	}
	return a, nil
}

// decidesEveryRouteAlike reports whether a Lambda authorizer gives one
// request the same decision whichever route serves it: a TOKEN
// authorizer, whose event is the token and the methodArn and whose policy
// is evaluated against every form of the request's path. A REQUEST
// authorizer's event tells the function the route (resource, routeKey).
func (a *LambdaAuthorizer) decidesEveryRouteAlike() bool { return a.kind == tollgate.AuthorizerToken }
