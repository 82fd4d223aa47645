package gateway_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
)

// httpJWTEnv is an HTTP API ($default stage) whose routes are guarded by
// a JWT authorizer as CDK's HttpUserPoolAuthorizer declares it (local
// pool A by PoolID, the client id as audience): GET /scoped (scopes
// orders:read or default/default), GET /open (none), and GET /q, whose
// authorizer reads the token from the query string parameter
// access_token; GET /oidc is guarded by one trusting an OIDC issuer.
type httpJWTEnv struct {
	*env
	oidc *oidcIssuer
}

func newHTTPJWTEnv(t *testing.T, edits ...func(*gateway.Options)) *httpJWTEnv {
	t.Helper()
	he := &httpJWTEnv{oidc: newOIDCIssuer(t)}
	he.env = newEnv(t, func(api *tollgate.RestAPI, opts *gateway.Options) {
		// An HTTP API's JwtConfiguration has one issuer (apigw.Check).
		cfg := &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{PoolID: poolA, Audiences: []string{clientA}}}}
		authz := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization", JWT: cfg}
		byQuery := &tollgate.Authorizer{Name: "q", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.querystring.access_token", JWT: cfg}
		oidc := &tollgate.Authorizer{Name: "oidc", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization",
			JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{Issuer: he.oidc.issuer(), Audiences: []string{"api"}}}}}
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
		api.Protocol = tollgate.ProtocolHTTP
		api.Stages = []tollgate.Stage{{Name: tollgate.DefaultStageName}}
		api.DomainNames = nil
		api.Routes = []tollgate.Route{
			{ResourcePath: "/scoped", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{"orders:read", scope}, Integration: upstream},
			{ResourcePath: "/open", Method: "GET", Authorizer: authz, Integration: upstream},
			{ResourcePath: "/q", Method: "GET", Authorizer: byQuery, Integration: upstream},
			{ResourcePath: "/oidc", Method: "GET", Authorizer: oidc, Integration: upstream},
		}
		for _, edit := range edits {
			edit(opts)
		}
	})
	return he
}

// getAuth sends GET target to the execute-api host with the
// Authorization header value auth (none if "").
func (e *env) getAuth(target, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	r.Host = execHost
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return e.do(r)
}

// invalidToken is the www-authenticate value of an HTTP API's JWT
// authorizer refusing a token (http-api-troubleshooting-jwt.html).
func invalidToken(description string) string {
	return `Bearer scope="" error="invalid_token" error_description="` + description + `"`
}

// TestHTTPJWTAuthorizerAnswers: what an HTTP API's JWT authorizer answers,
// each value from a source (contract apigw-beyond.md §4.3).
func TestHTTPJWTAuthorizerAnswers(t *testing.T) {
	t.Run("without Options.Challenge", func(t *testing.T) { testHTTPJWTAuthorizerAnswers(t, newHTTPJWTEnv(t)) })
	// An HTTP API's challenges are AWS's, whatever Options.Challenge.
	t.Run("with Options.Challenge", func(t *testing.T) {
		testHTTPJWTAuthorizerAnswers(t, newHTTPJWTEnv(t, func(o *gateway.Options) { o.Challenge = true }))
	})
}

