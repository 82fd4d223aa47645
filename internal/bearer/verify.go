package bearer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"
)

// MaxTokenSize is the longest token Verify parses. Cognito's access tokens
// are about 1 KiB; anything this long is not ours and is refused before
// any decoding work.
const MaxTokenSize = 16 << 10

// IssuedSkew is how far in the future iat and nbf may be: the clock skew
// tolerated between the node that issued a token and the one verifying it.
const IssuedSkew = 5 * time.Minute

// Errors Verify returns, for errors.Is. They are exclusive: an expired
// token is not also ErrInvalid.
var (
	// ErrExpired means the token was valid but its exp has passed.
	ErrExpired = errors.New("token expired")
	// ErrInvalid means the token is malformed, not signed by a known key,
	// or fails a claim check.
	ErrInvalid = errors.New("invalid token")
)

// Error is what Verify returns on failure. Its Error text names the reason,
// for logs; clients should only ever learn which of ErrExpired or
// ErrInvalid it wraps. Anyone may send anything as a token, a secret
// included, so a log must not show what a token carries until its
// signature is verified. Reasons are fixed texts, or give a value's length
// (the kid), except two, which go-jose words: "parse: …", which may quote
// the token's header as sent (its alg, a kid that is not a string, an
// embedded jwk), and "signature: …". A caller that logs a reason maps those
// two to texts of its own (the gateway's authorizer does) or shows what
// they quote by its length (the token endpoint does). Once the signature
// is verified, a reason may quote a claim.
type Error struct {
	Err    error  // ErrExpired or ErrInvalid
	Reason string // why, for logs

	unknownKid bool // see UnknownKid
}

// UnknownKid reports whether err is Verify's or VerifyJWT's refusal of a
// token whose header passed every check (the JWS compact serialization,
// an allowed alg, one signature, no crit for VerifyJWT, a kid) but whose
// kid the key set does not hold: the refusal a key set that could not be
// loaded causes, where every other refusal is the token's own.
func UnknownKid(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.unknownKid
}

func (e *Error) Error() string { return e.Err.Error() + ": " + e.Reason }

func (e *Error) Unwrap() error { return e.Err }

func invalid(reason string) error { return &Error{Err: ErrInvalid, Reason: reason} }

// unknownKid is the refusal of a kid the key set does not hold. The kid is
// read before any signature is checked: the caller's bytes, which the log
// gets by length only (a client that sends its secret in the wrong place
// must not have it logged).
func unknownKid(kid string) error {
	return &Error{Err: ErrInvalid, Reason: fmt.Sprintf("unknown kid (%d bytes)", len(kid)), unknownKid: true}
}

// KeySet gives the public key for a kid, pinned to its alg. Keys
// implements it; so does any cache that wants to fetch keys on demand.
type KeySet interface {
	Key(kid string) (JWTKey, bool)
}

// Keys is a KeySet held in a map by kid: a pool's published keys, as
// signer.PublicKeys returns them, each with the alg it signs with and the
// typ its tokens carry when the pool requires one.
type Keys map[string]JWTKey

// Key returns the key with the given kid.
func (k Keys) Key(kid string) (JWTKey, bool) {
	key, ok := k[kid]
	return key, ok && key.Key != nil
}

// Expect is what a token must satisfy beyond its signature.
type Expect struct {
	// Issuer is the expected iss, e.g.
	// "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pxAHZcSSX".
	Issuer string
	// Issuers, if set, are further accepted issuers (a pool answers on
	// several hosts, or a gateway trusts several pools). At least one of
	// Issuer and Issuers must be set, or every token is invalid.
	Issuers []string
	// ClientIDs, if set, restricts client_id to these values. API Gateway's
	// Cognito authorizer accepts any client of the pool, so it leaves this
	// empty.
	ClientIDs []string
	// Leeway is the clock skew allowed on exp, nbf and iat. Zero, the
	// default, allows none, as Cognito's authorizer.
	Leeway time.Duration
	// Now returns the current time; it defaults to time.Now.
	Now func() time.Time
}

