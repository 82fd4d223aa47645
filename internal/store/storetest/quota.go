package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tollgate/tollgate"
)

// wantLimit fails the test unless err refuses a write for a quota: a
// KindConflict caused by tollgate.ErrLimitExceeded.
func wantLimit(t *testing.T, what string, err error) {
	t.Helper()
	wantKind(t, what, err, tollgate.KindConflict)
	if err != nil && !errors.Is(err, tollgate.ErrLimitExceeded) {
		t.Errorf("%s: %v is not caused by ErrLimitExceeded", what, err)
	}
}

// FillPool creates n clients in the pool, named client-0000 and on, so
// that tests of every writer can bring a pool to its quota
// (tollgate.MaxClientsPerPool) through the store, quickly.
func FillPool(t *testing.T, s tollgate.Store, poolID string, n int) {
	t.Helper()
	for i := range n {
		mustCreateClient(t, s, newClient(poolID, fmt.Sprintf("client-%04d", i)))
	}
}

// testClientQuota checks that a pool holds at most MaxClientsPerPool
// clients, and that the quota is per pool.
func testClientQuota(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	full := mustCreatePool(t, s, "full")
	other := mustCreatePool(t, s, "other")
	FillPool(t, s, full.ID, tollgate.MaxClientsPerPool)

	wantLimit(t, "CreateClient in a full pool", s.CreateClient(ctx, newClient(full.ID, "one too many")))
	mustCreateClient(t, s, newClient(other.ID, "elsewhere"))
	clients, err := s.ListClients(ctx, full.ID)
	wantNoError(t, "ListClients", err)
	if len(clients) != tollgate.MaxClientsPerPool {
		t.Errorf("the full pool has %d clients, want %d", len(clients), tollgate.MaxClientsPerPool)
	}

	wantNoError(t, "DeleteClient", s.DeleteClient(ctx, clients[0].ID, tollgate.AnyOwner))
	mustCreateClient(t, s, newClient(full.ID, "in the freed place"))
}

// testResourceServerQuota checks that a pool holds at most
// MaxResourceServersPerPool resource servers, and that replacing one in a
// full pool is allowed.
func testResourceServerQuota(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p := mustCreatePool(t, s, "pool")
	newRS := func(identifier string) *tollgate.ResourceServer {
		return &tollgate.ResourceServer{PoolID: p.ID, Identifier: identifier, Name: identifier,
			Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: t0, UpdatedAt: t0}
	}
	for i := range tollgate.MaxResourceServersPerPool {
		wantNoError(t, "PutResourceServer", s.PutResourceServer(ctx, newRS(fmt.Sprintf("rs-%02d", i))))
	}
	wantLimit(t, "PutResourceServer of a new one in a full pool", s.PutResourceServer(ctx, newRS("one-too-many")))
	replaced := newRS("rs-00")
	replaced.Name = "renamed"
	wantNoError(t, "PutResourceServer replacing one in a full pool", s.PutResourceServer(ctx, replaced))
}

// testConcurrentClientLimit fills a pool to one client short of
// MaxClientsPerPool, then has many goroutines, over both handles, each
// create a client in it: exactly one must succeed, and the pool must end
// with MaxClientsPerPool clients.
func testConcurrentClientLimit(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, a, "pool")
	FillPool(t, a, pool.ID, tollgate.MaxClientsPerPool-1)

	errs := Race(workers, func(i int) error {
		s := [2]tollgate.Store{a, b}[i%2]
		return s.CreateClient(ctx, newClient(pool.ID, fmt.Sprintf("racer-%02d", i)))
	})

	created := Winners(errs, func(i int, err error) { wantLimit(t, fmt.Sprintf("worker %d", i), err) })
	if created != 1 {
		t.Errorf("%d clients were created, want 1", created)
	}
	clients, err := b.ListClients(ctx, pool.ID)
	wantNoError(t, "ListClients", err)
	if len(clients) != tollgate.MaxClientsPerPool {
		t.Errorf("the pool has %d clients, want %d", len(clients), tollgate.MaxClientsPerPool)
	}
}
