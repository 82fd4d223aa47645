package bearer

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// JWTKey is a verification key of an issuer, as its JWKS publishes it: an
// *rsa.PublicKey or an *ecdsa.PublicKey, and the alg the JWK pins ("" when
// it pins none; RFC 7517 §4.4).
type JWTKey struct {
	Key crypto.PublicKey
	Alg string
}

// JWTKeySet gives an issuer's verification key for a kid. JWTKeys
// implements it, and so does Keys (RS256 keys), so that a local pool's keys
// verify with VerifyJWT as they are.
type JWTKeySet interface {
	JWTKey(kid string) (JWTKey, bool)
}

// JWTKeys is a JWTKeySet held in a map by kid.
type JWTKeys map[string]JWTKey

// JWTKey returns the key with the given kid.
func (k JWTKeys) JWTKey(kid string) (JWTKey, bool) {
	key, ok := k[kid]
	return key, ok && key.Key != nil
}

// JWTKey returns the RSA key with the given kid, pinned to RS256: the only
// algorithm Tollgate signs with.
func (k Keys) JWTKey(kid string) (JWTKey, bool) {
	pub, ok := k.Key(kid)
	if !ok {
		return JWTKey{}, false
	}
	return JWTKey{Key: pub, Alg: string(jose.RS256)}, true
}

// JWTAlgorithms are the algorithms a JWT authorizer may allow
// (API_JwtConfigurationInput's defaultAlgorithms): RSA PKCS #1 v1.5 and
// ECDSA, never "none", HMAC or RSA-PSS.
var JWTAlgorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}

// ClaimRule is a JWT authorizer's additional claim (API_JwtAdditionalClaim,
// format SINGLE_STRING): a top-level claim that, when present, must be a
// string equal, case-sensitively, to one of Values (any string when Values
// is empty), and that must be present when Required.
type ClaimRule struct {
	Name     string
	Values   []string
	Required bool
}

// ExpectJWT is what VerifyJWT requires of a token beyond its signature: the
// checks of a JWT authorizer of one issuer.
type ExpectJWT struct {
	// Algorithms is the allow-list of the token's alg, from JWTAlgorithms;
	// other names are ignored. Empty allows none: every token is invalid.
	Algorithms []string
	// Issuer is the exact iss, trailing slash included.
	Issuer string
	// Audiences: aud must hold one of them or, when the token has no aud,
	// client_id must be one of them (API Gateway's rule, see VerifyJWT).
	// Empty accepts no token.
	Audiences []string
	// Claims are the additional claims' rules.
	Claims []ClaimRule
	// Leeway is the clock skew allowed on exp, nbf and iat; zero allows
	// none.
	Leeway time.Duration
	// Now returns the current time; it defaults to time.Now.
	Now func() time.Time
}

// JWTClaims are the claims of a token VerifyJWT accepted. The embedded
// Claims hold the string claims both kinds of token share (sub, iss,
// client_id, jti, token_use when they are strings), exp and iat in whole
// seconds, Scope, and Raw, the payload as signed. Scope is the scope claim,
// or, when the token has no scope string, the scopes of its scp claim (a
// string or an array) or of a scope array, joined by spaces: so
// Claims.HasAnyScope checks API Gateway's "scope or scp" rule.
type JWTClaims struct {
	Claims
	// Aud is the aud claim, one string or an array of them.
	Aud []string
	// Alg is the verified token's alg.
	Alg string

	m map[string]json.RawMessage // the claims, while VerifyJWT checks them
}

