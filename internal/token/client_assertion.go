package token

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// Client authentication with a signed JWT, private_key_jwt (RFC 7523 §2.2
// and §3, RFC 7521 §4.2, OpenID Connect Core §9), as updated by
// draft-ietf-oauth-rfc7523bis.
//
// The request carries client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer and
// client_assertion, each once, the assertion a compact JWS of at most
// MaxAssertionBytes, and no secret: a request that presents a secret (HTTP
// Basic or client_secret) is authenticated with it and its assertion
// ignored (client_auth.go). client_id is optional (RFC 7521 §4.2: the client is the assertion's subject); when
// sent it must name the assertion's sub, else invalid_request.
//
// The assertion must be signed with an asymmetric algorithm
// (assertionAlgorithms: never none, never a MAC, so that a client's public
// key cannot be used as an HMAC secret) by one of the keys of its client's
// JWKS, inline or at its jwks_uri (client_keys.go): the key its kid names,
// or, without a kid, any key of a type that fits the algorithm, the first
// maxSignatureAttempts such keys only (client_keys.go); a key that
// declares its alg must declare this one. Its header typ, when present,
// is "JWT" or rfc7523bis's "client-authentication+jwt".
//
// Claims (RFC 7523 §3): iss and sub are both the client id; exp is
// required, not past, and at most tollgate.DefaultAssertionMaxLifetime
// ahead (so that the replay cache need remember a jti no longer than that);
// nbf and iat, when present, are not ahead of the clock by more than
// assertionClockSkew, and iat is not after exp; jti is required and
// recorded in Options.Replay as "jwt:"+client_id+":"+jti until exp: a
// second use is refused (RFC 7523 §3 item 7). Without a replay cache, or
// when it fails, the request is refused with temporarily_unavailable: an
// assertion is never accepted unchecked.
//
// Audience. RFC 7523 §3 let the client name the AS "as an intended
// audience" and suggested the token endpoint URL; rfc7523bis closes the
// attack where a client's assertion meant for one AS is replayed to
// another that its aud also names, by having clients send the AS's issuer
// identifier (RFC 8414) as the sole aud value, and the AS accept only that.
// openid-client v6 (oauth4webapi) does exactly that: aud is the issuer, as
// a string, and the header has alg and kid only. Tollgate accepts an aud
// with exactly one value, the issuer of the client's pool
// (Options.Issuer), and nothing else: not the token endpoint's URL, which
// would be built from the request's Host header and so let whoever sends
// the request choose the audience (an assertion made for another AS, its
// aud that AS's endpoint, would be accepted when sent with that AS's name
// as Host). A multi-valued aud is refused even when it names this server:
// that is the shape rfc7523bis retires.
//
// Errors. Problems of the request's shape (no or another assertion type,
// either given twice, client_id differing from sub) are invalid_request. An
// assertion that is not one (not a JWS of an allowed algorithm, too big,
// claims missing or out of time) is invalid_client with a description that
// says why: it depends on nothing stored. Everything checked against the
// client (unknown client, another method, no key that verifies the
// signature, aud, a replayed jti, a locked id, another pool's host) is the
// one errAuthFailed, so that the answer does not tell whether the client
// exists. All are 400 without a challenge: the client did not use an HTTP
// authentication scheme (RFC 6749 §5.2), as Cognito answers failures of
// credentials sent in the body.

// Parameters of client assertions (RFC 7521 §4.2).
const (
	paramClientAssertion     = "client_assertion"
	paramClientAssertionType = "client_assertion_type"
)

// ClientAssertionTypeJWT is the client_assertion_type of a JWT client
// assertion (RFC 7523 §2.2).
const ClientAssertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// MaxAssertionBytes bounds a client assertion. An assertion is a few
// hundred bytes; a big one is refused before anything is decoded.
const MaxAssertionBytes = 8 << 10

