package dpop_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/dpop"
	"github.com/tollgate/tollgate/internal/replay"
)

var (
	now          = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tokenURL     = "https://auth.example.com/oauth2/token"
	apiURL       = "https://api.example.com/prod/pets"
	token        = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2ln"
	ecKey        = must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	ec384        = must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
	edPub, edKey = must2(ed25519.GenerateKey(rand.Reader))
	rsaKey       = must(rsa.GenerateKey(rand.Reader, 2048))
	rsaSmall     = must(rsa.GenerateKey(rand.Reader, 1024))
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// claims returns a proof's claims for a POST to url at now, with a jti of
// its own.
func claims(url string) map[string]any {
	return map[string]any{"jti": rand.Text(), "htm": "POST", "htu": url, "iat": now.Unix()}
}

// sign makes a proof with go-jose: signed by key with alg, the public key
// embedded as jwk unless headers sets one, typ dpop+jwt unless headers
// sets another.
func sign(t testing.TB, key any, alg jose.SignatureAlgorithm, headers map[jose.HeaderKey]any, c map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{ExtraHeaders: map[jose.HeaderKey]any{"typ": "dpop+jwt"}}
	if _, ok := headers["jwk"]; !ok {
		opts.EmbedJWK = true
	}
	for k, v := range headers {
		if v == nil {
			delete(opts.ExtraHeaders, k)
		} else {
			opts.ExtraHeaders[k] = v
		}
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newVerifier() *dpop.Verifier {
	r := replay.NewLocal(0)
	r.Now = func() time.Time { return now }
	return &dpop.Verifier{
		Algorithms: []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA", "HS256", "none"},
		MaxAge:     60 * time.Second,
		Skew:       5 * time.Second,
		Replay:     r,
		Now:        func() time.Time { return now },
	}
}

func with(c map[string]any, k string, v any) map[string]any {
	if v == nil {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

func pub(k any) jose.JSONWebKey { return jose.JSONWebKey{Key: k} }

// TestVerifyAccepts: well-formed proofs of each key type, at the token
// endpoint (no ath needed, one ignored) and at a resource (ath required).
func TestVerifyAccepts(t *testing.T) {
	v := newVerifier()
	cases := []struct {
		name  string
		proof string
		req   dpop.Request
		alg   string
		key   any
	}{
		{"ES256", sign(t, ecKey, jose.ES256, nil, claims(tokenURL)), dpop.Request{Method: "POST", URL: tokenURL}, "ES256", &ecKey.PublicKey},
		{"ES384", sign(t, ec384, jose.ES384, nil, claims(tokenURL)), dpop.Request{Method: "POST", URL: tokenURL}, "ES384", &ec384.PublicKey},
		{"EdDSA", sign(t, edKey, jose.EdDSA, nil, claims(tokenURL)), dpop.Request{Method: "POST", URL: tokenURL}, "EdDSA", edPub},
		{"RS256", sign(t, rsaKey, jose.RS256, nil, claims(tokenURL)), dpop.Request{Method: "POST", URL: tokenURL}, "RS256", &rsaKey.PublicKey},
		{"PS256", sign(t, rsaKey, jose.PS256, nil, claims(tokenURL)), dpop.Request{Method: "POST", URL: tokenURL}, "PS256", &rsaKey.PublicKey},
		// RFC 9449 §4.3 check 9: htu's query and fragment are ignored;
		// RFC 3986 §6.2.2 and §6.2.3 normalization applies.
		{"htu normalized", sign(t, ecKey, jose.ES256, nil, claims("HTTPS://Auth.Example.COM:443/oauth2/./%74oken?x=1#f")), dpop.Request{Method: "POST", URL: tokenURL + "?y=2"}, "ES256", &ecKey.PublicKey},
		// §4.3 check 10 applies with an access token only.
		{"ath ignored at the token endpoint", sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "ath", "anything")), dpop.Request{Method: "POST", URL: tokenURL}, "ES256", &ecKey.PublicKey},
		{"ath at a resource", sign(t, ecKey, jose.ES256, nil, with(with(claims(apiURL), "ath", dpop.ATH(token)), "htm", "GET")), dpop.Request{Method: "GET", URL: apiURL, AccessToken: token}, "ES256", &ecKey.PublicKey},
		{"iat at the skew's edge", sign(t, edKey, jose.EdDSA, nil, with(claims(tokenURL), "iat", now.Add(5*time.Second).Unix())), dpop.Request{Method: "POST", URL: tokenURL}, "EdDSA", edPub},
		{"iat fractional", sign(t, edKey, jose.EdDSA, nil, with(claims(tokenURL), "iat", float64(now.Unix())-59.5)), dpop.Request{Method: "POST", URL: tokenURL}, "EdDSA", edPub},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Proofs = []string{c.proof}
			p, err := v.Verify(context.Background(), c.req)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			k := pub(c.key)
			want, err := dpop.Thumbprint(&k)
			if err != nil {
				t.Fatal(err)
			}
			if p.JKT != want || p.Alg != c.alg || p.JTI == "" {
				t.Fatalf("Proof = %+v, want JKT %s, alg %s", p, want, c.alg)
			}
		})
	}
}

// TestVerifyRefuses: hostile and broken proofs, each refused with
// invalid_dpop_proof and a description naming the failed check (RFC 9449
// §4.3, §5.2, §7.1).
func TestVerifyRefuses(t *testing.T) {
	post := dpop.Request{Method: "POST", URL: tokenURL}
	get := dpop.Request{Method: "GET", URL: apiURL, AccessToken: token}
	good := sign(t, ecKey, jose.ES256, nil, claims(tokenURL))
	replayed := sign(t, ecKey, jose.ES256, nil, claims(tokenURL))
	hmacKey := []byte("0123456789abcdef0123456789abcdef")
	octJWK := map[string]any{"kty": "oct", "k": base64.RawURLEncoding.EncodeToString(hmacKey)}
	rsaJWK := pub(&rsaKey.PublicKey)
	privJWK := jose.JSONWebKey{Key: ecKey}
	privJSON := must(privJWK.MarshalJSON())
	parts := strings.Split(good, ".")
	cases := []struct {
		name   string
		proofs []string
		req    dpop.Request
		want   string
	}{
		{"no header", nil, post, "exactly one DPoP header"},
		{"two headers", []string{good, good}, post, "exactly one DPoP header"},
		{"oversized", []string{good + strings.Repeat("A", dpop.MaxProofSize)}, post, "too large"},
		{"not a JWS", []string{"not.a-jws"}, post, "compact serialization"},
		{"JSON serialization", []string{`{"payload":"e30","signatures":[]}`}, post, "compact serialization"},
		{"header not JSON", []string{"bm90IGpzb24." + parts[1] + "." + parts[2]}, post, "header is not a JSON object"},
		{"header JSON null", []string{"bnVsbA." + parts[1] + "." + parts[2]}, post, "header is not a JSON object"},
		{"claims not JSON", []string{signRaw(t, ecKey, jose.ES256, []byte("not json"))}, post, "claims are not a JSON object"},
		{"replay", []string{replayed}, post, "used before"},
		{"wrong htm", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "htm", "post"))}, post, "htm"},
		{"another host", []string{sign(t, ecKey, jose.ES256, nil, claims("https://evil.example.com/oauth2/token"))}, post, "htu"},
		{"another path", []string{sign(t, ecKey, jose.ES256, nil, claims("https://auth.example.com/oauth2/revoke"))}, post, "htu"},
		{"another scheme", []string{sign(t, ecKey, jose.ES256, nil, claims("http://auth.example.com/oauth2/token"))}, post, "htu"},
		{"another port", []string{sign(t, ecKey, jose.ES256, nil, claims("https://auth.example.com:8443/oauth2/token"))}, post, "htu"},
		{"htu not a URL", []string{sign(t, ecKey, jose.ES256, nil, claims("/oauth2/token"))}, post, "htu"},
		{"htu missing", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "htu", nil))}, post, "no htu"},
		{"stale iat", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "iat", now.Add(-61*time.Second).Unix()))}, post, "too old"},
		{"iat at MaxAge", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "iat", now.Add(-60*time.Second).Unix()))}, post, "too old"},
		{"future iat", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "iat", now.Add(6*time.Second).Unix()))}, post, "in the future"},
		{"iat a string", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "iat", "1772366400"))}, post, "no valid iat"},
		{"iat missing", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "iat", nil))}, post, "no valid iat"},
		{"missing jti", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "jti", nil))}, post, "no jti"},
		{"empty jti", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "jti", ""))}, post, "no jti"},
		{"jti a number", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "jti", 42))}, post, "no jti"},
		{"jti too long", []string{sign(t, ecKey, jose.ES256, nil, with(claims(tokenURL), "jti", strings.Repeat("j", 257)))}, post, "jti is too long"},
		{"JTI by another case", []string{sign(t, ecKey, jose.ES256, nil, with(with(claims(tokenURL), "JTI", "x"), "jti", nil))}, post, "no jti"},
		{"alg none", []string{unsecured(t, claims(tokenURL))}, post, "alg"},
		{"HS256 with an oct jwk", []string{sign(t, hmacKey, jose.HS256, map[jose.HeaderKey]any{"jwk": octJWK}, claims(tokenURL))}, post, "alg"},
		{"HS256 keyed with an RSA jwk's modulus", []string{sign(t, rsaKey.N.Bytes(), jose.HS256, map[jose.HeaderKey]any{"jwk": rsaJWK}, claims(tokenURL))}, post, "alg"},
		{"alg not accepted", []string{sign(t, ecKey, jose.ES256, nil, claims(tokenURL))}, post, "alg"},
		{"jwk with d", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": json.RawMessage(privJSON)}, claims(tokenURL))}, post, "not a public key"},
		{"oct jwk with an asymmetric alg", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": octJWK}, claims(tokenURL))}, post, "not a public key"},
		{"no jwk", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": "none"}, claims(tokenURL))}, post, "no jwk"},
		{"jwk of another type than alg", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": pub(edPub)}, claims(tokenURL))}, post, "does not fit its alg"},
		{"jwk on another curve than alg", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": pub(&ec384.PublicKey)}, claims(tokenURL))}, post, "does not fit its alg"},
		{"RSA key under 2048 bits", []string{sign(t, rsaSmall, jose.RS256, nil, claims(tokenURL))}, post, "does not fit its alg"},
		{"wrong typ", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"typ": "JWT"}, claims(tokenURL))}, post, "typ"},
		{"typ by another case", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"typ": "DPoP+JWT"}, claims(tokenURL))}, post, "typ"},
		{"no typ", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"typ": nil}, claims(tokenURL))}, post, "typ"},
		{"crit header", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"crit": []string{"exp"}, "exp": 1}, claims(tokenURL))}, post, "crit"},
		{"bad signature", []string{parts[0] + "." + parts[1] + "." + badSig(parts[2])}, post, "signature"},
		{"signed by another key", []string{sign(t, ecKey, jose.ES256, map[jose.HeaderKey]any{"jwk": pub(&must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)).PublicKey)}, claims(tokenURL))}, post, "signature"},
		{"ath missing", []string{sign(t, ecKey, jose.ES256, nil, with(claims(apiURL), "htm", "GET"))}, get, "no ath"},
		{"ath mismatched", []string{sign(t, ecKey, jose.ES256, nil, with(with(claims(apiURL), "htm", "GET"), "ath", dpop.ATH(token+"x")))}, get, "ath does not match"},
	}
	v := newVerifier()
	if _, err := v.Verify(context.Background(), dpop.Request{Proofs: []string{replayed}, Method: "POST", URL: tokenURL}); err != nil {
		t.Fatalf("first use of the replayed proof: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := v
			if c.name == "alg not accepted" {
				v = newVerifier()
				v.Algorithms = []string{"EdDSA"}
			}
			req := c.req
			req.Proofs = c.proofs
			p, err := v.Verify(context.Background(), req)
			var e *dpop.Error
			if !errors.As(err, &e) || p != nil {
				t.Fatalf("Verify = %+v, %v; want an *Error", p, err)
			}
			if e.Code != dpop.CodeInvalidProof || !strings.Contains(e.Description, c.want) {
				t.Fatalf("Error = %q %q, want invalid_dpop_proof naming %q", e.Code, e.Description, c.want)
			}
			for _, p := range c.proofs {
				if len(p) > 8 && strings.Contains(e.Description, p[:8]) {
					t.Fatalf("the description %q quotes the proof", e.Description)
				}
			}
		})
	}
}