// Claims are the claims of a Cognito machine-to-machine access token (see
// the contract, §2). Times are seconds since the Unix epoch.
type Claims struct {
	Sub      string `json:"sub"`       // the client id: there is no user
	TokenUse string `json:"token_use"` // "access"
	Scope    string `json:"scope"`     // space-separated, e.g. "default/default"
	AuthTime int64  `json:"auth_time"`
	Iss      string `json:"iss"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Version  int    `json:"version"` // 2
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`

	// Aud is the aud claim of a token issued for a resource (RFC 8707) or
	// as an RFC 9068 JWT; Cognito's tokens have none, and omit it.
	Aud Audience `json:"aud,omitempty"`
	// Cnf is the confirmation claim of a sender-constrained token (RFC 7800
	// §3.1): the thumbprint of a DPoP key (RFC 9449 §6) or of a TLS client
	// certificate (RFC 8705 §3.1). Nil for a bearer token.
	Cnf *Confirmation `json:"cnf,omitempty"`

	// Raw is the verified payload as it was signed: every claim, including
	// the ones above, for passing through (API Gateway hands all claims to
	// the integration). Map decodes it.
	Raw json.RawMessage `json:"-"`
}

// issuer reports whether iss is an expected issuer.
func (e *Expect) issuer(iss string) bool {
	return iss != "" && (iss == e.Issuer || slices.Contains(e.Issuers, iss))
}

// Map decodes every claim of the token, numbers as json.Number so that
// they pass through unchanged.
func (c *Claims) Map() (map[string]any, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(c.Raw))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Scopes returns the scopes of the scope claim (RFC 6749 §3.3).
func (c *Claims) Scopes() []string { return splitScopes(c.Scope) }

// HasAnyScope reports whether the token carries at least one of scopes, as
// API Gateway's Cognito authorizer requires of a method's
// AuthorizationScopes. It does not allocate.
func (c *Claims) HasAnyScope(scopes []string) bool {
	s := c.Scope
	for s != "" {
		var tok string
		tok, s = nextScope(s)
		if tok != "" && slices.Contains(scopes, tok) {
			return true
		}
	}
	return false
}

// poolAlgorithms is Verify's algorithm allow-list: the algorithms a pool
// signs with (RS256, Cognito's; ES256 and EdDSA, Tollgate's extensions).
// Each key is further pinned to one of them (JWTKey.Alg).
var poolAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// Verify checks token and returns its claims. See the package
// documentation for the rules; on failure the error wraps ErrExpired or
// ErrInvalid. Claims are read by their exact names, and a payload that
// names a claim twice is invalid (see claimMembers).
func Verify(token string, keys KeySet, want Expect) (*Claims, error) {
	if len(token) > MaxTokenSize {
		return nil, invalid("token longer than MaxTokenSize")
	}
	if !compactShape(token) {
		return nil, invalid("not a JWS in compact serialization")
	}
	if want.Issuer == "" && len(want.Issuers) == 0 {
		return nil, invalid("no issuer configured")
	}

	raw, err := verifySignature(token, keys)
	if err != nil {
		return nil, err
	}
	m, err := claimMembers(raw)
	if err != nil {
		return nil, err
	}
	c := &Claims{Raw: raw}
	nbf, err := c.read(m)
	if err != nil {
		return nil, err
	}
	if err := want.checkClaims(c); err != nil {
		return nil, err
	}
	if err := want.checkTimes(c, nbf, IssuedSkew); err != nil {
		return nil, err
	}
	return c, nil
}

