package storetest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func testClients(t *testing.T, s tollgate.Store) {
	f := createClients(t, s)
	f.refusedCreates(t)
	want := f.update(t)
	f.delete(t, want)
}

// clientsFixture is the clients testClients creates: zeta (with two
// secrets and a config key) and alphaA in pool a, alphaB in pool b.
type clientsFixture struct {
	s                    tollgate.Store
	poolA, poolB         *tollgate.UserPool
	zeta, alphaA, alphaB *tollgate.Client
}

// createClients creates the fixture's clients and reads them back.
func createClients(t *testing.T, s tollgate.Store) *clientsFixture {
	ctx := context.Background()
	poolA := mustCreatePool(t, s, "a")
	poolB := mustCreatePool(t, s, "b")

	zeta := newClient(poolA.ID, "zeta", newSecret(t0), newSecret(at(time.Second)))
	zeta.ConfigKey = "Zeta"
	alphaA := newClient(poolA.ID, "alpha")
	alphaA.AllowedOAuthScopes = []string{}
	alphaB := newClient(poolB.ID, "alpha") // a name is unique within its pool only
	for _, c := range []*tollgate.Client{zeta, alphaA, alphaB} {
		mustCreateClient(t, s, c)
	}

	for _, c := range []*tollgate.Client{zeta, alphaA, alphaB} {
		got, err := s.GetClient(ctx, c.ID)
		wantNoError(t, "GetClient", err)
		wantEqual(t, "GetClient "+c.Name, got, c)
	}

	list, err := s.ListClients(ctx, poolA.ID)
	wantNoError(t, "ListClients", err)
	wantEqual(t, "ListClients (by name)", list, []*tollgate.Client{alphaA, zeta})

	all := []*tollgate.Client{zeta, alphaA, alphaB}
	slices.SortFunc(all, func(a, b *tollgate.Client) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.PoolID, b.PoolID))
	})
	list, err = s.ListClients(ctx, "")
	wantNoError(t, "ListClients of all pools", err)
	wantEqual(t, "ListClients of all pools", list, all)

	return &clientsFixture{s: s, poolA: poolA, poolB: poolB, zeta: zeta, alphaA: alphaA, alphaB: alphaB}
}

// refusedCreates checks that CreateClient refuses what it must, and stores
// nothing of what it refuses.
func (f *clientsFixture) refusedCreates(t *testing.T) {
	ctx, s, poolA, poolB, zeta := context.Background(), f.s, f.poolA, f.poolB, f.zeta
	missingPool := newPool("missing").ID
	dupSecret := newSecret(t0)
	refused := []struct {
		name   string
		client *tollgate.Client
		kind   tollgate.ErrorKind
	}{
		{"taken id", func() *tollgate.Client { c := newClient(poolB.ID, "other"); c.ID = zeta.ID; return c }(), tollgate.KindConflict},
		{"taken name in the pool", newClient(poolA.ID, "zeta"), tollgate.KindConflict},
		{"missing pool", newClient(missingPool, "orphan"), tollgate.KindNotFound},
		{"too many secrets", newClient(poolA.ID, "greedy", newSecret(t0), newSecret(t0), newSecret(t0)), tollgate.KindConflict},
		{"a secret id twice", newClient(poolA.ID, "twice", dupSecret, dupSecret), tollgate.KindConflict},
	}
	for _, tt := range refused {
		wantKind(t, "CreateClient with "+tt.name, s.CreateClient(ctx, tt.client), tt.kind)
		if tt.client.ID == zeta.ID {
			continue
		}
		// Nothing of a refused client is stored.
		_, err := s.GetClient(ctx, tt.client.ID)
		wantKind(t, "GetClient after CreateClient with "+tt.name, err, tollgate.KindNotFound)
	}
	got, err := s.GetClient(ctx, zeta.ID)
	wantNoError(t, "GetClient after refused creates", err)
	wantEqual(t, "GetClient after refused creates", got, zeta)
}