func badSig(s string) string {
	b := must(base64.RawURLEncoding.DecodeString(s))
	b[0] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

// signRaw signs any payload bytes.
func signRaw(t *testing.T, key any, alg jose.SignatureAlgorithm, payload []byte) string {
	t.Helper()
	s := must(jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		&jose.SignerOptions{EmbedJWK: true, ExtraHeaders: map[jose.HeaderKey]any{"typ": "dpop+jwt"}}))
	return must(must(s.Sign(payload)).CompactSerialize())
}

// unsecured makes an alg none JWS (RFC 7519 §6), which go-jose does not
// sign: header and claims by hand, an empty signature.
func unsecured(t *testing.T, c map[string]any) string {
	t.Helper()
	k := pub(&ecKey.PublicKey)
	h := must(json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "none", "jwk": k}))
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(must(json.Marshal(c))) + "."
}

// failing is a replay cache that cannot answer.
type failing struct{}

func (failing) Use(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("connection refused")
}

// TestVerifyReplayCacheFails: a replay cache that cannot answer refuses
// the proof, as the server's failure (ErrReplayCache), not the client's.
func TestVerifyReplayCacheFails(t *testing.T) {
	v := newVerifier()
	v.Replay = failing{}
	_, err := v.Verify(context.Background(), dpop.Request{Proofs: []string{sign(t, ecKey, jose.ES256, nil, claims(tokenURL))}, Method: "POST", URL: tokenURL})
	var e *dpop.Error
	if !errors.Is(err, dpop.ErrReplayCache) || errors.As(err, &e) {
		t.Fatalf("Verify = %v, want ErrReplayCache", err)
	}
}

