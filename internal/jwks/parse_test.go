package jwks_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/jwks"
)

func newKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParse(t *testing.T) {
	k1, k2 := newKey(t, 2048), newKey(t, 2048)
	small := newKey(t, 1024)
	jwk := func(k any, kid, alg, use string) jose.JSONWebKey {
		return jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: alg, Use: use}
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		jwk(&k1.PublicKey, "good", "RS256", "sig"),
		jwk(&k2.PublicKey, "no-alg-no-use", "", ""),
		jwk(&k2.PublicKey, "rs512", "RS512", "sig"),
		jwk(&k2.PublicKey, "enc", "RS256", "enc"),
		jwk(&k2.PublicKey, "", "RS256", "sig"),
		jwk(&small.PublicKey, "small", "RS256", "sig"),
		jwk(&k2.PublicKey, "good", "RS256", "sig"), // duplicate kid: the first wins
		jwk([]byte("0123456789abcdef0123456789abcdef"), "oct", "HS256", "sig"),
	}}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	// A key of an unknown shape does not spoil the set.
	b = bytes.Replace(b, []byte(`{"keys":[`), []byte(`{"keys":[{"kty":"RSA","kid":"weird","use":["sig"]},{"kty":"RSA","kid":"bad-e","n":"AQAB","e":"!!"},`), 1)
	got, err := jwks.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !k1.PublicKey.Equal(got["good"].Key) || !k2.PublicKey.Equal(got["no-alg-no-use"].Key) || !k2.PublicKey.Equal(got["rs512"].Key) {
		t.Fatalf("kept %v, want good (key 1), no-alg-no-use and rs512", keysOf(got))
	}
	if got["good"].Alg != "RS256" || got["no-alg-no-use"].Alg != "" || got["rs512"].Alg != "RS512" {
		t.Errorf("algs %q %q %q: want each JWK's", got["good"].Alg, got["no-alg-no-use"].Alg, got["rs512"].Alg)
	}
	if _, err := jwks.Parse([]byte(`{"keys":[]}`)); err == nil {
		t.Error("an empty set was accepted")
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// FuzzParse: whatever a key set holds, Parse returns keys that fit their
// pinned alg's family, or an error, and never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB","alg":"RS384"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"e","crv":"P-521","x":"","y":"","alg":"ES256"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := jwks.Parse(data)
		if (err == nil) != (len(keys) > 0) {
			t.Fatalf("%d keys with error %v", len(keys), err)
		}
		for kid, k := range keys {
			if kid == "" || k.Key == nil {
				t.Fatalf("key %q: %+v", kid, k)
			}
		}
	})
}