// update checks UpdateClient and returns zeta as it leaves it.
func (f *clientsFixture) update(t *testing.T) *tollgate.Client {
	ctx, s, poolB, zeta := context.Background(), f.s, f.poolB, f.zeta
	// UpdateClient changes everything but ID, PoolID, CreatedAt and Secrets.
	update := &tollgate.Client{
		ID:                   zeta.ID,
		PoolID:               poolB.ID,
		Name:                 "zeta2",
		Secrets:              []tollgate.ClientSecret{},
		AllowedOAuthFlows:    []string{tollgate.FlowCode, tollgate.FlowImplicit},
		AllowedOAuthScopes:   []string{"https://api.example.com/admin"},
		ExplicitAuthFlows:    []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		AccessTokenValidity:  tollgate.Validity{Value: 3600, Unit: tollgate.Seconds},
		IDTokenValidity:      tollgate.Validity{Value: 2, Unit: tollgate.Hours},
		RefreshTokenValidity: tollgate.Validity{Value: 90, Unit: tollgate.Days},
		ConfigKey:            "Zeta2",
		CreatedAt:            at(time.Hour),
		UpdatedAt:            at(time.Hour),
	}
	wantNoError(t, "UpdateClient", s.UpdateClient(ctx, update, tollgate.AnyOwner))
	want := *update
	want.PoolID, want.CreatedAt, want.Secrets = zeta.PoolID, zeta.CreatedAt, zeta.Secrets
	got, err := s.GetClient(ctx, zeta.ID)
	wantNoError(t, "GetClient after update", err)
	wantEqual(t, "GetClient after update", got, &want)

	// ExplicitAuthFlows keeps the difference between never set (nil) and
	// set to none (empty).
	for _, flows := range [][]string{{}, nil} {
		next := want
		next.ExplicitAuthFlows = flows
		wantNoError(t, "UpdateClient of ExplicitAuthFlows", s.UpdateClient(ctx, &next, tollgate.AnyOwner))
		got, err = s.GetClient(ctx, zeta.ID)
		wantNoError(t, "GetClient after an update of ExplicitAuthFlows", err)
		if (got.ExplicitAuthFlows == nil) != (flows == nil) || len(got.ExplicitAuthFlows) != 0 {
			t.Errorf("ExplicitAuthFlows %#v stored as %#v", flows, got.ExplicitAuthFlows)
		}
	}
	wantNoError(t, "UpdateClient back", s.UpdateClient(ctx, &want, tollgate.AnyOwner))

	update.Name = "alpha"
	wantKind(t, "UpdateClient to a name taken in the pool", s.UpdateClient(ctx, update, tollgate.AnyOwner), tollgate.KindConflict)
	wantKind(t, "UpdateClient of a missing client", s.UpdateClient(ctx, newClient(f.poolA.ID, "missing"), tollgate.AnyOwner), tollgate.KindNotFound)
	_, err = s.GetClient(ctx, tollgate.NewClientID())
	wantKind(t, "GetClient of a missing client", err, tollgate.KindNotFound)

	return &want
}

// delete checks DeleteClient.
func (f *clientsFixture) delete(t *testing.T, want *tollgate.Client) {
	ctx, s, alphaA := context.Background(), f.s, f.alphaA
	wantNoError(t, "DeleteClient", s.DeleteClient(ctx, alphaA.ID, tollgate.AnyOwner))
	_, err := s.GetClient(ctx, alphaA.ID)
	wantKind(t, "GetClient after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeleteClient again", s.DeleteClient(ctx, alphaA.ID, tollgate.AnyOwner), tollgate.KindNotFound)
	list, err := s.ListClients(ctx, f.poolA.ID)
	wantNoError(t, "ListClients after delete", err)
	wantEqual(t, "ListClients after delete", list, []*tollgate.Client{want})
	list, err = s.ListClients(ctx, newPool("missing").ID)
	wantNoError(t, "ListClients of a missing pool", err)
	wantEqual(t, "ListClients of a missing pool", list, []*tollgate.Client{})
}

