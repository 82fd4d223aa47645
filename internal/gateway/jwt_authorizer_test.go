package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
)

// oidcIssuer is an OpenID issuer on loopback signing ES256 (or, once
// down, answering 500 to everything): discovery at its URL plus
// jwks.WellKnown, keys at /jwks.
type oidcIssuer struct {
	*httptest.Server
	key  *ecdsa.PrivateKey
	kid  string
	hits atomic.Int64
	down atomic.Bool
}

func newOIDCIssuer(t testing.TB) *oidcIssuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	o := &oidcIssuer{key: k, kid: "es-1"}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		if o.down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		switch r.URL.Path {
		case jwks.WellKnown:
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": o.issuer(), "jwks_uri": o.URL + "/jwks"})
		case "/jwks":
			_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: o.kid, Use: "sig"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

// issuer is the iss of its tokens: its URL with a trailing slash, which a
// token must carry exactly (rest-api-jwt-authorizer-create.html).
func (o *oidcIssuer) issuer() string { return o.URL + "/" }

func (o *oidcIssuer) mint(t testing.TB, alg jose.SignatureAlgorithm, c map[string]any) string {
	t.Helper()
	var key any = o.key
	if alg == jose.ES384 {
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: o.kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sign(t, s, c)
}

// oidcClaims are an external issuer's access token claims, valid at t0.
func (o *oidcIssuer) claims() map[string]any {
	return map[string]any{
		"iss":    o.issuer(),
		"sub":    "user-1",
		"aud":    []string{"api", "other"},
		"exp":    t0.Add(time.Hour).Unix(),
		"iat":    t0.Unix(),
		"scope":  "orders:read orders:write",
		"tenant": "a",
		"n":      1.5,
	}
}

// jwtEnv is the test gateway with a JWT authorizer trusting the OIDC
// issuer, a broken issuer and local pool A, on /jwt/scoped (scope
// orders:read or default/default) and /jwt/open (no scope).
type jwtEnv struct {
	*env
	oidc, broken *oidcIssuer
}

func newJWTEnv(t *testing.T) *jwtEnv {
	t.Helper()
	return newJWTEnvWith(t, nil)
}

// newJWTEnvWith is newJWTEnv with edit applied to the API and the
// gateway's options.
func newJWTEnvWith(t *testing.T, edit func(*tollgate.RestAPI, *gateway.Options)) *jwtEnv {
	t.Helper()
	je := &jwtEnv{oidc: newOIDCIssuer(t), broken: newOIDCIssuer(t)}
	je.broken.down.Store(true)
	je.env = newEnv(t, func(api *tollgate.RestAPI, opts *gateway.Options) {
		authz := &tollgate.Authorizer{
			Name:           "jwt",
			Type:           tollgate.AuthorizerJWT,
			IdentitySource: "method.request.header.Authorization",
			JWT: &tollgate.JWTConfiguration{
				Algorithms: []string{"RS256", "ES256"},
				Issuers: []tollgate.JWTIssuer{
					{Issuer: je.oidc.issuer(), Audiences: []string{"api"}, Claims: []tollgate.JWTClaim{{Name: "tenant", ExpectedValues: []string{"a", "b"}, Required: true}}},
					{Issuer: je.broken.issuer(), Audiences: []string{"api"}},
					// A local pool: Cognito access tokens carry no aud, so
					// the audience is the client id.
					{Issuer: issuerOf(poolA), Audiences: []string{clientA}},
				},
			},
		}
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
		api.Routes = append(api.Routes,
			tollgate.Route{ResourcePath: "/jwt/scoped", Method: "GET", Authorizer: authz, AuthorizationScopes: []string{"orders:read", scope}, Integration: upstream},
			tollgate.Route{ResourcePath: "/jwt/open", Method: "GET", Authorizer: authz, Integration: upstream},
		)
		opts.LocalIssuer = func(iss string) (string, bool) {
			if iss == issuerOf(poolA) {
				return poolA, true
			}
			return "", false
		}
		if edit != nil {
			edit(api, opts)
		}
	})
	return je
}

func TestJWTAuthorizerAnswers(t *testing.T) {
	je := newJWTEnv(t)
	o := je.oidc
	c := o.claims()
	local := with(claims(issuerOf(poolA)), "jti", "local")
	tests := []struct {
		name   string
		path   string
		token  string
		status int
		body   string // "" for the integration's "ok"
	}{
		{"ES256, scope", "/jwt/scoped", o.mint(t, jose.ES256, c), 200, ""},
		{"ES256, scp array", "/jwt/scoped", o.mint(t, jose.ES256, with(c, "scope", nil, "scp", []string{"x", "orders:read"})), 200, ""},
		{"ES256, scp string", "/jwt/scoped", o.mint(t, jose.ES256, with(c, "scope", nil, "scp", "orders:read")), 200, ""},
		// rest-api-jwt-authorizer-methods.html: "A valid token that carries
		// none of the method's scopes receives a 403 Forbidden response."
		{"valid, no scope of the method", "/jwt/scoped", o.mint(t, jose.ES256, with(c, "scope", "orders:write")), 403, `{"message":"Forbidden"}`},
		{"valid, no scope claim", "/jwt/scoped", o.mint(t, jose.ES256, with(c, "scope", nil)), 403, `{"message":"Forbidden"}`},
		// A method without scopes takes any valid token.
		{"valid, method without scopes", "/jwt/open", o.mint(t, jose.ES256, with(c, "scope", nil)), 200, ""},
		// Any invalid token: 401 Unauthorized (http-api-troubleshooting-jwt.html;
		// REST's answer is undocumented, contract §1.6 "U").
		{"no token", "/jwt/open", "", 401, `{"message":"Unauthorized"}`},
		{"expired", "/jwt/open", o.mint(t, jose.ES256, with(c, "exp", t0.Unix())), 401, `{"message":"Unauthorized"}`},
		{"aud of another API", "/jwt/open", o.mint(t, jose.ES256, with(c, "aud", "x")), 401, `{"message":"Unauthorized"}`},
		{"required claim missing", "/jwt/open", o.mint(t, jose.ES256, with(c, "tenant", nil)), 401, `{"message":"Unauthorized"}`},
		{"iss without the trailing slash", "/jwt/open", o.mint(t, jose.ES256, with(c, "iss", o.URL)), 401, `{"message":"Unauthorized"}`},
		{"alg not allowed (ES384)", "/jwt/open", o.mint(t, jose.ES384, c), 401, `{"message":"Unauthorized"}`},
		{"HS256 keyed with a public key", "/jwt/open", mintHS256(t, keyA, local), 401, `{"message":"Unauthorized"}`},
		{"alg none", "/jwt/open", mintNone(t, keyA.kid, local), 401, `{"message":"Unauthorized"}`},
		// A local pool's tokens verify with its keys (RS256), client_id as
		// the audience.
		{"local pool, RS256, client_id", "/jwt/scoped", mint(t, keyA, keyA.kid, local), 200, ""},
		{"local pool, another client", "/jwt/open", mint(t, keyA, keyA.kid, with(local, "client_id", "x")), 401, `{"message":"Unauthorized"}`},
		{"pool B is no issuer of the authorizer", "/jwt/open", mint(t, keyB, keyB.kid, claims(issuerOf(poolB))), 401, `{"message":"Unauthorized"}`},
		{"pool A's iss signed by pool B's key", "/jwt/open", mint(t, keyB, keyB.kid, local), 401, `{"message":"Unauthorized"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := je.do(request("GET", execHost, "/prod"+tt.path, tt.token))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			want := tt.body
			if want == "" {
				want = "ok"
			}
			if w.Body.String() != want {
				t.Errorf("body %s, want %s", w.Body, want)
			}
			if tt.status == 403 && w.Header().Get(gateway.HeaderErrorType) != "ForbiddenException" {
				t.Errorf("x-amzn-ErrorType %q", w.Header().Get(gateway.HeaderErrorType))
			}
			if tt.status != 200 && w.Header().Get(gateway.HeaderRequestID) == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
	if n := je.broken.hits.Load(); n != 0 {
		t.Errorf("%d requests to an issuer no token named", n)
	}
}

// TestJWTAuthorizerClaimsDownstream: the integration gets the verified
// claims, JSON-typed through Invocation.JWTClaims (rest-api-jwt-authorizer-
// claims.html: JSON-typed in a Lambda proxy event), the authorizer's name
// and the client_id.
func TestJWTAuthorizerClaimsDownstream(t *testing.T) {
	je := newJWTEnv(t)
	tok := je.oidc.mint(t, jose.ES256, with(je.oidc.claims(), "client_id", "c-1"))
	if w := je.do(request("GET", execHost, "/prod/jwt/scoped", tok)); w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	inv, _, _ := je.invocation()
	if inv == nil || inv.Authorizer != "jwt" || inv.ClientID != "c-1" {
		t.Fatalf("invocation %+v", inv)
	}
	var got map[string]any
	if err := json.Unmarshal(inv.JWTClaims(), &got); err != nil {
		t.Fatal(err)
	}
	if got["exp"] != float64(t0.Add(time.Hour).Unix()) || got["n"] != 1.5 || got["tenant"] != "a" {
		t.Errorf("claims %v: want exp and n as numbers", got)
	}
	if aud, ok := got["aud"].([]any); !ok || len(aud) != 2 {
		t.Errorf("aud %v: want the array", got["aud"])
	}
	if s := inv.ScopeList(); s != "orders:read orders:write" {
		t.Errorf("ScopeList %q", s)
	}
	// The Lambda proxy event's requestContext.authorizer.claims are the
	// claims JSON-typed, as signed (rest-api-jwt-authorizer-claims.html:
	// "JSON-typed" in Lambda proxy integrations; contract apigw-beyond.md
	// §1.6 "Claims downstream").
	ev, err := lambdaproxy.Event(request("GET", execHost, "/prod/jwt/scoped", tok), inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	var event struct {
		RequestContext struct {
			Authorizer struct {
				Claims map[string]any `json:"claims"`
			} `json:"authorizer"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(ev, &event); err != nil {
		t.Fatal(err)
	}
	if c := event.RequestContext.Authorizer.Claims; c["exp"] != float64(t0.Add(time.Hour).Unix()) || c["n"] != 1.5 {
		t.Errorf("event claims %v: want exp and n as numbers", c)
	} else if aud, ok := c["aud"].([]any); !ok || len(aud) != 2 {
		t.Errorf("event claims aud %v: want the array", c["aud"])
	}

	// A Cognito authorizer's invocation has no JWT claims.
	if w := je.do(request("GET", execHost, "/prod/hello", mint(t, keyA, keyA.kid, claims(issuerOf(poolA))))); w.Code != 200 {
		t.Fatalf("Cognito route: %d", w.Code)
	}
	if inv, _, _ := je.invocation(); inv == nil || inv.JWTClaims() != nil {
		t.Errorf("Cognito route: JWTClaims %s", inv.JWTClaims())
	}
}

// TestJWTAuthorizerKeysUnavailable: keys that cannot be had are the
// authorizer failing, 500 AUTHORIZER_FAILURE, not the token.
func TestJWTAuthorizerKeysUnavailable(t *testing.T) {
	je := newJWTEnv(t)
	// An issuer whose discovery fails.
	tok := je.broken.mint(t, jose.ES256, with(je.oidc.claims(), "iss", je.broken.issuer()))
	w := je.do(request("GET", execHost, "/prod/jwt/open", tok))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal server error"}` {
		t.Errorf("broken issuer: %d %s", w.Code, w.Body)
	}
	if je.broken.hits.Load() == 0 {
		t.Error("the broken issuer was not asked")
	}
	// A local pool whose keys cannot be read.
	je.f.keys.mu.Lock()
	je.f.keys.err = errors.New("store down")
	je.f.keys.mu.Unlock()
	w = je.do(request("GET", execHost, "/prod/jwt/open", mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "jti", "x"))))
	if w.Code != 500 {
		t.Errorf("local keys unreadable: %d %s", w.Code, w.Body)
	}
}

// TestJWTAuthorizerCache: a token is verified once, then served from the
// cache until its exp, and then refused 401 Unauthorized.
func TestJWTAuthorizerCache(t *testing.T) {
	je := newJWTEnv(t)
	tok := je.oidc.mint(t, jose.ES256, with(je.oidc.claims(), "exp", t0.Add(time.Minute).Unix()))
	for range 2 {
		if w := je.do(request("GET", execHost, "/prod/jwt/scoped", tok)); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	hits := je.oidc.hits.Load()
	je.f.clock.advance(time.Minute)
	w := je.do(request("GET", execHost, "/prod/jwt/scoped", tok))
	if w.Code != 401 || w.Body.String() != `{"message":"Unauthorized"}` {
		t.Fatalf("past exp: %d %s", w.Code, w.Body)
	}
	_, auths := je.obs.take()
	var cached []bool
	for _, a := range auths {
		if a.Authorizer == "jwt" {
			cached = append(cached, a.Cached)
		}
	}
	if len(cached) != 3 || cached[0] || !cached[1] {
		t.Errorf("cached %v, want a miss then a hit", cached)
	}
	if n := je.oidc.hits.Load(); n != hits || hits != 2 {
		t.Errorf("issuer asked %d times, then %d; want discovery and key set once", hits, n)
	}
}

func TestNewJWTAuthorizerRefuses(t *testing.T) {
	f := newFixture(t)
	iss := tollgate.JWTIssuer{Issuer: externalIssuer, Audiences: []string{"api"}}
	tests := []struct {
		name string
		a    tollgate.Authorizer
		err  string
	}{
		{"HS256", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"HS256"}, Issuers: []tollgate.JWTIssuer{iss}}}, "algorithm HS256"},
		{"no algorithm", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{iss}}}, "no algorithm"},
		{"no issuer", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}}}, "no issuer"},
		{"issuer unknown to the fetcher", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: "https://elsewhere.example.com", Audiences: []string{"a"}}}}}, "no JWKS"},
		{"issuer on http beyond loopback", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: "http://issuer.example.com", Audiences: []string{"a"}}}}}, "http is allowed only on a loopback host"},
		{"issuer with a query", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: externalIssuer + "?a=b", Audiences: []string{"a"}}}}}, "query"},
		{"no audience", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: externalIssuer}}}}, "no audience"},
		{"reserved claim", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{{Issuer: externalIssuer, Audiences: []string{"a"}, Claims: []tollgate.JWTClaim{{Name: "scp"}}}}}}, "reserved"},
		{"identity source not a header", tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, IdentitySource: "method.request.querystring.t", JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{iss}}}, "identity source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gateway.NewJWTAuthorizer(&tt.a, gateway.JWTAuthorizerOptions{JWKS: f.jwks})
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
	z, err := gateway.NewJWTAuthorizer(&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{iss}}}, gateway.JWTAuthorizerOptions{JWKS: f.jwks})
	if err != nil || z.Header() != "Authorization" || z.Name() != "j" {
		t.Fatalf("%v %v", z, err)
	}
	if d := z.Authorize(context.Background(), "", nil).Decision; d != gateway.Unauthorized {
		t.Errorf("no token: %v", d)
	}
	// Config builds the identity source as the bare header name.
	z, err = gateway.NewJWTAuthorizer(&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, IdentitySource: "x-token", JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{iss}}}, gateway.JWTAuthorizerOptions{JWKS: f.jwks})
	if err != nil || z.Header() != "X-Token" {
		t.Fatalf("bare header name: %v %v", z, err)
	}
}

