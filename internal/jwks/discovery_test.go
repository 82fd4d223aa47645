package jwks_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/jwks"
)

// issuerServer is an OpenID issuer on loopback: its discovery document and
// its key set, both replaceable, with counts of requests.
type issuerServer struct {
	*httptest.Server
	mu        sync.Mutex
	discovery []byte
	keys      []byte
	hits      atomic.Int64 // requests of the key set
	docHits   atomic.Int64
}

func newIssuerServer(t *testing.T) *issuerServer {
	t.Helper()
	s := &issuerServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, jwks.WellKnown):
			s.docHits.Add(1)
			w.Write(s.discovery)
		case r.URL.Path == "/jwks":
			s.hits.Add(1)
			w.Write(s.keys)
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, "http://example.com/jwks", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *issuerServer) set(doc any, keys []byte) {
	b, ok := doc.([]byte)
	if !ok {
		b, _ = json.Marshal(doc)
	}
	s.mu.Lock()
	s.discovery, s.keys = b, keys
	s.mu.Unlock()
}

func keySetJSON(t *testing.T, ks ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: ks})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var discard = slog.New(slog.DiscardHandler)

func newFetcher(issuers []tollgate.ExternalIssuer, opts jwks.Options) *jwks.Fetcher {
	if opts.Logger == nil {
		opts.Logger = discard
	}
	return jwks.New(issuers, opts)
}

func TestDiscovery(t *testing.T) {
	srv := newIssuerServer(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk := newKey(t, 2048)
	keys := keySetJSON(t,
		jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "ec", Use: "sig"},
		jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "rsa", Algorithm: "RS256", Use: "sig"},
	)
	ctx := context.Background()
	for _, issuer := range []string{srv.URL, srv.URL + "/tenant/", srv.URL + "/tenant"} {
		t.Run(issuer, func(t *testing.T) {
			srv.set(map[string]any{"issuer": issuer, "jwks_uri": srv.URL + "/jwks", "token_endpoint": srv.URL + "/token"}, keys)
			j := newFetcher([]tollgate.ExternalIssuer{{Issuer: issuer}}, jwks.Options{})
			if err := j.Refresh(ctx, issuer); err != nil {
				t.Fatal(err)
			}
			if !j.Loaded(issuer) {
				t.Fatal("not loaded")
			}
			k, ok := j.JWTKeySet(ctx, issuer).JWTKey("ec")
			if !ok || !ec.PublicKey.Equal(k.Key) {
				t.Errorf("EC key: %v %v", k, ok)
			}
			if k, ok := j.JWTKeySet(ctx, issuer).JWTKey("rsa"); !ok || k.Alg != "RS256" {
				t.Errorf("RSA key: %v %v", k, ok)
			}
			// The Cognito authorizer's view holds the RS256 keys only.
			if _, ok := j.KeySet(ctx, issuer).Key("rsa"); !ok {
				t.Error("RS256 view lacks the RSA key")
			}
		})
	}
}

func TestDiscoveryRefusals(t *testing.T) {
	srv := newIssuerServer(t)
	rk := newKey(t, 2048)
	keys := keySetJSON(t, jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "rsa", Use: "sig"})
	issuer := srv.URL + "/tenant/"
	tests := []struct {
		name string
		doc  any
		err  string
	}{
		// OpenID Connect Discovery 1.0 §4.3 and API_JwtIssuerInput.html:
		// the document's issuer is the configured one exactly.
		{"issuer without the trailing slash", map[string]any{"issuer": srv.URL + "/tenant", "jwks_uri": srv.URL + "/jwks"}, "issuer is not"},
		{"another issuer", map[string]any{"issuer": "https://evil.example.com/tenant/", "jwks_uri": srv.URL + "/jwks"}, "issuer is not"},
		{"no issuer", map[string]any{"jwks_uri": srv.URL + "/jwks"}, "issuer is not"},
		{"no jwks_uri", map[string]any{"issuer": issuer}, "no jwks_uri"},
		{"jwks_uri on http beyond loopback", map[string]any{"issuer": issuer, "jwks_uri": "http://example.com/jwks"}, "http is allowed only on a loopback host"},
		{"jwks_uri with credentials", map[string]any{"issuer": issuer, "jwks_uri": "https://u:p@example.com/jwks"}, "credentials"},
		{"jwks_uri not a string", map[string]any{"issuer": issuer, "jwks_uri": 7}, "not an OpenID configuration"},
		{"bad JSON", []byte("<html>"), "not an OpenID configuration"},
		{"oversize", []byte(`{"issuer":"` + issuer + `","jwks_uri":"` + srv.URL + `/jwks","pad":"` + strings.Repeat("x", jwks.MaxSize) + `"}`), "larger than"},
		{"redirect beyond loopback", map[string]any{"issuer": issuer, "jwks_uri": srv.URL + "/redirect"}, "redirect to http://example.com/jwks"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.set(tt.doc, keys)
			j := newFetcher([]tollgate.ExternalIssuer{{Issuer: issuer}}, jwks.Options{})
			err := j.Refresh(ctx, issuer)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
			if j.Loaded(issuer) {
				t.Fatal("loaded after a refused discovery")
			}
		})
	}
}

