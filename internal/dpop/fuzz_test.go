package dpop_test

import (
	"context"
	"errors"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/dpop"
	"github.com/tollgate/tollgate/internal/replay"
)

// FuzzVerify: whatever the DPoP header holds, Verify neither panics nor
// answers anything but a Proof or an *Error (never a replay cache error:
// the cache works), and a Proof's key thumbprint and jti are set.
func FuzzVerify(f *testing.F) {
	f.Add(sign(f, ecKey, jose.ES256, nil, claims(tokenURL)))
	f.Add(sign(f, edKey, jose.EdDSA, nil, claims(tokenURL)))
	f.Add(sign(f, rsaKey, jose.RS256, nil, claims(tokenURL)))
	f.Add(sign(f, ecKey, jose.ES256, map[jose.HeaderKey]any{"crit": []string{"b64"}, "b64": false}, claims(tokenURL)))
	f.Add("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.e30.")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, proof string) {
		v := newVerifier()
		r := replay.NewLocal(16)
		r.Now = v.Now
		v.Replay = r
		p, err := v.Verify(context.Background(), dpop.Request{Proofs: []string{proof}, Method: "POST", URL: tokenURL})
		var e *dpop.Error
		switch {
		case err == nil:
			if p == nil || p.JKT == "" || p.JTI == "" {
				t.Fatalf("accepted with %+v", p)
			}
		case !errors.As(err, &e) || p != nil:
			t.Fatalf("Verify = %+v, %v", p, err)
		}
	})
}

// benchVerify verifies b.N distinct proofs signed by key (made before the
// timer starts), with a Local replay cache.
func benchVerify(b *testing.B, key any, alg jose.SignatureAlgorithm) {
	proofs := make([]string, b.N)
	for i := range proofs {
		proofs[i] = sign(b, key, alg, nil, with(claims(apiURL), "ath", dpop.ATH(token)))
	}
	v := newVerifier()
	r := replay.NewLocal(b.N + 1)
	r.Now = v.Now
	v.Replay = r
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := dpop.Request{Proofs: proofs[i : i+1], Method: "POST", URL: apiURL, AccessToken: token}
		if _, err := v.Verify(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyES256(b *testing.B) { benchVerify(b, ecKey, jose.ES256) }
func BenchmarkVerifyEdDSA(b *testing.B) { benchVerify(b, edKey, jose.EdDSA) }