// BenchmarkJWTAuthorizerCached is a request's authorizer cost once its
// token is cached.
func BenchmarkJWTAuthorizerCached(b *testing.B) {
	o := newOIDCIssuer(b)
	cache := gateway.NewCache(gateway.CacheOptions{Now: func() time.Time { return t0 }})
	j := jwks.New([]tollgate.ExternalIssuer{{Issuer: o.issuer()}}, jwks.Options{Logger: quiet})
	z, err := gateway.NewJWTAuthorizer(&tollgate.Authorizer{Name: "j", Type: tollgate.AuthorizerJWT, JWT: &tollgate.JWTConfiguration{
		Algorithms: []string{"ES256"}, Issuers: []tollgate.JWTIssuer{{Issuer: o.issuer(), Audiences: []string{"api"}}},
	}}, gateway.JWTAuthorizerOptions{JWKS: j, Cache: cache, Now: func() time.Time { return t0 }})
	if err != nil {
		b.Fatal(err)
	}
	header := "Bearer " + o.mint(b, jose.ES256, o.claims())
	scopes := []string{"orders:read"}
	ctx := context.Background()
	if d := z.Authorize(ctx, header, scopes).Decision; d != gateway.Allow {
		b.Fatal(d)
	}
	b.ReportAllocs()
	for b.Loop() {
		if d := z.Authorize(ctx, header, scopes).Decision; d != gateway.Allow {
			b.Fatal(d)
		}
	}
}

