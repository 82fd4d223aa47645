package gateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// TestRefusalReasonHoldsNoUnverifiedValue sends tokens whose header or
// payload holds a secret (a caller's, pasted where a token goes or minted
// by hand) in the alg, kid, typ, crit, jwk, x5c or iss, for a local pool's
// issuer and an external one. Each is refused, and the reason, which the
// gateway logs, holds no part of the secret: go-jose's parse errors quote
// the header as sent, before any signature is checked.
func TestRefusalReasonHoldsNoUnverifiedValue(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	type obj = map[string]any
	for _, secret := range []string{"zovuraqo73invajlo4vwf6iylj8uxz9314vgxypot30njigyp9m", "a/MnXqQ+00dy7+8/FO9fBufnJbI8P+RrtdNs256W"} {
		for _, iss := range []string{issuerOf(poolA), externalIssuer} {
			for _, c := range []struct {
				name    string
				header  obj
				payload obj
			}{
				{"alg", obj{"alg": secret, "kid": keyA.kid}, nil},
				{"alg, as an object", obj{"alg": obj{"x": secret}, "kid": keyA.kid}, nil},
				{"kid", obj{"alg": "RS256", "kid": secret}, nil},
				{"kid, as an object", obj{"alg": "RS256", "kid": obj{"id": secret}}, nil},
				{"typ", obj{"alg": "RS256", "kid": keyA.kid, "typ": secret}, nil},
				{"crit", obj{"alg": "RS256", "kid": keyA.kid, "crit": []string{secret}, secret: 1}, nil},
				{"crit, as an object", obj{"alg": "RS256", "kid": keyA.kid, "crit": obj{"x": secret}}, nil},
				{"jwk", obj{"alg": "RS256", "kid": keyA.kid, "jwk": obj{"kty": secret}}, nil},
				{"x5c", obj{"alg": "RS256", "kid": keyA.kid, "x5c": []any{obj{"x": secret}}}, nil},
				{"iss", obj{"alg": "RS256", "kid": keyA.kid}, with(claims(iss), "iss", secret)},
			} {
				payload := c.payload
				if payload == nil {
					payload = claims(iss)
				}
				tok := enc(c.header) + "." + enc(payload) + "." + enc("not a signature")
				res := z.Authorize(context.Background(), "Bearer "+tok, []string{scope})
				if res.Decision != gateway.Unauthorized || res.Reason == "" {
					t.Errorf("%s, a secret as the %s: %v (%q), want a refusal with a reason", iss, c.name, res.Decision, res.Reason)
				}
				for _, part := range strings.Split(secret, "/") {
					if len(part) >= 8 && strings.Contains(res.Reason, part) {
						t.Errorf("%s, a secret as the %s: the reason holds it: %s", iss, c.name, res.Reason)
						break
					}
				}
			}
		}
	}
}
