package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestDeletedPoolTokenRefused: a pool's deletion reaches the gateway as a
// pool change (its keys go with it and record no key change of their own):
// the signer must forget the pool's keys, so that its tokens, cached or
// verified anew, are refused.
func TestDeletedPoolTokenRefused(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pool := &tollgate.UserPool{ID: "us-east-1_delpool01", Name: "p", Region: "us-east-1", CreatedAt: now, UpdatedAt: now}
	must(st.CreatePool(ctx, pool))
	must(st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "api", Name: "api", Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: now, UpdatedAt: now}))
	id := "abcdefghijklmnopqrstuvwxyz"
	cl := &tollgate.Client{ID: id, PoolID: pool.ID, Name: "c", AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"api/read"}, CreatedAt: now, UpdatedAt: now}
	cl.Secrets = []tollgate.ClientSecret{tollgate.NewProtectedSecret(v, id, "s3cret", now)}
	must(st.CreateClient(ctx, cl))
	api := &tollgate.RestAPI{ID: "delpoolapi", Name: "a", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{ResourcePath: "/guarded", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationMock},
			AuthorizationScopes: []string{"api/read"}, Authorizer: &tollgate.Authorizer{Name: "pool", PoolIDs: []string{pool.ID}}}}}
	srv, err := New(ctx, Options{Store: st, Vault: v, APIs: []*tollgate.RestAPI{api}, Logger: slog.New(slog.DiscardHandler)})
	must(err)
	srv.publicURL = "http://127.0.0.1:8080"
	do := func(r *http.Request) (int, string) {
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, string(b)
	}
	r := httptest.NewRequest("POST", "http://127.0.0.1:8080/oauth2/token", strings.NewReader("grant_type=client_credentials&client_id="+id+"&client_secret=s3cret"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, body := do(r)
	if code != http.StatusOK {
		t.Fatalf("token: %d %s", code, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	must(json.Unmarshal([]byte(body), &tok))
	call := func() int {
		r := httptest.NewRequest("GET", "http://127.0.0.1:8080/apis/delpoolapi/prod/guarded", nil)
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		c, _ := do(r)
		return c
	}
	if c := call(); c != http.StatusOK {
		t.Fatalf("before the deletion: %d", c)
	}
	// A refresh with nothing to read leaves the signer's keys fresh.
	if _, err := srv.catalog.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if c := call(); c != http.StatusOK {
		t.Fatalf("before the deletion, after a refresh: %d", c)
	}
	must(st.DeletePool(ctx, pool.ID, tollgate.AnyOwner))
	if _, err := srv.catalog.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if c := call(); c != http.StatusUnauthorized {
		t.Errorf("a deleted pool's token after the catalog read the deletion: %d, want 401", c)
	}
}

// TestFollowMasterKey: a server follows the store's check value as a
// rotation switches it: given both keys, it seals under the new key from
// then on; given only the old key, it stops serving.
func TestFollowMasterKey(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.OpenSQLite(t, sqlstore.Open)
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	open := func(keys ...[]byte) *vault.Vault {
		v, err := vault.New(keys[0], keys[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := st.InitSetting(ctx, tollgate.SettingMasterKeyCheck, open(oldKey).NewCheck()); err != nil {
		t.Fatal(err)
	}
	both, oldOnly := open(oldKey, newKey), open(oldKey)
	var servers []*Server
	for _, v := range []*vault.Vault{both, oldOnly} {
		if _, err := v.SealUnder(mustSetting(t, st)); err != nil {
			t.Fatal(err)
		}
		srv, err := New(ctx, Options{Store: st, Vault: v, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, srv)
	}
	if err := st.PutSetting(ctx, tollgate.SettingMasterKeyCheck, open(newKey).NewCheck()); err != nil {
		t.Fatal(err)
	}
	for _, srv := range servers {
		if _, err := srv.catalog.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := open(newKey).Open(both.Seal([]byte("x"), nil), nil); err != nil {
		t.Errorf("a node given both keys does not seal under the new key after the switch: %v", err)
	}
	select {
	case err := <-servers[0].fatal:
		t.Errorf("a node given both keys stopped at the switch: %v", err)
	default:
	}
	select {
	case err := <-servers[1].fatal:
		t.Logf("the old-key node stops: %v", err)
	default:
		t.Error("a node given only the old key keeps serving after the store switched to the new key")
	}
}

func mustSetting(t *testing.T, st tollgate.Store) []byte {
	t.Helper()
	v, err := st.GetSetting(context.Background(), tollgate.SettingMasterKeyCheck)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMasterKeySwitchedBeforeStart: a rotation may switch the check value
// between the command's own check and the server's first load, which tells
// OnChange nothing: New follows it all the same.
func TestMasterKeySwitchedBeforeStart(t *testing.T) {
	ctx := context.Background()
	st, _ := storetest.OpenSQLite(t, sqlstore.Open)
	oldKey, newKey := vault.NewKey(), vault.NewKey()
	open := func(keys ...[]byte) *vault.Vault {
		v, err := vault.New(keys[0], keys[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	both, oldOnly := open(oldKey, newKey), open(oldKey)
	if _, err := st.InitSetting(ctx, tollgate.SettingMasterKeyCheck, open(oldKey).NewCheck()); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*vault.Vault{both, oldOnly} {
		if _, err := v.SealUnder(mustSetting(t, st)); err != nil { // the command's check
			t.Fatal(err)
		}
	}
	if err := st.PutSetting(ctx, tollgate.SettingMasterKeyCheck, open(newKey).NewCheck()); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ctx, Options{Store: st, Vault: both, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	if _, err := open(newKey).Open(both.Seal([]byte("x"), nil), nil); err != nil {
		t.Errorf("a node given both keys that started across the switch does not seal under the new key: %v", err)
	}
	if _, err := New(ctx, Options{Store: st, Vault: oldOnly, Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Error("a node given only the old key started after the store switched to the new key")
	}
}