func testHTTPJWTAuthorizerAnswers(t *testing.T, he *httpJWTEnv) {
	local := claims(issuerOf(poolA)) // a Cognito access token: no aud, client_id clientA
	tok := func(c map[string]any) string { return "Bearer " + mint(t, keyA, keyA.kid, c) }
	const unauthorized, forbidden = `{"message":"Unauthorized"}`, `{"message":"Forbidden"}`
	cases := []struct {
		name, path, auth string
		status           int
		body, challenge  string
	}{
		// A capture (code-index file 66745600351): "no token | 401,
		// www-authenticate: Bearer, body {"message":"Unauthorized"}".
		{"no token", "/scoped", "", 401, unauthorized, "Bearer"},
		// The same capture: "Authorization: Bearer not-a-token | 401,
		// ... error_description="token contains an invalid number of segments"".
		{"not a JWT", "/scoped", "Bearer not-a-token", 401, unauthorized, invalidToken("token contains an invalid number of segments")},
		// http-api-troubleshooting-jwt.html: aud decides when present.
		{"foreign aud", "/scoped", tok(with(local, "aud", "someone-else")), 401, unauthorized, invalidToken("the token does not have a valid audience")},
		// An access log's authError (code-index file 68871343232).
		{"foreign issuer", "/scoped", tok(with(local, "iss", issuerOf(poolB))), 401, unauthorized, invalidToken("issuer does not match")},
		// §4.3: a Cognito access token passes on its client_id; scopes any-of.
		{"local pool token", "/scoped", tok(local), 200, "ok", ""},
		// http-api-jwt-authorizer.html: no token_use check.
		{"ID token, no scopes wanted", "/open", tok(with(local, "token_use", "id", "scope", nil)), 200, "ok", ""},
		// A capture of 2024-06-16 (code-index file 21323955638).
		{"missing scope", "/scoped", tok(with(local, "scope", "other/read")), 403, forbidden,
			`Bearer scope="orders:read default/default" error="insufficient_scope" error_description="expected scopes: [orders:read default/default]"`},
		// golang-jwt's wording (AWS's texts above are its): chosen, unverified.
		{"expired", "/scoped", tok(with(local, "exp", t0.Add(-time.Second).Unix())), 401, unauthorized, invalidToken("token is expired")},
		{"not yet valid", "/open", tok(with(local, "nbf", t0.Add(time.Hour).Unix())), 401, unauthorized, invalidToken("token is not valid yet")},
		// "Currently, only RSA-based algorithms are supported" and a capture
		// of an ES256 token refused (code-index file 55619222399).
		{"ES256", "/oidc", "Bearer " + he.oidc.mint(t, jose.ES256, he.oidc.claims()), 401, unauthorized, invalidToken("signing method ES256 is invalid")},
		{"HS256 forgery", "/open", "Bearer " + mintHS256(t, keyA, local), 401, unauthorized, invalidToken("signing method HS256 is invalid")},
		{"forged signature", "/open", tok(local)[:len(tok(local))-4] + "AAAA", 401, unauthorized, invalidToken("crypto/rsa: verification error")},
		{"alg none", "/open", "Bearer " + mintNone(t, keyA.kid, local), 401, unauthorized, invalidToken("signing method none is invalid")},
		{"unknown kid", "/open", "Bearer " + mint(t, keyA, "nope", local), 401, unauthorized, invalidToken("the token's kid is not one of the issuer's keys")},
		{"issued later", "/open", tok(with(local, "iat", t0.Add(time.Hour).Unix())), 401, unauthorized, invalidToken("token used before issued")},
		{"three segments, none JSON", "/open", "Bearer a.b.c", 401, unauthorized, invalidToken("token is malformed")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := he.getAuth(c.path, c.auth)
			if w.Code != c.status || w.Body.String() != c.body {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, c.status, c.body)
			}
			if got := w.Header().Values("Www-Authenticate"); c.challenge == "" && len(got) != 0 || c.challenge != "" && (len(got) != 1 || got[0] != c.challenge) {
				t.Errorf("www-authenticate %q, want %q", got, c.challenge)
			}
			// §4.3 "Error headers": apigw-requestid, no x-amzn-ErrorType.
			if c.status != 200 && (w.Header().Get(gateway.HeaderErrorType) != "" || w.Header().Get(gateway.HeaderHTTPRequestID) == "") {
				t.Errorf("headers %v", w.Header())
			}
		})
	}
	// Two copies of the header are ambiguous (tokenSource.read).
	r := httptest.NewRequest("GET", "/open", nil)
	r.Host = execHost
	r.Header["Authorization"] = []string{tok(local), tok(local)}
	if w := he.do(r); w.Code != 401 || w.Header().Get("Www-Authenticate") != invalidToken("token is malformed") {
		t.Errorf("two headers: %d %v", w.Code, w.Header())
	}
}

// TestHTTPJWTAuthorizerQueryString: an identity source
// $request.querystring.{name} (CreateAuthorizer's IdentitySource) reads the
// token, raw or after "Bearer ", from that parameter, case-sensitively; a
// parameter sent twice, or in a query parsers read differently, is
// ambiguous and refused.
func TestHTTPJWTAuthorizerQueryString(t *testing.T) {
	he := newHTTPJWTEnv(t)
	raw := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for _, c := range []struct {
		target string
		status int
	}{
		{"/q?access_token=" + raw, 200},
		{"/q?access_token=Bearer%20" + raw, 200},
		{"/q?Access_Token=" + raw, 401},
		{"/q?access_token=" + raw + "&access_token=" + raw, 401},
		{"/q", 401},
		// url.ParseQuery (the verifier's and the event's) drops a pair
		// holding ";", an upstream splitting on ";" reads FORGED: ambiguous.
		{"/q?x=1;access_token=FORGED&access_token=" + raw, 401},
		{"/q?access_token=" + raw + "&x=%zz", 401},
		{"/q?page=%32&access_token=" + raw, 200},
	} {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Host = execHost
		r.Header.Set("Authorization", "Bearer "+raw) // not the source
		if w := he.do(r); w.Code != c.status {
			t.Errorf("%.40s…: %d %s, want %d", c.target, w.Code, w.Body, c.status)
		}
	}
}

