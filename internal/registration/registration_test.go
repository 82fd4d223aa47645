package registration

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// Scopes of the fake pools' resource servers.
const (
	scopeRead  = "api/read"
	scopeWrite = "api/write"
	scopeReg   = "dcr/register"
)

var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fakeStore stands in for the domain service and the store at the
// package's edge: it names clients uniquely in their pool, as the domain
// does (KindConflict), and counts registered ones.
type fakeStore struct {
	mu        sync.Mutex
	clients   []*tollgate.Client
	createErr error
	countErr  error
	preset    int // registered clients the pool already holds
}

func (f *fakeStore) create(_ context.Context, c *tollgate.Client, generateSecret bool) (*tollgate.Client, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.createErr != nil {
		return nil, "", f.createErr
	}
	for _, o := range f.clients {
		if o.PoolID == c.PoolID && o.Name == c.Name {
			return nil, "", tollgate.Errorf(tollgate.KindConflict, "name taken")
		}
	}
	cp := *c
	cp.ID = tollgate.NewClientID()
	secret := map[bool]string{true: tollgate.NewClientSecret()}[generateSecret]
	f.clients = append(f.clients, &cp)
	return &cp, secret, nil
}

func (f *fakeStore) count(_ context.Context, poolID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.countErr != nil {
		return 0, f.countErr
	}
	n := f.preset
	for _, c := range f.clients {
		if c.PoolID == poolID && !c.OAuth.Registered.IsZero() {
			n++
		}
	}
	return n, nil
}

func pools() map[string]*tollgate.UserPool {
	return map[string]*tollgate.UserPool{
		"open": {ID: "open", OAuth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{}}},
		"wide": {ID: "wide", OAuth: tollgate.PoolOAuth{MTLS: true, DPoP: &tollgate.DPoPPolicy{}, Registration: &tollgate.RegistrationPolicy{
			AuthMethods: []string{tollgate.AuthClientSecretBasic, tollgate.AuthClientSecretPost, tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient},
			Scopes:      []string{scopeRead},
		}}},
		"nomtls": {ID: "nomtls", OAuth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{
			AuthMethods: []string{tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient, "bogus"},
		}}},
		"gated":  {ID: "gated", OAuth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{InitialAccessScope: scopeReg}}},
		"small":  {ID: "small", OAuth: tollgate.PoolOAuth{Registration: &tollgate.RegistrationPolicy{MaxClients: 2}}},
		"closed": {ID: "closed"},
	}
}

// keys are the test's keys, made once.
type keys struct {
	ecJWKS, edJWKS, rsaJWKS, rsaSmallJWKS, x5cJWKS, ecPrivJWKS, octJWKS string
}

var testKeys = sync.OnceValue(func() keys {
	set := func(k any, mod func(*jose.JSONWebKey)) string {
		jwk := jose.JSONWebKey{Key: k, KeyID: "k1", Algorithm: "ES256", Use: "sig"}
		if mod != nil {
			mod(&jwk)
		}
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaSmall, _ := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // a key too small, refused
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return keys{
		ecJWKS:       set(&ec.PublicKey, nil),
		edJWKS:       set(edPub, func(k *jose.JSONWebKey) { k.Algorithm = "EdDSA" }),
		rsaJWKS:      set(&rsaKey.PublicKey, func(k *jose.JSONWebKey) { k.Algorithm = "RS256" }),
		rsaSmallJWKS: set(&rsaSmall.PublicKey, func(k *jose.JSONWebKey) { k.Algorithm = "RS256" }),
		x5cJWKS:      set(&ec.PublicKey, func(k *jose.JSONWebKey) { k.Certificates = []*x509.Certificate{cert} }),
		ecPrivJWKS:   set(ec, nil),
		octJWKS:      `{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","alg":"HS256"}]}`,
	}
})

type fixture struct {
	h     *Handler
	store *fakeStore
	log   *bytes.Buffer
	audit *bytes.Buffer
	sink  *audit.Sink
}

func newFixture(t *testing.T, store *fakeStore) *fixture {
	t.Helper()
	if store == nil {
		store = &fakeStore{}
	}
	f := &fixture{store: store, log: &bytes.Buffer{}, audit: &bytes.Buffer{}}
	f.sink = audit.New(f.audit, nil)
	t.Cleanup(func() { f.sink.Close() })
	ps := pools()
	f.h = New(Options{
		Pool: func(id string) (*tollgate.UserPool, bool) { p, ok := ps[id]; return p, ok },
		Scopes: func(string) []string {
			return []string{scopeRead, scopeWrite}
		},
		CreateClient:    store.create,
		CountRegistered: store.count,
		VerifyAccessToken: func(_ context.Context, _ *http.Request, poolID, tok string) ([]string, error) {
			switch {
			case poolID == "gated" && tok == "reg-token":
				return []string{scopeRead, scopeReg}, nil
			case poolID == "gated" && tok == "read-token":
				return []string{scopeRead}, nil
			}
			return nil, errors.New("signature invalid")
		},
		Audit:  f.sink,
		Logger: slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return testNow },
	})
	return f
}

