package dpop

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Limits of a proof.
const (
	// MaxProofSize bounds a DPoP header value: a proof with an RSA 4096
	// key is about 1.5 KiB.
	MaxProofSize = 8 << 10
	// MaxJTISize bounds jti (RFC 9449 §4.2 asks for at least 96 bits of
	// randomness; 256 bytes leaves room for any encoding of it).
	MaxJTISize = 256
	// DefaultMaxAge is how old a proof's iat may be when MaxAge is zero.
	DefaultMaxAge = 60 * time.Second
	// minRSABits is the smallest RSA key accepted (RFC 7518 §3.3).
	minRSABits = 2048
)

// TypeProof is the typ header of a DPoP proof (RFC 9449 §4.2).
const TypeProof = "dpop+jwt"

// asymmetric are the algorithms a proof may use, and the key each needs:
// RFC 9449 §4.2 forbids none and MACs.
var asymmetric = map[string]func(any) bool{
	"RS256": rsaKey, "RS384": rsaKey, "RS512": rsaKey,
	"PS256": rsaKey, "PS384": rsaKey, "PS512": rsaKey,
	"ES256": ecKey(elliptic.P256()), "ES384": ecKey(elliptic.P384()), "ES512": ecKey(elliptic.P521()),
	"EdDSA": func(k any) bool { _, ok := k.(ed25519.PublicKey); return ok },
}

func rsaKey(k any) bool {
	r, ok := k.(*rsa.PublicKey)
	return ok && r.N.BitLen() >= minRSABits
}

func ecKey(c elliptic.Curve) func(any) bool {
	return func(k any) bool {
		e, ok := k.(*ecdsa.PublicKey)
		return ok && e.Curve == c
	}
}

func refuse(description string) *Error {
	return &Error{Code: CodeInvalidProof, Description: description}
}

// object is a JSON object's members by their exact names (RFC 8259 §8.3:
// encoding/json would match "TYP" to a field named typ).
type object map[string]json.RawMessage

// str returns member name when it is a JSON string.
func (o object) str(name string) (string, bool) {
	raw, ok := o[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// Verify checks a request's proof (RFC 9449 §4.3) and records its jti. A
// refused proof is an *Error; a replay cache failure wraps ErrReplayCache.
func (v *Verifier) Verify(ctx context.Context, req Request) (*Proof, error) {
	if len(req.Proofs) != 1 {
		return nil, refuse("exactly one DPoP header is required")
	}
	raw := req.Proofs[0]
	if len(raw) > MaxProofSize {
		return nil, refuse("the proof is too large")
	}
	alg, jwk, err := v.checkHeader(raw)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, refuse("the proof is not a valid JWS")
	}
	payload, err := jws.Verify(jwk)
	if err != nil {
		return nil, refuse("the proof's signature does not verify")
	}
	var c object
	if err := decodeJSON(payload, &c); err != nil || c == nil {
		return nil, refuse("the proof's claims are not a JSON object")
	}
	jti, iat, err := v.checkClaims(c, req)
	if err != nil {
		return nil, err
	}
	jkt, err := Thumbprint(jwk)
	if err != nil {
		return nil, refuse("the proof's jwk has no thumbprint")
	}
	fresh, err := v.Replay.Use(ctx, "dpop:"+jkt+":"+jti, iat.Add(v.maxAge()+v.Skew))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrReplayCache, err)
	}
	if !fresh {
		return nil, refuse("the proof was used before")
	}
	return &Proof{JKT: jkt, JTI: jti, Alg: alg, IAT: iat}, nil
}

