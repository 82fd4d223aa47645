package gateway

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unsafe"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

// tokenSource is where a token authorizer reads the token: a header
// (canonical name), or, for an HTTP API's JWT authorizer, a query string
// parameter ($request.querystring.{name}, case-sensitive).
type tokenSource struct {
	header string
	query  string
}

// read returns the value of the source in r ("" when absent). Two copies
// of it are ambiguous and refused (ok false, with why): the first would be
// verified, a Lambda event's headers keep the last, an upstream sees both
// (and a CGI-style one reads X_Api_Token as X-Api-Token). So is a query
// parameter another parser could read otherwise (queryParam).
func (s *tokenSource) read(r *http.Request) (v string, why string, ok bool) {
	if s.query != "" {
		v, why = queryParam(r.URL.RawQuery, s.query)
		return v, why, why == ""
	}
	vs := r.Header[s.header]
	if len(vs) > 1 || hasTwin(r.Header, s.header) {
		return "", "more than one " + s.header + " header", false
	}
	if len(vs) == 1 {
		v = vs[0]
	}
	return v, "", true
}

// present reports whether r carries the source at all (an empty value,
// or an ambiguous query parameter, included).
func (s *tokenSource) present(r *http.Request) bool {
	if s.query != "" {
		_, n, ambiguous := scanQuery(r.URL.RawQuery, s.query)
		return n > 0 || ambiguous
	}
	return len(r.Header[s.header]) > 0
}

// queryParam returns the value of the query string parameter name in the
// raw query, as a Lambda event parses it (url.ParseQuery), or why it is
// refused: sent more than once, or ambiguous (scanQuery).
func queryParam(raw, name string) (v, why string) {
	v, n, ambiguous := scanQuery(raw, name)
	switch {
	case ambiguous:
		return "", "query string parameter " + name + " is ambiguous"
	case n > 1:
		return "", "query string parameter " + name + " sent more than once"
	}
	return v, ""
}

// scanQuery reads the query string parameter name in the raw query in one
// pass, without parsing the rest into a map: its last value (decoded as
// url.ParseQuery decodes it) and how many times it is sent. It is
// ambiguous when parsers can disagree on it: url.ParseQuery (the Lambda
// event's, and the verifier's) drops a pair holding ";" and a pair it
// cannot unescape, while an upstream splitting on ";" (or decoding
// leniently) reads them, so that "x=1;token=FORGED&token=VALID" would
// verify VALID while the upstream sees FORGED too. Any pair naming the
// key that way, or any such pair in a query that names the key, is
// ambiguous.
func scanQuery(raw, name string) (v string, n int, ambiguous bool) {
	dropped := false // url.ParseQuery skipped a pair
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.IndexByte(pair, ';') >= 0 {
			if semicolonNames(pair, name) {
				return "", n, true
			}
			dropped = true
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if !validEscapes(k) {
			if k == name {
				return "", n, true
			}
			dropped = true
			continue
		}
		if !validEscapes(val) {
			if unescapeQuery(k) == name {
				return "", n, true
			}
			dropped = true
			continue
		}
		if unescapeQuery(k) == name {
			v, n = unescapeQuery(val), n+1
		}
	}
	if dropped && n > 0 {
		return "", n, true
	}
	return v, n, false
}

// semicolonNames reports whether a pair holding ";" names the key name
// once split on ";", as some servers split it.
func semicolonNames(pair, name string) bool {
	for pair != "" {
		var seg string
		seg, pair, _ = strings.Cut(pair, ";")
		k, _, _ := strings.Cut(seg, "=")
		if k == name || (validEscapes(k) && unescapeQuery(k) == name) {
			return true
		}
	}
	return false
}

// validEscapes reports whether every "%" of s starts a %XX escape: the
// only error url.QueryUnescape reports.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		s = s[i+3:]
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescapeQuery decodes a query component with valid escapes, without
// allocating when there is nothing to decode.
func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	u, _ := url.QueryUnescape(s) // validEscapes held
	return u
}

