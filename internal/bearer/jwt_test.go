package bearer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/bearer"
)

// The rules below are those of API Gateway's JWT authorizers:
//   - rest-api-jwt-authorizer-create.html: "The issuer that you configure
//     must match the token's iss claim exactly, including any trailing
//     slash."
//   - http-api-jwt-authorizer.html (which the REST pages mirror, contract
//     apigw-beyond.md §1.6 and §4.3): kid names a JWKS key, iss, aud or
//     client_id, exp after now, nbf and iat before now.
//   - http-api-troubleshooting-jwt.html: "API Gateway validates client_id
//     only if aud is not present. When both aud and client_id are present,
//     API Gateway evaluates aud."
//   - API_JwtAdditionalClaim.html: SINGLE_STRING, "the claim must match it
//     exactly, and the match is case-sensitive", required "Defaults to
//     false. When true, the token must contain the claim."
//   - API_JwtConfigurationInput.html: RS256 RS384 RS512 ES256 ES384 ES512.

const (
	jwtIssuer = "https://issuer.example.com/"
	jwtAud    = "api"
)

// jwtKey is a signing key of the test issuer, with the alg it signs.
type jwtKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

var (
	jwtKeysOnce sync.Once
	jwtKeyList  []jwtKey
)

// jwtKeys returns one key per algorithm a JWT authorizer may allow, kids
// named after the alg.
func jwtKeys(tb testing.TB) []jwtKey {
	tb.Helper()
	jwtKeysOnce.Do(func() {
		rk, _ := keys(tb)
		for _, a := range []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512} {
			jwtKeyList = append(jwtKeyList, jwtKey{"k-" + string(a), a, rk})
		}
		for a, c := range map[jose.SignatureAlgorithm]elliptic.Curve{jose.ES256: elliptic.P256(), jose.ES384: elliptic.P384(), jose.ES512: elliptic.P521()} {
			k, err := ecdsa.GenerateKey(c, rand.Reader)
			if err != nil {
				panic(err)
			}
			jwtKeyList = append(jwtKeyList, jwtKey{"k-" + string(a), a, k})
		}
	})
	return jwtKeyList
}

func keyOf(tb testing.TB, alg jose.SignatureAlgorithm) jwtKey {
	tb.Helper()
	for _, k := range jwtKeys(tb) {
		if k.alg == alg {
			return k
		}
	}
	tb.Fatalf("no key for %s", alg)
	return jwtKey{}
}

// jwtKeySet is the issuer's key set: every key of jwtKeys, without alg
// pins (as most issuers publish EC keys), and one RSA key pinned to RS256.
func jwtKeySet(tb testing.TB) bearer.JWTKeys {
	tb.Helper()
	ks := bearer.JWTKeys{}
	for _, k := range jwtKeys(tb) {
		ks[k.kid] = bearer.JWTKey{Key: k.priv.Public()}
	}
	rk, _ := keys(tb)
	ks["pinned-rs256"] = bearer.JWTKey{Key: &rk.PublicKey, Alg: "RS256"}
	return ks
}

