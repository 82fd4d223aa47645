package catalog_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// writesBetweenQueries runs write once, right after the at-th list call a
// load makes (counting from 0): another writer's commits landing between
// two of a reload's queries.
type writesBetweenQueries struct {
	tollgate.Store
	mu    sync.Mutex
	calls int
	at    int
	write func()
	// full makes the change feed answer TooOld, so that an update is a
	// full reload.
	full bool
}

func (s *writesBetweenQueries) Changes(ctx context.Context, since int64) (tollgate.ChangeSet, error) {
	defer s.listed()
	set, err := s.Store.Changes(ctx, since)
	if s.full {
		set = tollgate.ChangeSet{Gen: set.Gen, TooOld: true}
	}
	return set, err
}

func (s *writesBetweenQueries) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	defer s.listed()
	return s.Store.GetPool(ctx, id)
}

func (s *writesBetweenQueries) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	defer s.listed()
	return s.Store.GetClient(ctx, id)
}

func (s *writesBetweenQueries) GetDomain(ctx context.Context, domain string) (*tollgate.Domain, error) {
	defer s.listed()
	return s.Store.GetDomain(ctx, domain)
}

func (s *writesBetweenQueries) listed() {
	s.mu.Lock()
	var w func()
	if s.calls == s.at {
		w, s.write = s.write, nil
	}
	s.calls++
	s.mu.Unlock()
	if w != nil {
		w()
	}
}

func (s *writesBetweenQueries) ListPools(ctx context.Context) ([]*tollgate.UserPool, error) {
	defer s.listed()
	return s.Store.ListPools(ctx)
}

func (s *writesBetweenQueries) ListClients(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	defer s.listed()
	return s.Store.ListClients(ctx, poolID)
}

func (s *writesBetweenQueries) ListDomains(ctx context.Context, poolID string) ([]*tollgate.Domain, error) {
	defer s.listed()
	return s.Store.ListDomains(ctx, poolID)
}

func (s *writesBetweenQueries) ListRevokedTokens(ctx context.Context, now time.Time) ([]tollgate.RevokedToken, error) {
	defer s.listed()
	return s.Store.ListRevokedTokens(ctx, now)
}

func (s *writesBetweenQueries) ListResourceServers(ctx context.Context, poolID string) ([]*tollgate.ResourceServer, error) {
	defer s.listed()
	return s.Store.ListResourceServers(ctx, poolID)
}

// TestReloadNeverShowsAClientWithoutItsPool lets a writer create a pool
// with a resource server, a client granted its scope and a domain, or
// delete such a pool (and with it its client and domain), between any two
// of a reload's queries (a full reload), or of an update's (applying the
// change feed: the pool's creation is in the feed and its deletion lands
// while the update reads the objects it names). Whatever of it the reloaded catalog shows, a
// client it shows has its pool (and, new, its scope), and a domain its
// pool: the token endpoint does not look again for a client it found, so
// a new client without its pool would be refused until the next poll.
func TestReloadNeverShowsAClientWithoutItsPool(t *testing.T) {
	for _, w := range []poolWrite{createPool, deletePool, deletePoolInUpdate} {
		for at := 0; ; at++ {
			if !reloadWithWrites(t, at, w) {
				break // past the reload's last query
			}
		}
	}
}

// poolWrite is what the writer does between a reload's queries.
type poolWrite int

const (
	createPool         poolWrite = iota // create the pool, its client and domain
	deletePool                          // delete them
	deletePoolInUpdate                  // create them before an update, delete them during it
)

// reloadWithWrites runs one reload with the writes w after its at-th
// query, checks the catalog, and reports whether the writes ran.
func reloadWithWrites(t *testing.T, at int, w poolWrite) bool {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	pool := &tollgate.UserPool{ID: "eu-west-1_torn", Name: "torn", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
	create := func(st tollgate.Store) {
		must(t, st.CreatePool(ctx, pool))
		must(t, st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "api", Name: "api",
			Scopes: []tollgate.Scope{{Name: "read", Description: "r"}}, CreatedAt: now, UpdatedAt: now}))
		must(t, st.CreateClient(ctx, &tollgate.Client{ID: "tornclient", PoolID: pool.ID, Name: "c", AllowedOAuthScopes: []string{"api/read"},
			AccessTokenValidity: tollgate.DefaultAccessTokenValidity, IDTokenValidity: tollgate.DefaultIDTokenValidity,
			RefreshTokenValidity: tollgate.DefaultRefreshTokenValidity, CreatedAt: now, UpdatedAt: now}))
		must(t, st.PutDomain(ctx, &tollgate.Domain{Domain: "torn", PoolID: pool.ID, CreatedAt: now}))
	}
	if w == deletePool {
		create(st)
	}
	ws := &writesBetweenQueries{Store: st, at: -1, full: w != deletePoolInUpdate}
	cat, err := catalog.New(ctx, ws, catalog.Options{BaseDomain: "example.test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	writer, err := sqlstore.Open(ctx, dsn) // another process's handle
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	ran := false
	ws.mu.Lock()
	ws.calls, ws.at, ws.write = 0, at, func() {
		ran = true
		if w == createPool {
			create(writer)
		} else {
			must(t, writer.DeletePool(ctx, pool.ID, tollgate.AnyOwner))
		}
	}
	ws.mu.Unlock()
	// Something else changed the store: the poller reloads.
	if w == deletePoolInUpdate {
		create(writer)
	} else {
		must(t, writer.CreatePool(ctx, &tollgate.UserPool{ID: "eu-west-1_other", Name: "other", Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}))
	}
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	checkWhole(t, cat, pool, at, w)
	return ran
}

// checkWhole fails if the catalog shows the client or the domain without
// the pool, or the client without its scope.
func checkWhole(t *testing.T, cat *catalog.Catalog, pool *tollgate.UserPool, at int, w poolWrite) {
	t.Helper()
	deleting := w != createPool
	hasPool := slices.ContainsFunc(cat.Pools(), func(p *tollgate.UserPool) bool { return p.ID == pool.ID })
	c, err := cat.GetClient(context.Background(), "tornclient")
	switch {
	case err != nil:
	case !hasPool:
		t.Errorf("writes after query %d (deleting %v): the client without its pool", at+1, deleting)
	case !deleting && !slices.Equal(c.AllowedOAuthScopes, []string{"api/read"}):
		// (A pool deleted during the reload may take its resource server
		// out before the reload reads it, and leave its client without
		// scopes: refused, as it should be, until the next poll.)
		t.Errorf("writes after query %d: the new client without its scope, %v", at+1, c.AllowedOAuthScopes)
	}
	if _, ok := cat.DomainForHost("torn.auth.eu-west-1.example.test"); ok && !hasPool {
		t.Errorf("writes after query %d (deleting %v): the domain without its pool", at+1, deleting)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