// tokenVerifier is what differs between the Cognito and the JWT
// authorizer once a token is read: how it is verified (Authorizer.verify,
// JWTAuthorizer.verify). It returns the claims, or nil and the refusal.
type tokenVerifier interface {
	verify(ctx context.Context, tok string, now time.Time) (*bearer.Claims, Result)
}

// verifiedToken is the first half of a token authorizer's decision, the
// same for the Cognito and the JWT authorizer: the token of the identity
// source header, its verification from c (nil: no cache) under the
// authorizer's identity, or else vf's, kept in c. v is nil, with the
// refusal, when there is no token, it is too long, the cache knows it
// expired, or vf refuses it; cached tells whether v came from c.
func verifiedToken(ctx context.Context, header string, c *Cache, ident uint64, now time.Time, vf tokenVerifier) (v *verified, cached bool, refused Result) {
	t, refused, ok := lookupToken(header, c, ident, now)
	if !ok {
		return nil, false, refused
	}
	if t.v != nil {
		return t.v, true, Result{}
	}
	claims, res := vf.verify(ctx, t.tok, t.now)
	if claims == nil {
		return nil, false, res
	}
	return t.store(c, claims), false, Result{}
}

// tokenLookup is the first half of an authorizer's decision, the same for
// the Cognito and the JWT authorizer: the token of the identity source
// header and its cached verification.
type tokenLookup struct {
	tok string
	now time.Time
	key cacheKey
	v   *verified // the cached verification, or nil
}

// lookupToken reads the token of an identity source header (raw or after
// "Bearer ") and looks its verification up in c (nil: no cache) under the
// authorizer's identity. ok is false, with the refusal, when there is no
// token, it is too long, or the cache knows it expired.
func lookupToken(header string, c *Cache, ident uint64, now time.Time) (t tokenLookup, refused Result, ok bool) {
	t.tok, t.now = tokenFromHeader(header), now
	if t.tok == "" {
		return t, Result{Reason: "no token", why: refusal{kind: refusedNoToken}}, false
	}
	if len(t.tok) > bearer.MaxTokenSize {
		return t, Result{Reason: "token longer than bearer.MaxTokenSize", why: refusal{kind: refusedMalformed}}, false
	}
	if c != nil {
		// The token is only read: hashing it in place spares a copy of a
		// kilobyte on every request.
		t.key = cacheKey{authz: ident, sum: sha256.Sum256(unsafe.Slice(unsafe.StringData(t.tok), len(t.tok)))} //nolint:gosec // read-only view of an immutable string
		switch v, res := c.get(t.key, now); res {
		case cacheHit:
			t.v = v
		case cacheExpired:
			return t, Result{Decision: Expired, Cached: true, Reason: "token expired", why: refusal{kind: refusedExpired}}, false
		}
	}
	return t, Result{}, true
}

// store returns the verification of freshly verified claims, kept in c
// (nil: no cache) under the token's key.
func (t *tokenLookup) store(c *Cache, claims *bearer.Claims) *verified {
	v := newVerified(claims)
	if c != nil {
		c.put(t.key, v, t.now)
	}
	return v
}

// poolKeys returns a local pool's keys, or nil and the refusal: the pool
// was deleted, and its keys with it (its tokens are refused as tokens of no
// known key), or its keys cannot be read (the authorizer fails).
func poolKeys(ctx context.Context, ks KeySource, pool string) (bearer.Keys, Result) {
	m, err := ks.PublicKeys(ctx, pool)
	if tollgate.IsNotFound(err) {
		return nil, Result{Reason: "pool " + pool + " no longer exists"}
	}
	if err != nil {
		return nil, Result{Decision: Failed, Reason: "keys of pool " + pool + ": " + err.Error()}
	}
	if m == nil {
		m = bearer.Keys{} // a pool without keys: no token passes
	}
	return m, Result{}
}