// assertionClockSkew is how far ahead of the endpoint's clock an
// assertion's iat and nbf may be: the client's clock may run a little
// fast.
const assertionClockSkew = 5 * time.Second

// maxJTILength bounds an assertion's jti, which the replay cache keeps.
const maxJTILength = 256

// Header typ values of a client assertion.
const (
	assertionTypJWT        = "JWT"
	assertionTypClientAuth = "client-authentication+jwt" // rfc7523bis
)

// assertionAlgorithms are the JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1)
// a client assertion may be signed with: asymmetric only.
var assertionAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// Answers to assertions, which depend on nothing stored.
var (
	errAssertionType        = oauth2.InvalidRequest("client_assertion_type must be " + ClientAssertionTypeJWT + ", with a client_assertion")
	errAssertionRepeated    = oauth2.InvalidRequest("client_assertion and client_assertion_type must each be given once")
	errAssertionClientID    = oauth2.InvalidRequest("client_id differs from the sub of the client_assertion")
	errAssertionTooLarge    = oauth2.InvalidClient("the client_assertion is larger than 8 KiB")
	errAssertionMalformed   = oauth2.InvalidClient("the client_assertion is not a JWS signed with an asymmetric algorithm (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA)")
	errAssertionTyp         = oauth2.InvalidClient("the client_assertion's typ must be JWT or client-authentication+jwt")
	errAssertionClaims      = oauth2.InvalidClient("the client_assertion's claims are not a JSON object with iss, sub, aud, exp and jti")
	errAssertionSubject     = oauth2.InvalidClient("the client_assertion's iss and sub must both be the client id")
	errAssertionExpired     = oauth2.InvalidClient("the client_assertion has expired")
	errAssertionTooLong     = oauth2.InvalidClient("the client_assertion's exp is more than 5 minutes ahead")
	errAssertionNotYetValid = oauth2.InvalidClient("the client_assertion's nbf or iat is in the future")
	errReplayUnavailable    = &oauth2.Error{
		Code:        "temporarily_unavailable",
		Description: "the server cannot check this request for replays; try again later",
		Status:      http.StatusServiceUnavailable,
	}
)

// Causes of errAuthFailed for assertions and certificates, for the log.
var (
	errWrongMethod       error = causeError("the client does not authenticate with this method")
	errNoMatchingKey     error = causeError("no key of the client verifies the client_assertion")
	errAssertionAudience error = causeError("the client_assertion's aud is not the issuer of the client's pool")
	errAssertionReplayed error = causeError("the client_assertion's jti was used before")
)

// assertionClaims are the claims of a client assertion that Tollgate
// checks (RFC 7523 §3). Times are JSON numbers (RFC 7519 §2 NumericDate).
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud bearer.Audience `json:"aud"`
	Exp *float64        `json:"exp"`
	Nbf *float64        `json:"nbf"`
	Iat *float64        `json:"iat"`
	Jti string          `json:"jti"`
}

// assertion is a client assertion parsed, its signature not yet verified.
type assertion struct {
	jws    *jose.JSONWebSignature
	kid    string
	alg    jose.SignatureAlgorithm
	claims assertionClaims
	exp    time.Time
}

