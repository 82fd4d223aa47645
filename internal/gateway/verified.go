package gateway

import (
	"encoding/base64"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/bearer"
)

// verified is a verified token's claims with what integrations derive from
// them on every request: the claim strings, the scopes and the encoded
// X-Tollgate-Claims value. It is kept with the cache entry, so that a
// cache hit costs no JSON decoding; the derivations are computed on first
// use (a MOCK or refused request never needs them) and are then immutable
// and shared by every request presenting the token.
type verified struct {
	claims *bearer.Claims

	once    sync.Once
	strings map[string]string
	scopes  []string
	header  string
}

func newVerified(c *bearer.Claims) *verified { return &verified{claims: c} }

// load computes the derivations once and returns v.
func (v *verified) load() *verified {
	v.once.Do(func() {
		v.strings = claimStrings(v.claims)
		v.scopes = v.claims.Scopes()
		v.header = encodeClaims(v.strings)
	})
	return v
}

// encodeClaims returns the unpadded base64url encoding of the claims as a
// JSON object, keys sorted, or "" when there are none. It must produce
// exactly what internal/proxy's encodeClaims does (the gateway does not
// import the proxy); TestClaimsHeaderMatchesProxy holds them together.
func encodeClaims(claims map[string]string) string {
	if len(claims) == 0 {
		return ""
	}
	keys := make([]string, 0, len(claims))
	n := 2
	for k, v := range claims {
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	j := make([]byte, 0, n+16)
	j = append(j, '{')
	for i, k := range keys {
		if i > 0 {
			j = append(j, ',')
		}
		j = appendJSONString(j, k)
		j = append(j, ':')
		j = appendJSONString(j, claims[k])
	}
	j = append(j, '}')
	return base64.RawURLEncoding.EncodeToString(j)
}

const upperhex = "0123456789ABCDEF"

// appendJSONString appends s as a JSON string (RFC 8259 §7), invalid UTF-8
// as U+FFFD, as internal/proxy's appendJSONString does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', upperhex[c>>4], upperhex[c&15])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
