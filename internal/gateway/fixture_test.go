package gateway_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
)

// The pools, issuers and clients of the tests.
const (
	poolA     = "us-east-1_AAAAAAAAA"
	poolB     = "us-east-1_BBBBBBBBB"
	poolC     = "us-east-1_CCCCCCCCC" // has keys, but no authorizer names it
	clientA   = "6rupb256qn12tju82occ9eppqr"
	scope     = "default/default"
	publicURL = "http://127.0.0.1:8080"
)

// quiet discards the logs of the code under test.
var quiet = slog.New(slog.DiscardHandler)

// t0 is the fixed time tests run at.
var t0 = time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)

func issuerOf(pool string) string { return publicURL + "/" + pool }

// clock is a settable clock, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// testKey is an RSA key with its kid.
type testKey struct {
	kid  string
	priv *rsa.PrivateKey
}

func (k testKey) pub() *rsa.PublicKey { return &k.priv.PublicKey }

var (
	keysOnce                       sync.Once
	keyA, keyB, keyC, extK1, extK2 testKey
)

// keys returns the test keys, generated once per test binary.
func keys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		gen := func(kid string) testKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return testKey{kid, k}
		}
		keyA, keyB, keyC = gen("kid-a"), gen("kid-b"), gen("kid-c")
		extK1, extK2 = gen("ext-1"), gen("ext-2")
	})
}

// keySource is a map-backed gateway.KeySource, standing for the signer.
type keySource struct {
	mu    sync.Mutex
	pools map[string]bearer.Keys
	err   error
	calls atomic.Int64
}

func newKeySource(tb testing.TB) *keySource {
	keys(tb)
	return &keySource{pools: map[string]bearer.Keys{
		poolA: {keyA.kid: {Key: keyA.pub(), Alg: "RS256"}},
		poolB: {keyB.kid: {Key: keyB.pub(), Alg: "RS256"}},
		poolC: {keyC.kid: {Key: keyC.pub(), Alg: "RS256"}},
	}}
}

func (s *keySource) PublicKeys(_ context.Context, pool string) (bearer.Keys, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if m, ok := s.pools[pool]; ok {
		return m, nil
	}
	return nil, errors.New("no such pool")
}

// claims returns a Cognito M2M access token's claims for the pool's issuer
// (contract §2), issued at t0, valid for an hour.
func claims(iss string) map[string]any {
	return map[string]any{
		"sub":       clientA,
		"token_use": "access",
		"scope":     scope + " other/read",
		"auth_time": t0.Unix(),
		"iss":       iss,
		"exp":       t0.Add(time.Hour).Unix(),
		"iat":       t0.Unix(),
		"version":   2,
		"jti":       "3b4c6f2e-8f0e-4a43-9d51-0c1f9d0d2f6a",
		"client_id": clientA,
	}
}

// with returns a copy of c with the changes applied (a nil value deletes).
func with(c map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// mint signs claims as an RS256 JWS with go-jose, naming kid.
func mint(tb testing.TB, k testKey, kid string, c map[string]any) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: kid}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return sign(tb, s, c)
}

func sign(tb testing.TB, s jose.Signer, c map[string]any) string {
	tb.Helper()
	payload, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return signPayload(tb, s, payload)
}

// signPayload signs payload as written: member order and repeats kept.
func signPayload(tb testing.TB, s jose.Signer, payload []byte) string {
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

// mintHS256 signs claims with HMAC keyed by the DER of k's public key: the
// classic algorithm-confusion forgery (RFC 8725 §2.1).
func mintHS256(tb testing.TB, k testKey, c map[string]any) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.pub())
	if err != nil {
		tb.Fatal(err)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: der},
		(&jose.SignerOptions{}).WithHeader("kid", k.kid))
	if err != nil {
		tb.Fatal(err)
	}
	return sign(tb, s, c)
}

// mintNone returns an unsecured JWS (alg "none", RFC 7519 §6).
func mintNone(tb testing.TB, kid string, c map[string]any) string {
	tb.Helper()
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"kid":"`+kid+`","alg":"none"}`)) + "." + enc(payload) + "."
}

// jwksServer serves a JSON Web Key Set that tests change, counting fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	status  int
	fetches atomic.Int64
	gate    chan struct{} // if set, each fetch waits for it
}

func newJWKSServer(tb testing.TB, ks ...testKey) *jwksServer {
	s := &jwksServer{status: http.StatusOK}
	s.setKeys(tb, ks...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		gate, body, status := s.gate, s.body, s.status
		s.mu.Unlock()
		if gate != nil {
			<-gate
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(tb testing.TB, ks ...testKey) {
	tb.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range ks {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.pub(), KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		tb.Fatal(err)
	}
	s.setBody(b, http.StatusOK)
}

func (s *jwksServer) setBody(b []byte, status int) {
	s.mu.Lock()
	s.body, s.status = b, status
	s.mu.Unlock()
}

// externalIssuer is the iss of the external issuer the tests' JWKS server
// stands for: a real Cognito pool.
const externalIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXTERNAL1"

// fixture is an authorizer's environment.
type fixture struct {
	keys  *keySource
	jwks  *jwks.Fetcher
	srv   *jwksServer
	cache *gateway.Cache
	clock *clock

	revokedMu sync.Mutex
	revoked   map[string]bool
}

func newFixture(tb testing.TB) *fixture {
	f := &fixture{keys: newKeySource(tb), clock: newClock(t0), revoked: map[string]bool{}}
	f.srv = newJWKSServer(tb, extK1)
	f.jwks = jwks.New([]tollgate.ExternalIssuer{{Issuer: externalIssuer, JWKSURL: f.srv.URL}},
		jwks.Options{Client: f.srv.Client(), Now: f.clock.Now, Logger: quiet})
	f.cache = gateway.NewCache(gateway.CacheOptions{Now: f.clock.Now})
	return f
}

func (f *fixture) isRevoked(jti string) bool {
	f.revokedMu.Lock()
	defer f.revokedMu.Unlock()
	return f.revoked[jti]
}

func (f *fixture) revoke(jti string) {
	f.revokedMu.Lock()
	f.revoked[jti] = true
	f.revokedMu.Unlock()
}

func (f *fixture) options() gateway.AuthorizerOptions {
	return gateway.AuthorizerOptions{
		Issuer:  issuerOf,
		Keys:    f.keys,
		JWKS:    f.jwks,
		Cache:   f.cache,
		Revoked: f.isRevoked,
		Now:     f.clock.Now,
	}
}

func (f *fixture) authorizer(tb testing.TB, a *tollgate.Authorizer) *gateway.Authorizer {
	tb.Helper()
	z, err := gateway.NewAuthorizer(a, f.options())
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

// authorizerAB accepts pools A and B and the external issuer.
func (f *fixture) authorizerAB() *tollgate.Authorizer {
	return &tollgate.Authorizer{
		Name:    "cognito",
		PoolIDs: []string{poolA, poolB},
		Issuers: []tollgate.ExternalIssuer{{Issuer: externalIssuer, JWKSURL: f.srv.URL}},
	}
}