// VerifyJWT checks a token as API Gateway's JWT authorizers do
// (rest-api-jwt-authorizer.html, http-api-jwt-authorizer.html) and returns
// its claims:
//
//   - the JWS compact serialization only, at most MaxTokenSize bytes;
//   - alg in want.Algorithms (RFC 8725 §3.1: never the token's choice
//     beyond the allow-list; "none" and HS* never); no "crit" header
//     (RFC 7515 §4.1.11: Tollgate understands no extension);
//   - a kid naming a key of keys, whose type fits the alg (RSA for RS*,
//     ECDSA on the alg's curve for ES*: RFC 7518 §3.4) and whose JWK alg, if
//     any, is the token's; then the signature;
//   - iss exactly want.Issuer;
//   - aud holding one of want.Audiences; a token without aud passes if its
//     client_id is one of them (http-api-troubleshooting-jwt.html: "API
//     Gateway validates client_id only if aud is not present"), which is
//     how Cognito access tokens, which carry no aud, pass;
//   - exp present and ahead (ErrExpired otherwise); nbf and iat, when
//     present, not ahead (by no more than want.Leeway: unlike Verify,
//     there is no IssuedSkew);
//   - want.Claims;
//   - every claim read by its exact name, and no claim name twice (see
//     Verify).
//
// There is no token_use check: an ID token passes unless scopes are
// required (http-api-jwt-authorizer.html). Scopes are the caller's to check
// (Claims.HasAnyScope). On failure the error wraps ErrExpired or
// ErrInvalid, with a reason as Verify's (see Error).
func VerifyJWT(token string, keys JWTKeySet, want ExpectJWT) (*JWTClaims, error) {
	if len(token) > MaxTokenSize {
		return nil, invalid("token longer than MaxTokenSize")
	}
	if !compactShape(token) {
		return nil, invalid("not a JWS in compact serialization")
	}
	if want.Issuer == "" {
		return nil, invalid("no issuer configured")
	}
	var buf [6]jose.SignatureAlgorithm
	algs := buf[:0]
	for _, a := range want.Algorithms {
		if slices.Contains(JWTAlgorithms, a) && !slices.Contains(algs, jose.SignatureAlgorithm(a)) {
			algs = append(algs, jose.SignatureAlgorithm(a))
		}
	}
	if len(algs) == 0 {
		return nil, invalid("no algorithm allowed")
	}
	raw, alg, err := verifyJWTSignature(token, keys, algs)
	if err != nil {
		return nil, err
	}
	c, err := decodeJWTClaims(raw)
	if err != nil {
		return nil, err
	}
	c.Alg = alg
	if err := want.check(c); err != nil {
		return nil, err
	}
	c.m = nil // Raw holds them; the cache keeps c
	return c, nil
}

// verifyJWTSignature checks token's header (an allowed alg, no crit, a
// kid of keys with a key of the alg's family) and its signature, and
// returns the signed payload and the alg.
func verifyJWTSignature(token string, keys JWTKeySet, algs []jose.SignatureAlgorithm) ([]byte, string, error) {
	jws, err := jose.ParseSignedCompact(token, algs)
	if err != nil {
		return nil, "", invalid("parse: " + err.Error())
	}
	if len(jws.Signatures) != 1 {
		return nil, "", invalid("not exactly one signature")
	}
	h := jws.Signatures[0].Header
	if _, ok := h.ExtraHeaders["crit"]; ok {
		return nil, "", invalid("crit header")
	}
	if h.KeyID == "" {
		return nil, "", invalid("no kid")
	}
	key, ok := keys.JWTKey(h.KeyID)
	if !ok {
		return nil, "", unknownKid(h.KeyID)
	}
	// h.Algorithm is one of algs, ParseSignedCompact saw to it: a fixed
	// text, safe to log.
	if key.Alg != "" && key.Alg != h.Algorithm {
		return nil, "", invalid("alg " + h.Algorithm + " is not the alg of the key of its kid")
	}
	if !keyFits(key.Key, h.Algorithm) {
		return nil, "", invalid("the key of its kid is not a key for " + h.Algorithm)
	}
	raw, err := jws.Verify(key.Key)
	if err != nil {
		return nil, "", invalid("signature: " + err.Error())
	}
	return raw, h.Algorithm, nil
}

// keyFits reports whether key is of the type alg needs: RSA of at least
// 2048 bits for RS* (RFC 7518 §3.3), ECDSA on the alg's curve for ES*
// (§3.4).
func keyFits(key crypto.PublicKey, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") && k.N != nil && k.N.BitLen() >= 2048
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return k.Curve == elliptic.P256()
		case "ES384":
			return k.Curve == elliptic.P384()
		case "ES512":
			return k.Curve == elliptic.P521()
		}
	}
	return false
}

// decodeJWTClaims decodes a verified payload. Claims of an unexpected JSON
// type make the token invalid when VerifyJWT reads them (iss, exp, nbf,
// iat, aud, scope, scp), and are otherwise passed through untouched in Raw.
func decodeJWTClaims(raw []byte) (*JWTClaims, error) {
	m, err := claimMembers(raw)
	if err != nil {
		return nil, err
	}
	c := &JWTClaims{}
	c.Raw = raw
	c.m = m
	for _, f := range []struct {
		name string
		dst  *string
	}{{"iss", &c.Iss}, {"sub", &c.Sub}, {"client_id", &c.ClientID}, {"jti", &c.JTI}, {"token_use", &c.TokenUse}} {
		if v, ok := m[f.name]; ok && json.Unmarshal(v, f.dst) != nil {
			if f.name == "iss" {
				return nil, invalid("iss is not a string")
			}
			*f.dst = ""
		}
	}
	if c.Exp, err = numericDate(m, "exp"); err != nil {
		return nil, err
	}
	if c.Iat, err = numericDate(m, "iat"); err != nil {
		return nil, err
	}
	if c.Aud, _, err = stringOrArray(m, "aud"); err != nil {
		return nil, err
	}
	c.Claims.Aud = c.Aud
	if v, ok := m["cnf"]; ok && string(v) != "null" {
		// A sender-constrained token's confirmation (RFC 7800 §3.1),
		// which the gateway checks (RFC 9449 §6.1, RFC 8705 §3.1).
		c.Cnf = new(Confirmation)
		if json.Unmarshal(v, c.Cnf) != nil {
			return nil, invalid("cnf is not an object of string members")
		}
	}
	// The scope claim, else scp; each a string of space-separated scopes
	// (RFC 6749 §3.3, RFC 8693 §4.2) or, as some issuers write them, an
	// array of scopes.
	for _, name := range [...]string{"scope", "scp"} {
		s, one, err := stringOrArray(m, name)
		if err != nil {
			return nil, err
		}
		if one {
			c.Scope = s[0]
		} else {
			c.Scope = joinScopes(s)
		}
		if c.Scope != "" {
			break
		}
	}
	return c, nil
}

