package token_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tollgate/tollgate"
)

func basicRaw(userpass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

// tokenBody matches a successful token response exactly: three members in
// Cognito's order, nothing else.
var tokenBody = regexp.MustCompile(`^\{"access_token":"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)","expires_in":3600,"token_type":"Bearer"\}$`)

// checkJSONHeaders checks the headers every response with a JSON body
// carries.
func checkJSONHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got, want := h.Get("Content-Type"), "application/json;charset=UTF-8"; got != want {
		t.Errorf("header Content-Type = %q, want %q", got, want)
	}
	checkCommonHeaders(t, h)
}

// checkCommonHeaders checks the headers every response carries.
func checkCommonHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Cache-Control":          "no-cache, no-store, max-age=0, must-revalidate",
		"Pragma":                 "no-cache",
		"Expires":                "0",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if got := h.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("Strict-Transport-Security sent over plain HTTP: %q", got)
	}
	if _, err := uuid.Parse(h.Get("X-Amz-Cognito-Request-Id")); err != nil {
		t.Errorf("x-amz-cognito-request-id = %q: %v", h.Get("X-Amz-Cognito-Request-Id"), err)
	}
}

// tokenFrom checks a successful token response and returns the token.
func tokenFrom(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s", resp.StatusCode, body)
	}
	m := tokenBody.FindSubmatch(body)
	if m == nil {
		t.Fatalf("body is not a Cognito token response: %s", body)
	}
	checkJSONHeaders(t, resp.Header)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want * (contract §1.2)", got)
	}
	return string(m[1])
}

// payload decodes a JWT's claims without verifying it.
func payload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *fixture) issue(t *testing.T, c testClient, extra ...string) string {
	t.Helper()
	kv := append([]string{"grant_type", "client_credentials", "client_id", c.ID, "client_secret", c.secret()}, extra...)
	resp, body := f.do(request{body: form(kv...)})
	return tokenFrom(t, resp, body)
}

func TestGolangOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"header", oauth2.AuthStyleInHeader}, {"params", oauth2.AuthStyleInParams}, {"autodetect", oauth2.AuthStyleAutoDetect}} {
		for _, c := range []struct {
			name   string
			client testClient
			scopes []string
			want   string
		}{
			{"all scopes", f.m2m, nil, "default/default default/read"},
			{"one scope", f.m2m, []string{"default/read"}, "default/read"},
			// The secret holds + % space : & = — what urlencoding before
			// base64 (RFC 6749 §2.3.1) is about.
			{"odd secret", f.oddSecret, nil, "default/default"},
		} {
			t.Run(style.name+"/"+c.name, func(t *testing.T) {
				cfg := clientcredentials.Config{
					ClientID:     c.client.ID,
					ClientSecret: c.client.secret(),
					TokenURL:     f.srv.URL + "/oauth2/token",
					Scopes:       c.scopes,
					AuthStyle:    style.style,
				}
				ctx := context.WithValue(context.Background(), oauth2.HTTPClient, f.srv.Client())
				tok, err := cfg.Token(ctx)
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				if tok.TokenType != "Bearer" || tok.RefreshToken != "" {
					t.Errorf("token type %q, refresh token %q", tok.TokenType, tok.RefreshToken)
				}
				// x/oauth2 turns expires_in into Expiry against the wall clock.
				if left := time.Until(tok.Expiry); left < 3590*time.Second || left > 3600*time.Second {
					t.Errorf("expiry in %v, want about an hour", left)
				}
				if got := payload(t, tok.AccessToken)["scope"]; got != c.want {
					t.Errorf("scope = %v, want %q", got, c.want)
				}
			})
		}
	}
}

func TestGolangOAuth2Errors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, f.srv.Client())
	cfg := clientcredentials.Config{ClientID: f.m2m.ID, ClientSecret: "wrong", TokenURL: f.srv.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cfg.Token(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
		t.Fatalf("err = %v, want a 401 invalid_client RetrieveError", err)
	}
}

