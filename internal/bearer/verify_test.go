package bearer_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tollgate/tollgate/internal/bearer"
)

const (
	issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pxAHZcSSX"
	kid      = "test-kid"
	clientID = "6rupb256qn12tju82occ9eppqr"
)

// now is the fixed time every test verifies at.
var now = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

// cognitoClaims is a Cognito M2M access token's payload, in Cognito's order.
type cognitoClaims struct {
	Sub      string `json:"sub,omitempty"`
	TokenUse string `json:"token_use,omitempty"`
	Scope    string `json:"scope,omitempty"`
	AuthTime int64  `json:"auth_time,omitempty"`
	Iss      string `json:"iss,omitempty"`
	Exp      int64  `json:"exp,omitempty"`
	Iat      int64  `json:"iat,omitempty"`
	Version  int    `json:"version,omitempty"`
	JTI      string `json:"jti,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Nbf      int64  `json:"nbf,omitempty"`
}

func validClaims() cognitoClaims {
	return cognitoClaims{
		Sub:      clientID,
		TokenUse: "access",
		Scope:    "default/default other/read",
		AuthTime: now.Unix() - 60,
		Iss:      issuer,
		Exp:      now.Unix() + 3540,
		Iat:      now.Unix() - 60,
		Version:  2,
		JTI:      "3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a",
		ClientID: clientID,
	}
}

var (
	keysOnce sync.Once
	key      *rsa.PrivateKey // signs; its public half is in the key set as kid
	otherKey *rsa.PrivateKey // not in the key set
)

func keys(tb testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return key, otherKey
}

func keySet(tb testing.TB) bearer.Keys {
	k, _ := keys(tb)
	return bearer.Keys{kid: {Key: &k.PublicKey, Alg: "RS256"}}
}

func expect() bearer.Expect {
	return bearer.Expect{Issuer: issuer, Now: func() time.Time { return now }}
}

var b64 = base64.RawURLEncoding

func enc(v any) string {
	if s, ok := v.(string); ok {
		return b64.EncodeToString([]byte(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b64.EncodeToString(b)
}

// mint signs header.payload with priv under hash (RS256 when crypto.SHA256).
func mint(tb testing.TB, priv *rsa.PrivateKey, hash crypto.Hash, header, claims any) string {
	tb.Helper()
	input := enc(header) + "." + enc(claims)
	h := hash.New()
	h.Write([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, priv, hash, h.Sum(nil))
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

func rs256Header() string { return `{"kid":"` + kid + `","alg":"RS256"}` }

func validToken(tb testing.TB) string {
	k, _ := keys(tb)
	return mint(tb, k, crypto.SHA256, rs256Header(), validClaims())
}

func TestVerifyValid(t *testing.T) {
	got, err := bearer.Verify(validToken(t), keySet(t), expect())
	if err != nil {
		t.Fatal(err)
	}
	c := validClaims()
	want := &bearer.Claims{
		Sub: c.Sub, TokenUse: c.TokenUse, Scope: c.Scope, AuthTime: c.AuthTime, Iss: c.Iss,
		Exp: c.Exp, Iat: c.Iat, Version: c.Version, JTI: c.JTI, ClientID: c.ClientID,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(bearer.Claims{}, "Raw")); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	m, err := got.Map()
	if err != nil {
		t.Fatal(err)
	}
	if m["version"] != json.Number("2") || m["client_id"] != clientID || len(m) != 10 {
		t.Errorf("Map() = %v", m)
	}
	if diff := cmp.Diff([]string{"default/default", "other/read"}, got.Scopes()); diff != "" {
		t.Errorf("Scopes (-want +got):\n%s", diff)
	}
}

// TestVerifyToleratesIssuerSkew accepts a token whose iat is ahead of the
// verifier's clock by less than IssuedSkew, with no leeway configured: the
// node that issued it may run slightly ahead.
func TestVerifyToleratesIssuerSkew(t *testing.T) {
	k, _ := keys(t)
	c := validClaims()
	c.Iat = now.Add(bearer.IssuedSkew).Unix() - 1
	if _, err := bearer.Verify(mint(t, k, crypto.SHA256, rs256Header(), c), keySet(t), expect()); err != nil {
		t.Fatalf("iat within the skew allowance: %v", err)
	}
}

func TestVerifyAcceptsIssuersAndLeeway(t *testing.T) {
	k, _ := keys(t)
	c := validClaims()
	c.Iss = "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_pxAHZcSSX"
	c.Exp = now.Unix() - 5 // expired five seconds ago
	c.Iat = now.Unix() + 5 // issued five seconds "from now": the issuer's clock is ahead
	tok := mint(t, k, crypto.SHA256, rs256Header(), c)
	want := expect()
	want.Issuers = []string{c.Iss}
	want.Leeway = 10 * time.Second
	if _, err := bearer.Verify(tok, keySet(t), want); err != nil {
		t.Fatal(err)
	}
	want.Leeway = 0
	if _, err := bearer.Verify(tok, keySet(t), want); !errors.Is(err, bearer.ErrExpired) {
		t.Fatalf("without leeway: err = %v, want ErrExpired", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	k, other := keys(t)
	valid := validToken(t)
	parts := strings.Split(valid, ".")
	with := func(f func(*cognitoClaims)) cognitoClaims {
		c := validClaims()
		f(&c)
		return c
	}
	hs256 := func() string {
		// The classic confusion attack: HMAC keyed with the RSA public key,
		// in the forms a verifier might hold it.
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		input := enc(`{"kid":"`+kid+`","alg":"HS256"}`) + "." + enc(validClaims())
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return input + "." + b64.EncodeToString(m.Sum(nil))
	}
	jwe := func() string {
		e, err := jose.NewEncrypter(jose.A128GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &k.PublicKey, KeyID: kid}, nil)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := e.Encrypt([]byte(valid))
		if err != nil {
			t.Fatal(err)
		}
		s, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	jsonSerialization := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(validClaims())
		obj, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		return obj.FullSerialize()
	}
	multiSig := func() string {
		s, err := jose.NewMultiSigner([]jose.SigningKey{
			{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: kid}},
			{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: other, KeyID: "other"}},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(validClaims())
		obj, err := s.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		return obj.FullSerialize()
	}

	tests := []struct {
		name  string
		token string
		want  error
		// reason is part of the log reason: the token must fail for the
		// reason the case is about, not for another.
		reason string
	}{
		{"alg none, empty signature", enc(`{"kid":"`+kid+`","alg":"none"}`) + "." + enc(validClaims()) + ".", bearer.ErrInvalid, "compact"},
		{"alg none, some signature", enc(`{"kid":"`+kid+`","alg":"none"}`) + "." + enc(validClaims()) + "." + parts[2], bearer.ErrInvalid, "algorithm \"none\""},
		{"HS256 keyed with the public key", hs256(), bearer.ErrInvalid, "\"HS256\""},
		{"RS512 with the right key", mint(t, k, crypto.SHA512, `{"kid":"`+kid+`","alg":"RS512"}`, validClaims()), bearer.ErrInvalid, "\"RS512\""},
		{"alg rs256 lower case", mint(t, k, crypto.SHA256, `{"kid":"`+kid+`","alg":"rs256"}`, validClaims()), bearer.ErrInvalid, "\"rs256\""},
		{"unknown kid", mint(t, k, crypto.SHA256, `{"kid":"nope","alg":"RS256"}`, validClaims()), bearer.ErrInvalid, "unknown kid"},
		{"missing kid", mint(t, k, crypto.SHA256, `{"alg":"RS256"}`, validClaims()), bearer.ErrInvalid, "no kid"},
		{"embedded jwk instead of kid", func() string {
			j, _ := json.Marshal(jose.JSONWebKey{Key: &other.PublicKey})
			return mint(t, other, crypto.SHA256, `{"alg":"RS256","jwk":`+string(j)+`}`, validClaims())
		}(), bearer.ErrInvalid, "no kid"},
		{"signed by another key under our kid", mint(t, other, crypto.SHA256, rs256Header(), validClaims()), bearer.ErrInvalid, "signature"},
		{"bad signature", parts[0] + "." + parts[1] + "." + b64.EncodeToString(make([]byte, 256)), bearer.ErrInvalid, "signature"},
		{"tampered payload", parts[0] + "." + enc(with(func(c *cognitoClaims) { c.Scope = "admin/all" })) + "." + parts[2], bearer.ErrInvalid, "signature"},
		{"unknown critical header", mint(t, k, crypto.SHA256, `{"kid":"`+kid+`","alg":"RS256","crit":["exp"],"exp":1}`, validClaims()), bearer.ErrInvalid, "critical"},
		{"wrong iss", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Iss = issuer + "x" })), bearer.ErrInvalid, "iss"},
		{"missing iss", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Iss = "" })), bearer.ErrInvalid, "iss"},
		{"token_use id", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.TokenUse = "id" })), bearer.ErrInvalid, "token_use"},
		{"missing token_use", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.TokenUse = "" })), bearer.ErrInvalid, "token_use"},
		{"missing client_id", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.ClientID = "" })), bearer.ErrInvalid, "client_id"},
		{"expired", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Exp = now.Unix() })), bearer.ErrExpired, "exp"},
		{"expired long ago", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Exp = 1 })), bearer.ErrExpired, "exp"},
		{"missing exp", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Exp = 0 })), bearer.ErrInvalid, "no exp"},
		{"exp as a string", mint(t, k, crypto.SHA256, rs256Header(), `{"token_use":"access","iss":"`+issuer+`","client_id":"c","exp":"9999999999"}`), bearer.ErrInvalid, "claims"},
		{"iat in the future", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Iat = now.Add(bearer.IssuedSkew).Unix() + 1 })), bearer.ErrInvalid, "iat"},
		{"nbf in the future", mint(t, k, crypto.SHA256, rs256Header(), with(func(c *cognitoClaims) { c.Nbf = now.Add(bearer.IssuedSkew).Unix() + 1 })), bearer.ErrInvalid, "nbf"},
		{"payload not an object", mint(t, k, crypto.SHA256, rs256Header(), `[1,2]`), bearer.ErrInvalid, "claims"},
		{"JWE", jwe(), bearer.ErrInvalid, "compact"},
		{"JSON serialization", jsonSerialization(), bearer.ErrInvalid, "compact"},
		{"two signatures", multiSig(), bearer.ErrInvalid, "compact"},
		{"garbage", "not a token at all", bearer.ErrInvalid, "compact"},
		{"garbage segments", "aaaa.bbbb.cccc", bearer.ErrInvalid, "protected header"},
		{"empty", "", bearer.ErrInvalid, "compact"},
		{"oversized", parts[0] + "." + strings.Repeat("A", bearer.MaxTokenSize) + "." + parts[2], bearer.ErrInvalid, "MaxTokenSize"},
		{"two parts", parts[0] + "." + parts[1], bearer.ErrInvalid, "compact"},
		{"four parts", valid + ".e30", bearer.ErrInvalid, "compact"},
		{"empty header segment", "." + parts[1] + "." + parts[2], bearer.ErrInvalid, "compact"},
		{"leading space", " " + valid, bearer.ErrInvalid, "compact"},
		{"trailing newline", valid + "\n", bearer.ErrInvalid, "compact"},
		{"inner space", parts[0] + ". " + parts[1] + "." + parts[2], bearer.ErrInvalid, "compact"},
		{"Bearer prefix", "Bearer " + valid, bearer.ErrInvalid, "compact"},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], bearer.ErrInvalid, "compact"},
		{"standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+", bearer.ErrInvalid, "compact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := bearer.Verify(tt.token, keySet(t), expect())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if c != nil {
				t.Errorf("claims = %+v, want nil", c)
			}
			other := bearer.ErrExpired
			if errors.Is(tt.want, bearer.ErrExpired) {
				other = bearer.ErrInvalid
			}
			if errors.Is(err, other) {
				t.Errorf("err = %v also matches %v", err, other)
			}
			var e *bearer.Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("err = %v, want a *bearer.Error whose reason mentions %q", err, tt.reason)
			}
		})
	}
}

func TestVerifyExpectations(t *testing.T) {
	tok := validToken(t)
	tests := []struct {
		name string
		want bearer.Expect
		err  error
	}{
		{"no issuer configured", bearer.Expect{Now: expect().Now}, bearer.ErrInvalid},
		{"issuer among Issuers", bearer.Expect{Issuers: []string{"x", issuer}, Now: expect().Now}, nil},
		{"client allowed", bearer.Expect{Issuer: issuer, ClientIDs: []string{clientID}, Now: expect().Now}, nil},
		{"client not allowed", bearer.Expect{Issuer: issuer, ClientIDs: []string{"someone-else"}, Now: expect().Now}, bearer.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bearer.Verify(tok, keySet(t), tt.want)
			if tt.err == nil && err != nil || !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestVerifyDefaultClock(t *testing.T) {
	k, _ := keys(t)
	c := validClaims()
	c.Iat = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	c.Exp = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	if _, err := bearer.Verify(mint(t, k, crypto.SHA256, rs256Header(), c), keySet(t), bearer.Expect{Issuer: issuer}); err != nil {
		t.Fatal(err)
	}
	c.Exp = c.Iat + 3600
	if _, err := bearer.Verify(mint(t, k, crypto.SHA256, rs256Header(), c), keySet(t), bearer.Expect{Issuer: issuer}); !errors.Is(err, bearer.ErrExpired) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
}

func TestHasAnyScope(t *testing.T) {
	tests := []struct {
		scope string
		want  []string
		ok    bool
	}{
		{"default/default", []string{"default/default"}, true},
		{"a/b default/default", []string{"x/y", "default/default"}, true},
		{"a/b  c/d", []string{"c/d"}, true},
		{"default/default", []string{"default/defaul"}, false},
		{"default/defaults", []string{"default/default"}, false},
		{"", []string{"default/default"}, false},
		{"default/default", nil, false},
		{" ", []string{""}, false},
	}
	for _, tt := range tests {
		c := &bearer.Claims{Scope: tt.scope}
		if got := c.HasAnyScope(tt.want); got != tt.ok {
			t.Errorf("Claims{Scope: %q}.HasAnyScope(%q) = %v, want %v", tt.scope, tt.want, got, tt.ok)
		}
	}
	if n := testing.AllocsPerRun(100, func() { (&bearer.Claims{Scope: "a/b c/d e/f"}).HasAnyScope([]string{"e/f"}) }); n != 0 {
		t.Errorf("HasAnyScope allocates %v times", n)
	}
}

func FuzzVerify(f *testing.F) {
	k, other := keys(f)
	valid := validToken(f)
	parts := strings.Split(valid, ".")
	f.Add(valid)
	f.Add(mint(f, other, crypto.SHA256, rs256Header(), validClaims()))
	f.Add(mint(f, k, crypto.SHA256, rs256Header(), `{"exp":1e400}`))
	f.Add(mint(f, k, crypto.SHA256, rs256Header(), `{"token_use":"access","iss":"`+issuer+`","client_id":"c","exp":9223372036854775807,"nbf":-9223372036854775808,"iat":9223372036854775807}`))
	f.Add(enc(`{"alg":"none"}`) + "." + parts[1] + ".")
	f.Add(enc(`{"kid":"`+kid+`","alg":"RS256","crit":["b64"],"b64":false}`) + "." + parts[1] + "." + parts[2])
	f.Add(parts[0] + "." + parts[1])
	f.Add("")
	f.Add("...")
	f.Add("a.b.c.d.e")
	keys := keySet(f)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := bearer.Verify(token, keys, expect())
		if (c == nil) == (err == nil) {
			t.Fatalf("Verify returned claims %v and error %v", c, err)
		}
		if err != nil && !errors.Is(err, bearer.ErrInvalid) && !errors.Is(err, bearer.ErrExpired) {
			t.Fatalf("err = %v, neither ErrInvalid nor ErrExpired", err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	tok := validToken(b)
	keys := keySet(b)
	want := expect()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bearer.Verify(tok, keys, want); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawRS256Verify(b *testing.B) {
	tok := validToken(b)
	k, _ := keys(b)
	i := strings.LastIndexByte(tok, '.')
	sig, _ := b64.DecodeString(tok[i+1:])
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256([]byte(tok[:i]))
		if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// signedPayload signs the payload JSON as it is written, member order and
// repeats included, which a struct or a map could not express.
func signedPayload(tb testing.TB, payload string) string {
	k, _ := keys(tb)
	return mint(tb, k, crypto.SHA256, rs256Header(), payload)
}

// validPayload is validClaims as JSON text, without its closing brace, for
// appending members.
func validPayload(tb testing.TB) string {
	b, err := json.Marshal(validClaims())
	if err != nil {
		tb.Fatal(err)
	}
	return string(b[:len(b)-1])
}

// A claim is read by its exact name (RFC 8259 §8.3). encoding/json's
// struct decoding would match "Scope", "SCOPE" and "ſcope" (U+017F folds
// to s) to the scope field, the last one winning: a custom claim, which a
// pre token generation trigger may add, would then set the scope, the
// client_id, the jti or the exp.
func TestVerifyReadsClaimsByExactName(t *testing.T) {
	want := validClaims()
	tests := []struct {
		name  string
		extra string
	}{
		{"scope", `,"Scope":"admin/all","SCOPE":"admin/all","ſcope":"admin/all"`},
		{"client_id", `,"CLIENT_ID":"forged","Client_Id":"forged"`},
		{"jti", `,"JTI":"forged","Jti":"forged"`},
		{"exp", `,"EXP":99999999999,"Exp":99999999999`},
		{"token_use", `,"Token_Use":"id"`},
		{"iss", `,"ISS":"https://evil.example.com"`},
		{"sub", `,"SUB":"forged","ſub":"forged"`},
		{"nbf", `,"NBF":99999999999`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := bearer.Verify(signedPayload(t, validPayload(t)+tt.extra+"}"), keySet(t), expect())
			if err != nil {
				t.Fatal(err)
			}
			got := cognitoClaims{Sub: c.Sub, TokenUse: c.TokenUse, Scope: c.Scope, AuthTime: c.AuthTime, Iss: c.Iss, Exp: c.Exp, Iat: c.Iat, Version: c.Version, JTI: c.JTI, ClientID: c.ClientID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("only a look-alike", func(t *testing.T) {
		c := validClaims()
		c.Scope = ""
		b, _ := json.Marshal(c)
		tok := signedPayload(t, string(b[:len(b)-1])+`,"Scope":"admin/all"}`)
		got, err := bearer.Verify(tok, keySet(t), expect())
		if err != nil {
			t.Fatal(err)
		}
		if got.Scope != "" || got.HasAnyScope([]string{"admin/all"}) {
			t.Errorf("scope = %q, want none", got.Scope)
		}
	})
}

// RFC 7519 §4: "The Claim Names within a JWT Claims Set MUST be unique;
// JWT parsers MUST either reject JWTs with duplicate Claim Names or use a
// JSON parser that returns only the lexically last duplicate member name".
// Tollgate rejects: the last-wins rule is how a second "scope" would
// override the first.
func TestVerifyRefusesRepeatedClaimNames(t *testing.T) {
	for name, extra := range map[string]string{
		"scope":             `,"scope":"admin/all"`,
		"client_id":         `,"client_id":"forged"`,
		"exp":               `,"exp":99999999999`,
		"escaped scope":     `,"\u0073cope":"admin/all"`,
		"custom claim":      `,"x":1,"x":2`,
		"escaped backslash": `,"a\\":1,"a\\":2`,
	} {
		t.Run(name, func(t *testing.T) {
			tok := signedPayload(t, validPayload(t)+extra+"}")
			c, err := bearer.Verify(tok, keySet(t), expect())
			var e *bearer.Error
			if !errors.As(err, &e) || !errors.Is(err, bearer.ErrInvalid) || !strings.Contains(e.Reason, "twice") {
				t.Fatalf("claims %+v, err = %v, want ErrInvalid for a repeated name", c, err)
			}
		})
	}
	// Repeats inside a nested object, and names that only look alike, are
	// not repeated claim names.
	for _, extra := range []string{
		`,"o":{"x":1,"y":[1,{"x":2}]},"p":"a,\"b\",c"`,
		`,"Scope":"x","scope ":"y"`,
	} {
		if _, err := bearer.Verify(signedPayload(t, validPayload(t)+extra+"}"), keySet(t), expect()); err != nil {
			t.Errorf("%s: %v", extra, err)
		}
	}
}