// TestVerifyReplayKey: the replay cache records "dpop:" + jkt + ":" + jti
// until iat + MaxAge + Skew; the same jti with another key is another
// proof.
func TestVerifyReplayKey(t *testing.T) {
	rec := &recording{}
	v := newVerifier()
	v.Replay = rec
	c := claims(tokenURL)
	c["jti"] = "same"
	for _, key := range []any{ecKey, edKey} {
		alg := jose.ES256
		if _, ok := key.(ed25519.PrivateKey); ok {
			alg = jose.EdDSA
		}
		p, err := v.Verify(context.Background(), dpop.Request{Proofs: []string{sign(t, key, alg, nil, c)}, Method: "POST", URL: tokenURL})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.keys[len(rec.keys)-1]; got != "dpop:"+p.JKT+":same" {
			t.Fatalf("replay key %q", got)
		}
		if !rec.exp.Equal(now.Add(65 * time.Second)) {
			t.Fatalf("replay expiry %v, want iat + 65 s", rec.exp)
		}
	}
}

type recording struct {
	keys []string
	exp  time.Time
}

func (r *recording) Use(_ context.Context, key string, exp time.Time) (bool, error) {
	r.keys = append(r.keys, key)
	r.exp = exp
	return true, nil
}

// TestThumbprint: RFC 7638 §3.1's example key and thumbprint.
func TestThumbprint(t *testing.T) {
	const rfc7638 = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON([]byte(rfc7638)); err != nil {
		t.Fatal(err)
	}
	if got, _ := dpop.Thumbprint(&k); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("Thumbprint = %s", got)
	}
}

// TestATH: RFC 9449 §7.1's example token and ath.
func TestATH(t *testing.T) {
	if got := dpop.ATH("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"); got != "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo" {
		t.Fatalf("ATH = %s", got)
	}
}

func TestNormalizeURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://a.example/x", "https://a.example/x"},
		{"HTTPS://A.Example:443/x?q#f", "https://a.example/x"},
		{"http://a.example:80", "http://a.example/"},
		{"http://a.example:443/", "http://a.example:443/"},
		{"https://a.example:/x", "https://a.example/x"},
		{"https://[::1]:8443/a/b/../c/./d", "https://[::1]:8443/a/c/d"},
		{"https://a.example/%7euser/%2f%41", "https://a.example/~user/%2FA"},
	}
	for _, c := range cases {
		if got, err := dpop.NormalizeURL(c.in); err != nil || got != c.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "/path", "ftp://a.example/", "https://user:pw@a.example/", "mailto:a@b", "https:opaque"} {
		if got, err := dpop.NormalizeURL(bad); err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", bad, got)
		}
	}
}
