package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
)

// assertionClients serves clients beyond Cognito's (tollgate.ClientOAuth) from
// memory and the others from base: the store keeps no ClientOAuth of its
// own here.
type assertionClients struct {
	base token.Clients
	mu   sync.Mutex
	m    map[string]*tollgate.Client
}

func (c *assertionClients) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	c.mu.Lock()
	cl, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return cl, nil
	}
	return c.base.GetClient(ctx, id)
}

func (c *assertionClients) put(cl *tollgate.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[cl.ID] = cl
}

// memReplay is a replay cache in memory: each key once until it expires.
// err, when set, is what every Use returns; forget, when set, makes it
// remember nothing (every key is fresh), for benchmarks that reuse one
// assertion.
type memReplay struct {
	mu     sync.Mutex
	seen   map[string]time.Time
	err    error
	forget bool
}

func (m *memReplay) Use(_ context.Context, key string, exp time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.forget {
		return true, nil
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = exp
	return true, nil
}

// signingKey is a client's private key with the kid and alg it signs with.
type signingKey struct {
	priv crypto.Signer
	kid  string
	alg  jose.SignatureAlgorithm
}

func (k signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

func newSigningKey(t testing.TB, alg jose.SignatureAlgorithm, kid string) signingKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.RS256, jose.PS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{priv: priv, kid: kid, alg: alg}
}

func jwksOf(t testing.TB, keys ...jose.JSONWebKey) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// authFixture is the token endpoint of fixture with clients beyond
// Cognito's: private_key_jwt clients whose keys are inline or at a
// jwks_uri, and mutual-TLS clients; pool enables mutual TLS, pool2 not.
type authFixture struct {
	*fixture
	clients *assertionClients
	replay  *memReplay
	ep      *token.Endpoint
	srv     *httptest.Server // plain HTTP
	tlsSrv  *httptest.Server // mutual TLS: asks for a client certificate
	cas     *x509.CertPool

	es, rs, ed, remote                         signingKey
	esClient, rsClient, edClient, remoteClient *tollgate.Client

	jwks *jwksServer
}

// jwksServer serves a JWKS that a test may change, and counts its fetches.
type jwksServer struct {
	mu      sync.Mutex
	body    string
	status  int
	fetches int
	srv     *httptest.Server
}

func (s *jwksServer) set(body string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.status = body, status
}

func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func newAuthFixture(t testing.TB) *authFixture {
	t.Helper()
	f := &authFixture{fixture: newFixture(t), replay: &memReplay{seen: map[string]time.Time{}}}
	f.clients = &assertionClients{base: f.st, m: map[string]*tollgate.Client{}}

	f.jwks = &jwksServer{status: http.StatusOK}
	f.jwks.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.jwks.mu.Lock()
		f.jwks.fetches++
		body, status := f.jwks.body, f.jwks.status
		f.jwks.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "max-age=600")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(f.jwks.srv.Close)

	f.es = newSigningKey(t, jose.ES256, "es-1")
	f.rs = newSigningKey(t, jose.RS256, "rs-1")
	f.ed = newSigningKey(t, jose.EdDSA, "ed-1")
	f.remote = newSigningKey(t, jose.ES256, "remote-1")
	f.jwks.set(jwksOf(t, f.remote.jwk()), http.StatusOK)
	f.esClient = f.oauthClient(f.pool, "es", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: jwksOf(t, f.es.jwk())})
	f.rsClient = f.oauthClient(f.pool, "rs", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: jwksOf(t, f.rs.jwk())})
	// The EdDSA key declares neither kid nor alg: it is tried for any
	// assertion of its type.
	f.edClient = f.oauthClient(f.pool, "ed", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKS: jwksOf(t, jose.JSONWebKey{Key: f.ed.priv.Public()})})
	f.remoteClient = f.oauthClient(f.pool, "remote", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT, JWKSURI: f.jwks.srv.URL + "/jwks.json"})

	f.cas = x509.NewCertPool()
	f.ep = token.New(token.Options{
		Clients: f.clients, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: f.vault,
		Issuer:       func(_ *http.Request, poolID string) string { return issuer(poolID) },
		PoolFromHost: f.poolFromHost,
		Now:          f.clock.Now,
		Logger:       slog.New(slog.DiscardHandler),
		Replay:       f.replay,
		// The jwks_uri server is an httptest server on loopback.
		AllowPrivateJWKSURI: true,
		Pool: func(poolID string) (*tollgate.UserPool, bool) {
			switch poolID {
			case f.pool.ID:
				p := *f.pool
				p.OAuth.MTLS = true
				return &p, true
			case f.pool2.ID:
				return f.pool2, true
			}
			return nil, false
		},
		ClientCert: func(r *http.Request) ([]*x509.Certificate, error) {
			if r.TLS == nil {
				return nil, nil
			}
			return r.TLS.PeerCertificates, nil
		},
		ClientCAs: func() *x509.CertPool { return f.cas },
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", f.ep.ServeToken)
	mux.HandleFunc("/oauth2/revoke", f.ep.ServeRevoke)
	mux.HandleFunc("/oauth2/introspect", f.ep.ServeIntrospect)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.tlsSrv = httptest.NewUnstartedServer(mux)
	f.tlsSrv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	f.tlsSrv.StartTLS()
	t.Cleanup(f.tlsSrv.Close)
	return f
}

// oauthClient creates a client_credentials client in the store (without
// secret) and serves it with its ClientOAuth.
func (f *authFixture) oauthClient(pool *tollgate.UserPool, name string, o tollgate.ClientOAuth) *tollgate.Client {
	f.t.Helper()
	c := f.createClient(pool, name, []string{tollgate.FlowClientCredentials}, []string{"default/default"}).Client
	c.OAuth = o
	f.clients.put(c)
	return c
}

// claims are an assertion's claims for client, valid now.
func (f *authFixture) claims(client *tollgate.Client) map[string]any {
	now := f.clock.Now()
	return map[string]any{
		"iss": client.ID, "sub": client.ID, "aud": issuer(client.PoolID),
		"jti": rand.Text(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
}

// sign signs claims with key; header sets extra header members (typ).
func signAssertion(t testing.TB, key signingKey, claims map[string]any, header map[jose.HeaderKey]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if key.kid != "" {
		opts.WithHeader(jose.HeaderKey("kid"), key.kid)
	}
	for k, v := range header {
		opts.WithHeader(k, v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: key.alg, Key: key.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
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

// assertionForm is a client_credentials request authenticated by
// assertion, with more name/value pairs.
func assertionForm(assertion string, kv ...string) string {
	return form(append([]string{"grant_type", "client_credentials",
		"client_assertion_type", token.ClientAssertionTypeJWT, "client_assertion", assertion}, kv...)...)
}

// post sends body to the plain server's token endpoint.
func (f *authFixture) post(body string, header map[string]string) (*http.Response, []byte) {
	f.t.Helper()
	saved := f.fixture.srv
	f.fixture.srv = f.srv
	defer func() { f.fixture.srv = saved }()
	return f.do(request{body: body, header: header})
}

// wantOAuthError checks an RFC 6749 §5.2 error answer.
func wantOAuthError(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if resp.StatusCode != status || e.Error != code {
		t.Errorf("answer %d %s, want %d %s", resp.StatusCode, body, status, code)
	}
	// RFC 6749 §5.2: a challenge only when the client used an HTTP
	// authentication scheme; an assertion or a certificate is not one.
	if status != http.StatusUnauthorized {
		if got := resp.Header.Get("WWW-Authenticate"); got != "" {
			t.Errorf("WWW-Authenticate = %q, want none", got)
		}
	}
}

// authFailed is the body of every failure checked against a client: the
// same as a wrong secret's in the body (client_auth.go).
const authFailed = `{"error":"invalid_client","error_description":"client authentication failed"}`

// TestPrivateKeyJWT drives private_key_jwt (RFC 7523 §2.2) over HTTP: good
// assertions of each key type get a token, and every hostile assertion is
// refused.
func TestPrivateKeyJWT(t *testing.T) {
	f := newAuthFixture(t)
	other := newSigningKey(t, jose.ES256, f.es.kid) // same kid, another key
	tests := []struct {
		name   string
		body   func() string
		status int
		code   string
		exact  string // the exact body, when set
	}{
		{"ES256", func() string { return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil)) }, 200, "", ""},
		{"RS256", func() string { return assertionForm(signAssertion(t, f.rs, f.claims(f.rsClient), nil)) }, 200, "", ""},
		{"EdDSA without kid", func() string {
			return assertionForm(signAssertion(t, signingKey{priv: f.ed.priv, alg: jose.EdDSA}, f.claims(f.edClient), nil))
		}, 200, "", ""},
		{"jwks_uri", func() string { return assertionForm(signAssertion(t, f.remote, f.claims(f.remoteClient), nil)) }, 200, "", ""},
		{"typ client-authentication+jwt (rfc7523bis)", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), map[jose.HeaderKey]any{"typ": "client-authentication+jwt"}))
		}, 200, "", ""},
		{"typ JWT", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), map[jose.HeaderKey]any{"typ": "JWT"}))
		}, 200, "", ""},
		{"client_id equal to sub (RFC 7521 §4.2)", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil), "client_id", f.esClient.ID)
		}, 200, "", ""},

		{"replayed", func() string {
			a := signAssertion(t, f.es, f.claims(f.esClient), nil)
			if resp, body := f.post(assertionForm(a), nil); resp.StatusCode != 200 {
				t.Fatalf("first use: %d %s", resp.StatusCode, body)
			}
			return assertionForm(a)
		}, 400, "invalid_client", authFailed},
		{"expired", func() string {
			c := f.claims(f.esClient)
			c["exp"] = f.clock.Now().Add(-time.Second).Unix()
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"exp too far ahead", func() string {
			c := f.claims(f.esClient)
			c["exp"] = f.clock.Now().Add(tollgate.DefaultAssertionMaxLifetime + time.Minute).Unix()
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"no exp", func() string {
			c := f.claims(f.esClient)
			delete(c, "exp")
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"no jti", func() string {
			c := f.claims(f.esClient)
			delete(c, "jti")
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"iat in the future", func() string {
			c := f.claims(f.esClient)
			c["iat"] = f.clock.Now().Add(time.Minute).Unix()
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"wrong aud", func() string {
			c := f.claims(f.esClient)
			c["aud"] = "https://elsewhere.test/"
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"aud of another pool", func() string {
			c := f.claims(f.esClient)
			c["aud"] = issuer(f.pool2.ID)
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"aud with two values (rfc7523bis)", func() string {
			c := f.claims(f.esClient)
			c["aud"] = []string{issuer(f.pool.ID), "https://elsewhere.test/"}
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"iss differs from sub", func() string {
			c := f.claims(f.esClient)
			c["iss"] = f.rsClient.ID
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
		{"sub of another client", func() string {
			c := f.claims(f.rsClient) // rsClient's keys are not es's
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"client_id differs from sub", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil), "client_id", f.rsClient.ID)
		}, 400, "invalid_request", ""},
		{"alg none", func() string {
			c, _ := json.Marshal(f.claims(f.esClient))
			return assertionForm(b64s(`{"alg":"none"}`) + "." + b64s(string(c)) + ".")
		}, 400, "invalid_client", ""},
		{"HS256 with the public key as secret", func() string {
			return assertionForm(hmacWithPublicKey(t, f.rs, f.claims(f.rsClient)))
		}, 400, "invalid_client", ""},
		{"a key of another client", func() string {
			return assertionForm(signAssertion(t, f.rs, f.claims(f.esClient), nil))
		}, 400, "invalid_client", authFailed},
		{"another key with the client's kid", func() string {
			return assertionForm(signAssertion(t, other, f.claims(f.esClient), nil))
		}, 400, "invalid_client", authFailed},
		{"unknown kid", func() string {
			return assertionForm(signAssertion(t, signingKey{priv: f.es.priv, kid: "nope", alg: jose.ES256}, f.claims(f.esClient), nil))
		}, 400, "invalid_client", authFailed},
		{"typ of another kind", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), map[jose.HeaderKey]any{"typ": "dpop+jwt"}))
		}, 400, "invalid_client", ""},
		{"unknown client", func() string {
			c := f.claims(f.esClient)
			c["iss"], c["sub"] = "zzzzzzzzzzzzzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzzzzzzzzzzzzz"
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"a secret client", func() string {
			c := f.claims(f.m2m.Client)
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"aud the token endpoint URL (rfc7523bis: the issuer only)", func() string {
			c := f.claims(f.esClient)
			c["aud"] = f.srv.URL + "/oauth2/token"
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", authFailed},
		{"a valid assertion beside a secret: the secret decides (RFC 6749 §3.2)", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil), "client_id", f.esClient.ID, "client_secret", "x")
		}, 400, "invalid_client", authFailed},
		{"client_assertion twice (RFC 6749 §3.1)", func() string {
			a := signAssertion(t, f.es, f.claims(f.esClient), nil)
			return assertionForm(a, "client_assertion", a)
		}, 400, "invalid_request", ""},
		{"client_assertion_type twice (RFC 6749 §3.1)", func() string {
			return assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil), "client_assertion_type", token.ClientAssertionTypeJWT)
		}, 400, "invalid_request", ""},
		{"another assertion type", func() string {
			return form("grant_type", "client_credentials", "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
				"client_assertion", signAssertion(t, f.es, f.claims(f.esClient), nil))
		}, 400, "invalid_request", ""},
		{"too large", func() string {
			c := f.claims(f.esClient)
			c["pad"] = strings.Repeat("a", token.MaxAssertionBytes)
			return assertionForm(signAssertion(t, f.es, c, nil))
		}, 400, "invalid_client", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.post(tc.body(), nil)
			if tc.status == 200 {
				if resp.StatusCode != 200 || !tokenBody.Match(body) {
					t.Fatalf("answer %d %s, want a token", resp.StatusCode, body)
				}
				return
			}
			wantOAuthError(t, resp, body, tc.status, tc.code)
			if tc.exact != "" && string(body) != tc.exact {
				t.Errorf("body %s, want %s", body, tc.exact)
			}
		})
	}
}

