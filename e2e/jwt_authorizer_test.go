package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// jwtAuthorizerConfig declares an API guarded by a JWT authorizer that
// trusts one OpenID issuer (the test's), for audience "api", with RS256
// and ES256, and a required claim tenant of a or b. Arguments: the
// issuer, an HTTP upstream, the echo function's code directory.
const jwtAuthorizerConfig = `region: us-east-1
userPools:
%[4]sfunctions:
  - {id: Echo, runtime: nodejs22.x, handler: index.echo, code: "%[3]s", timeout: 10s}
restApis:
  - id: Api
    authorizers:
      - id: JwtAuth
        type: JWT
        identitySource: method.request.header.Authorization
        jwtConfiguration:
          defaultAlgorithms: [RS256, ES256]
          issuers:
            - issuer: "%[1]s"
              audiences: [api]
              additionalClaims:
                - {claimName: tenant, expectedValues: [a, b], format: SINGLE_STRING, required: true}
    resources:
      - path: /jwt
        methods:
          - {httpMethod: GET, authorizer: JwtAuth, integration: {type: HTTP_PROXY, uri: "%[2]s/jwt"}}
      - path: /echo
        methods:
          - {httpMethod: GET, authorizer: JwtAuth, integration: {type: AWS_PROXY, function: Echo}}
      - path: /scoped
        methods:
          - {httpMethod: GET, authorizer: JwtAuth, authorizationScopes: [api/read, api/write], integration: {type: MOCK}}
`