// parseAssertion parses a client assertion and checks what depends on it
// alone: its size, that it is a compact JWS of an allowed algorithm, its
// typ, that its claims are an object with iss == sub, aud, exp and jti.
// Its signature is not verified: the key is its client's.
func parseAssertion(s string) (*assertion, error) {
	if len(s) > MaxAssertionBytes {
		return nil, errAssertionTooLarge
	}
	jws, err := jose.ParseSignedCompact(s, assertionAlgorithms)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errAssertionMalformed
	}
	h := jws.Signatures[0].Protected
	if typ, ok := h.ExtraHeaders[jose.HeaderType]; ok {
		if t, _ := typ.(string); !strings.EqualFold(t, assertionTypJWT) && !strings.EqualFold(t, assertionTypClientAuth) &&
			!strings.EqualFold(t, "application/"+assertionTypClientAuth) {
			return nil, errAssertionTyp
		}
	}
	a := &assertion{jws: jws, kid: h.KeyID, alg: jose.SignatureAlgorithm(h.Algorithm)}
	payload := jws.UnsafePayloadWithoutVerification()
	if len(payload) == 0 || payload[0] != '{' {
		return nil, errAssertionClaims
	}
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&a.claims); err != nil {
		return nil, errAssertionClaims
	}
	c := &a.claims
	if c.Exp == nil || len(c.Aud) == 0 || c.Jti == "" || len(c.Jti) > maxJTILength {
		return nil, errAssertionClaims
	}
	if c.Sub == "" || c.Iss != c.Sub {
		return nil, errAssertionSubject
	}
	exp, ok := numericDate(*c.Exp)
	if !ok {
		return nil, errAssertionClaims
	}
	a.exp = exp
	for _, t := range []*float64{c.Nbf, c.Iat} {
		if t != nil {
			if _, ok := numericDate(*t); !ok {
				return nil, errAssertionClaims
			}
		}
	}
	return a, nil
}