// TestHTTPJWTAuthorizerClaimsDownstream: the allowed request's invocation
// carries the verified claims, as a REST JWT authorizer's does.
func TestHTTPJWTAuthorizerClaimsDownstream(t *testing.T) {
	he := newHTTPJWTEnv(t)
	if w := he.getAuth("/scoped", "Bearer "+mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	inv, _, _ := he.invocation()
	if inv == nil || inv.Authorizer != "jwt" || inv.Claims == nil || inv.ClientID != clientA || len(inv.JWTClaims()) == 0 {
		t.Fatalf("invocation %+v", inv)
	}
}

// TestHTTPJWTAuthorizerPoolNeverFetched: a pool named by PoolID is
// verified with the signer's keys: no JWKS fetch, and New refuses such an
// authorizer without Options.Issuer.
func TestHTTPJWTAuthorizerPoolNeverFetched(t *testing.T) {
	he := newHTTPJWTEnv(t)
	before := he.f.srv.fetches.Load()
	if w := he.getAuth("/open", "Bearer "+mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if he.f.keys.calls.Load() == 0 || he.f.srv.fetches.Load() != before || he.oidc.hits.Load() != 0 {
		t.Errorf("key source calls %d, JWKS fetches %d, OIDC hits %d", he.f.keys.calls.Load(), he.f.srv.fetches.Load()-before, he.oidc.hits.Load())
	}
	_, err := gateway.NewJWTAuthorizer(&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, IdentitySource: "$request.header.Authorization",
		JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{{PoolID: poolA, Audiences: []string{clientA}}}}},
		gateway.JWTAuthorizerOptions{HTTP: true, Keys: he.f.keys})
	if err == nil {
		t.Error("a pool without Issuer accepted")
	}
}

// TestHTTPJWTAuthorizerKeysUnavailable: a well-formed token of an issuer
// whose keys were never fetched is the authorizer failing, not the token:
// 500 {"message":"Internal Server Error"} in an HTTP API's form, without
// www-authenticate (contract §4.5's error table: an authorizer failure).
func TestHTTPJWTAuthorizerKeysUnavailable(t *testing.T) {
	he := newHTTPJWTEnv(t)
	he.oidc.down.Store(true)
	c := with(he.oidc.claims(), "aud", "api")
	w := he.getAuth("/oidc", "Bearer "+mint(t, keyA, he.oidc.kid, c))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` || w.Header().Get("Www-Authenticate") != "" || w.Header().Get(gateway.HeaderErrorType) != "" {
		t.Errorf("%d %s %v", w.Code, w.Body, w.Header())
	}
}

// BenchmarkJWTAuthorizerCachedHTTP compares the cached decision of the
// same token by a REST API's JWT authorizer (method.request.header.
// Authorization, RS256, the pool's issuer URL) and an HTTP API's (PoolID,
// $request.header.Authorization): one framework, the same cost.
func BenchmarkJWTAuthorizerCachedHTTP(b *testing.B) {
	for _, kind := range []struct {
		name, source string
		http         bool
		issuer       tollgate.JWTIssuer
	}{
		{"REST", "method.request.header.Authorization", false, tollgate.JWTIssuer{Issuer: issuerOf(poolA), Audiences: []string{clientA}}},
		{"HTTP", "$request.header.Authorization", true, tollgate.JWTIssuer{PoolID: poolA, Audiences: []string{clientA}}},
	} {
		b.Run(kind.name, func(b *testing.B) {
			f := newFixture(b)
			j := jwks.New([]tollgate.ExternalIssuer{{Issuer: issuerOf(poolA)}}, jwks.Options{Logger: quiet})
			z, err := gateway.NewJWTAuthorizer(&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, IdentitySource: kind.source,
				JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{kind.issuer}}},
				gateway.JWTAuthorizerOptions{HTTP: kind.http, Issuer: issuerOf, Keys: f.keys, JWKS: j, Cache: f.cache, Now: f.clock.Now,
					LocalIssuer: func(iss string) (string, bool) { return poolA, iss == issuerOf(poolA) }})
			if err != nil {
				b.Fatal(err)
			}
			header := "Bearer " + mint(b, keyA, keyA.kid, claims(issuerOf(poolA)))
			scopes := []string{scope}
			ctx := context.Background()
			if res := z.Authorize(ctx, header, scopes); res.Decision != gateway.Allow {
				b.Fatal(res.Decision, res.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				if d := z.Authorize(ctx, header, scopes).Decision; d != gateway.Allow {
					b.Fatal(d)
				}
			}
		})
	}
}
