package gateway_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/gateway"
)

// mintPayload signs payload as written (member order and repeats kept),
// RS256 under k's kid.
func mintPayload(tb testing.TB, k testKey, payload string) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return signPayload(tb, s, []byte(payload))
}

// A Cognito authorizer reads scope and jti by their exact names: a custom
// claim spelt "ſcope" (U+017F, which encoding/json folds to "scope") or
// "JTI", as a pre token generation trigger may add, is not the scope or the
// jti, and a payload naming a claim twice is refused (RFC 7519 §4).
func TestAuthorizerReadsClaimsByExactName(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	f.revoke("revoked-jti")
	good := with(claims(issuerOf(poolA)), "scope", "other/read")
	b, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	open := strings.TrimSuffix(string(b), "}")
	for _, tt := range []struct {
		name, payload string
	}{
		{"a look-alike of scope grants nothing", open + `,"ſcope":"` + scope + `","Scope":"` + scope + `"}`},
		{"scope twice", open + `,"scope":"` + scope + `"}`},
		{"a revoked jti beside a look-alike", strings.TrimSuffix(string(mustJSON(t, with(claims(issuerOf(poolA)), "jti", "revoked-jti"))), "}") + `,"JTI":"fresh","Jti":"fresh"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := mintPayload(t, keyA, tt.payload)
			for round := range 2 {
				if res := z.Authorize(context.Background(), "Bearer "+tok, []string{scope}); res.Decision != gateway.Unauthorized {
					t.Fatalf("round %d: decision %v (%s), want Unauthorized", round, res.Decision, res.Reason)
				}
			}
		})
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
