package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestAuthorizer covers the rows of contract §4.2's gateway-response table
// that the authorizer decides. Every case is decided twice, so that the
// second answer, from the cache where there is one, is checked too.
func TestAuthorizer(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	good := claims(issuerOf(poolA))
	valid := mint(t, keyA, keyA.kid, good)
	f.revoke("revoked-jti")

	tests := []struct {
		name   string
		header string
		scopes []string
		want   gateway.Decision
	}{
		{"no header", "", []string{scope}, gateway.Unauthorized},
		{"white space only", "  \t ", []string{scope}, gateway.Unauthorized},
		{"garbage", "not a token", []string{scope}, gateway.Unauthorized},
		{"three garbage segments", "a.b.c", []string{scope}, gateway.Unauthorized},
		{"Bearer without token", "Bearer", []string{scope}, gateway.Unauthorized},
		{"Bearer and a space", "Bearer ", []string{scope}, gateway.Unauthorized},
		{"Basic credentials", "Basic dXNlcjpwYXNz", []string{scope}, gateway.Unauthorized},
		{"raw token", valid, []string{scope}, gateway.Allow},
		{"Bearer token", "Bearer " + valid, []string{scope}, gateway.Allow},
		{"bearer token, any case, extra spaces", "  bEaReR   " + valid + " ", []string{scope}, gateway.Allow},
		{"any of the scopes", valid, []string{"x/y", "other/read"}, gateway.Allow},
		{"pool B, also allowed", mint(t, keyB, keyB.kid, claims(issuerOf(poolB))), []string{scope}, gateway.Allow},
		{"external issuer", mint(t, extK1, extK1.kid, claims(externalIssuer)), []string{scope}, gateway.Allow},
		{"bad signature", tamper(valid), []string{scope}, gateway.Unauthorized},
		{"payload swapped", swapPayload(valid, mint(t, keyA, keyA.kid, with(good, "scope", "admin/all"))), []string{"admin/all"}, gateway.Unauthorized},
		{"alg none", mintNone(t, keyA.kid, good), []string{scope}, gateway.Unauthorized},
		{"HS256 keyed with the public key", mintHS256(t, keyA, good), []string{scope}, gateway.Unauthorized},
		{"pool the authorizer does not list", mint(t, keyC, keyC.kid, claims(issuerOf(poolC))), []string{scope}, gateway.Unauthorized},
		{"pool A's iss, pool B's key and kid", mint(t, keyB, keyB.kid, good), []string{scope}, gateway.Unauthorized},
		{"pool A's iss and kid, pool B's key", mint(t, keyB, keyA.kid, good), []string{scope}, gateway.Unauthorized},
		{"pool B's iss, pool A's key and kid", mint(t, keyA, keyA.kid, claims(issuerOf(poolB))), []string{scope}, gateway.Unauthorized},
		{"external iss, pool A's key", mint(t, keyA, keyA.kid, claims(externalIssuer)), []string{scope}, gateway.Unauthorized},
		{"pool A's iss, external key", mint(t, extK1, extK1.kid, good), []string{scope}, gateway.Unauthorized},
		{"wrong iss", mint(t, keyA, keyA.kid, with(good, "iss", "https://evil.example/"+poolA)), []string{scope}, gateway.Unauthorized},
		{"no iss", mint(t, keyA, keyA.kid, with(good, "iss", nil)), []string{scope}, gateway.Unauthorized},
		{"ID token", mint(t, keyA, keyA.kid, with(good, "token_use", "id")), []string{scope}, gateway.Unauthorized},
		{"unknown kid", mint(t, keyA, "kid-unknown", good), []string{scope}, gateway.Unauthorized},
		{"expired", mint(t, keyA, keyA.kid, with(good, "iat", t0.Add(-2*time.Hour).Unix(), "exp", t0.Add(-time.Hour).Unix())), []string{scope}, gateway.Expired},
		{"expires now", mint(t, keyA, keyA.kid, with(good, "exp", t0.Unix())), []string{scope}, gateway.Expired},
		{"missing scope", valid, []string{"orders/write"}, gateway.Unauthorized},
		{"no scope claim", mint(t, keyA, keyA.kid, with(good, "scope", nil)), []string{scope}, gateway.Unauthorized},
		{"method without scopes wants an ID token", valid, nil, gateway.Unauthorized},
		{"revoked jti", mint(t, keyA, keyA.kid, with(good, "jti", "revoked-jti")), []string{scope}, gateway.Unauthorized},
		{"token too long", "Bearer " + strings.Repeat("a", 20<<10), []string{scope}, gateway.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 2 {
				res := z.Authorize(context.Background(), tt.header, tt.scopes)
				if res.Decision != tt.want {
					t.Fatalf("round %d: decision %v (%s), want %v", round, res.Decision, res.Reason, tt.want)
				}
				if res.Decision == gateway.Allow {
					if res.Claims == nil || res.Claims.ClientID != clientA {
						t.Fatalf("round %d: claims %+v", round, res.Claims)
					}
					if round == 1 && !res.Cached {
						t.Errorf("round %d: not from the cache", round)
					}
				} else if res.Reason == "" {
					t.Errorf("round %d: a refusal without a reason", round)
				}
			}
		})
	}
}