// TestJWTAuthorizer runs a REST JWT authorizer (apigw-beyond.md §1.6)
// against an OpenID issuer the test serves over TLS (discovery document
// and JWKS), with ES256 and RS256 tokens signed here.
func TestJWTAuthorizer(t *testing.T) {
	needProgram(t, "node")
	rsKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	strangerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &rsKey.PublicKey, KeyID: "rs-1", Algorithm: "RS256", Use: "sig"},
		{Key: &ecKey.PublicKey, KeyID: "es-1", Algorithm: "ES256", Use: "sig"},
	}}
	var issuer string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": issuer + "/jwks.json",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"}})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jwks)
	})
	idp := httptest.NewTLSServer(mux)
	t.Cleanup(idp.Close)
	// An https issuer (§1.6: D API_JwtIssuerInput), whose certificate
	// Tollgate trusts through SSL_CERT_FILE, as Go's crypto/x509 reads it.
	issuer = idp.URL
	dir := t.TempDir()
	certFile := filepath.Join(dir, "idp.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate().Raw})))

	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("upstream ok")) }))
	t.Cleanup(up.Close)
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, fmt.Sprintf(jwtAuthorizerConfig, issuer, up.URL, testdata(t, "authorizer"), partnerPool("api/read", "read")))
	p, _ := startDevWith(t, []string{"SSL_CERT_FILE=" + certFile}, t.TempDir(), "--config", cfg)
	m := reAPIURL.FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("dev printed no API URL:\n%s", p.Output())
	}
	apiURL := strings.TrimSuffix(m[1], "/") // paths below start with a slash

	now := time.Now()
	sign := func(alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
		t.Helper()
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(sig).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	// claims returns a valid token's claims with changes (nil deletes).
	claims := func(changes map[string]any) map[string]any {
		c := map[string]any{"iss": issuer, "aud": "api", "sub": "svc", "tenant": "a", "n": 7,
			"exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix()}
		for k, v := range changes {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	es := func(changes map[string]any) string { return sign(jose.ES256, ecKey, "es-1", claims(changes)) }
	get := func(path, token string) (*http.Response, []byte) {
		t.Helper()
		auth := ""
		if token != "" {
			auth = "Bearer " + token
		}
		return call(t, "GET", apiURL+path, auth, nil)
	}

	for _, tc := range []struct{ what, token string }{
		{"ES256", es(nil)},
		{"RS256", sign(jose.RS256, rsKey, "rs-1", claims(nil))},
		// aud holds one configured audience (§1.6: D API_JwtIssuerInput).
		{"aud among others", es(map[string]any{"aud": []string{"other", "api"}})},
		{"tenant b", es(map[string]any{"tenant": "b"})},
	} {
		if resp, body := get("/jwt", tc.token); resp.StatusCode != http.StatusOK || string(body) != "upstream ok" {
			t.Errorf("%s: %s %s, want 200", tc.what, resp.Status, body)
		}
	}

	// Claims reach a Lambda proxy integration JSON-typed, top-level (§1.6:
	// D rest-api-jwt-authorizer-claims).
	resp, body := get("/echo", es(nil))
	var ev struct {
		RequestContext struct {
			Authorizer struct {
				Claims map[string]any `json:"claims"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ev) != nil {
		t.Fatalf("echo: %s %s", resp.Status, body)
	}
	if c := ev.RequestContext.Authorizer.Claims; c["tenant"] != "a" || c["n"] != 7.0 || c["sub"] != "svc" || c["iss"] != issuer {
		t.Errorf("claims in the proxy event: %v, want the token's, JSON-typed", c)
	}

	// Refused: 401 {"message":"Unauthorized"} (§1.6, U: the missing and
	// invalid token answers are presumed from HTTP APIs' JWT authorizer,
	// D http-api-troubleshooting-jwt).
	for _, tc := range []struct{ what, token string }{
		{"no token", ""},
		{"not a JWT", "abc.def.ghi"},
		{"another audience", es(map[string]any{"aud": "other"})},
		{"no audience", es(map[string]any{"aud": nil})},
		{"expired", es(map[string]any{"exp": now.Add(-time.Hour).Unix(), "iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix()})},
		{"not yet valid", es(map[string]any{"nbf": now.Add(time.Hour).Unix()})},
		{"another issuer", es(map[string]any{"iss": issuer + "/other"})},
		{"the issuer with a trailing slash", es(map[string]any{"iss": issuer + "/"})},
		{"an unknown kid", sign(jose.ES256, ecKey, "es-2", claims(nil))},
		{"a key the issuer does not publish", sign(jose.ES256, strangerKey, "es-1", claims(nil))},
		{"RS384, not among the algorithms", sign(jose.RS384, rsKey, "rs-1", claims(nil))},
		{"HS256", sign(jose.HS256, []byte("0123456789abcdef0123456789abcdef"), "rs-1", claims(nil))},
	} {
		resp, body := get("/jwt", tc.token)
		wantBody(t, tc.what, resp, body, http.StatusUnauthorized, authUnauthorized)
	}
	// An additional claim missing or with a value not expected: refused
	// (§1.6: D API_JwtAdditionalClaim; whether 401 or 403 is U).
	for _, tc := range []struct{ what, token string }{
		{"tenant c", es(map[string]any{"tenant": "c"})},
		{"tenant A (case-sensitive)", es(map[string]any{"tenant": "A"})},
		{"no tenant (required)", es(map[string]any{"tenant": nil})},
		{"tenant a list, not a single string", es(map[string]any{"tenant": []string{"a"}})},
	} {
		if resp, body := get("/jwt", tc.token); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s %s, want 401 or 403", tc.what, resp.Status, body)
		}
	}

	// Scopes: any of the method's, in scope (space-separated) or scp; a
	// valid token without one is 403 (§1.6: D rest-api-jwt-authorizer-methods).
	for _, tc := range []struct {
		what   string
		scopes map[string]any
		status int
	}{
		{"scope api/read", map[string]any{"scope": "api/read"}, http.StatusOK},
		{"scope other api/write", map[string]any{"scope": "other api/write"}, http.StatusOK},
		{"scp [api/write]", map[string]any{"scp": []string{"api/write"}}, http.StatusOK},
		{"scope api/admin", map[string]any{"scope": "api/admin"}, http.StatusForbidden},
		{"scope api/rea (a prefix)", map[string]any{"scope": "api/rea"}, http.StatusForbidden},
		{"no scope", nil, http.StatusForbidden},
	} {
		if resp, body := get("/scoped", es(tc.scopes)); resp.StatusCode != tc.status {
			t.Errorf("%s: %s %s, want %d", tc.what, resp.Status, body, tc.status)
		}
	}
}
