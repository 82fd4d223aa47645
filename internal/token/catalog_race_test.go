package token_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/vault"
)

// TestNewClientNeverRefusedUnderConcurrentWrites: a client whose creation
// another writer has acknowledged gets a token on its first request, while
// other writers create clients and other goroutines reload the catalog.
//
// Writers use their own store handle on the same database, as the CLI or
// another node would, so the server's catalog learns of each client only
// through the generation: on the refused request's miss. Every reload by
// another goroutine between a request's lookup and its own generation check
// is the case that used to be lost (the check then saw no change and the
// lookup was not repeated).
func TestNewClientNeverRefusedUnderConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writer, err := sqlstore.Open(ctx, f.dsn)
	if err != nil {
		t.Fatalf("open a second store handle: %v", err)
	}
	t.Cleanup(func() { writer.Close() })
	cat, err := catalog.New(ctx, f.st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ep := f.endpointWith(cat)

	const writers, perWriter, reloaders = 4, 25, 2
	var refused atomic.Int64
	var refusals sync.Map // client id → the answer, for the failure message
	// Each acknowledged write wakes a reloader, which races the writer's
	// own first lookup: the interleaving a server polling the store, or
	// serving other requests, produces.
	acked := make(chan struct{}, writers*perWriter)
	var reloads sync.WaitGroup
	for range reloaders {
		reloads.Go(func() {
			for range acked {
				if _, err := cat.Refresh(ctx); err != nil {
					t.Errorf("refresh: %v", err)
				}
			}
		})
	}
	var writes sync.WaitGroup
	for w := range writers {
		writes.Go(func() {
			for i := range perWriter {
				c := newClientIn(t, writer, f.vault, f.pool.ID, fmt.Sprintf("race-%d-%d", w, i))
				if c == nil {
					return
				}
				acked <- struct{}{}
				r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Authorization", basic(c.ID, c.secret()))
				rec := httptest.NewRecorder()
				ep.ServeToken(rec, r)
				if rec.Code != 200 {
					refused.Add(1)
					refusals.Store(c.ID, fmt.Sprintf("%d %s", rec.Code, rec.Body))
				}
			}
		})
	}
	writes.Wait()
	close(acked)
	reloads.Wait()
	if n := refused.Load(); n != 0 {
		refusals.Range(func(id, answer any) bool {
			t.Errorf("client %s, acknowledged before its request, refused: %s", id, answer)
			return true
		})
		t.Fatalf("%d of %d new clients refused", n, writers*perWriter)
	}
}

// newClientIn creates an M2M client of the pool through st, with a fresh
// secret, and returns it once the store has acknowledged it; nil (after
// reporting) if the write failed.
func newClientIn(t *testing.T, st tollgate.Store, v *vault.Vault, poolID, name string) *testClient {
	secret := tollgate.NewClientSecret()
	c := &tollgate.Client{
		ID: tollgate.NewClientID(), PoolID: poolID, Name: name,
		AllowedOAuthFlows:    []string{tollgate.FlowClientCredentials},
		AllowedOAuthScopes:   []string{"default/default"},
		AccessTokenValidity:  tollgate.DefaultAccessTokenValidity,
		IDTokenValidity:      tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity,
		CreatedAt:            t0, UpdatedAt: t0,
	}
	hash, sealed := v.ProtectSecret(c.ID, secret)
	c.Secrets = []tollgate.ClientSecret{{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: t0}}
	if err := st.CreateClient(context.Background(), c); err != nil {
		t.Errorf("create client %s: %v", name, err)
		return nil
	}
	return &testClient{Client: c, secrets: []string{secret}}
}
