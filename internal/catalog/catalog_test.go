package catalog_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

func TestCatalogFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	st, pool, now := storeWithPool(t)
	newClient := func(id string, validity tollgate.Validity) {
		t.Helper()
		c := &tollgate.Client{ID: id, PoolID: pool.ID, Name: id, AccessTokenValidity: validity,
			IDTokenValidity: tollgate.DefaultIDTokenValidity, RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now}
		if err := st.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	newClient("client1", tollgate.Validity{Value: 2, Unit: tollgate.Hours})
	if err := st.PutDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: pool.ID, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}

	changes := 0
	cat, err := catalog.New(ctx, st, catalog.Options{BaseDomain: "example.test", OnChange: func(catalog.Changed) { changes++ }})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := cat.GetClient(ctx, "client1"); err != nil || c.PoolID != pool.ID {
		t.Fatalf("GetClient = %v, %v", c, err)
	}
	for _, host := range []string{"pfx.auth.eu-west-1.example.test", "PFX.auth.eu-west-1.example.test:8080", "pfx.auth.eu-west-1.example.test."} {
		if d, ok := cat.DomainForHost(host); !ok || d.PoolID != pool.ID {
			t.Errorf("DomainForHost(%q) = %v, %v", host, d, ok)
		}
	}
	if _, ok := cat.DomainForHost("other.auth.eu-west-1.example.test"); ok {
		t.Error("an unknown host matched")
	}

	// A client created by another writer is not seen until a refresh.
	newClient("client2", tollgate.DefaultAccessTokenValidity)
	if _, err := cat.GetClient(ctx, "client2"); !tollgate.IsNotFound(err) {
		t.Fatalf("before refresh: err = %v, want not found", err)
	}
	if reloaded, err := cat.Refresh(ctx); err != nil || !reloaded || changes != 1 {
		t.Fatalf("Refresh = %v, %v; OnChange calls %d", reloaded, err, changes)
	}
	if _, err := cat.GetClient(ctx, "client2"); err != nil {
		t.Fatalf("after refresh: %v", err)
	}
	if reloaded, _ := cat.Refresh(ctx); reloaded || changes != 1 {
		t.Error("a refresh with nothing new reloaded")
	}

	// Revocations are kept in memory once refreshed.
	if err := st.RevokeToken(ctx, tollgate.RevokedToken{JTI: "j1", PoolID: pool.ID, ClientID: "client2", ExpiresAt: now.Add(time.Hour), RevokedAt: now}); err != nil {
		t.Fatal(err)
	}
	if cat.IsRevoked("j1") {
		t.Error("revocation seen before refresh")
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !cat.IsRevoked("j1") || cat.IsRevoked("j2") {
		t.Errorf("IsRevoked(j1, j2) = %v, %v", cat.IsRevoked("j1"), cat.IsRevoked("j2"))
	}

	// Run picks up deletions.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := st.DeleteClient(ctx, "client1", tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan struct{}, 1)
	cat2, _ := catalog.New(ctx, st, catalog.Options{PollInterval: time.Millisecond, OnChange: func(catalog.Changed) {
		select {
		case reloaded <- struct{}{}:
		default:
		}
	}})
	if err := st.DeleteClient(ctx, "client2", tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	go cat2.Run(runCtx)
	// The first reload Run makes reads a generation at least the
	// deletion's, so it holds the deletion.
	select {
	case <-reloaded:
	case <-time.After(10 * time.Second):
		t.Fatal("Run never reloaded")
	}
	if _, err := cat2.GetClient(ctx, "client2"); !tollgate.IsNotFound(err) {
		t.Fatalf("Run did not see the deletion: err = %v, want not found", err)
	}
}

// TestCatalogDropsUndefinedScopes checks that a client keeps no scope that
// its pool stopped defining: a scope removed from a resource server, or a
// resource server deleted, is not served even though the client made by
// hand still names it in the store.
func TestCatalogDropsUndefinedScopes(t *testing.T) {
	ctx := context.Background()
	st, pool, now := storeWithPool(t)
	putRS := func(id string, scopes ...string) {
		t.Helper()
		rs := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: id, Name: id, CreatedAt: now, UpdatedAt: now}
		for _, s := range scopes {
			rs.Scopes = append(rs.Scopes, tollgate.Scope{Name: s, Description: s})
		}
		if err := st.PutResourceServer(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	putRS("api", "read", "write")
	putRS("other", "all")
	c := &tollgate.Client{ID: "client1", PoolID: pool.ID, Name: "c", AllowedOAuthFlows: []string{tollgate.FlowClientCredentials},
		AllowedOAuthScopes:  []string{"api/read", "api/write", "other/all"},
		AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
		RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New(ctx, st, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scopes := func() string {
		t.Helper()
		got, err := cat.GetClient(ctx, "client1")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got.AllowedOAuthScopes, " ")
	}
	if got := scopes(); got != "api/read api/write other/all" {
		t.Fatalf("scopes = %q", got)
	}

	putRS("api", "read") // write removed
	if err := st.DeleteResourceServer(ctx, pool.ID, "other", tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := scopes(); got != "api/read" {
		t.Errorf("after removing api/write and other: scopes = %q, want api/read", got)
	}
	// The store keeps the reference: defining the scope again restores it.
	stored, _ := st.GetClient(ctx, "client1")
	if len(stored.AllowedOAuthScopes) != 3 {
		t.Errorf("stored scopes = %v", stored.AllowedOAuthScopes)
	}
	putRS("api", "read", "write")
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := scopes(); got != "api/read api/write" {
		t.Errorf("after defining api/write again: scopes = %q", got)
	}
}

// TestPoolCreatedElsewhereIsFoundAtOnce: a pool whose creation another
// writer (its own store handle, as the CLI or another node) has
// acknowledged is found by the next GetPool, while other writers create
// pools and other goroutines reload the catalog. A reload by another
// goroutine between GetPool's miss and its own generation check is the case
// that used to be lost.
func TestPoolCreatedElsewhereIsFoundAtOnce(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	writer, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}

	const writers, perWriter, reloaders = 4, 25, 2
	var missed atomic.Int64
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
				now := time.Now().UTC()
				p := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: fmt.Sprintf("p-%d-%d", w, i), Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
				if err := writer.CreatePool(ctx, p); err != nil {
					t.Errorf("create pool: %v", err)
					return
				}
				acked <- struct{}{}
				if _, err := cat.GetPool(ctx, p.ID); err != nil {
					missed.Add(1)
					t.Errorf("pool %s, acknowledged before the lookup: %v", p.ID, err)
				}
			}
		})
	}
	writes.Wait()
	close(acked)
	reloads.Wait()
	if n := missed.Load(); n != 0 {
		t.Fatalf("%d of %d new pools not found", n, writers*perWriter)
	}
}