// TestJWTAuthorizerForgeriesWhileKeysUnavailable: while an issuer's key
// set cannot be fetched, only a token that would need it (well-formed, an
// allowed alg, a kid) fails the authorizer; a forgery is refused 401 as
// any invalid token, not answered 500 and logged as an error.
func TestJWTAuthorizerForgeriesWhileKeysUnavailable(t *testing.T) {
	je := newJWTEnv(t)
	c := with(je.oidc.claims(), "iss", je.broken.issuer())
	sign1 := func(alg jose.SignatureAlgorithm, key any, opts *jose.SignerOptions) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return sign(t, s, c)
	}
	withKid := (&jose.SignerOptions{}).WithHeader("kid", je.broken.kid)
	for _, tt := range []struct {
		name   string
		token  string
		status int
	}{
		{"well-formed, kid of the unfetched key set", je.broken.mint(t, jose.ES256, c), 500},
		{"HS256 keyed with a public key", mintHS256(t, keyA, c), 401},
		{"alg none", mintNone(t, je.broken.kid, c), 401},
		{"alg not allowed (ES384)", je.broken.mint(t, jose.ES384, c), 401},
		{"no kid", sign1(jose.ES256, je.broken.key, nil), 401},
		{"crit header", sign1(jose.ES256, je.broken.key, withKid.WithHeader("crit", []string{"x"}).WithHeader("x", 1)), 401},
		{"signature cut", strings.TrimRight(je.broken.mint(t, jose.ES256, c), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if w := je.do(request("GET", execHost, "/prod/jwt/open", tt.token)); w.Code != tt.status {
				t.Errorf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
		})
	}
}

