package token_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/oauth2"
	"github.com/tollgate/tollgate/internal/token"
)

// BenchmarkAuthenticatePrivateKeyJWT is private_key_jwt authentication
// alone (form already parsed) with the client's keys cached: parsing the
// assertion, looking the client up, verifying the signature and the
// claims. The replay cache remembers nothing so that one assertion serves
// every iteration; a real one adds its round trip.
func BenchmarkAuthenticatePrivateKeyJWT(b *testing.B) {
	f := newAuthFixture(b)
	f.replay.forget = true
	for _, c := range []struct {
		name string
		key  signingKey
		cl   string
	}{
		{"ES256", f.es, f.esClient.ID},
		{"RS256", f.rs, f.rsClient.ID},
		{"EdDSA", f.ed, f.edClient.ID},
		{"ES256-jwks_uri", f.remote, f.remoteClient.ID},
	} {
		client, err := f.clients.GetClient(f.ctx, c.cl)
		if err != nil {
			b.Fatal(err)
		}
		key := c.key
		if c.name == "EdDSA" {
			key = signingKey{priv: f.ed.priv, alg: jose.EdDSA} // its JWK has no kid
		}
		params := map[string]string{
			"grant_type":            "client_credentials",
			"client_assertion_type": token.ClientAssertionTypeJWT,
			"client_assertion":      signAssertion(b, key, f.claims(client), nil),
		}
		r := httptest.NewRequest("POST", "/oauth2/token", nil)
		if _, err := token.Authenticate(f.ep, r, params); err != nil { // warms the key cache
			b.Fatalf("%s: %v", c.name, err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := token.Authenticate(f.ep, r, params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzClientAssertion drives private_key_jwt authentication with arbitrary
// client_assertion values (and assertion types): whatever comes in, it
// must not panic and must answer with an RFC 6749 §5.2 error of the
// client's making, never a server failure; only a genuine assertion
// authenticates (once: the replay cache refuses it then).
func FuzzClientAssertion(f *testing.F) {
	fx := newAuthFixture(f)
	valid := signAssertion(f, fx.es, fx.claims(fx.esClient), nil)
	parts := strings.Split(valid, ".")
	genuine := map[string]bool{
		valid: true,
		signAssertion(f, fx.rs, fx.claims(fx.rsClient), map[jose.HeaderKey]any{"typ": "client-authentication+jwt"}): true,
		signAssertion(f, fx.remote, fx.claims(fx.remoteClient), nil):                                                true,
	}
	for s := range genuine {
		f.Add(token.ClientAssertionTypeJWT, s)
	}
	for _, s := range []string{
		hmacWithPublicKey(f, fx.rs, fx.claims(fx.rsClient)),
		b64s(`{"alg":"none"}`) + "." + parts[1] + ".",
		b64s(`{"alg":"ES256","kid":"es-1","crit":["x"],"x":1}`) + "." + parts[1] + "." + parts[2],
		b64s(`{"alg":"ES256"}`) + "." + b64s(`{"iss":"a","sub":"a","aud":[],"exp":1e400,"jti":"j"}`) + "." + parts[2],
		b64s(`{"alg":"ES256"}`) + "." + b64s(`{"iss":1,"exp":"x"}`) + "." + parts[2],
		b64s(`{"alg":"ES256"}`) + "." + b64s(`[]`) + "." + parts[2],
		parts[0] + "." + parts[1],
		"..",
		"",
		strings.Repeat("a", token.MaxAssertionBytes+1),
	} {
		f.Add(token.ClientAssertionTypeJWT, s)
	}
	f.Add("urn:ietf:params:oauth:client-assertion-type:saml2-bearer", valid)
	f.Fuzz(func(t *testing.T, typ, assertion string) {
		params := map[string]string{"grant_type": "client_credentials"}
		if typ != "" {
			params["client_assertion_type"] = typ
		}
		if assertion != "" {
			params["client_assertion"] = assertion
		}
		r := httptest.NewRequest("POST", "/oauth2/token", nil)
		client, err := token.Authenticate(fx.ep, r, params)
		if err == nil {
			if client == nil || !genuine[assertion] {
				t.Fatalf("authenticated %v with %q", client, assertion)
			}
			return
		}
		var oe *oauth2.Error
		if !errors.As(err, &oe) {
			t.Fatalf("error %v is not an oauth2.Error", err)
		}
		switch oe.Code {
		case oauth2.CodeInvalidClient, oauth2.CodeInvalidRequest:
		default:
			t.Fatalf("error %s: %v", oe.Code, err)
		}
	})
}