// storeWithPool opens a fresh SQLite store, closed when the test ends, with
// one pool, created now.
func storeWithPool(t *testing.T) (*sqlstore.Store, *tollgate.UserPool, time.Time) {
	t.Helper()
	ctx := context.Background()
	st, _ := storetest.OpenSQLite(t, sqlstore.Open)
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "eu-west-1_abcdefghi", Name: "p", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
	if err := st.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return st, pool, now
}

// TestPreTokenGeneration: the trigger of a client's pool, set, replaced and
// cleared by another writer, is what the catalog answers once it has
// applied the change; a client whose pool was deleted (with it) since it
// was looked up gets no answer, rather than an answer of no trigger.
func TestPreTokenGeneration(t *testing.T) {
	ctx := context.Background()
	st, pool, now := storeWithPool(t)
	if err := st.CreateClient(ctx, &tollgate.Client{ID: "client1", PoolID: pool.ID, Name: "c", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New(ctx, st, catalog.Options{BaseDomain: "example.test"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := cat.GetClient(ctx, "client1")
	if err != nil {
		t.Fatal(err)
	}
	v3 := &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn", LambdaVersion: tollgate.LambdaVersionV3}
	v2 := &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-west-1:000000000000:function:Other", LambdaVersion: tollgate.LambdaVersionV2}
	if got, ok := cat.PreTokenGeneration(client); got != nil || !ok {
		t.Fatalf("PreTokenGeneration of a pool without a trigger = %+v, %t", got, ok)
	}
	for i, want := range []*tollgate.LambdaTrigger{v3, v2, nil, v3} {
		update := *pool
		update.PreTokenGeneration = want
		update.UpdatedAt = now.Add(time.Duration(i+1) * time.Second)
		if err := st.UpdatePool(ctx, &update, tollgate.AnyOwner); err != nil {
			t.Fatal(err)
		}
		if _, err := cat.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		got, ok := cat.PreTokenGeneration(client)
		if !ok || (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Errorf("step %d: PreTokenGeneration = %+v, %t, want %+v", i, got, ok, want)
		}
	}
	// The client as the token endpoint holds it, looked up before its pool
	// was deleted.
	if err := st.DeletePool(ctx, pool.ID, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, ok := cat.PreTokenGeneration(client); ok {
		t.Errorf("PreTokenGeneration of a client of a deleted pool = %+v, true", got)
	}
}