// TestJWTAuthorizerChallenge: with Options.Challenge, a JWT route's 401
// carries an RFC 6750 §3 challenge as a Cognito route's does (none with an
// error code when there was no token, §3.1), and its 403 for a missing
// scope the insufficient_scope one with the method's scopes.
func TestJWTAuthorizerChallenge(t *testing.T) {
	je := newJWTEnvWith(t, func(_ *tollgate.RestAPI, o *gateway.Options) { o.Challenge = true })
	c := je.oidc.claims()
	realm := `Bearer realm="` + apiID + `"`
	for _, tt := range []struct {
		name, path, token string
		status            int
		want              string
	}{
		{"no token", "/jwt/open", "", 401, realm},
		{"garbage", "/jwt/open", "garbage", 401, realm + `, error="invalid_token", error_description="the access token is not valid"`},
		{"expired", "/jwt/open", je.oidc.mint(t, jose.ES256, with(c, "exp", t0.Unix())), 401, realm + `, error="invalid_token", error_description="the access token expired"`},
		{"no scope of the method", "/jwt/scoped", je.oidc.mint(t, jose.ES256, with(c, "scope", "orders:write")), 403, realm + `, scope="orders:read default/default", error="insufficient_scope", error_description="the access token lacks the scope"`},
		{"allowed", "/jwt/scoped", je.oidc.mint(t, jose.ES256, c), 200, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := je.do(request("GET", execHost, "/prod"+tt.path, tt.token))
			if got := w.Header().Get("WWW-Authenticate"); w.Code != tt.status || got != tt.want {
				t.Errorf("%d %q, want %d %q", w.Code, got, tt.status, tt.want)
			}
		})
	}
}

