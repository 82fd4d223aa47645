package token_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/catalog"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
)

// tornStore lets another writer's commits land between two of the
// catalog's queries: it runs write once, right after the at-th list call
// a load makes (counting from 0), as a real deployment's writers may (a
// load is several queries, not one snapshot).
type tornStore struct {
	tollgate.Store
	mu    sync.Mutex
	calls []string // the list calls made so far
	at    int
	write func()
	// full makes the change feed answer TooOld, so that an update is a
	// full reload.
	full bool
}

func (s *tornStore) Changes(ctx context.Context, since int64) (tollgate.ChangeSet, error) {
	defer s.listed("Changes")
	set, err := s.Store.Changes(ctx, since)
	if s.full {
		set = tollgate.ChangeSet{Gen: set.Gen, TooOld: true}
	}
	return set, err
}

func (s *tornStore) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	defer s.listed("GetClient")
	return s.Store.GetClient(ctx, id)
}

func (s *tornStore) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	defer s.listed("GetPool")
	return s.Store.GetPool(ctx, id)
}

// arm runs write after the at-th list call from now on.
func (s *tornStore) arm(at int, write func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.at, s.write = nil, at, write
}

// listed records a list call, and runs the writer if its turn has come.
func (s *tornStore) listed(name string) {
	s.mu.Lock()
	s.calls = append(s.calls, name)
	var w func()
	if len(s.calls)-1 == s.at {
		w, s.write = s.write, nil
	}
	s.mu.Unlock()
	if w != nil {
		w()
	}
}

func (s *tornStore) ListPools(ctx context.Context) ([]*tollgate.UserPool, error) {
	defer s.listed("ListPools")
	return s.Store.ListPools(ctx)
}

func (s *tornStore) ListClients(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	defer s.listed("ListClients")
	return s.Store.ListClients(ctx, poolID)
}

func (s *tornStore) ListDomains(ctx context.Context, poolID string) ([]*tollgate.Domain, error) {
	defer s.listed("ListDomains")
	return s.Store.ListDomains(ctx, poolID)
}

func (s *tornStore) ListRevokedTokens(ctx context.Context, now time.Time) ([]tollgate.RevokedToken, error) {
	defer s.listed("ListRevokedTokens")
	return s.Store.ListRevokedTokens(ctx, now)
}

func (s *tornStore) ListResourceServers(ctx context.Context, poolID string) ([]*tollgate.ResourceServer, error) {
	defer s.listed("ListResourceServers")
	return s.Store.ListResourceServers(ctx, poolID)
}

// TestNewPoolsClientServedWhereverItsWritesLandInAReload: a writer (the
// CLI, a stack deploy, another node) creates a pool, its resource server
// and an M2M client, and has all three acknowledged while the server's
// poller reloads the catalog, between any two of the reload's queries. The
// client's first request gets a token. When the reload listed the pools
// before the writes and the clients after them, the snapshot held the
// client without its pool, hence without any of its scopes: the client
// authenticated, so the endpoint did not sync, and was refused
// invalid_scope until the next poll.
//
// The same holds whether the update applies the change feed (reading each
// object it names) or reloads everything (full).
func TestNewPoolsClientServedWhereverItsWritesLandInAReload(t *testing.T) {
	for _, full := range []bool{false, true} {
		for at := 0; ; at++ {
			calls, served := newPoolsClientDuringReload(t, at, full)
			if calls == nil {
				break // past the reload's last query
			}
			if !served {
				t.Errorf("full %v: writes committed after the reload's %s (query %d of %v)", full, calls[at], at+1, calls)
			}
		}
	}
}

// newPoolsClientDuringReload lets the writer commit after the at-th query
// of a reload and sends the new client's first request. It returns the
// reload's queries, nil if it made fewer than at+1, and whether the client
// got a token.
func newPoolsClientDuringReload(t *testing.T, at int, full bool) ([]string, bool) {
	t.Helper()
	f := newFixture(t)
	ctx := context.Background()
	writer, err := sqlstore.Open(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	st := &tornStore{Store: f.st, at: -1, full: full}
	cat, err := catalog.New(ctx, st, catalog.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var c *testClient
	st.arm(at, func() {
		p := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "new", Region: "us-east-1", CreatedAt: t0, UpdatedAt: t0}
		if err := writer.CreatePool(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := writer.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: p.ID, Identifier: "default", Name: "default",
			Scopes: []tollgate.Scope{{Name: "default", Description: "d"}}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		c = newClientIn(t, writer, f.vault, p.ID, "torn")
	})
	// Something else changed the store: the poller reloads.
	newClientIn(t, writer, f.vault, f.pool.ID, "unrelated")
	if _, err := cat.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if c == nil {
		return nil, false
	}
	// The client's first request, after its creation was acknowledged.
	r := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(form("grant_type", "client_credentials")))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", basic(c.ID, c.secret()))
	rec := httptest.NewRecorder()
	f.endpointWith(cat).ServeToken(rec, r)
	if rec.Code != 200 {
		t.Logf("client %s: %d %s", c.ID, rec.Code, rec.Body)
	}
	return st.calls, rec.Code == 200
}