func signJWT(tb testing.TB, k jwtKey, kid string, extra map[string]any, claims map[string]any) string {
	tb.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", kid)
	for h, v := range extra {
		opts = opts.WithHeader(jose.HeaderKey(h), v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	return signJWTPayload(tb, s, payload)
}

// signJWTPayload signs payload as written: member order and repeats kept.
func signJWTPayload(tb testing.TB, s jose.Signer, payload []byte) string {
	tb.Helper()
	jws, err := s.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func jwtClaims() map[string]any {
	return map[string]any{
		"iss":    jwtIssuer,
		"sub":    "user-1",
		"aud":    jwtAud,
		"exp":    now.Unix() + 3600,
		"iat":    now.Unix() - 60,
		"nbf":    now.Unix() - 60,
		"scope":  "orders:read orders:write",
		"tenant": "a",
	}
}

func with2(c map[string]any, kv ...any) map[string]any {
	c = maps.Clone(c)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

func expectJWT() bearer.ExpectJWT {
	return bearer.ExpectJWT{
		Algorithms: bearer.JWTAlgorithms,
		Issuer:     jwtIssuer,
		Audiences:  []string{"other", jwtAud},
		Claims: []bearer.ClaimRule{
			{Name: "tenant", Values: []string{"a", "b"}, Required: true},
			{Name: "region", Values: []string{"eu"}},
		},
		Now: func() time.Time { return now },
	}
}

func TestVerifyJWTEveryAlgorithm(t *testing.T) {
	for _, k := range jwtKeys(t) {
		t.Run(string(k.alg), func(t *testing.T) {
			c, err := bearer.VerifyJWT(signJWT(t, k, k.kid, nil, jwtClaims()), jwtKeySet(t), expectJWT())
			if err != nil {
				t.Fatal(err)
			}
			if c.Alg != string(k.alg) || c.Iss != jwtIssuer || c.Sub != "user-1" || c.Exp != now.Unix()+3600 || len(c.Aud) != 1 || c.Aud[0] != jwtAud {
				t.Errorf("claims %+v", c)
			}
			if !c.HasAnyScope([]string{"nope", "orders:write"}) || c.HasAnyScope([]string{"orders"}) {
				t.Errorf("scopes of %q", c.Scope)
			}
			var m map[string]any
			if err := json.Unmarshal(c.Raw, &m); err != nil || m["tenant"] != "a" {
				t.Errorf("Raw %s: %v", c.Raw, err)
			}
		})
	}
}

func TestVerifyJWTRules(t *testing.T) {
	rs, es := keyOf(t, jose.RS256), keyOf(t, jose.ES256)
	base := jwtClaims()
	cognito := with2(base, "aud", nil, "client_id", jwtAud, "token_use", "access")
	only := func(algs ...string) func(*bearer.ExpectJWT) {
		return func(e *bearer.ExpectJWT) { e.Algorithms = algs }
	}
	anyTenant := func(e *bearer.ExpectJWT) { e.Claims = []bearer.ClaimRule{{Name: "tenant", Required: true}} }
	tests := []struct {
		name   string
		key    jwtKey
		kid    string
		header map[string]any
		claims map[string]any
		want   func(*bearer.ExpectJWT)
		err    error // nil: valid
	}{
		{name: "valid RS256", key: rs, claims: base},
		{name: "valid ES256", key: es, claims: base},
		{name: "aud array holding one audience", key: es, claims: with2(base, "aud", []string{"x", jwtAud})},
		{name: "aud array holding none", key: es, claims: with2(base, "aud", []string{"x", "y"}), err: bearer.ErrInvalid},
		{name: "aud of another API", key: es, claims: with2(base, "aud", "x"), err: bearer.ErrInvalid},
		{name: "aud not a string", key: es, claims: with2(base, "aud", 7), err: bearer.ErrInvalid},
		// Cognito access tokens carry no aud: client_id decides.
		{name: "no aud, client_id an audience (Cognito access token)", key: rs, claims: cognito},
		{name: "no aud, client_id not an audience", key: rs, claims: with2(cognito, "client_id", "x"), err: bearer.ErrInvalid},
		{name: "no aud, no client_id", key: rs, claims: with2(base, "aud", nil), err: bearer.ErrInvalid},
		// aud decides when both are present.
		{name: "aud wrong, client_id right", key: rs, claims: with2(base, "aud", "x", "client_id", jwtAud), err: bearer.ErrInvalid},
		{name: "aud right, client_id wrong", key: rs, claims: with2(base, "client_id", "x")},
		{name: "iss without the trailing slash", key: es, claims: with2(base, "iss", strings.TrimSuffix(jwtIssuer, "/")), err: bearer.ErrInvalid},
		{name: "iss with another case", key: es, claims: with2(base, "iss", strings.ToUpper(jwtIssuer)), err: bearer.ErrInvalid},
		{name: "no iss", key: es, claims: with2(base, "iss", nil), err: bearer.ErrInvalid},
		{name: "iss not a string", key: es, claims: with2(base, "iss", 1), err: bearer.ErrInvalid},
		{name: "expired", key: es, claims: with2(base, "exp", now.Unix()), err: bearer.ErrExpired},
		{name: "expired long ago", key: es, claims: with2(base, "exp", now.Unix()-3600), err: bearer.ErrExpired},
		{name: "exp fractional", key: es, claims: with2(base, "exp", float64(now.Unix())+10.5)},
		{name: "no exp", key: es, claims: with2(base, "exp", nil), err: bearer.ErrInvalid},
		{name: "exp a string", key: es, claims: with2(base, "exp", "2099"), err: bearer.ErrInvalid},
		// No skew on nbf and iat: API Gateway documents none for JWT
		// authorizers ("nbf < now, iat < now; no documented skew": contract
		// apigw-beyond.md §4.3 and §5 item 8), unlike Verify's IssuedSkew.
		{name: "nbf ahead beyond the skew", key: es, claims: with2(base, "nbf", now.Add(bearer.IssuedSkew+time.Second).Unix()), err: bearer.ErrInvalid},
		{name: "nbf a second ahead", key: es, claims: with2(base, "nbf", now.Add(time.Second).Unix()), err: bearer.ErrInvalid},
		{name: "iat a second ahead", key: es, claims: with2(base, "iat", now.Add(time.Second).Unix()), err: bearer.ErrInvalid},
		{name: "nbf now", key: es, claims: with2(base, "nbf", now.Unix(), "iat", now.Unix())},
		{name: "nbf a second ahead within the leeway", key: es, claims: with2(base, "nbf", now.Add(time.Second).Unix()), want: func(e *bearer.ExpectJWT) { e.Leeway = time.Second }},
		{name: "no nbf", key: es, claims: with2(base, "nbf", nil)},
		{name: "iat ahead beyond the skew", key: es, claims: with2(base, "iat", now.Add(bearer.IssuedSkew+time.Second).Unix()), err: bearer.ErrInvalid},
		{name: "no iat", key: es, claims: with2(base, "iat", nil)},
		{name: "required claim missing", key: es, claims: with2(base, "tenant", nil), err: bearer.ErrInvalid},
		{name: "required claim of another value", key: es, claims: with2(base, "tenant", "c"), err: bearer.ErrInvalid},
		{name: "required claim of another case", key: es, claims: with2(base, "tenant", "A"), err: bearer.ErrInvalid},
		{name: "required claim not a single string", key: es, claims: with2(base, "tenant", []string{"a"}), err: bearer.ErrInvalid},
		// A JSON null is no string: it satisfies no rule (json.Unmarshal
		// would read it as "").
		{name: "required claim null", key: es, claims: with2(base, "tenant", json.RawMessage("null")), want: anyTenant, err: bearer.ErrInvalid},
		{name: "required claim of any value", key: es, claims: with2(base, "tenant", "z"), want: anyTenant},
		{name: "required claim empty", key: es, claims: with2(base, "tenant", ""), want: anyTenant},
		{name: "required claim a number", key: es, claims: with2(base, "tenant", 1), want: anyTenant, err: bearer.ErrInvalid},
		{name: "optional claim null", key: es, claims: with2(base, "region", json.RawMessage("null")), err: bearer.ErrInvalid},
		{name: "optional claim absent", key: es, claims: base},
		{name: "optional claim expected", key: es, claims: with2(base, "region", "eu")},
		{name: "optional claim mismatched", key: es, claims: with2(base, "region", "us"), err: bearer.ErrInvalid},
		{name: "no scope claims", key: es, claims: with2(base, "scope", nil)},
		{name: "alg not allowed", key: es, claims: base, want: only("RS256"), err: bearer.ErrInvalid},
		{name: "alg allowed among others", key: es, claims: base, want: only("RS512", "ES256")},
		{name: "no algorithm allowed", key: es, claims: base, want: only(), err: bearer.ErrInvalid},
		{name: "HS256 cannot be allowed", key: es, claims: base, want: only("HS256", "none"), err: bearer.ErrInvalid},
		{name: "RS384 with an RS256-pinned key", key: keyOf(t, jose.RS384), kid: "pinned-rs256", claims: base, err: bearer.ErrInvalid},
		{name: "RS256 with an RS256-pinned key", key: rs, kid: "pinned-rs256", claims: base},
		{name: "ES256 naming an RSA key", key: es, kid: rs.kid, claims: base, err: bearer.ErrInvalid},
		{name: "RS256 naming an EC key", key: rs, kid: es.kid, claims: base, err: bearer.ErrInvalid},
		{name: "ES256 naming a P-384 key", key: es, kid: "k-ES384", claims: base, err: bearer.ErrInvalid},
		{name: "unknown kid", key: es, kid: "nope", claims: base, err: bearer.ErrInvalid},
		{name: "no kid", key: es, kid: "", claims: base, err: bearer.ErrInvalid},
		{name: "crit header", key: es, header: map[string]any{"crit": []string{"exp"}, "exp": 1}, claims: base, err: bearer.ErrInvalid},
		{name: "typ not required, any accepted", key: es, header: map[string]any{"typ": "at+jwt"}, claims: base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kid := tt.key.kid
			if tt.kid != "" || strings.HasPrefix(tt.name, "no kid") {
				kid = tt.kid
			}
			tok := signJWT(t, tt.key, kid, tt.header, tt.claims)
			want := expectJWT()
			if tt.want != nil {
				tt.want(&want)
			}
			c, err := bearer.VerifyJWT(tok, jwtKeySet(t), want)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.err) || c != nil {
				t.Fatalf("got %v, %+v; want %v", err, c, tt.err)
			}
			if errors.Is(tt.err, bearer.ErrExpired) && errors.Is(err, bearer.ErrInvalid) {
				t.Fatal("expired is also invalid")
			}
		})
	}
}

func TestVerifyJWTScopeOrScp(t *testing.T) {
	es := keyOf(t, jose.ES256)
	base := with2(jwtClaims(), "scope", nil)
	tests := []struct {
		name   string
		claims map[string]any
		want   string // Scope after VerifyJWT
		err    bool
	}{
		{"scope string", with2(base, "scope", "a b"), "a b", false},
		{"scp string", with2(base, "scp", "a b"), "a b", false},
		{"scp array", with2(base, "scp", []string{"a", "b"}), "a b", false},
		{"scope array", with2(base, "scope", []string{"a", "b"}), "a b", false},
		{"scope wins over scp", with2(base, "scope", "a", "scp", []string{"b"}), "a", false},
		{"empty scope, scp read", with2(base, "scope", "", "scp", []string{"b"}), "b", false},
		{"an scp element with a space is no scope", with2(base, "scp", []string{"a b", "c"}), "c", false},
		{"scp a number", with2(base, "scp", 1), "", true},
		{"scp an array of numbers", with2(base, "scp", []int{1}), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := bearer.VerifyJWT(signJWT(t, es, es.kid, nil, tt.claims), jwtKeySet(t), expectJWT())
			if tt.err {
				if !errors.Is(err, bearer.ErrInvalid) {
					t.Fatalf("got %v, want invalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Scope != tt.want {
				t.Errorf("Scope %q, want %q", c.Scope, tt.want)
			}
		})
	}
}

func TestVerifyJWTLocalKeys(t *testing.T) {
	// A local pool's RS256 keys (bearer.Keys) verify as a JWT key set.
	rk, _ := keys(t)
	c := with2(jwtClaims(), "aud", nil, "client_id", jwtAud)
	tok := signJWT(t, jwtKey{kid, jose.RS256, rk}, kid, nil, c)
	if _, err := bearer.VerifyJWT(tok, keySet(t), expectJWT()); err != nil {
		t.Fatal(err)
	}
	tok = signJWT(t, jwtKey{kid, jose.RS384, rk}, kid, nil, c)
	if _, err := bearer.VerifyJWT(tok, keySet(t), expectJWT()); !errors.Is(err, bearer.ErrInvalid) {
		t.Fatalf("RS384 with a local key: %v", err)
	}
}

func TestVerifyJWTUnsigned(t *testing.T) {
	// alg "none" and HS256 keyed with the RSA key's bytes: refused before
	// any key is looked at.
	none := enc(map[string]string{"alg": "none", "kid": "k-RS256"}) + "." + enc(jwtClaims()) + "."
	if _, err := bearer.VerifyJWT(none, jwtKeySet(t), expectJWT()); !errors.Is(err, bearer.ErrInvalid) {
		t.Fatalf("alg none: %v", err)
	}
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("a shared secret of 32 bytes at least")}, (&jose.SignerOptions{}).WithHeader("kid", "k-RS256"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(jwtClaims())
	jws, err := hs.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	hsTok, _ := jws.CompactSerialize()
	if _, err := bearer.VerifyJWT(hsTok, jwtKeySet(t), expectJWT()); !errors.Is(err, bearer.ErrInvalid) {
		t.Fatalf("HS256: %v", err)
	}
}

func FuzzVerifyJWT(f *testing.F) {
	es := keyOf(f, jose.ES256)
	rs := keyOf(f, jose.RS256)
	f.Add(signJWT(f, es, es.kid, nil, jwtClaims()))
	f.Add(signJWT(f, rs, rs.kid, nil, with2(jwtClaims(), "aud", []string{"x", jwtAud}, "scp", []string{"a"})))
	f.Add(signJWT(f, es, es.kid, map[string]any{"crit": []string{"b64"}, "b64": false}, jwtClaims()))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	ks := jwtKeySet(f)
	want := expectJWT()
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := bearer.VerifyJWT(tok, ks, want)
		if (c == nil) == (err == nil) {
			t.Fatalf("claims %v with error %v", c, err)
		}
		if err != nil && errors.Is(err, bearer.ErrExpired) == errors.Is(err, bearer.ErrInvalid) {
			t.Fatalf("error %v is not exactly one of ErrExpired, ErrInvalid", err)
		}
		if c != nil && c.Iss != jwtIssuer {
			t.Fatalf("accepted iss %q", c.Iss)
		}
	})
}

// BenchmarkVerifyJWT is a cold verification per algorithm: what a cache
// miss of the gateway's JWT authorizer costs.
func BenchmarkVerifyJWT(b *testing.B) {
	ks := jwtKeySet(b)
	want := expectJWT()
	for _, k := range jwtKeys(b) {
		tok := signJWT(b, k, k.kid, nil, jwtClaims())
		b.Run(string(k.alg), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bearer.VerifyJWT(tok, ks, want); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// VerifyJWT reads claims by their exact names and refuses a payload that
// names a claim twice (RFC 7519 §4; see TestVerifyRefusesRepeatedClaimNames).
func TestVerifyJWTClaimNames(t *testing.T) {
	k := keyOf(t, jose.ES256)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, (&jose.SignerOptions{}).WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(with2(jwtClaims(), "client_id", "c1"))
	if err != nil {
		t.Fatal(err)
	}
	open := strings.TrimSuffix(string(b), "}")
	c, err := bearer.VerifyJWT(signJWTPayload(t, s, []byte(open+`,"Scope":"admin","ſcope":"admin","CLIENT_ID":"c2","Tenant":"z"}`)), jwtKeySet(t), expectJWT())
	if err != nil {
		t.Fatal(err)
	}
	if c.Scope != "orders:read orders:write" || c.ClientID != "c1" {
		t.Errorf("scope %q, client_id %q: a look-alike was read", c.Scope, c.ClientID)
	}
	for _, extra := range []string{`,"tenant":"c"`, `,"aud":"other"`, `,"exp":1`, `,"\u0073cope":"admin"`} {
		_, err := bearer.VerifyJWT(signJWTPayload(t, s, []byte(open+extra+"}")), jwtKeySet(t), expectJWT())
		var e *bearer.Error
		if !errors.As(err, &e) || !errors.Is(err, bearer.ErrInvalid) || !strings.Contains(e.Reason, "twice") {
			t.Errorf("%s: err = %v, want ErrInvalid for a repeated name", extra, err)
		}
	}
}