// TestSeedCurl sends the request of the seed article's curl line:
//
//	curl -X POST {YOUR_COGNITO_DOMAIN}/oauth2/token \
//	  -H "Content-Type: application/x-www-form-urlencoded" \
//	  -d "grant_type=client_credentials&client_id=CLIENT_ID&client_secret=CLIENT_SECRET"
func TestSeedCurl(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := f.do(request{
		header: map[string]string{"User-Agent": "curl/8.14.1", "Accept": "*/*"},
		body:   "grant_type=client_credentials&client_id=" + f.m2m.ID + "&client_secret=" + f.m2m.secret(),
	})
	tok := tokenFrom(t, resp, body)
	if p := payload(t, tok); p["client_id"] != f.m2m.ID {
		t.Errorf("client_id = %v", p["client_id"])
	}
}

func TestTokenVerifiesAgainstJWKS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.issue(t, f.m2m)

	jwksJSON, err := f.signer.JWKS(f.ctx, f.pool.ID)
	if err != nil {
		t.Fatal(err)
	}
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(jwksJSON, &jwks); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Headers) != 1 {
		t.Fatalf("%d headers", len(parsed.Headers))
	}
	h := parsed.Headers[0]
	if h.Algorithm != "RS256" || h.KeyID == "" || len(h.ExtraHeaders) != 0 {
		t.Errorf("header = alg %q kid %q extra %v, want RS256 with a kid and nothing else", h.Algorithm, h.KeyID, h.ExtraHeaders)
	}
	keys := jwks.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s is not in the pool's JWKS", h.KeyID)
	}
	var claims map[string]any
	if err := parsed.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("signature does not verify with the JWKS key: %v", err)
	}

	// Exactly Cognito's claims, in Cognito's order.
	parts := strings.Split(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if got, want := claimNames(t, raw), []string{"sub", "token_use", "scope", "auth_time", "iss", "exp", "iat", "version", "jti", "client_id"}; !slices.Equal(got, want) {
		t.Errorf("claims in order %v, want %v", got, want)
	}
	iat := float64(t0.Unix())
	want := map[string]any{
		"sub":       f.m2m.ID,
		"token_use": "access",
		"scope":     "default/default default/read",
		"auth_time": iat,
		"iss":       issuer(f.pool.ID),
		"exp":       iat + 3600,
		"iat":       iat,
		"version":   float64(2),
		"jti":       claims["jti"],
		"client_id": f.m2m.ID,
	}
	if diff := cmp.Diff(want, claims); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if id, err := uuid.Parse(claims["jti"].(string)); err != nil || id.Version() != 4 {
		t.Errorf("jti %v is not a UUID v4 (%v)", claims["jti"], err)
	}
	// Integers are JSON numbers, not strings or floats with exponents.
	if !bytes.Contains(raw, []byte(`"version":2,`)) || !bytes.Contains(raw, []byte(`"iat":1`)) {
		t.Errorf("numbers not plain integers: %s", raw)
	}

	// A second token has another jti.
	if p := payload(t, f.issue(t, f.m2m)); p["jti"] == claims["jti"] {
		t.Error("two tokens share a jti")
	}
}

// claimNames returns the member names of a JSON object in order.
func claimNames(t *testing.T, raw []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	if _, err := d.Token(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, k.(string))
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func TestExpiresInFollowsClientValidity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := *f.m2m.Client
	c.AccessTokenValidity.Value, c.AccessTokenValidity.Unit = 15, "minutes"
	if err := f.st.UpdateClient(f.ctx, &c, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(request{body: form("grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", f.m2m.secret())})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"expires_in":900,`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	tok := strings.Split(strings.Split(string(body), `"access_token":"`)[1], `"`)[0]
	p := payload(t, tok)
	if p["exp"].(float64)-p["iat"].(float64) != 900 {
		t.Errorf("exp - iat = %v", p["exp"].(float64)-p["iat"].(float64))
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name      string
		scope     []string // nil: no scope parameter
		wantScope string
		wantErr   string
	}{
		{"omitted: every allowed scope in order", nil, "default/default default/read", ""},
		{"empty value is omitted (RFC 6749 §3.1)", []string{""}, "default/default default/read", ""},
		{"one", []string{"default/read"}, "default/read", ""},
		{"order kept, duplicates collapse", []string{"default/read default/default default/read"}, "default/read default/default", ""},
		{"extra spaces tolerated", []string{" default/read  default/default "}, "default/read default/default", ""},
		{"defined but not allowed", []string{"default/write"}, "", "invalid_scope"},
		{"one of two not allowed", []string{"default/default default/write"}, "", "invalid_scope"},
		{"unknown", []string{"nope/nope"}, "", "invalid_scope"},
		{"malformed: quote", []string{`default/"x`}, "", "invalid_scope"},
		{"malformed: tab", []string{"default/default\tdefault/read"}, "", "invalid_scope"},
		{"malformed: non-ASCII", []string{"default/é"}, "", "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := []string{"grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", f.m2m.secret()}
			if tt.scope != nil {
				kv = append(kv, "scope", tt.scope[0])
			}
			resp, body := f.do(request{body: form(kv...)})
			if tt.wantErr != "" {
				checkError(t, resp, body, 400, tt.wantErr, noChallenge)
				return
			}
			if got := payload(t, tokenFrom(t, resp, body))["scope"]; got != tt.wantScope {
				t.Errorf("scope = %v, want %q", got, tt.wantScope)
			}
		})
	}
}

