package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestAuthorizerPoolAlgorithms: the Cognito authorizer verifies a local
// pool's ES256 (RFC 7518 §3.4) and EdDSA (RFC 8037 §3.1) tokens with the
// keys the KeySource pins to their alg, and requires typ at+jwt of a pool
// issuing RFC 9068 tokens (RFC 9068 §4).
func TestAuthorizerPoolAlgorithms(t *testing.T) {
	f := newFixture(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f.keys.mu.Lock()
	f.keys.pools[poolB] = bearer.Keys{
		"ec": {Key: ec.Public(), Alg: "ES256", Typ: "at+jwt"},
		"ed": {Key: ed.Public(), Alg: "EdDSA", Typ: "at+jwt"},
	}
	f.keys.mu.Unlock()
	z := f.authorizer(t, f.authorizerAB())
	good := claims(issuerOf(poolB))
	mintWith := func(alg jose.SignatureAlgorithm, key any, kid string, typ string) string {
		opts := (&jose.SignerOptions{}).WithHeader("kid", kid)
		if typ != "" {
			opts = opts.WithType(jose.ContentType(typ))
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return sign(t, s, good)
	}
	tests := []struct {
		name  string
		token string
		want  gateway.Decision
	}{
		{"ES256 at+jwt", mintWith(jose.ES256, ec, "ec", "at+jwt"), gateway.Allow},
		{"EdDSA application/at+jwt", mintWith(jose.EdDSA, ed, "ed", "application/at+jwt"), gateway.Allow},
		{"ES256 without typ", mintWith(jose.ES256, ec, "ec", ""), gateway.Unauthorized},
		{"EdDSA typ JWT", mintWith(jose.EdDSA, ed, "ed", "JWT"), gateway.Unauthorized},
		{"EdDSA under the EC key's kid", mintWith(jose.EdDSA, ed, "ec", "at+jwt"), gateway.Unauthorized},
		{"ES256 under the Ed25519 key's kid", mintWith(jose.ES256, ec, "ed", "at+jwt"), gateway.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := z.Authorize(context.Background(), "Bearer "+tt.token, []string{scope})
			if res.Decision != tt.want {
				t.Fatalf("decision %v (%s), want %v", res.Decision, res.Reason, tt.want)
			}
		})
	}
}
