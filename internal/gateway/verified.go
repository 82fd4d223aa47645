package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/claimsheader"
)

// verified is a verified token's claims with what integrations derive from
// them on every request: the claim strings, the scopes and the encoded
// X-Tollgate-Claims value. It is kept with the cache entry, so that a
// cache hit costs no JSON decoding; the derivations are computed on first
// use (a MOCK or refused request never needs them) and are then immutable
// and shared by every request presenting the token.
type verified struct {
	claims *bearer.Claims
	// clientKey is the per-client throttle's key (clientKey).
	clientKey string

	once      sync.Once
	strings   map[string]string
	scopes    []string
	scopeList string
	header    string
	// derivedBytes estimates what the derivations hold (derivedSize).
	derivedBytes int64

	// httpClaims are the claims as HTTP APIs hand them to Lambda
	// (Invocation.HTTPClaims), rendered on first use apart from the
	// other derivations: only an HTTP API's Lambda integration needs
	// them. They are charged to the entry when rendered (httpClaimsSize).
	httpOnce   sync.Once
	httpClaims json.RawMessage

	// The cache entry holding v, if one does: set by Cache.put before v is
	// shared; charged (the bytes the entry is charged, 0 once it is gone)
	// is guarded by the shard's lock.
	cache   *Cache
	shard   uint8
	charged int64
}

func newVerified(c *bearer.Claims) *verified { return &verified{claims: c, clientKey: clientKey(c)} }

// load computes the derivations once and returns v.
func (v *verified) load() *verified {
	v.once.Do(func() {
		v.strings = claimStrings(v.claims)
		v.scopes = v.claims.Scopes()
		v.scopeList = strings.Join(v.scopes, " ")
		v.header = claimsheader.Encode(v.strings)
		v.derivedBytes = derivedSize(v)
		if v.cache != nil {
			v.cache.charge(v, v.derivedBytes)
		}
	})
	return v
}

// loadHTTPClaims renders v's claims as HTTP APIs hand them to integrations
// once and returns them.
func (v *verified) loadHTTPClaims() json.RawMessage {
	v.httpOnce.Do(func() {
		v.httpClaims = renderHTTPClaims(v.claims.Raw)
		if v.cache != nil {
			v.cache.charge(v, httpClaimsSize(v.httpClaims))
		}
	})
	return v.httpClaims
}

// httpClaimsSize estimates what the rendered HTTP claims hold: one
// allocation of their capacity.
func httpClaimsSize(b json.RawMessage) int64 { return allocBytes(cap(b)) }

// HTTPClaims returns the claims of the token an HTTP API's JWT authorizer
// allowed as HTTP APIs hand them to integrations in
// requestContext.authorizer.jwt.claims (payload 2.0) and
// requestContext.authorizer.claims (1.0): a JSON object whose every value
// is a string (renderHTTPClaims). It is nil without claims.
//
// It is rendered once per verified token and shared by every request
// presenting it (and by concurrent ones): callers must not modify it.
func (inv *Invocation) HTTPClaims() json.RawMessage {
	if inv.Claims == nil {
		return nil
	}
	if v := inv.verified; v != nil && v.claims == inv.Claims {
		return v.loadHTTPClaims()
	}
	return renderHTTPClaims(inv.Claims.Raw)
}

// renderHTTPClaims renders a verified token's claims (its payload, a JSON
// object) as HTTP APIs hand them to integrations: every value a string
// (apigw-beyond §4.2, §6 fact 13). A string is itself; a number its
// decimal text as signed ("exp":"1785675600", not a date as REST's
// Cognito authorizer writes it); true and false their text; an array
// Go-style, its elements space-separated in brackets ("[a b]", as
// observed on AWS: the contract's YULIN and guidance-for-claude-code
// sources). Objects and null are rendered the same way, as Go's fmt
// prints them ("map[k:v]", "<nil>"): API Gateway's rendering of them is
// not documented nor captured, and fmt's is the one the array rendering
// suggests. Keys are sorted, as the claims of the real capture in
// awsdocs/amazon-api-gateway-developer-guide#113. Claims that are not a
// JSON object (bearer.Verify decoded them, so this does not happen)
// render as {}.
//
// Strings, numbers and booleans, nearly all of a token's claims, are
// copied as JSON text without decoding them.
func renderHTTPClaims(raw json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return json.RawMessage("{}")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, len(raw)+8*len(m))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		v := bytes.TrimSpace(m[k])
		switch {
		case len(v) > 0 && v[0] == '"':
			b = append(b, v...)
		case len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9' || v[0] == 't' || v[0] == 'f'):
			// A number's JSON text has no character to escape.
			b = append(b, '"')
			b = append(b, v...)
			b = append(b, '"')
		default: // an array, an object or null
			var x any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			_ = d.Decode(&x) // m's values are valid JSON
			b = appendJSONString(b, fmt.Sprint(x))
		}
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	j, _ := json.Marshal(s) // a string always marshals
	return append(b, j...)
}