// read sets c's fields from the claims m, each by its exact name, and
// returns nbf (nil when absent). A claim of the wrong JSON type makes the
// token invalid; null counts as absent.
func (c *Claims) read(m map[string]json.RawMessage) (nbf *int64, err error) {
	for _, f := range [...]struct {
		name string
		dst  *string
	}{{"sub", &c.Sub}, {"token_use", &c.TokenUse}, {"scope", &c.Scope}, {"iss", &c.Iss}, {"jti", &c.JTI}, {"client_id", &c.ClientID}} {
		if v, ok := m[f.name]; ok && !readString(v, f.dst) {
			return nil, invalid("claims: " + f.name + " is not a string")
		}
	}
	for _, f := range [...]struct {
		name string
		dst  *int64
	}{{"auth_time", &c.AuthTime}, {"exp", &c.Exp}, {"iat", &c.Iat}} {
		if v, ok := m[f.name]; ok && !readInt(v, f.dst) {
			return nil, invalid("claims: " + f.name + " is not an integer")
		}
	}
	if v, ok := m["version"]; ok && json.Unmarshal(v, &c.Version) != nil {
		return nil, invalid("claims: version is not an integer")
	}
	if v, ok := m["aud"]; ok && string(v) != "null" {
		if json.Unmarshal(v, &c.Aud) != nil {
			return nil, invalid("claims: aud is not a string or an array of strings")
		}
	}
	if v, ok := m["cnf"]; ok && string(v) != "null" {
		c.Cnf = new(Confirmation)
		if json.Unmarshal(v, c.Cnf) != nil {
			return nil, invalid("claims: cnf is not an object of string members")
		}
	}
	if v, ok := m["nbf"]; ok && string(v) != "null" {
		nbf = new(int64)
		if json.Unmarshal(v, nbf) != nil {
			return nil, invalid("claims: nbf is not an integer")
		}
	}
	return nbf, nil
}

// readString sets *dst to the JSON string v (null leaves it), as
// json.Unmarshal would, and reports whether v is one. A string without
// escapes, valid UTF-8, is taken as it is: what json.Unmarshal would
// return, without its work.
func readString(v json.RawMessage, dst *string) bool {
	if len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v) {
		*dst = string(v[1 : len(v)-1])
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

// readInt sets *dst to the JSON integer v (null leaves it), as
// json.Unmarshal would, and reports whether v is one. v is valid JSON
// (claimMembers decoded it), so what ParseInt reads is a JSON integer.
func readInt(v json.RawMessage, dst *int64) bool {
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		*dst = n
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

// claimMembers decodes a verified payload into its members, keyed by their
// exact names. encoding/json matches a struct field's name without regard
// to case (and to Unicode simple folding: "ſcope" is "scope" to it), and
// lets the last of duplicate names win: a token whose issuer let a custom
// claim through named "Scope" or "CLIENT_ID" would have that value read as
// its scope or client_id. Claims are read by their exact names instead
// (RFC 8259 §8.3: names compare code unit by code unit), and a payload
// with a name twice is refused: RFC 7519 §4 requires claim names to be
// unique and lets a parser reject a claims set that repeats one.
func claimMembers(raw []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, invalid("claims: not a JSON object")
	}
	if countMembers(raw) != len(m) {
		return nil, invalid("claims: a claim name appears twice")
	}
	return m, nil
}

// countMembers counts the members of the JSON object raw, which must be
// valid JSON (json.Unmarshal has checked it): the commas between members at
// depth 1, outside strings. Names that decode alike ("a" and "\u0061") are
// two members here but one key of the decoded map: a repeat too.
func countMembers(raw []byte) int {
	depth, commas, inString, escaped, empty := 0, 0, false, false, true
	for _, b := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			continue
		case b == '}' || b == ']':
			depth--
			continue
		case b == ',' && depth == 1:
			commas++
		}
		if depth == 1 && b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			empty = false
		}
	}
	if empty {
		return 0
	}
	return commas + 1
}

// verifySignature parses token, checks its header (an alg a pool signs
// with, the alg of the key its kid names, the typ that key's tokens carry)
// and its signature, and returns the signed payload.
func verifySignature(token string, keys KeySet) ([]byte, error) {
	// ParseSignedCompact rejects any alg not in the allow-list before the
	// signature is looked at (RFC 8725 §3.1): "none" and HS* never pass. It
	// is what jwt.ParseSigned calls; calling it directly gives Verify the
	// payload bytes to keep as Claims.Raw, where jwt.JSONWebToken.Claims
	// would decode them once more.
	jws, err := jose.ParseSignedCompact(token, poolAlgorithms)
	if err != nil {
		return nil, invalid("parse: " + err.Error())
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("not exactly one signature")
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" {
		return nil, invalid("no kid")
	}
	key, ok := keys.Key(h.KeyID)
	if !ok {
		return nil, unknownKid(h.KeyID)
	}
	if err := checkKey(key, h); err != nil {
		return nil, err
	}
	raw, err := jws.Verify(key.Key)
	if err != nil {
		return nil, invalid("signature: " + err.Error())
	}
	return raw, nil
}