// joinScopes joins an array of scopes. An element holding white space is
// not a scope (RFC 6749 §3.3) and is dropped, so that ["a b"] cannot grant
// "a".
func joinScopes(s []string) string {
	var b strings.Builder
	for _, v := range s {
		if v == "" || strings.ContainsAny(v, " \t") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v)
	}
	return b.String()
}

// numericDate reads a NumericDate claim (RFC 7519 §2: a JSON number of
// seconds, possibly fractional), truncated to whole seconds; 0 when absent.
func numericDate(m map[string]json.RawMessage, name string) (int64, error) {
	v, ok := m[name]
	if !ok {
		return 0, nil
	}
	var f float64
	if json.Unmarshal(v, &f) != nil || math.IsNaN(f) || f < 1 || f > 1<<53 {
		return 0, invalid(name + " is not a NumericDate")
	}
	return int64(f), nil
}

// stringOrArray reads a claim that is one string (one is true) or an array
// of strings (aud: RFC 7519 §4.1.3); nil when absent.
func stringOrArray(m map[string]json.RawMessage, name string) (vals []string, one bool, err error) {
	v, ok := m[name]
	if !ok {
		return nil, false, nil
	}
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return nil, false, invalid(name + " is not a string or an array of strings")
		}
		return []string{s}, true, nil
	}
	var a []string
	if json.Unmarshal(v, &a) != nil || a == nil {
		return nil, false, invalid(name + " is not a string or an array of strings")
	}
	return a, false, nil
}

// check applies e's rules to verified claims.
func (e *ExpectJWT) check(c *JWTClaims) error {
	if c.Iss != e.Issuer {
		return invalid("iss " + quote(c.Iss) + " is not the issuer")
	}
	if err := e.checkAudience(c); err != nil {
		return err
	}
	for i := range e.Claims {
		if err := c.checkRule(&e.Claims[i]); err != nil {
			return err
		}
	}
	if _, ok := c.m["exp"]; !ok {
		return invalid("no exp")
	}
	nbf, err := numericDate(c.m, "nbf")
	if err != nil {
		return err
	}
	var pnbf *int64
	if nbf != 0 {
		pnbf = &nbf
	}
	// No skew on nbf and iat beyond the leeway: API Gateway documents none
	// for JWT authorizers ("exp > now, nbf < now, iat < now" and "no documented skew": contract
	// apigw-beyond.md §4.3, http-api-jwt-authorizer.html).
	x := Expect{Leeway: e.Leeway, Now: e.Now}
	return x.checkTimes(&c.Claims, pnbf, 0)
}

// checkAudience applies API Gateway's audience rule: aud decides when
// present, client_id only when aud is absent.
func (e *ExpectJWT) checkAudience(c *JWTClaims) error {
	if _, ok := c.m["aud"]; ok {
		for _, a := range c.Aud {
			if a != "" && slices.Contains(e.Audiences, a) {
				return nil
			}
		}
		return invalid("aud holds none of the audiences")
	}
	if c.ClientID != "" && slices.Contains(e.Audiences, c.ClientID) {
		return nil
	}
	return invalid("no aud, and client_id is not one of the audiences")
}

// checkRule applies one additional claim's rule.
func (c *JWTClaims) checkRule(r *ClaimRule) error {
	v, ok := c.m[r.Name]
	if !ok {
		if r.Required {
			return invalid("no " + quote(r.Name) + " claim, which is required")
		}
		return nil
	}
	// A JSON string, and only that: json.Unmarshal would take null as "".
	var s string
	if v = bytes.TrimSpace(v); len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return invalid("claim " + quote(r.Name) + " is not a single string")
	}
	if len(r.Values) > 0 && !slices.Contains(r.Values, s) {
		return invalid("claim " + quote(r.Name) + " is not an expected value")
	}
	return nil
}