// TestDiscoveryUnknownKidBounded: an unknown kid fetches the discovery
// document and the key set again, at most once per MinInterval.
func TestDiscoveryUnknownKidBounded(t *testing.T) {
	srv := newIssuerServer(t)
	rk := newKey(t, 2048)
	srv.set(map[string]any{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"}, keySetJSON(t, jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "k1", Use: "sig"}))
	clock := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	j := newFetcher([]tollgate.ExternalIssuer{{Issuer: srv.URL}}, jwks.Options{Now: now, MinInterval: time.Minute})
	ctx := context.Background()
	ks := j.JWTKeySet(ctx, srv.URL)
	if _, ok := ks.JWTKey("k1"); !ok {
		t.Fatal("k1 not found on first use")
	}
	for range 5 {
		if _, ok := ks.JWTKey("forged"); ok {
			t.Fatal("forged kid found")
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d key set fetches within MinInterval, want 1", n)
	}
	mu.Lock()
	clock = clock.Add(time.Minute)
	mu.Unlock()
	if _, ok := ks.JWTKey("forged"); ok {
		t.Fatal("forged kid found")
	}
	if n, d := srv.hits.Load(), srv.docHits.Load(); n != 2 || d != 2 {
		t.Fatalf("%d key set and %d discovery fetches past MinInterval, want 2 and 2", n, d)
	}
}

// TestLocalIssuersNotFetched: Start skips the issuers Options.Local names.
func TestLocalIssuersNotFetched(t *testing.T) {
	srv := newIssuerServer(t)
	rk := newKey(t, 2048)
	srv.set(map[string]any{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"}, keySetJSON(t, jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "k1", Use: "sig"}))
	local := srv.URL + "/local-pool"
	j := newFetcher([]tollgate.ExternalIssuer{{Issuer: srv.URL}, {Issuer: local}}, jwks.Options{Local: func(iss string) bool { return iss == local }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j.Start(ctx)
	<-j.Ready()
	if j.Fetches(local) != 0 || j.Fetches(srv.URL) != 1 {
		t.Fatalf("fetches: local %d, external %d; want 0 and 1", j.Fetches(local), j.Fetches(srv.URL))
	}
}

// TestHTTPSIssuerCannotSendToHTTP: an https issuer's discovery document,
// or a redirect of its key set, cannot send Tollgate to plain http, even on
// loopback (a blind GET of any loopback URL otherwise); an issuer that is
// itself http on loopback may (a local test issuer).
func TestHTTPSIssuerCannotSendToHTTP(t *testing.T) {
	plain := newIssuerServer(t) // http on loopback: the target
	rk := newKey(t, 2048)
	keys := keySetJSON(t, jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "rsa", Use: "sig"})
	plain.set(map[string]any{"issuer": plain.URL, "jwks_uri": plain.URL + "/jwks"}, keys)

	var doc atomic.Value
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case jwks.WellKnown:
			w.Write(doc.Load().([]byte))
		case "/to-http":
			http.Redirect(w, r, plain.URL+"/jwks", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(tlsSrv.Close)
	ctx := context.Background()
	for _, tt := range []struct{ name, jwksURI, err string }{
		{"jwks_uri on loopback http", plain.URL + "/jwks", "must be https"},
		{"redirect to loopback http", tlsSrv.URL + "/to-http", "must be https"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(map[string]any{"issuer": tlsSrv.URL, "jwks_uri": tt.jwksURI})
			doc.Store(b)
			j := newFetcher([]tollgate.ExternalIssuer{{Issuer: tlsSrv.URL}}, jwks.Options{Client: tlsSrv.Client()})
			err := j.Refresh(ctx, tlsSrv.URL)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
			if n := plain.hits.Load(); n != 0 {
				t.Fatalf("the loopback http server was asked %d times", n)
			}
		})
	}
	// An http loopback issuer may name an http loopback jwks_uri.
	j := newFetcher([]tollgate.ExternalIssuer{{Issuer: plain.URL}}, jwks.Options{})
	if err := j.Refresh(ctx, plain.URL); err != nil || !j.Loaded(plain.URL) {
		t.Fatalf("http loopback issuer: %v", err)
	}
}

// TestPreviousKeys: a fetcher built with Options.Previous starts with the
// keys Previous holds for the same issuer and JWKS URL, and only those.
func TestPreviousKeys(t *testing.T) {
	srv := newIssuerServer(t)
	rk := newKey(t, 2048)
	srv.set(map[string]any{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"}, keySetJSON(t, jose.JSONWebKey{Key: &rk.PublicKey, KeyID: "k1", Use: "sig"}))
	other := srv.URL + "/other"
	prev := newFetcher([]tollgate.ExternalIssuer{{Issuer: srv.URL}, {Issuer: other, JWKSURL: srv.URL + "/jwks"}}, jwks.Options{})
	ctx := context.Background()
	for _, iss := range []string{srv.URL, other} {
		if err := prev.Refresh(ctx, iss); err != nil {
			t.Fatal(err)
		}
	}
	j := newFetcher([]tollgate.ExternalIssuer{{Issuer: srv.URL}, {Issuer: other, JWKSURL: srv.URL + "/jwks?v=2"}, {Issuer: srv.URL + "/new"}}, jwks.Options{Previous: prev})
	if !j.Loaded(srv.URL) || j.Loaded(other) || j.Loaded(srv.URL+"/new") {
		t.Fatalf("loaded: same issuer and URL %v, another URL %v, a new issuer %v; want true, false, false", j.Loaded(srv.URL), j.Loaded(other), j.Loaded(srv.URL+"/new"))
	}
	if _, ok := j.JWTKeySet(ctx, srv.URL).JWTKey("k1"); !ok || j.Fetches(srv.URL) != 0 {
		t.Fatalf("k1 %v after %d fetches, want from Previous with none", ok, j.Fetches(srv.URL))
	}
}