// The WWW-Authenticate header an error response carries: Basic's challenge
// after a failed Basic authentication (RFC 6749 §5.2), none otherwise.
const (
	basicChallenge = `Basic realm="tollgate"`
	noChallenge    = ""
)

// checkError checks an RFC 6749 §5.2 error response, whose
// WWW-Authenticate header must be challenge.
func checkError(t *testing.T, resp *http.Response, body []byte, status int, code string, challenge string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, status, body)
	}
	var e map[string]string
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not a JSON object of strings: %s", body)
	}
	if e["error"] != code {
		t.Errorf("error = %q, want %q (body %s)", e["error"], code, body)
	}
	for k := range e {
		if k != "error" && k != "error_description" {
			t.Errorf("unexpected member %q in %s", k, body)
		}
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != challenge {
		t.Errorf("WWW-Authenticate = %q, want %q", got, challenge)
	}
	checkJSONHeaders(t, resp.Header)
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, secret := f.m2m.ID, f.m2m.secret()
	good := func(extra ...string) string {
		return form(append([]string{"grant_type", "client_credentials", "client_id", id, "client_secret", secret}, extra...)...)
	}
	unknownID := "a0000000000000000000000000"
	tests := []struct {
		name      string
		req       request
		status    int
		code      string
		challenge string
		allow     bool // Allow: POST expected
	}{
		{"GET", request{method: "GET", ctype: "-"}, 405, "invalid_request", noChallenge, true},
		{"GET with credentials in query", request{method: "GET", path: "/oauth2/token?" + good(), ctype: "-"}, 405, "invalid_request", noChallenge, true},
		{"PUT", request{method: "PUT", body: good()}, 405, "invalid_request", noChallenge, true},
		{"JSON body", request{ctype: "application/json", body: `{"grant_type":"client_credentials","client_id":"` + id + `","client_secret":"` + secret + `"}`}, 400, "invalid_request", noChallenge, false},
		{"no content type", request{ctype: "-", body: good()}, 400, "invalid_request", noChallenge, false},
		{"multipart", request{ctype: "multipart/form-data; boundary=x", body: good()}, 400, "invalid_request", noChallenge, false},
		{"malformed content type", request{ctype: "application/x-www-form-urlencoded; charset", body: good()}, 400, "invalid_request", noChallenge, false},
		{"duplicate grant_type", request{body: good("grant_type", "client_credentials")}, 400, "invalid_request", noChallenge, false},
		{"duplicate client_secret", request{body: good("client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"duplicate scope", request{body: good("scope", "default/default", "scope", "default/read")}, 400, "invalid_request", noChallenge, false},
		{"credentials in query", request{path: "/oauth2/token?client_id=" + id + "&client_secret=" + secret, body: form("grant_type", "client_credentials")}, 400, "invalid_request", noChallenge, false},
		{"any parameter in query", request{path: "/oauth2/token?scope=default/default", body: good()}, 400, "invalid_request", noChallenge, false},
		{"malformed urlencoding", request{body: good() + "&x=%zz"}, 400, "invalid_request", noChallenge, false},
		{"semicolon separator", request{body: good() + ";x=y"}, 400, "invalid_request", noChallenge, false},
		{"oversized body", request{body: good("pad", strings.Repeat("a", 64<<10))}, 400, "invalid_request", noChallenge, false},
		{"both auth methods", request{header: map[string]string{"Authorization": basic(id, secret)}, body: good()}, 400, "invalid_request", noChallenge, false},
		{"both auth methods, wrong body secret", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "client_credentials", "client_secret", "x")}, 400, "invalid_request", noChallenge, false},
		{"Basic with another body client_id", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "client_credentials", "client_id", f.sibling.ID)}, 400, "invalid_request", noChallenge, false},
		{"malformed Basic: not base64", request{header: map[string]string{"Authorization": "Basic %%%"}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"malformed Basic: no colon", request{header: map[string]string{"Authorization": basicRaw(id)}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"malformed Basic: empty id", request{header: map[string]string{"Authorization": basicRaw(":" + secret)}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"malformed Basic: bad escape", request{header: map[string]string{"Authorization": basicRaw(id + ":%zz")}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"malformed Basic: no credentials", request{header: map[string]string{"Authorization": "Basic"}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"Bearer instead of Basic", request{header: map[string]string{"Authorization": "Bearer abc"}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"no client authentication", request{body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"client_secret without client_id", request{body: form("grant_type", "client_credentials", "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"client_id without secret", request{body: form("grant_type", "client_credentials", "client_id", id)}, 400, "invalid_client", noChallenge, false},
		{"Basic with empty secret", request{header: map[string]string{"Authorization": basic(id, "")}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"unknown client, body", request{body: form("grant_type", "client_credentials", "client_id", unknownID, "client_secret", secret)}, 400, "invalid_client", noChallenge, false},
		{"unknown client, Basic", request{header: map[string]string{"Authorization": basic(unknownID, secret)}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"impossible client id", request{body: form("grant_type", "client_credentials", "client_id", "../../etc/passwd", "client_secret", secret)}, 400, "invalid_client", noChallenge, false},
		{"wrong secret, body", request{body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret+"x")}, 400, "invalid_client", noChallenge, false},
		{"wrong secret, Basic", request{header: map[string]string{"Authorization": basic(id, secret+"x")}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"another client's secret", request{body: form("grant_type", "client_credentials", "client_id", id, "client_secret", f.sibling.secret())}, 400, "invalid_client", noChallenge, false},
		{"Basic with a malformed percent-escape", request{header: map[string]string{"Authorization": basicRaw(f.oddSecret.ID + ":%zz")}, body: form("grant_type", "client_credentials")}, 401, "invalid_client", basicChallenge, false},
		{"public client", request{body: form("grant_type", "client_credentials", "client_id", f.public.ID, "client_secret", "anything")}, 400, "invalid_client", noChallenge, false},
		{"public client without secret", request{body: form("grant_type", "client_credentials", "client_id", f.public.ID)}, 400, "invalid_client", noChallenge, false},
		{"client of another pool on this pool's host", request{host: pool1Host, body: form("grant_type", "client_credentials", "client_id", f.other.ID, "client_secret", f.other.secret())}, 400, "invalid_client", noChallenge, false},
		{"client_credentials flow not allowed", request{body: form("grant_type", "client_credentials", "client_id", f.codeOnly.ID, "client_secret", f.codeOnly.secret())}, 400, "unauthorized_client", noChallenge, false},
		// Contract §1.3: invalid_grant for a code or refresh token the
		// server does not hold, invalid_request for a grant's missing
		// parameter; client authentication first (RFC 6749 §4.1.3, §6).
		{"authorization_code", request{body: form("grant_type", "authorization_code", "code", "x", "client_id", id, "client_secret", secret)}, 400, "invalid_grant", noChallenge, false},
		{"authorization_code, Basic", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "authorization_code", "code", "x", "redirect_uri", "https://app.test/cb")}, 400, "invalid_grant", noChallenge, false},
		{"authorization_code without code", request{body: form("grant_type", "authorization_code", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"authorization_code with an empty code", request{body: form("grant_type", "authorization_code", "code", "", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"authorization_code, code given twice", request{body: form("grant_type", "authorization_code", "code", "x", "code", "y", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"authorization_code, wrong secret", request{body: form("grant_type", "authorization_code", "code", "x", "client_id", id, "client_secret", secret+"x")}, 400, "invalid_client", noChallenge, false},
		{"authorization_code without code, wrong secret", request{body: form("grant_type", "authorization_code", "client_id", id, "client_secret", secret+"x")}, 400, "invalid_client", noChallenge, false},
		{"authorization_code, no client authentication", request{body: form("grant_type", "authorization_code", "code", "x")}, 401, "invalid_client", basicChallenge, false},
		{"authorization_code, client with the code flow", request{body: form("grant_type", "authorization_code", "code", "x", "client_id", f.codeOnly.ID, "client_secret", f.codeOnly.secret())}, 400, "invalid_grant", noChallenge, false},
		{"refresh_token", request{body: form("grant_type", "refresh_token", "refresh_token", "x", "client_id", id, "client_secret", secret)}, 400, "invalid_grant", noChallenge, false},
		{"refresh_token, Basic", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "refresh_token", "refresh_token", "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.x.y.z.w")}, 400, "invalid_grant", noChallenge, false},
		{"refresh_token without refresh_token", request{body: form("grant_type", "refresh_token", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"refresh_token, refresh_token given twice", request{body: form("grant_type", "refresh_token", "refresh_token", "x", "refresh_token", "y", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"refresh_token, unknown client", request{body: form("grant_type", "refresh_token", "refresh_token", "x", "client_id", unknownID, "client_secret", secret)}, 400, "invalid_client", noChallenge, false},
		{"refresh_token without refresh_token, wrong secret, Basic", request{header: map[string]string{"Authorization": basic(id, "nope")}, body: form("grant_type", "refresh_token")}, 401, "invalid_client", basicChallenge, false},
		{"refresh_token, public client", request{body: form("grant_type", "refresh_token", "refresh_token", "x", "client_id", f.public.ID, "client_secret", "anything")}, 400, "invalid_client", noChallenge, false},
		{"password", request{body: form("grant_type", "password", "client_id", id, "client_secret", secret)}, 400, "unsupported_grant_type", noChallenge, false},
		{"jwt-bearer", request{body: form("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "client_id", id, "client_secret", secret)}, 400, "unsupported_grant_type", noChallenge, false},
		{"missing grant_type", request{body: form("client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"empty grant_type", request{body: form("grant_type", "", "client_id", id, "client_secret", secret)}, 400, "invalid_request", noChallenge, false},
		{"disallowed scope", request{body: good("scope", "default/write")}, 400, "invalid_scope", noChallenge, false},
		{"malformed scope", request{body: good("scope", `a"b`)}, 400, "invalid_scope", noChallenge, false},
		{"client allowed no scope", request{body: form("grant_type", "client_credentials", "client_id", f.noScopes.ID, "client_secret", f.noScopes.secret())}, 400, "invalid_scope", noChallenge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(tt.req)
			checkError(t, resp, body, tt.status, tt.code, tt.challenge)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
			}
			if got := resp.Header.Get("Allow"); (got == "POST") != tt.allow {
				t.Errorf("Allow = %q", got)
			}
			for _, s := range []string{secret, f.sibling.secret(), f.other.secret()} {
				if strings.Contains(string(body), s) {
					t.Errorf("body echoes a secret: %s", body)
				}
			}
		})
	}
}

// TestUserSignInGrantsSaySo: an authenticated client that asks for a user
// sign-in grant learns why it cannot have one.
func TestUserSignInGrantsSaySo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, kv := range [][2]string{{"authorization_code", "code"}, {"refresh_token", "refresh_token"}} {
		_, body := f.do(request{body: form("grant_type", kv[0], kv[1], "x", "client_id", f.m2m.ID, "client_secret", f.m2m.secret())})
		if !strings.Contains(string(body), "no user sign-in") || !strings.Contains(string(body), "client_credentials") {
			t.Errorf("%s: %s", kv[0], body)
		}
	}
}

func TestTokenAccepted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, secret := f.m2m.ID, f.m2m.secret()
	tests := []struct {
		name string
		req  request
	}{
		{"Basic", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "client_credentials")}},
		{"Basic with the same client_id in the body", request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "client_credentials", "client_id", id)}},
		{"lower-case basic scheme", request{header: map[string]string{"Authorization": "basic " + strings.TrimPrefix(basic(id, secret), "Basic ")}, body: form("grant_type", "client_credentials")}},
		{"charset parameter", request{ctype: "application/x-www-form-urlencoded; charset=UTF-8", body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret)}},
		{"aws_client_metadata ignored", request{body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret, "aws_client_metadata", `{"a":"b"}`)}},
		{"unknown parameters ignored, repeated too", request{body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret, "x", "1", "x", "2")}},
		{"own pool's host", request{host: pool1Host, body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret)}},
		{"other pool's client on the base host", request{body: form("grant_type", "client_credentials", "client_id", f.other.ID, "client_secret", f.other.secret())}},
		{"other pool's client on its own host", request{host: pool2Host, body: form("grant_type", "client_credentials", "client_id", f.other.ID, "client_secret", f.other.secret())}},
		{"first of two secrets", request{body: form("grant_type", "client_credentials", "client_id", f.twoSecrets.ID, "client_secret", f.twoSecrets.secrets[0])}},
		{"second of two secrets", request{body: form("grant_type", "client_credentials", "client_id", f.twoSecrets.ID, "client_secret", f.twoSecrets.secrets[1])}},
		{"second of two secrets, Basic", request{header: map[string]string{"Authorization": basic(f.twoSecrets.ID, f.twoSecrets.secrets[1])}, body: form("grant_type", "client_credentials")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(tt.req)
			tokenFrom(t, resp, body)
		})
	}
}

// TestUnknownClientLooksLikeWrongSecret: the answers to an unknown client
// and to a wrong secret are byte-identical but for the request id and date.
func TestUnknownClientLooksLikeWrongSecret(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	unknownID := "zzzzzzzzzzzzzzzzzzzzzzzzzz"
	for _, method := range []string{"body", "basic"} {
		t.Run(method, func(t *testing.T) {
			req := func(id, secret string) request {
				if method == "basic" {
					return request{header: map[string]string{"Authorization": basic(id, secret)}, body: form("grant_type", "client_credentials")}
				}
				return request{body: form("grant_type", "client_credentials", "client_id", id, "client_secret", secret)}
			}
			type answer struct {
				Status int
				Header http.Header
				Body   string
			}
			get := func(r request) answer {
				resp, body := f.do(r)
				h := resp.Header.Clone()
				h.Del("Date")
				h.Del("X-Amz-Cognito-Request-Id")
				return answer{resp.StatusCode, h, string(body)}
			}
			unknown := get(req(unknownID, f.m2m.secret()))
			wrong := get(req(f.m2m.ID, "not-the-secret"))
			public := get(req(f.public.ID, "not-the-secret"))
			otherPool := get(func() request { r := req(f.other.ID, f.other.secret()); r.host = pool1Host; return r }())
			if diff := cmp.Diff(unknown, wrong); diff != "" {
				t.Errorf("unknown client vs wrong secret (-unknown +wrong):\n%s", diff)
			}
			if diff := cmp.Diff(unknown, public); diff != "" {
				t.Errorf("unknown client vs public client (-unknown +public):\n%s", diff)
			}
			if diff := cmp.Diff(unknown, otherPool); diff != "" {
				t.Errorf("unknown client vs client of another pool (-unknown +other):\n%s", diff)
			}
		})
	}
}

func TestConcurrentTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var wg sync.WaitGroup
	jtis := make([]string, 16)
	for i := range jtis {
		wg.Go(func() {
			resp, body := f.do(request{header: map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}, body: form("grant_type", "client_credentials")})
			if resp.StatusCode != 200 {
				t.Errorf("status %d: %s", resp.StatusCode, body)
				return
			}
			m := tokenBody.FindSubmatch(body)
			if m == nil {
				t.Errorf("body %s", body)
				return
			}
			jtis[i] = payload(t, string(m[1]))["jti"].(string)
		})
	}
	wg.Wait()
	slices.Sort(jtis)
	if len(slices.Compact(jtis)) != len(jtis) {
		t.Error("duplicate jti")
	}
}

func TestTokenTimesFromInjectedClock(t *testing.T) {
	t.Parallel()
	// The endpoint's clock, not the wall clock, stamps tokens.
	f := newFixture(t)
	f.clock.Advance(48 * time.Hour)
	p := payload(t, f.issue(t, f.m2m))
	if p["iat"].(float64) != float64(t0.Add(48*time.Hour).Unix()) {
		t.Errorf("iat = %v", p["iat"])
	}
}

// TestBasicWithLiteralPlus authenticates as curl -u does: the secret's '+'
// sent as is, not percent-encoded. Cognito's secrets may hold '+'.
func TestBasicWithLiteralPlus(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicRaw(f.oddSecret.ID+":"+f.oddSecret.secret()))
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("raw Basic with '+' in the secret: %s", resp.Status)
	}
}