func b64s(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hmacWithPublicKey signs claims with HS256 keyed by the DER of key's
// public key, as an attacker who knows it would.
func hmacWithPublicKey(t testing.TB, key signingKey, claims map[string]any) string {
	t.Helper()
	pub, err := x509.MarshalPKIXPublicKey(key.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: pub}, (&jose.SignerOptions{}).WithHeader("kid", key.kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// TestPrivateKeyJWTReplayCache checks that the jti is recorded under
// "jwt:"+client_id+":"+jti until exp, and that a failing or missing replay
// cache refuses the request (never accepted unchecked).
func TestPrivateKeyJWTReplayCache(t *testing.T) {
	f := newAuthFixture(t)
	c := f.claims(f.esClient)
	if resp, body := f.post(assertionForm(signAssertion(t, f.es, c, nil)), nil); resp.StatusCode != 200 {
		t.Fatalf("answer %d %s", resp.StatusCode, body)
	}
	key := "jwt:" + f.esClient.ID + ":" + c["jti"].(string)
	f.replay.mu.Lock()
	exp, ok := f.replay.seen[key]
	f.replay.mu.Unlock()
	if !ok || !exp.Equal(time.Unix(c["exp"].(int64), 0)) {
		t.Errorf("replay cache holds %v %v for %s, want the assertion's exp", exp, ok, key)
	}

	f.replay.mu.Lock()
	f.replay.err = errors.New("redis down")
	f.replay.mu.Unlock()
	resp, body := f.post(assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil)), nil)
	wantOAuthError(t, resp, body, http.StatusServiceUnavailable, "temporarily_unavailable")
}

// TestPrivateKeyJWTAtRevoke checks that revoke authenticates with an
// assertion the same way (RFC 7009 §2.1).
func TestPrivateKeyJWTAtRevoke(t *testing.T) {
	f := newAuthFixture(t)
	_, body := f.post(assertionForm(signAssertion(t, f.es, f.claims(f.esClient), nil)), nil)
	m := tokenBody.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no token: %s", body)
	}
	saved := f.fixture.srv
	f.fixture.srv = f.srv
	defer func() { f.fixture.srv = saved }()
	resp, body := f.do(request{path: "/oauth2/revoke", body: form("token", string(m[1]),
		"client_assertion_type", token.ClientAssertionTypeJWT, "client_assertion", signAssertion(t, f.es, f.claims(f.esClient), nil))})
	if resp.StatusCode != 200 {
		t.Errorf("revoke: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(request{path: "/oauth2/revoke", body: form("token", string(m[1]),
		"client_assertion_type", token.ClientAssertionTypeJWT, "client_assertion", signAssertion(t, f.rs, f.claims(f.esClient), nil))})
	wantOAuthError(t, resp, body, 400, "invalid_client")
}

