package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/replay"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestOAuthExtensionRoutes checks the routes of the extensions for a pool
// that declares none: registration answers 404 as an unknown path does
// (RFC 7591 is off by default), protected resource metadata of no API is
// 404, and discovery names neither.
func TestOAuthExtensionRoutes(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, storetest.SQLiteDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	v, err := vault.New(vault.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_abcdefghi", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Options{Store: st, Vault: v, Replay: replay.NewLocal(10), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.publicURL = "http://127.0.0.1:8080"
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodPost, "/" + pool.ID + "/oauth2/register", http.StatusNotFound},
		{http.MethodPost, "/oauth2/register", http.StatusNotFound},
		{http.MethodPost, "/us-east-1_unknown00/oauth2/register", http.StatusNotFound},
		{http.MethodGet, "/.well-known/oauth-protected-resource", http.StatusNotFound},
		{http.MethodGet, "/.well-known/oauth-protected-resource/apis/x/prod", http.StatusNotFound},
		{http.MethodGet, "/" + pool.ID + "/.well-known/openid-configuration", http.StatusOK},
	} {
		r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{}`))
		r.Host = "127.0.0.1:8080"
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, w.Code, tc.want)
		}
		if body := w.Body.String(); strings.Contains(body, "registration_endpoint") || strings.Contains(body, "mtls_endpoint_aliases") {
			t.Errorf("%s %s names an extension the pool does not declare: %s", tc.method, tc.path, body)
		}
	}
	if got := s.catalog.ResourceServers(pool.ID); len(got) != 0 {
		t.Errorf("resource servers %v", got)
	}
	if p, ok := s.catalog.Pool(pool.ID); !ok || p.ID != pool.ID {
		t.Errorf("catalog.Pool: %v, %v", p, ok)
	}
}

// TestIsResourceMetadataPath checks which paths are RFC 9728 §3.1
// metadata URLs.
func TestIsResourceMetadataPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/.well-known/oauth-protected-resource":             true,
		"/.well-known/oauth-protected-resource/apis/a/prod": true,
		"/.well-known/oauth-protected-resourcex":            false,
		"/.well-known/oauth-authorization-server":           false,
		"/apis/a/prod/.well-known/oauth-protected-resource": false,
	} {
		if got := isResourceMetadataPath(p); got != want {
			t.Errorf("%s: %v, want %v", p, got, want)
		}
	}
}

// TestInitialAccessTokenChecks: the registration endpoint's initial access
// token is a bearer token of the pool. One bound to a DPoP key or a
// certificate (cnf) is refused, as a bound token presented as a bearer
// token is (RFC 9449 §7.2, RFC 8705 §3); one without the typ the pool's
// keys require (at+jwt, RFC 9068 §4, RFC 8725 §3.11) is refused.
func TestInitialAccessTokenChecks(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "us-east-1_initialTk", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Options{Store: st, Vault: v, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.publicURL = "http://127.0.0.1:8080"
	mint := func(cnf *bearer.Confirmation) string {
		t.Helper()
		tok, err := s.signer.Sign(ctx, pool.ID, bearer.Claims{Sub: "c", TokenUse: "access", Scope: "reg/register",
			Iss: s.Issuer(pool.ID), Exp: now.Add(time.Hour).Unix(), Iat: now.Unix(), Version: 2, JTI: "j-" + t.Name(), ClientID: "c", Cnf: cnf})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	r := httptest.NewRequest(http.MethodPost, "/"+pool.ID+"/oauth2/register", nil)
	plain := mint(nil)
	if scopes, err := s.verifyInitialAccessToken(ctx, r, pool.ID, plain); err != nil || len(scopes) != 1 || scopes[0] != "reg/register" {
		t.Fatalf("a bearer token of the pool: %v, %v", scopes, err)
	}
	for name, cnf := range map[string]*bearer.Confirmation{
		"DPoP-bound":        {JKT: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
		"certificate-bound": {X5TS256: "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
	} {
		if _, err := s.verifyInitialAccessToken(ctx, r, pool.ID, mint(cnf)); !errors.Is(err, errTokenBound) {
			t.Errorf("%s token as a bearer token: %v, want %v", name, err, errTokenBound)
		}
	}
	// The pool turns to RFC 9068 tokens: its keys now require typ at+jwt,
	// which the token signed before does not carry.
	pool.OAuth.AccessTokenJWT = true
	if err := st.UpdatePool(ctx, pool, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	s.signer.Invalidate()
	if _, err := s.verifyInitialAccessToken(ctx, r, pool.ID, plain); err == nil {
		t.Error("a token without typ at+jwt of a pool issuing RFC 9068 tokens was accepted")
	}
	if _, err := s.verifyInitialAccessToken(ctx, r, pool.ID, mint(nil)); err != nil {
		t.Errorf("a typed token of the pool: %v", err)
	}
}