// numericDate converts a NumericDate (RFC 7519 §2), refusing values that
// are not finite or beyond any sane time.
func numericDate(v float64) (time.Time, bool) {
	if math.IsNaN(v) || v < 0 || v > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// checkTimes checks exp, nbf and iat against now.
func (a *assertion) checkTimes(now time.Time) error {
	if !now.Before(a.exp) {
		return errAssertionExpired
	}
	if a.exp.Sub(now) > tollgate.DefaultAssertionMaxLifetime {
		return errAssertionTooLong
	}
	ahead := now.Add(assertionClockSkew)
	if a.claims.Nbf != nil {
		if nbf, _ := numericDate(*a.claims.Nbf); nbf.After(ahead) {
			return errAssertionNotYetValid
		}
	}
	if a.claims.Iat != nil {
		if iat, _ := numericDate(*a.claims.Iat); iat.After(ahead) || iat.After(a.exp) {
			return errAssertionNotYetValid
		}
	}
	return nil
}

// authenticateAssertion authenticates a client with a JWT assertion
// (private_key_jwt). See the comment at the top of this file.
func (e *Endpoint) authenticateAssertion(ctx context.Context, r *http.Request, f form) (*tollgate.Client, clientRef, error) {
	bodyID := f[oauth2.ParamClientID]
	if f[paramClientAssertionType] != ClientAssertionTypeJWT || f[paramClientAssertion] == "" {
		return nil, presentedID(bodyID), errAssertionType
	}
	if f.repeated(paramClientAssertion) || f.repeated(paramClientAssertionType) {
		return nil, presentedID(bodyID), errAssertionRepeated
	}
	a, err := parseAssertion(f[paramClientAssertion])
	if err != nil {
		return nil, presentedID(bodyID), err
	}
	id := a.claims.Sub
	if bodyID != "" && bodyID != id {
		return nil, presentedID(bodyID), errAssertionClientID
	}
	if err := a.checkTimes(e.now()); err != nil {
		return nil, presentedID(id), err
	}

	lock, err := e.lockState(ctx, r, id)
	if err != nil {
		return nil, presentedID(id), err
	}
	client, err := e.lookupClient(ctx, id)
	if err != nil {
		return nil, presentedID(id), err
	}
	var cause error
	switch {
	case client == nil:
		return nil, presentedID(id), errAuthFailed.WithCause(errUnknownClient)
	case lock.locked:
		return nil, foundID(id), errAuthFailed.WithCause(errLockedOut)
	case client.OAuth.AuthMethod != tollgate.AuthPrivateKeyJWT:
		cause = errWrongMethod
	default:
		cause = e.verifyAssertion(ctx, r, a, client)
	}
	if cause == nil && lock.onPoolHost && lock.hostPool != client.PoolID {
		// Signed by the client's key: refused, but it guessed nothing, so
		// not counted (limits.go).
		return nil, foundID(id), errAuthFailed.WithCause(&otherPoolError{host: lock.hostPool, client: client.PoolID})
	}
	if cause != nil {
		return nil, foundID(id), errAuthFailed.WithCause(e.countFailure(client, lock, cause))
	}
	// Recorded last, once everything else holds, so that a refused
	// assertion does not use up its jti.
	if err := e.useJTI(ctx, "jwt:"+client.ID+":"+a.claims.Jti, a.exp); err != nil {
		if errors.Is(err, errAssertionReplayed) {
			return nil, foundID(id), errAuthFailed.WithCause(e.countFailure(client, lock, err))
		}
		return nil, foundID(id), err
	}
	return client, foundID(id), nil
}

// verifyAssertion checks the assertion's signature with the client's keys
// and its aud. It returns the cause of a failure, nil when it holds.
func (e *Endpoint) verifyAssertion(ctx context.Context, r *http.Request, a *assertion, client *tollgate.Client) error {
	set, _, err := e.keySets.keys(ctx, client, a.kid)
	if err != nil {
		return err
	}
	verified, attempts := false, 0
	for i := range set.Keys {
		k := &set.Keys[i]
		if a.kid != "" && k.KeyID != a.kid {
			continue
		}
		if (k.Algorithm != "" && k.Algorithm != string(a.alg)) || !keyFits(k.Key, a.alg) {
			continue
		}
		if attempts++; attempts > maxSignatureAttempts {
			break
		}
		if _, err := a.jws.Verify(k.Key); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return errNoMatchingKey
	}
	if len(a.claims.Aud) != 1 {
		return errAssertionAudience
	}
	if a.claims.Aud[0] != e.opts.Issuer(r, client.PoolID) {
		return errAssertionAudience
	}
	return nil
}

// keyFits reports whether key is of the type alg signs with (RFC 7518
// §3.1, RFC 8037 §3.1), and for ECDSA of its curve.
func keyFits(key any, alg jose.SignatureAlgorithm) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return k.Curve == elliptic.P256()
		case jose.ES384:
			return k.Curve == elliptic.P384()
		case jose.ES512:
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// useJTI records a one-time identifier in the replay cache until exp.
// errAssertionReplayed when it was used before; temporarily_unavailable
// when there is no cache or it fails (never accepted unchecked).
func (e *Endpoint) useJTI(ctx context.Context, key string, exp time.Time) error {
	if e.opts.Replay == nil {
		return errReplayUnavailable.WithCause(errors.New("no replay cache is configured"))
	}
	fresh, err := e.opts.Replay.Use(ctx, key, exp)
	switch {
	case err != nil:
		return errReplayUnavailable.WithCause(err)
	case !fresh:
		return errAssertionReplayed
	}
	return nil
}

// lookupClient finds a client by id: nil when there is none. A Clients
// cache (Syncer) that misses is brought up to date and asked again: the
// client may have been added a moment ago by another process.
func (e *Endpoint) lookupClient(ctx context.Context, id string) (*tollgate.Client, error) {
	if !validClientID(id) {
		return nil, nil
	}
	get := func() (*tollgate.Client, error) {
		c, err := e.opts.Clients.GetClient(ctx, id)
		switch {
		case err == nil:
			return c, nil
		case tollgate.IsNotFound(err):
			return nil, nil
		}
		return nil, oauth2.ServerError().WithCause(&lookupError{err: err, id: id})
	}
	c, err := get()
	if c != nil || err != nil {
		return c, err
	}
	if s, isCache := e.opts.Clients.(Syncer); isCache {
		if err := s.Sync(ctx); err != nil {
			return nil, oauth2.ServerError().WithCause(err)
		}
		return get()
	}
	return nil, nil
}