// TestSecretForKeyClient checks that a client that authenticates with a
// key is refused a secret with the answer of a wrong secret.
func TestSecretForKeyClient(t *testing.T) {
	f := newAuthFixture(t)
	resp, body := f.post(form("grant_type", "client_credentials", "client_id", f.esClient.ID, "client_secret", "guess"), nil)
	wantOAuthError(t, resp, body, 400, "invalid_client")
	if string(body) != authFailed {
		t.Errorf("body %s, want %s", body, authFailed)
	}
	resp, body = f.post(form("grant_type", "client_credentials"), map[string]string{"Authorization": basic(f.esClient.ID, "guess")})
	wantOAuthError(t, resp, body, 401, "invalid_client")
}

// TestAssertionAudienceNotFromHost: an assertion whose aud is another
// authorization server's token endpoint, replayed here with that server's
// name as Host, is refused: the aud must be this AS's issuer
// (draft-ietf-oauth-rfc7523bis, "Updates to RFC 7523": the audience is the
// issuer identifier alone), never a URL built from the request.
func TestAssertionAudienceNotFromHost(t *testing.T) {
	f := newAuthFixture(t)
	c := f.claims(f.esClient)
	c["aud"] = "http://other-as.example/oauth2/token"
	body := assertionForm(signAssertion(t, f.es, c, nil))
	saved := f.fixture.srv
	f.fixture.srv = f.srv
	defer func() { f.fixture.srv = saved }()
	resp, got := f.do(request{host: "other-as.example", body: body})
	wantOAuthError(t, resp, got, http.StatusBadRequest, "invalid_client")
}