func testClientSecrets(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	c := newClient(pool.ID, "client")
	mustCreateClient(t, s, c)

	s1, s2, s3 := newSecret(at(time.Minute)), newSecret(t0), newSecret(at(time.Hour))
	wantSecrets := func(what string, want ...tollgate.ClientSecret) {
		t.Helper()
		got, err := s.GetClient(ctx, c.ID)
		wantNoError(t, what, err)
		wantEqual(t, what+": secrets (oldest first)", got.Secrets, want)
	}

	wantNoError(t, "AddClientSecret", s.AddClientSecret(ctx, c.ID, s1))
	wantKind(t, "AddClientSecret with a taken id", s.AddClientSecret(ctx, c.ID, s1), tollgate.KindConflict)
	wantNoError(t, "AddClientSecret (second)", s.AddClientSecret(ctx, c.ID, s2))
	wantSecrets("two secrets", s2, s1)
	wantKind(t, "AddClientSecret (third)", s.AddClientSecret(ctx, c.ID, s3), tollgate.KindConflict)
	wantSecrets("after the third is refused", s2, s1)

	wantNoError(t, "DeleteClientSecret", s.DeleteClientSecret(ctx, c.ID, s2.ID))
	wantKind(t, "DeleteClientSecret again", s.DeleteClientSecret(ctx, c.ID, s2.ID), tollgate.KindNotFound)
	wantNoError(t, "AddClientSecret after a delete", s.AddClientSecret(ctx, c.ID, s3))
	wantSecrets("after rotation", s1, s3)

	missing := tollgate.NewClientID()
	wantKind(t, "AddClientSecret to a missing client", s.AddClientSecret(ctx, missing, newSecret(t0)), tollgate.KindNotFound)
	wantKind(t, "DeleteClientSecret of a missing client", s.DeleteClientSecret(ctx, missing, s1.ID), tollgate.KindNotFound)

	// A secret id is the client's: another client may use the same one.
	other := newClient(pool.ID, "other")
	mustCreateClient(t, s, other)
	wantKind(t, "DeleteClientSecret of another client's secret", s.DeleteClientSecret(ctx, other.ID, s1.ID), tollgate.KindNotFound)
	wantNoError(t, "AddClientSecret with another client's secret id", s.AddClientSecret(ctx, other.ID, s1))
	wantSecrets("after another client used its secret id", s1, s3)
}

// testLastSecret: "You cannot delete the last remaining secret for an app
// client" (Cognito API reference, DeleteUserPoolClientSecret), even when
// two deletes race for the last two.
func testLastSecret(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	s1, s2, s3 := newSecret(t0), newSecret(t0), newSecret(t0)
	c := newClient(pool.ID, "client", s1)
	mustCreateClient(t, s, c)
	wantNoError(t, "AddClientSecret", s.AddClientSecret(ctx, c.ID, s3))
	wantSecrets := func(what string, n int) {
		t.Helper()
		got, err := s.GetClient(ctx, c.ID)
		wantNoError(t, what, err)
		if len(got.Secrets) != n {
			t.Errorf("%s: %d secrets, want %d", what, len(got.Secrets), n)
		}
	}

	wantNoError(t, "DeleteClientSecret of one of two", s.DeleteClientSecret(ctx, c.ID, s1.ID))
	last := s.DeleteClientSecret(ctx, c.ID, s3.ID)
	wantKind(t, "DeleteClientSecret of the last secret", last, tollgate.KindConflict)
	if !errors.Is(last, tollgate.ErrLastSecret) {
		t.Errorf("DeleteClientSecret of the last secret: %v, want ErrLastSecret as its cause", last)
	}
	wantSecrets("the last secret stays", 1)
	wantNoError(t, "AddClientSecret (second again)", s.AddClientSecret(ctx, c.ID, s2))
	pair := []tollgate.ClientSecret{s2, s3}
	errs := Race(len(pair), func(i int) error { return s.DeleteClientSecret(ctx, c.ID, pair[i].ID) })
	ok := Winners(errs, func(i int, err error) {
		if !errors.Is(err, tollgate.ErrLastSecret) {
			t.Errorf("racing delete %d: %v, want ErrLastSecret", i, err)
		}
	})
	if ok != 1 {
		t.Errorf("%d of two racing deletes succeeded, want 1", ok)
	}
	wantSecrets("after two racing deletes", 1)
}

func testDeleteClientCascades(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	secret := newSecret(t0)
	c := newClient(pool.ID, "client", secret, newSecret(t0))
	mustCreateClient(t, s, c)
	wantNoError(t, "DeleteClient", s.DeleteClient(ctx, c.ID, tollgate.AnyOwner))

	// The client comes back without the secrets of its former self.
	again := newClient(pool.ID, "client")
	again.ID = c.ID
	mustCreateClient(t, s, again)
	wantNoError(t, "AddClientSecret with a deleted secret's id", s.AddClientSecret(ctx, c.ID, secret))
	got, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	wantEqual(t, "secrets after delete and create", got.Secrets, []tollgate.ClientSecret{secret})
}