type call struct {
	method, contentType, auth, body string
}

func (f *fixture) do(pool string, c call) *httptest.ResponseRecorder {
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.contentType == "" {
		c.contentType = "application/json"
	}
	r := httptest.NewRequest(c.method, "https://auth.example/"+pool+"/oauth2/register", strings.NewReader(c.body))
	r.Header.Set("Content-Type", c.contentType)
	if c.auth != "" {
		r.Header.Set("Authorization", c.auth)
	}
	w := httptest.NewRecorder()
	f.h.ServeRegister(w, r, pool)
	return w
}

// obj builds a JSON object from members, some of them raw JSON.
func obj(members map[string]any) string {
	b, err := json.Marshal(members)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRegister(t *testing.T) {
	k := testKeys()
	type want struct {
		status int
		code   string                           // error code; "" for a 201
		check  func(*testing.T, map[string]any) // of a 201's body
	}
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	hasScope := func(scope string) func(*testing.T, map[string]any) {
		return func(t *testing.T, m map[string]any) {
			if m["scope"] != scope {
				t.Errorf("scope = %v, want %q", m["scope"], scope)
			}
		}
	}
	tests := []struct {
		name string
		pool string
		call call
		want want
	}{
		// Happy paths (RFC 7591 §3.2.1).
		{"private_key_jwt with jwks", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "client_name": "reporting job"})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if m["token_endpoint_auth_method"] != "private_key_jwt" || m["client_name"] != "reporting job" || m["jwks"] == nil {
					t.Errorf("metadata not echoed: %v", m)
				}
				if _, ok := m["client_secret"]; ok {
					t.Error("a private_key_jwt client got a secret")
				}
				if _, ok := m["client_secret_expires_at"]; ok {
					t.Error("client_secret_expires_at without a secret")
				}
				if m["client_id_issued_at"] != float64(testNow.Unix()) {
					t.Errorf("client_id_issued_at = %v", m["client_id_issued_at"])
				}
				if gt, _ := m["grant_types"].([]any); len(gt) != 1 || gt[0] != "client_credentials" {
					t.Errorf("grant_types = %v", m["grant_types"])
				}
				hasScope(scopeRead+" "+scopeWrite)(t, m) // absent scope: all the policy allows
			}}},
		{"private_key_jwt with Ed25519 jwks and a scope", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.edJWKS), "scope": " api/write  api/write"})},
			want{201, "", hasScope(scopeWrite)}},
		{"private_key_jwt with RSA jwks", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.rsaJWKS)})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if name, _ := m["client_name"].(string); !strings.HasPrefix(name, "registered-") {
					t.Errorf("generated client_name = %q", name)
				}
			}}},
		{"private_key_jwt with jwks_uri", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://client.example/jwks.json"})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if m["jwks_uri"] != "https://client.example/jwks.json" || m["jwks"] != nil {
					t.Errorf("jwks_uri not echoed: %v", m)
				}
			}}},
		{"tls_client_auth bound, DPoP", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=client,O=Example",
			"tls_client_certificate_bound_access_tokens": true, "dpop_bound_access_tokens": true})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if m["tls_client_auth_subject_dn"] != "CN=client,O=Example" || m["tls_client_certificate_bound_access_tokens"] != true || m["dpop_bound_access_tokens"] != true {
					t.Errorf("tls metadata not echoed: %v", m)
				}
				hasScope(scopeRead)(t, m) // the policy's scopes
			}}},
		{"tls_client_auth by SAN IP", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "10.0.0.7"})}, want{201, "", nil}},
		{"tls_client_auth by SAN DNS", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "client.example.com"})}, want{201, "", nil}},
		{"tls_client_auth by SAN URI", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_uri": "spiffe://example/client"})}, want{201, "", nil}},
		{"tls_client_auth by SAN email", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_email": "ops@example.com"})}, want{201, "", nil}},
		{"self_signed_tls_client_auth with x5c", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": raw(k.x5cJWKS)})}, want{201, "", nil}},
		{"absent method is client_secret_basic when allowed (RFC 7591 §2)", "wide", call{body: `{"client_name":"legacy"}`},
			want{201, "", func(t *testing.T, m map[string]any) {
				if m["token_endpoint_auth_method"] != "client_secret_basic" {
					t.Errorf("method = %v", m["token_endpoint_auth_method"])
				}
				if s, _ := m["client_secret"].(string); s == "" {
					t.Error("no client_secret")
				}
				if v, ok := m["client_secret_expires_at"]; !ok || v != float64(0) {
					t.Errorf("client_secret_expires_at = %v, want 0", v)
				}
			}}},
		{"client_secret_post", "wide", call{body: `{"token_endpoint_auth_method":"client_secret_post"}`}, want{201, "", nil}},
		{"unknown and unused members ignored (RFC 7591 §2)", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS),
			"logo_uri": "https://x.example/l.png", "contacts": []string{"a@example.com"}, "x-vendor": map[string]any{"a": 1}, "grant_types": []string{"client_credentials"}, "response_types": []string{}})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if _, ok := m["logo_uri"]; ok {
					t.Error("an ignored member echoed")
				}
			}}},
		{"client_name cleaned to Cognito's pattern", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "client_name": " Tool (cli)\tv2 "})},
			want{201, "", func(t *testing.T, m map[string]any) {
				if m["client_name"] != "Tool -cli- v2" {
					t.Errorf("client_name = %q", m["client_name"])
				}
			}}},
		{"charset utf-8 accepted", "open", call{contentType: "application/json; charset=UTF-8", body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS)})}, want{201, "", nil}},
		{"initial access token with the scope", "gated", call{auth: "Bearer reg-token", body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS)})}, want{201, "", nil}},
		{"initial access token, scheme in lowercase (RFC 9110 §11.1)", "gated", call{auth: "bearer reg-token", body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS)})}, want{201, "", nil}},

		// Refusals (RFC 7591 §3.2.2 unless noted).
		{"GET", "open", call{method: http.MethodGet}, want{405, "invalid_request", nil}},
		{"text/plain", "open", call{contentType: "text/plain", body: `{}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"form", "open", call{contentType: "application/x-www-form-urlencoded", body: `a=b`}, want{400, CodeInvalidClientMetadata, nil}},
		{"latin1", "open", call{contentType: "application/json; charset=iso-8859-1", body: `{}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"oversized body", "open", call{body: `{"client_name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"bad JSON", "open", call{body: `{"token_endpoint_auth_method":`}, want{400, CodeInvalidClientMetadata, nil}},
		{"trailing data", "open", call{body: `{} {}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"array body", "open", call{body: `[{}]`}, want{400, CodeInvalidClientMetadata, nil}},
		{"empty body", "open", call{body: ``}, want{400, CodeInvalidClientMetadata, nil}},
		{"wrong member type", "open", call{body: `{"scope":5}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"software statement", "open", call{body: `{"software_statement":"eyJ.eyJ.sig"}`}, want{400, CodeUnapprovedSoftwareStatement, nil}},
		{"redirect_uris", "open", call{body: `{"redirect_uris":["https://app.example/cb"]}`}, want{400, CodeInvalidRedirectURI, nil}},
		{"authorization_code grant", "open", call{body: `{"grant_types":["authorization_code"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"response type code", "open", call{body: `{"response_types":["code"]}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"absent method, client_secret_basic not allowed", "open", call{body: obj(map[string]any{"jwks": raw(k.ecJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"method outside the policy", "open", call{body: `{"token_endpoint_auth_method":"client_secret_basic"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"method none", "wide", call{body: `{"token_endpoint_auth_method":"none"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"unknown method the policy names", "nomtls", call{body: `{"token_endpoint_auth_method":"bogus"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"private_key_jwt without keys", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks and jwks_uri", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "jwks_uri": "https://c.example/j"})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks with a private EC key", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecPrivJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks with a symmetric key", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.octJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks empty", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]}}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks not a set", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks":"keys"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks with a broken key", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks with an encryption key", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(strings.Replace(k.ecJWKS, `"use":"sig"`, `"use":"enc"`, 1))})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks with a 1024-bit RSA key", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.rsaSmallJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks_uri on loopback outside development", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "http://127.0.0.1:8080/jwks"})}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks_uri http off loopback", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://c.example/j"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks_uri with fragment", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j#k"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks_uri relative", "open", call{body: `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"/jwks"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"jwks for a secret client", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "client_secret_basic", "jwks": raw(k.ecJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls_client_auth without mTLS", "nomtls", call{body: `{"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"c.example"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"self_signed without mTLS", "nomtls", call{body: obj(map[string]any{"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": raw(k.x5cJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls_client_auth without a name", "wide", call{body: `{"token_endpoint_auth_method":"tls_client_auth"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls_client_auth with two names (RFC 8705 §2.1.2)", "wide", call{body: `{"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"c.example","tls_client_auth_san_ip":"10.0.0.1"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls_client_auth with a bad IP", "wide", call{body: `{"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_ip":"10.0.0"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls_client_auth with an empty DN", "wide", call{body: `{"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":""}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"tls name for private_key_jwt", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "tls_client_auth_san_dns": "c.example"})}, want{400, CodeInvalidClientMetadata, nil}},
		{"self_signed without x5c", "wide", call{body: obj(map[string]any{"token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": raw(k.ecJWKS)})}, want{400, CodeInvalidClientMetadata, nil}},
		{"DPoP-bound on a pool without DPoP", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "dpop_bound_access_tokens": true})}, want{400, CodeInvalidClientMetadata, nil}},
		{"certificate-bound on a pool without mTLS", "open", call{body: obj(map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks": raw(k.ecJWKS), "tls_client_certificate_bound_access_tokens": true})}, want{400, CodeInvalidClientMetadata, nil}},
		{"scope outside the policy", "wide", call{body: `{"scope":"api/write"}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"scope malformed", "wide", call{body: `{"scope":"api/read \"x\""}`}, want{400, CodeInvalidClientMetadata, nil}},
		{"scope empty", "wide", call{body: `{"scope":"  "}`}, want{400, CodeInvalidClientMetadata, nil}},

		// The initial access token (RFC 7591 §3, RFC 6750 §3.1).
		{"initial access token missing", "gated", call{body: `{}`}, want{401, "invalid_token", nil}},
		{"initial access token of another scheme", "gated", call{auth: "Basic YTpi", body: `{}`}, want{401, "invalid_token", nil}},
		{"initial access token empty", "gated", call{auth: "Bearer ", body: `{}`}, want{401, "invalid_token", nil}},
		{"initial access token invalid", "gated", call{auth: "Bearer forged", body: `{}`}, want{401, "invalid_token", nil}},
		{"initial access token without the scope", "gated", call{auth: "Bearer read-token", body: `{}`}, want{403, "insufficient_scope", nil}},

		// A pool the caller should not have routed here.
		{"pool closed to registration", "closed", call{body: `{}`}, want{500, "server_error", nil}},
		{"pool unknown", "nowhere", call{body: `{}`}, want{500, "server_error", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			w := f.do(tt.pool, tt.call)
			if w.Code != tt.want.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.want.status, w.Body)
			}
			// RFC 7591 §3.2.1 and §3.2.2 require both on every answer.
			if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control = %q", cc)
			}
			if p := w.Header().Get("Pragma"); p != "no-cache" {
				t.Errorf("Pragma = %q", p)
			}
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if tt.want.code != "" {
				if m["error"] != tt.want.code {
					t.Errorf("error = %v, want %s (%v)", m["error"], tt.want.code, m["error_description"])
				}
				if len(f.store.clients) != 0 {
					t.Error("a client was created by a refused request")
				}
				return
			}
			if id, _ := m["client_id"].(string); id == "" || len(f.store.clients) != 1 || f.store.clients[0].ID != id {
				t.Fatalf("client_id %v is not the created client", m["client_id"])
			}
			c := f.store.clients[0]
			if !c.OAuth.Registered.Equal(testNow) || !c.AllowsFlow(tollgate.FlowClientCredentials) || len(c.AllowedOAuthFlows) != 1 {
				t.Errorf("created client: Registered %v, flows %v", c.OAuth.Registered, c.AllowedOAuthFlows)
			}
			if s, _ := m["client_secret"].(string); s != "" && strings.Contains(f.log.String(), s) {
				t.Error("the log shows the client secret")
			}
			if tt.want.check != nil {
				tt.want.check(t, m)
			}
		})
	}
}

// TestChallenges checks the WWW-Authenticate of the initial access token's
// refusals (RFC 6750 §3, §3.1).
func TestChallenges(t *testing.T) {
	tests := []struct {
		auth, want string
	}{
		{"", `Bearer`}, // no credentials: no error code (RFC 6750 §3.1)
		{"Bearer forged", `Bearer error="invalid_token", error_description="the initial access token is not valid"`},
		{"Bearer read-token", `Bearer scope="dcr/register", error="insufficient_scope", error_description="the initial access token lacks the scope registration requires"`},
	}
	for _, tt := range tests {
		f := newFixture(t, nil)
		w := f.do("gated", call{auth: tt.auth, body: `{}`})
		if got := w.Header().Get("WWW-Authenticate"); got != tt.want {
			t.Errorf("auth %q: WWW-Authenticate = %q, want %q", tt.auth, got, tt.want)
		}
	}
}

func TestMethodNotAllowedHeader(t *testing.T) {
	w := newFixture(t, nil).do("open", call{method: http.MethodPut, body: `{}`})
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Errorf("status %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestStoreFailures(t *testing.T) {
	body := `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j"}`
	tests := []struct {
		name   string
		store  *fakeStore
		status int
		code   string
	}{
		{"count fails", &fakeStore{countErr: errors.New("db down")}, 500, "server_error"},
		{"create fails", &fakeStore{createErr: errors.New("db down")}, 500, "server_error"},
		{"domain refuses", &fakeStore{createErr: tollgate.Errorf(tollgate.KindInvalid, "scope x is not a scope of any resource server")}, 400, CodeInvalidClientMetadata},
		{"pool full (MaxClientsPerPool)", &fakeStore{createErr: tollgate.LimitErrorf("too many clients")}, 400, CodeInvalidClientMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.store)
			w := f.do("open", call{body: body})
			var m map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &m)
			if w.Code != tt.status || m["error"] != tt.code {
				t.Errorf("got %d %v, want %d %s", w.Code, m["error"], tt.status, tt.code)
			}
			if strings.Contains(w.Body.String(), "db down") {
				t.Error("the cause reached the client")
			}
		})
	}
}

func TestMaxClients(t *testing.T) {
	body := `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j","client_name":"job"}`
	f := newFixture(t, nil)
	for i, want := range []int{201, 201, 400} { // pool "small": MaxClients 2
		if w := f.do("small", call{body: body}); w.Code != want {
			t.Fatalf("registration %d: status %d, want %d: %s", i+1, w.Code, want, w.Body)
		}
	}
	f = newFixture(t, &fakeStore{preset: DefaultMaxClients})
	if w := f.do("open", call{body: body}); w.Code != 400 {
		t.Errorf("past the default MaxClients: status %d", w.Code)
	}
}

// TestNameTaken: a taken client_name is registered with a suffix, and the
// answer shows the name given.
func TestNameTaken(t *testing.T) {
	body := `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j","client_name":"MCP client"}`
	f := newFixture(t, nil)
	names := map[string]bool{}
	for range 3 {
		w := f.do("open", call{body: body})
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || w.Code != 201 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		name, _ := m["client_name"].(string)
		if !strings.HasPrefix(name, "MCP client") || names[name] {
			t.Errorf("client_name %q", name)
		}
		names[name] = true
	}
	if !names["MCP client"] {
		t.Error("the first registration did not keep its name")
	}
}

// TestAudit: each registration is audited with the client id, never the
// secret, and a refused initial access token as denied.
func TestAudit(t *testing.T) {
	f := newFixture(t, nil)
	w := f.do("wide", call{body: `{"token_endpoint_auth_method":"client_secret_basic"}`})
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	f.do("gated", call{auth: "Bearer forged", body: `{}`})
	f.sink.Flush()
	var events []audit.Event
	for line := range strings.SplitSeq(strings.TrimSpace(f.audit.String()), "\n") {
		var ev audit.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		events = append(events, ev)
	}
	if len(events) != 2 {
		t.Fatalf("%d events, want 2: %s", len(events), f.audit)
	}
	if ev := events[0]; ev.Action != ActionRegister || ev.Outcome != audit.Success || ev.ClientID != m["client_id"] || ev.PoolID != "wide" {
		t.Errorf("registration event %+v", ev)
	}
	if ev := events[1]; ev.Outcome != audit.Denied || ev.Reason != "invalid_token" {
		t.Errorf("refusal event %+v", ev)
	}
	secret, _ := m["client_secret"].(string)
	if secret == "" || strings.Contains(f.audit.String(), secret) || strings.Contains(f.log.String(), secret) {
		t.Error("the secret reached the audit log or the log, or was not issued")
	}
	if strings.Contains(f.log.String(), "forged") {
		t.Error("the log shows the presented token")
	}
}

// TestConcurrentMaxClients: concurrent registrations do not pass
// MaxClients together.
func TestConcurrentMaxClients(t *testing.T) {
	f := newFixture(t, nil)
	body := `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j"}`
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { f.do("small", call{body: body}) })
	}
	wg.Wait()
	if n := len(f.store.clients); n != 2 {
		t.Errorf("%d clients registered, want 2", n)
	}
}

func FuzzParseRequest(f *testing.F) {
	k := testKeys()
	for _, s := range []string{
		`{}`, `[]`, `null`, `{"scope":5}`,
		`{"token_endpoint_auth_method":"private_key_jwt","jwks":` + k.ecJWKS + `}`,
		`{"token_endpoint_auth_method":"self_signed_tls_client_auth","jwks":` + k.x5cJWKS + `}`,
		`{"token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_email":"a@b.c"}`,
		`{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://c.example/j","scope":"api/read"}`,
		`{"client_name":"\u00e9\u0000x","grant_types":["client_credentials"],"jwks":null}`,
		`{"jwks":{"keys":[{"kty":"oct","k":"AA"}]}}`,
	} {
		f.Add([]byte(s))
	}
	ps := pools()
	allowed := []string{scopeRead, scopeWrite}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseRequest(body)
		if err != nil {
			return
		}
		for _, p := range []string{"open", "wide"} {
			pool := ps[p]
			policy := pool.OAuth.Registration
			reg, err := req.resolve(pool, policy, allowed, uriPolicy{})
			if err != nil {
				continue
			}
			if reg.oauth.JWKS != "" && reg.oauth.JWKSURI != "" {
				t.Fatal("both jwks and jwks_uri registered")
			}
			if len(reg.scopes) == 0 {
				t.Fatal("no scope registered")
			}
			if len(reg.name) > MaxNameLen || strings.TrimSpace(reg.name) != reg.name {
				t.Fatalf("client name %q", reg.name)
			}
			if reg.oauth.AuthMethod == tollgate.AuthPrivateKeyJWT && reg.oauth.JWKS == "" && reg.oauth.JWKSURI == "" {
				t.Fatal("private_key_jwt without keys")
			}
			res := reg.response(&tollgate.Client{ID: "id", Name: reg.name, AllowedOAuthScopes: reg.scopes, OAuth: reg.oauth}, "", testNow)
			if _, err := json.Marshal(res); err != nil {
				t.Fatalf("response does not encode: %v", err)
			}
		}
	})
}

// TestJWKSURIHosts: a registered jwks_uri is fetched by the token
// endpoint, so a host on the server's own network is refused outside
// development (server-side request forgery, RFC 7591 §5, RFC 9700
// §4.16): localhost and its names (RFC 6761 §6.3), loopback, private
// (RFC 1918, RFC 4193), shared (RFC 6598), link-local (RFC 3927, the
// cloud metadata address) and unspecified addresses, IPv4 spelt as a
// number. In development they are allowed, and http on loopback.
func TestJWKSURIHosts(t *testing.T) {
	for _, tt := range []struct {
		uri         string
		prod, devOK bool
	}{
		{"https://client.example/jwks.json", true, true},
		{"https://93.184.215.14/jwks", true, true},
		{"https://[2001:db8::1]/jwks", true, true},
		{"https://localhost/jwks", false, true},
		{"https://LocalHost./jwks", false, true},
		{"https://keys.localhost:8443/jwks", false, true},
		{"https://127.0.0.1/jwks", false, true},
		{"https://127.1.2.3:8443/jwks", false, true},
		{"https://[::1]/jwks", false, true},
		{"https://[::ffff:127.0.0.1]/jwks", false, true},
		{"https://10.0.0.7/jwks", false, true},
		{"https://172.16.3.4/jwks", false, true},
		{"https://192.168.1.1/jwks", false, true},
		{"https://100.64.0.1/jwks", false, true},
		{"https://169.254.169.254/latest/meta-data", false, true},
		{"https://[fe80::1%25eth0]/jwks", false, true},
		{"https://[fd00::1]/jwks", false, true},
		{"https://0.0.0.0/jwks", false, true},
		{"https://0.1.2.3/jwks", false, true},
		{"https://2130706433/jwks", false, true},
		{"https://0x7f.1/jwks", false, true},
		{"https://224.0.0.1/jwks", false, true},
		{"http://127.0.0.1:8080/jwks", false, true},
		{"http://localhost:8080/jwks", false, true},
		{"http://client.example/jwks", false, false},
		{"http://10.0.0.7/jwks", false, false},
	} {
		for _, dev := range []bool{false, true} {
			want := tt.prod
			if dev {
				want = tt.devOK
			}
			if err := (uriPolicy{allowPrivate: dev}).checkJWKSURI(tt.uri); (err == nil) != want {
				t.Errorf("%s (development %v): %v, want accepted %v", tt.uri, dev, err, want)
			}
		}
	}
	// Through the handler: the option is Options.AllowPrivateJWKSURI.
	body := `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://127.0.0.1:8080/jwks"}`
	for _, dev := range []bool{false, true} {
		f := newFixture(t, &fakeStore{})
		f.h.opts.AllowPrivateJWKSURI = dev
		want := http.StatusBadRequest
		if dev {
			want = http.StatusCreated
		}
		if w := f.do("open", call{body: body}); w.Code != want {
			t.Errorf("jwks_uri on loopback, development %v: %d %s, want %d", dev, w.Code, w.Body, want)
		}
	}
}

// TestJWKSBounds: a registered jwks holds at most MaxJWKSKeys keys, and
// RSA keys of at most 8192 bits (RFC 7518 §3.3 sets the least, 2048): the
// token endpoint tries and verifies with them.
func TestJWKSBounds(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := func(n int, key any) string {
		var s jose.JSONWebKeySet
		for i := range n {
			s.Keys = append(s.Keys, jose.JSONWebKey{Key: key, KeyID: fmt.Sprint("k", i), Use: "sig"})
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// A modulus of 8193 bits, odd: its size is what is checked, no
	// signature is made with it.
	big8193 := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 8192), big.NewInt(1))
	for _, tt := range []struct {
		name string
		jwks string
		ok   bool
	}{
		{"16 keys", set(MaxJWKSKeys, &ec.PublicKey), true},
		{"17 keys", set(MaxJWKSKeys+1, &ec.PublicKey), false},
		{"RSA of 8193 bits", set(1, &rsa.PublicKey{N: big8193, E: 65537}), false},
	} {
		_, err := checkJWKS(json.RawMessage(tt.jwks), tollgate.AuthPrivateKeyJWT)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want accepted %v", tt.name, err, tt.ok)
		}
	}
}