// tamper changes the signature of a token.
func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 1
	b := []byte(tok)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// swapPayload puts the payload of b into a, keeping a's signature.
func swapPayload(a, b string) string {
	pa := strings.Split(a, ".")
	pb := strings.Split(b, ".")
	return pa[0] + "." + pb[1] + "." + pa[2]
}

func TestAuthorizerKeySourceFailure(t *testing.T) {
	f := newFixture(t)
	z := f.authorizer(t, f.authorizerAB())
	f.keys.err = errors.New("database is down")
	res := z.Authorize(context.Background(), mint(t, keyA, keyA.kid, claims(issuerOf(poolA))), []string{scope})
	if res.Decision != gateway.Failed || !strings.Contains(res.Reason, "database is down") {
		t.Fatalf("got %v (%s), want Failed", res.Decision, res.Reason)
	}
}

// TestAuthorizerIdentitySource reads the token from the configured header,
// in its API Gateway spelling too.
func TestAuthorizerIdentitySource(t *testing.T) {
	f := newFixture(t)
	for source, want := range map[string]string{
		"":                                  "Authorization",
		"x-api-token":                       "X-Api-Token",
		"method.request.header.X-Api-Token": "X-Api-Token",
	} {
		z := f.authorizer(t, &tollgate.Authorizer{Name: "a", PoolIDs: []string{poolA}, IdentitySource: source})
		if z.Header() != want {
			t.Errorf("IdentitySource %q: header %q, want %q", source, z.Header(), want)
		}
	}
	if _, err := gateway.NewAuthorizer(&tollgate.Authorizer{Name: "a", PoolIDs: []string{poolA}, IdentitySource: "bad header"}, f.options()); err == nil {
		t.Error("an identity source with a space was accepted")
	}
	if _, err := gateway.NewAuthorizer(&tollgate.Authorizer{Name: "a"}, f.options()); err == nil {
		t.Error("an authorizer without pools or issuers was accepted")
	}
	if _, err := gateway.NewAuthorizer(&tollgate.Authorizer{Name: "a", Issuers: []tollgate.ExternalIssuer{{Issuer: "https://other"}}}, f.options()); err == nil {
		t.Error("an issuer the JWKS fetcher does not know was accepted")
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[gateway.Decision]string{
		gateway.Allow: "allow", gateway.Unauthorized: "unauthorized", gateway.Expired: "expired", gateway.Failed: "error", 42: "unknown",
	} {
		if d.String() != want {
			t.Errorf("%d: %q, want %q", d, d.String(), want)
		}
	}
}

// FuzzAuthorize feeds the Authorization header, and so the JWT parser,
// with anything: the authorizer must never panic and never allow, since
// the seeds hold no valid token and no mutation can forge an RS256
// signature.
func FuzzAuthorize(f *testing.F) {
	fx := newFixture(f)
	z := fx.authorizer(f, fx.authorizerAB())
	good := claims(issuerOf(poolA))
	for _, s := range []string{
		"",
		"Bearer",
		"Bearer ",
		"bearer a.b.c",
		"a.b.c",
		"..",
		"eyJ.eyJ.",
		"Basic dXNlcjpwYXNz",
		tamper(mint(f, keyA, keyA.kid, good)),
		"Bearer " + mint(f, keyA, keyA.kid, with(good, "exp", t0.Unix()-1)),
		mint(f, keyB, keyA.kid, good),
		mint(f, keyA, keyA.kid, with(good, "token_use", "id")),
		mint(f, keyC, keyC.kid, claims(issuerOf(poolC))),
		mintNone(f, keyA.kid, good),
		mintHS256(f, keyA, good),
		mint(f, keyA, "kid-unknown", good),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, scopes := range [][]string{{scope}, nil} {
			if res := z.Authorize(context.Background(), header, scopes); res.Decision == gateway.Allow {
				t.Fatalf("allowed %q", header)
			}
		}
	})
}

func BenchmarkAuthorize(b *testing.B) {
	f := newFixture(b)
	tok := "Bearer " + mint(b, keyA, keyA.kid, claims(issuerOf(poolA)))
	scopes := []string{scope}
	b.Run("cold", func(b *testing.B) {
		opts := f.options()
		opts.Cache = nil
		z, err := gateway.NewAuthorizer(f.authorizerAB(), opts)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if z.Authorize(context.Background(), tok, scopes).Decision != gateway.Allow {
				b.Fatal("refused")
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		z := f.authorizer(b, f.authorizerAB())
		z.Authorize(context.Background(), tok, scopes)
		b.ReportAllocs()
		for b.Loop() {
			if z.Authorize(context.Background(), tok, scopes).Decision != gateway.Allow {
				b.Fatal("refused")
			}
		}
	})
}