// checkKey checks that the token's header fits the key its kid names: the
// alg is the key's (RFC 8725 §3.1: the key, not the token, decides the
// algorithm, so an RSA key never checks an ES256 signature and an EC key
// never an EdDSA one) and of its type, and the typ is the one the key's
// tokens carry, if any (RFC 8725 §3.11, RFC 9068 §4). h.Algorithm is one of
// the caller's allow-list, which ParseSignedCompact saw to: a fixed text,
// safe to log.
func checkKey(key JWTKey, h jose.Header) error {
	if key.Alg != "" && key.Alg != h.Algorithm {
		return invalid("alg " + h.Algorithm + " is not the alg of the key of its kid")
	}
	if !keyFits(key.Key, h.Algorithm) {
		return invalid("the key of its kid is not a key for " + h.Algorithm)
	}
	if key.Typ != "" && !typMatches(h, key.Typ) {
		return invalid("typ is not " + key.Typ)
	}
	return nil
}

// typMatches reports whether the header's typ is want, compared as a media
// type: without regard to case, and with or without its "application/"
// prefix (RFC 7515 §4.1.9, RFC 9068 §4).
func typMatches(h jose.Header, want string) bool {
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	if len(typ) > len("application/") && strings.EqualFold(typ[:len("application/")], "application/") {
		typ = typ[len("application/"):]
	}
	return strings.EqualFold(typ, want)
}

// checkClaims checks the claims that say who issued the token and for
// whom: iss, token_use, client_id, and that an exp is present.
func (e *Expect) checkClaims(c *Claims) error {
	if !e.issuer(c.Iss) {
		return invalid("iss " + quote(c.Iss) + " is not an expected issuer")
	}
	if c.TokenUse != "access" {
		return invalid("token_use " + quote(c.TokenUse) + " is not access")
	}
	if c.ClientID == "" {
		return invalid("no client_id")
	}
	if len(e.ClientIDs) > 0 && !slices.Contains(e.ClientIDs, c.ClientID) {
		return invalid("client_id " + quote(c.ClientID) + " is not an expected client")
	}
	if c.Exp == 0 {
		return invalid("no exp")
	}
	return nil
}

// checkTimes checks exp, nbf (when present) and iat against the clock,
// nbf and iat allowed skew ahead of it on top of the leeway.
func (e *Expect) checkTimes(c *Claims, nbf *int64, skew time.Duration) error {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	t := now()
	// A token is usable while now < exp + leeway (RFC 7519 §4.1.4).
	if !t.Before(time.Unix(c.Exp, 0).Add(e.Leeway)) {
		return &Error{Err: ErrExpired, Reason: "exp " + time.Unix(c.Exp, 0).UTC().Format(time.RFC3339) + " has passed"}
	}
	// Verify checks nbf and iat with a fixed skew allowance on top: nodes
	// that share a pool are never in perfect sync, and a token issued by one
	// a moment "in the future" of another must still verify there (RFC 7519
	// §4.1.5–4.1.6 leave the allowance to the implementation). VerifyJWT
	// allows none, as API Gateway documents none.
	if nbf != nil && t.Add(e.Leeway+skew).Before(time.Unix(*nbf, 0)) {
		return invalid("nbf is in the future")
	}
	if t.Add(e.Leeway + skew).Before(time.Unix(c.Iat, 0)) {
		return invalid("iat is in the future")
	}
	return nil
}

// compactShape reports whether token has the shape of a JWS in compact
// serialization: three non-empty base64url segments (RFC 7515 §7.1; the
// payload segment may be empty, but an access token's never is). It
// rejects JWE (five segments), the JSON serialization, white space and
// padding before go-jose does any work.
func compactShape(token string) bool {
	dots := 0
	segment := 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c == '.':
			if segment == 0 {
				return false
			}
			dots++
			segment = 0
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			segment++
		default:
			return false
		}
	}
	return dots == 2 && segment > 0
}

// quote renders an attacker-controlled string for a log reason, shortened
// so that a log line stays a line.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
