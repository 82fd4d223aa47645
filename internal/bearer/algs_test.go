package bearer_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/bearer"
)

// poolKeys are a pool's keys of each algorithm a pool signs with (RFC 7518
// §3.3 RS256, §3.4 ES256 on P-256, RFC 8037 §3.1 EdDSA with Ed25519), each
// pinned to its alg as the signer publishes them.
type poolKeys struct {
	rs *jwtKey
	es *jwtKey
	ed *jwtKey
}

func newPoolKeys(tb testing.TB) poolKeys {
	tb.Helper()
	rk, _ := keys(tb)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	_, dk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return poolKeys{
		rs: &jwtKey{"rs", jose.RS256, rk},
		es: &jwtKey{"es", jose.ES256, ek},
		ed: &jwtKey{"ed", jose.EdDSA, dk},
	}
}

// set returns the keys as bearer.Keys, each pinned to its alg and
// requiring typ (none when "").
func (p poolKeys) set(typ string) bearer.Keys {
	ks := bearer.Keys{}
	for _, k := range []*jwtKey{p.rs, p.es, p.ed} {
		ks[k.kid] = bearer.JWTKey{Key: k.priv.Public(), Alg: string(k.alg), Typ: typ}
	}
	return ks
}

// poolToken signs validClaims with k under kid, with go-jose: a signer
// independent of Tollgate's. extra headers are added (typ).
func poolToken(tb testing.TB, k *jwtKey, kid string, extra map[string]any) string {
	tb.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", kid)
	for h, v := range extra {
		opts = opts.WithHeader(jose.HeaderKey(h), v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	jws, err := s.Sign([]byte(mustJSON(tb, validClaims())))
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := b64.DecodeString(enc(v))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestVerifyPoolAlgorithms(t *testing.T) {
	p := newPoolKeys(t)
	for _, k := range []*jwtKey{p.rs, p.es, p.ed} {
		t.Run(string(k.alg), func(t *testing.T) {
			c, err := bearer.Verify(poolToken(t, k, k.kid, nil), p.set(""), expect())
			if err != nil {
				t.Fatal(err)
			}
			if c.ClientID != clientID {
				t.Errorf("client_id %q", c.ClientID)
			}
			// VerifyJWT takes a pool's keys as they are too.
			want := expectJWT()
			want.Issuer, want.Audiences, want.Claims, want.LocalPool = issuer, []string{clientID}, nil, true
			if _, err := bearer.VerifyJWT(poolToken(t, k, k.kid, nil), p.set(""), want); err != nil {
				t.Fatalf("VerifyJWT: %v", err)
			}
		})
	}
}

// TestVerifyAlgorithmConfusion: the key decides the algorithm, never the
// token (RFC 8725 §2.1, §3.1).
func TestVerifyAlgorithmConfusion(t *testing.T) {
	p := newPoolKeys(t)
	rk, _ := keys(t)
	der, err := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	hs256 := func(header string) string {
		input := enc(header) + "." + enc(validClaims())
		m := hmac.New(sha256.New, der)
		m.Write([]byte(input))
		return input + "." + b64.EncodeToString(m.Sum(nil))
	}
	tests := []struct {
		name  string
		token string
		keys  bearer.Keys
	}{
		// An EC key's signature under the kid of the RSA key, alg ES256.
		{"ES256 header, RSA key", poolToken(t, p.es, "rs", nil), p.set("")},
		// An Ed25519 signature under the kid of the EC key.
		{"EdDSA header, EC key", poolToken(t, p.ed, "es", nil), p.set("")},
		// The same with keys that pin no alg: the key's type still decides.
		{"EdDSA header, unpinned EC key", poolToken(t, p.ed, "es", nil), bearer.Keys{"es": {Key: p.es.priv.Public()}}},
		{"ES256 header, unpinned Ed25519 key", poolToken(t, p.es, "ed", nil), bearer.Keys{"ed": {Key: p.ed.priv.Public()}}},
		{"RS256 header, EC key", poolToken(t, p.rs, "es", nil), p.set("")},
		// RFC 8725 §2.1: an unsecured JWS.
		{"none", enc(`{"kid":"rs","alg":"none"}`) + "." + enc(validClaims()) + ".AA", p.set("")},
		// HS256 keyed with the RSA public key's bytes, the classic confusion.
		{"HS256 with the public key", hs256(`{"kid":"rs","alg":"HS256"}`), p.set("")},
		{"HS256 with the public key, EC kid", hs256(`{"kid":"es","alg":"HS256"}`), p.set("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bearer.Verify(tt.token, tt.keys, expect())
			if !errors.Is(err, bearer.ErrInvalid) {
				t.Fatalf("Verify: %v, want ErrInvalid", err)
			}
			want := expectJWT()
			want.Issuer, want.Audiences, want.Claims, want.LocalPool = issuer, []string{clientID}, nil, true
			if _, err := bearer.VerifyJWT(tt.token, tt.keys, want); !errors.Is(err, bearer.ErrInvalid) {
				t.Fatalf("VerifyJWT: %v, want ErrInvalid", err)
			}
		})
	}
}

// TestVerifyTyp: a pool issuing RFC 9068 access tokens has its keys require
// typ at+jwt, compared as a media type (RFC 9068 §4: "at+jwt" or
// "application/at+jwt"; RFC 7515 §4.1.9: case-insensitive); other pools'
// keys take tokens without typ, as Cognito's are.
func TestVerifyTyp(t *testing.T) {
	p := newPoolKeys(t)
	tests := []struct {
		typ     any // the token's typ header; nil: none
		require string
		ok      bool
	}{
		{nil, "", true},
		{"at+jwt", "", true},
		{"at+jwt", "at+jwt", true},
		{"AT+JWT", "at+jwt", true},
		{"application/at+jwt", "at+jwt", true},
		{"Application/AT+JWT", "at+jwt", true},
		{nil, "at+jwt", false},
		{"JWT", "at+jwt", false},
		{"application/jwt", "at+jwt", false},
		{"application/", "at+jwt", false},
		{"xat+jwt", "at+jwt", false},
		{7, "at+jwt", false},
	}
	for _, tt := range tests {
		for _, k := range []*jwtKey{p.rs, p.es, p.ed} {
			extra := map[string]any{}
			if tt.typ != nil {
				extra["typ"] = tt.typ
			}
			tok := poolToken(t, k, k.kid, extra)
			_, err := bearer.Verify(tok, p.set(tt.require), expect())
			if (err == nil) != tt.ok {
				t.Errorf("%s typ %v, key requires %q: %v, want ok %v", k.alg, tt.typ, tt.require, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "typ") {
				t.Errorf("%s typ %v: reason %q does not name typ", k.alg, tt.typ, err)
			}
		}
	}
}

// TestVerifyJWTLocalPoolAlgorithms: LocalPool lets a pool's ES256 and EdDSA
// keys through a JWT authorizer whose AWS list lacks them (a Tollgate
// extension), only with keys that pin the alg; an external issuer's tokens
// keep the list.
func TestVerifyJWTLocalPoolAlgorithms(t *testing.T) {
	p := newPoolKeys(t)
	want := expectJWT()
	want.Issuer, want.Audiences, want.Claims, want.Algorithms = issuer, []string{clientID}, nil, []string{"RS256"}
	for _, k := range []*jwtKey{p.es, p.ed} {
		tok := poolToken(t, k, k.kid, nil)
		if _, err := bearer.VerifyJWT(tok, p.set(""), want); !errors.Is(err, bearer.ErrInvalid) {
			t.Errorf("%s without LocalPool: %v", k.alg, err)
		}
		unpinned := bearer.JWTKeys{k.kid: {Key: k.priv.Public()}}
		local := want
		local.LocalPool = true
		if _, err := bearer.VerifyJWT(tok, unpinned, local); !errors.Is(err, bearer.ErrInvalid) {
			t.Errorf("%s with LocalPool, unpinned key: %v", k.alg, err)
		}
		if _, err := bearer.VerifyJWT(tok, p.set(""), local); err != nil {
			t.Errorf("%s with LocalPool: %v", k.alg, err)
		}
	}
}