// TestJWTAuthorizerClientThrottle: the per-client throttle keys on the
// token's issuer and client_id, or its issuer and sub when it has no
// client_id: a token of another issuer naming pool A's client has a bucket
// of its own, and tokens without client_id are limited per subject.
func TestJWTAuthorizerClientThrottle(t *testing.T) {
	je := newJWTEnvWith(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		api.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 0.5} // burst 1
	})
	c := je.oidc.claims()
	local := mint(t, keyA, keyA.kid, with(claims(issuerOf(poolA)), "jti", "local"))
	sameClient := je.oidc.mint(t, jose.ES256, with(c, "client_id", clientA))
	user1 := je.oidc.mint(t, jose.ES256, c)
	user2 := je.oidc.mint(t, jose.ES256, with(c, "sub", "user-2"))
	status := func(tok string) int { return je.do(request("GET", execHost, "/prod/jwt/open", tok)).Code }
	got := []int{status(local), status(sameClient), status(user1), status(user1), status(user2), status(local), status(sameClient)}
	if want := []int{200, 200, 200, 429, 200, 429, 429}; !cmp.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}

// TestJWTAuthorizerKeysSurviveReload: a gateway built on a config change
// with the previous gateway's fetcher (jwks.Options.Previous) starts with
// the keys it fetched: an issuer down at that moment does not make its
// valid tokens fail. Without it, they do (500, the keys cannot be had).
func TestJWTAuthorizerKeysSurviveReload(t *testing.T) {
	var opts *gateway.Options
	je := newJWTEnvWith(t, func(_ *tollgate.RestAPI, o *gateway.Options) { opts = o })
	c := je.oidc.claims()
	if w := je.do(request("GET", execHost, "/prod/jwt/open", je.oidc.mint(t, jose.ES256, c))); w.Code != 200 {
		t.Fatalf("first gateway: %d %s", w.Code, w.Body)
	}
	je.oidc.down.Store(true)
	for _, tt := range []struct {
		name     string
		previous *jwks.Fetcher
		status   int
	}{
		{"with the previous fetcher", je.gw.JWKS(), 200},
		{"without", nil, 500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := *opts
			o.JWKS.Previous = tt.previous
			gw, err := gateway.New(o)
			if err != nil {
				t.Fatal(err)
			}
			// A token the cache has not seen.
			w := httptest.NewRecorder()
			gw.ServeHTTP(w, request("GET", execHost, "/prod/jwt/open", je.oidc.mint(t, jose.ES256, with(c, "jti", tt.name))))
			if w.Code != tt.status {
				t.Errorf("second gateway: %d %s, want %d", w.Code, w.Body, tt.status)
			}
		})
	}
}