// TestAssertionIgnoredBesideSecret: a request that presents a secret, with
// HTTP Basic or client_secret, is authenticated with it; client_assertion
// and client_assertion_type, even malformed or repeated, are ignored as
// any parameter the method does not define (RFC 6749 §3.2), as Cognito,
// which knows neither, ignores them.
func TestAssertionIgnoredBesideSecret(t *testing.T) {
	f := newAuthFixture(t)
	junk := []string{"client_assertion_type", "urn:example:other", "client_assertion", "not.a.jws",
		"client_assertion", "again", "client_assertion_type", "twice"}
	for _, c := range []struct {
		name   string
		body   []string
		header map[string]string
	}{
		{"client_secret_post", append([]string{"grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", f.m2m.secret()}, junk...), nil},
		{"client_secret_basic", append([]string{"grant_type", "client_credentials"}, junk...),
			map[string]string{"Authorization": basic(f.m2m.ID, f.m2m.secret())}},
	} {
		resp, body := f.post(form(c.body...), c.header)
		if resp.StatusCode != 200 || !tokenBody.Match(body) {
			t.Errorf("%s: answer %d %s, want a token", c.name, resp.StatusCode, body)
		}
	}
}

// TestAssertionSignatureAttempts: an assertion without kid is verified
// with at most 4 of its client's keys that fit its algorithm, so that a
// set of many keys cannot make one request cost many verifications; the
// client's key must be among the first four.
func TestAssertionSignatureAttempts(t *testing.T) {
	f := newAuthFixture(t)
	others := make([]jose.JSONWebKey, 4)
	for i := range others {
		others[i] = jose.JSONWebKey{Key: newSigningKey(t, jose.EdDSA, "").priv.Public()}
	}
	mine := jose.JSONWebKey{Key: f.ed.priv.Public()}
	fourth := f.oauthClient(f.pool, "fourth", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT,
		JWKS: jwksOf(t, append(slices.Clone(others[:3]), mine)...)})
	fifth := f.oauthClient(f.pool, "fifth", tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT,
		JWKS: jwksOf(t, append(slices.Clone(others), mine)...)})
	noKid := signingKey{priv: f.ed.priv, alg: jose.EdDSA}
	if resp, body := f.post(assertionForm(signAssertion(t, noKid, f.claims(fourth), nil)), nil); resp.StatusCode != 200 {
		t.Errorf("key fourth: %d %s, want a token", resp.StatusCode, body)
	}
	resp, body := f.post(assertionForm(signAssertion(t, noKid, f.claims(fifth), nil)), nil)
	wantOAuthError(t, resp, body, http.StatusBadRequest, "invalid_client")
}
