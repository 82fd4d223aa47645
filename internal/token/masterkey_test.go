package token_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestTwoMasterKeys: while a master key rotation moves the store from one
// key to another, a node given both keys authenticates a client whose
// stored hash is under either; a node given one key, only the clients
// whose hash is under it.
func TestTwoMasterKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	mustVault := func(keys ...[]byte) *vault.Vault {
		v, err := vault.New(keys[0], keys[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	underOld := f.clientUnder(mustVault(oldKey), "under-old")
	underNew := f.clientUnder(mustVault(newKey), "under-new")

	for _, tt := range []struct {
		name     string
		vault    *vault.Vault
		old, new int // the status each client gets
	}{
		{"both keys, the new one first", mustVault(newKey, oldKey), 200, 200},
		{"both keys, the old one first", mustVault(oldKey, newKey), 200, 200},
		{"the new key alone", mustVault(newKey), 401, 200},
		{"the old key alone", mustVault(oldKey), 200, 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ep := token.New(token.Options{
				Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: tt.vault,
				Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
				Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
			})
			for _, c := range []struct {
				client testClient
				secret string
				want   int
			}{
				{underOld, underOld.secret(), tt.old},
				{underNew, underNew.secret(), tt.new},
				{underOld, "not-the-secret", 401},
				{underNew, underOld.secret(), 401},
			} {
				r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Authorization", basic(c.client.ID, c.secret))
				w := httptest.NewRecorder()
				ep.ServeToken(w, r)
				if w.Code != c.want {
					t.Errorf("client %s: status %d, want %d: %s", c.client.Name, w.Code, c.want, w.Body)
				}
			}
		})
	}
}

// clientUnder creates a client_credentials client of the fixture's pool
// whose secret is protected by v.
func (f *fixture) clientUnder(v *vault.Vault, name string) testClient {
	f.t.Helper()
	secret := tollgate.NewClientSecret()
	c := &tollgate.Client{
		ID: tollgate.NewClientID(), PoolID: f.pool.ID, Name: name,
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"default/default"},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.Validity{Value: 7200, Unit: tollgate.Minutes},
		CreatedAt:            t0, UpdatedAt: t0,
	}
	c.Secrets = []tollgate.ClientSecret{tollgate.NewProtectedSecret(v, c.ID, secret, t0)}
	if err := f.st.CreateClient(f.ctx, c); err != nil {
		f.t.Fatalf("create client %s: %v", name, err)
	}
	return testClient{Client: c, secrets: []string{secret}}
}

// BenchmarkAuthenticateTwoKeys is client authentication while a master key
// rotation runs (two keys: two keyed hashes of the presented secret), for a
// client whose hash is under the old key; compare BenchmarkAuthenticate,
// one key.
func BenchmarkAuthenticateTwoKeys(b *testing.B) {
	f := newFixture(b)
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	old, err := vault.New(oldKey)
	if err != nil {
		b.Fatal(err)
	}
	both, err := vault.New(newKey, oldKey)
	if err != nil {
		b.Fatal(err)
	}
	c := f.clientUnder(old, "under-old")
	ep := token.New(token.Options{
		Clients: f.st, Signer: f.signer, Keys: f.signer, Revocations: f.st, Vault: both,
		Issuer: func(_ *http.Request, poolID string) string { return issuer(poolID) },
		Now:    f.clock.Now, Logger: slog.New(slog.DiscardHandler),
	})
	r := httptest.NewRequest("POST", "/oauth2/token", nil)
	r.Header.Set("Authorization", basic(c.ID, c.secret()))
	params := map[string]string{"grant_type": "client_credentials"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := token.Authenticate(ep, r, params); err != nil {
			b.Fatal(err)
		}
	}
}