// TestJWTRouteWithoutScopesImplied: a JWT authorizer's route without
// scopes takes any valid token, so a path whose decoded reading reaches it
// from a route of the same authorizer that wants a scope is not refused
// (sameGrant), where a Cognito route without scopes takes ID tokens only.
func TestJWTRouteWithoutScopesImplied(t *testing.T) {
	je := newJWTEnvWith(t, func(api *tollgate.RestAPI, _ *gateway.Options) {
		authz := api.Routes[len(api.Routes)-1].Authorizer
		upstream := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/"}
		api.Routes = []tollgate.Route{
			{ResourcePath: "/{proxy+}", Method: "ANY", Authorizer: authz, AuthorizationScopes: []string{"orders:read"}, Integration: upstream},
			{ResourcePath: "/admin/{proxy+}", Method: "ANY", Authorizer: authz, Integration: upstream},
		}
	})
	tok := je.oidc.mint(t, jose.ES256, je.oidc.claims())
	for _, p := range []string{"/prod/x", "/prod/admin/x", "/prod/admin%2Fx"} {
		if w := je.do(request("GET", execHost, p, tok)); w.Code != 200 {
			t.Errorf("%s: %d %s", p, w.Code, w.Body)
		}
	}
}

// TestCognitoIssuerJWKSURLInCacheIdentity: a gateway built anew with an
// external issuer's JWKS URL pointing at other keys does not keep, through
// the shared verification cache, what the old keys verified.
func TestCognitoIssuerJWKSURLInCacheIdentity(t *testing.T) {
	var opts *gateway.Options
	e := newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) { opts = o })
	tok := mint(t, extK1, extK1.kid, claims(externalIssuer))
	if w := e.do(request("GET", execHost, "/prod/mock", tok)); w.Code != 200 {
		t.Fatalf("first gateway: %d %s", w.Code, w.Body)
	}
	other := newJWKSServer(t, extK2) // ext-1 withdrawn
	o := *opts
	api := *o.APIs[0]
	api.Routes = append([]tollgate.Route(nil), api.Routes...)
	var decl tollgate.Authorizer
	for i := range api.Routes {
		if a := api.Routes[i].Authorizer; a != nil && len(a.Issuers) > 0 {
			if decl.Name == "" {
				decl = *a
				decl.Issuers = []tollgate.ExternalIssuer{{Issuer: externalIssuer, JWKSURL: other.URL}}
			}
			api.Routes[i].Authorizer = &decl
		}
	}
	if decl.Name == "" {
		t.Fatal("no authorizer with an external issuer in the test API")
	}
	o.APIs = []*tollgate.RestAPI{&api}
	gw, err := gateway.New(o)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	gw.ServeHTTP(w, request("GET", execHost, "/prod/mock", tok))
	if w.Code != 401 {
		t.Errorf("rebuilt with other keys, same cache: %d %s, want 401", w.Code, w.Body)
	}
}

