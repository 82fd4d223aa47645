package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestDiscoveryDocument checks the discovery document against Cognito's
// (contract §1.4): the same members where they are true of Tollgate, on
// the path form and on the pool's auth domain, under both well-known names.
func TestDiscoveryDocument(t *testing.T) {
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
	if err := st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "default", Name: "d",
		Scopes: []tollgate.Scope{{Name: "default", Description: "d"}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: pool.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	s, err := New(ctx, Options{Store: st, Vault: v, BaseDomain: "tollgate.test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.publicURL = "http://127.0.0.1:8080"
	issuer := s.publicURL + "/" + pool.ID
	authHost := "pfx.auth.us-east-1.tollgate.test"

	get := func(host, path, poolSegment string) (int, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Host = host
		if poolSegment != "" {
			r.SetPathValue("pool", poolSegment)
		}
		w := httptest.NewRecorder()
		s.serveMetadata(w, r)
		body, _ := io.ReadAll(w.Result().Body)
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		return w.Code, doc
	}
	for _, tc := range []struct {
		name, host, path, pool, base string
	}{
		{"openid-configuration under the pool id", "127.0.0.1:8080", "/" + pool.ID + "/.well-known/openid-configuration", pool.ID, s.publicURL},
		{"RFC 8414 name with the pool id", "127.0.0.1:8080", "/.well-known/oauth-authorization-server/" + pool.ID, pool.ID, s.publicURL},
		{"openid-configuration on the auth domain", authHost, "/.well-known/openid-configuration", "", "http://" + authHost},
		{"RFC 8414 name on the auth domain", authHost, "/.well-known/oauth-authorization-server", "", "http://" + authHost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, doc := get(tc.host, tc.path, tc.pool)
			if code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			want := map[string]any{
				"issuer":                 issuer,
				"authorization_endpoint": tc.base + "/oauth2/authorize",
				"token_endpoint":         tc.base + "/oauth2/token",
				"jwks_uri":               issuer + "/.well-known/jwks.json",
			}
			for k, v := range want {
				if doc[k] != v {
					t.Errorf("%s = %v, want %v", k, doc[k], v)
				}
			}
			// Cognito's members (contract §1.4) but userinfo_endpoint,
			// which needs a user.
			for _, k := range []string{"id_token_signing_alg_values_supported", "response_types_supported", "scopes_supported", "subject_types_supported", "token_endpoint_auth_methods_supported"} {
				if _, ok := doc[k].([]any); !ok {
					t.Errorf("%s missing or not an array: %v", k, doc[k])
				}
			}
			strs := func(k string) []string {
				var out []string
				for _, x := range doc[k].([]any) {
					out = append(out, x.(string))
				}
				return out
			}
			if got := strs("token_endpoint_auth_methods_supported"); !slices.Equal(got, []string{"client_secret_basic", "client_secret_post"}) {
				t.Errorf("token_endpoint_auth_methods_supported = %v", got)
			}
			if got := strs("scopes_supported"); !slices.Equal(got, []string{"default/default"}) {
				t.Errorf("scopes_supported = %v", got)
			}
			if got := strs("id_token_signing_alg_values_supported"); !slices.Equal(got, []string{"RS256"}) {
				t.Errorf("id_token_signing_alg_values_supported = %v", got)
			}
			if _, ok := doc["userinfo_endpoint"]; ok {
				t.Error("userinfo_endpoint is advertised but not served")
			}
		})
	}
	if code, _ := get("nobody.auth.us-east-1.tollgate.test", "/.well-known/oauth-authorization-server", ""); code != http.StatusNotFound {
		t.Errorf("unknown host: status %d, want 404", code)
	}
}