// checkHeader checks the protected header: its typ, alg and jwk, the alg
// before the key is read (RFC 8725 §3.1).
func (v *Verifier) checkHeader(raw string) (string, *jose.JSONWebKey, error) {
	seg, _, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(raw, ".") != 2 {
		return "", nil, refuse("the proof is not a JWS in the compact serialization")
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	var h object
	if err != nil || decodeJSON(b, &h) != nil || h == nil {
		return "", nil, refuse("the proof's header is not a JSON object")
	}
	if _, ok := h["crit"]; ok {
		return "", nil, refuse("the proof has a crit header, which is not supported")
	}
	if typ, ok := h.str("typ"); !ok || typ != TypeProof {
		return "", nil, refuse(`the proof's typ is not "dpop+jwt"`)
	}
	alg, ok := h.str("alg")
	if !ok || !v.accepts(alg) {
		return "", nil, refuse("the proof's alg is not one of the accepted algorithms")
	}
	rawJWK, ok := h["jwk"]
	var key object
	if !ok || json.Unmarshal(rawJWK, &key) != nil || key == nil {
		return "", nil, refuse("the proof has no jwk object")
	}
	if kty, _ := key.str("kty"); kty == "oct" || key["d"] != nil {
		return "", nil, refuse("the proof's jwk is not a public key")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(rawJWK); err != nil || !jwk.Valid() || !jwk.IsPublic() {
		return "", nil, refuse("the proof's jwk is not a valid public key")
	}
	if !asymmetric[alg](jwk.Key) {
		return "", nil, refuse("the proof's jwk does not fit its alg")
	}
	return alg, &jwk, nil
}

// accepts reports whether alg is one of the Verifier's algorithms and an
// asymmetric one.
func (v *Verifier) accepts(alg string) bool {
	if asymmetric[alg] == nil {
		return false
	}
	for _, a := range v.Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

func (v *Verifier) maxAge() time.Duration {
	if v.MaxAge > 0 {
		return v.MaxAge
	}
	return DefaultMaxAge
}

// checkClaims checks jti, htm, htu, iat and ath, and returns jti and iat.
func (v *Verifier) checkClaims(c object, req Request) (string, time.Time, error) {
	fail := func(d string) (string, time.Time, error) { return "", time.Time{}, refuse(d) }
	jti, ok := c.str("jti")
	if !ok || jti == "" {
		return fail("the proof has no jti")
	}
	if len(jti) > MaxJTISize {
		return fail("the proof's jti is too long")
	}
	if htm, ok := c.str("htm"); !ok || htm != req.Method {
		return fail("the proof's htm does not match the request's method")
	}
	raw, ok := c.str("htu")
	if !ok {
		return fail("the proof has no htu")
	}
	htu, err := NormalizeURL(raw)
	want, werr := NormalizeURL(req.URL)
	if err != nil || werr != nil || htu != want {
		return fail("the proof's htu does not match the request's URL")
	}
	iat, ok := numericDate(c["iat"])
	if !ok {
		return fail("the proof has no valid iat")
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if !iat.After(now.Add(-v.maxAge())) {
		return fail("the proof's iat is too old")
	}
	if iat.After(now.Add(v.Skew)) {
		return fail("the proof's iat is in the future")
	}
	// At the token endpoint there is no access token yet, and an ath is
	// ignored (RFC 9449 §4.2: ath is for requests to a resource).
	if req.AccessToken != "" {
		ath, ok := c.str("ath")
		if !ok {
			return fail("the proof has no ath")
		}
		if subtle.ConstantTimeCompare([]byte(ath), []byte(ATH(req.AccessToken))) != 1 {
			return fail("the proof's ath does not match the access token")
		}
	}
	return jti, iat, nil
}

// numericDate reads a NumericDate (RFC 7519 §2): seconds since the epoch,
// possibly with a fraction.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	var n json.Number
	if len(raw) == 0 || raw[0] == '"' || decodeJSON(raw, &n) != nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	// Years 0 to 9999 at most: beyond, the Duration arithmetic overflows.
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// decodeJSON decodes one JSON object into v, numbers kept as json.Number;
// anything after the object is an error.
func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("dpop: data after the JSON object")
	}
	return nil
}