// TestIssuerWithTwoJWKSURLsRefused: the fetcher keeps one key set an
// issuer, so authorizers naming one issuer with two JWKS URLs would verify
// with each other's keys: the gateway refuses to be built.
func TestIssuerWithTwoJWKSURLsRefused(t *testing.T) {
	var opts *gateway.Options
	newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) { opts = o })
	other := newJWKSServer(t, extK2)
	o := *opts
	api := *o.APIs[0]
	jwtAuthz := &tollgate.Authorizer{Name: "jwt", Type: tollgate.AuthorizerJWT, IdentitySource: "method.request.header.Authorization",
		JWT: &tollgate.JWTConfiguration{Algorithms: []string{"RS256"}, Issuers: []tollgate.JWTIssuer{
			{Issuer: externalIssuer, JWKSURL: other.URL, Audiences: []string{clientA}}}}}
	api.Routes = append(slices.Clone(api.Routes), tollgate.Route{ResourcePath: "/jwt", Method: "GET", Authorizer: jwtAuthz,
		Integration: tollgate.Integration{Type: tollgate.IntegrationMock}})
	o.APIs = []*tollgate.RestAPI{&api}
	if _, err := gateway.New(o); err == nil || !strings.Contains(err.Error(), "two JWKS URLs") {
		t.Fatalf("New: %v, want the issuer's two JWKS URLs refused", err)
	}
}
