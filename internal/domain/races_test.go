package domain_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestWriteByHandAfterAdoption has a writer by hand act on copies it read
// while the objects were made by hand, after a config adopted them: the
// store refuses each write for the owner, and the writer gets the same
// ReadOnlyError as when it reads the adopted object, naming the config.
func TestWriteByHandAfterAdoption(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const key = "config:seed/Declared"
	c := mustClient(t, f, "svc")
	rs, err := f.st.GetResourceServer(ctx, f.pool.ID, "api")
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.CreateDomain(ctx, f.pool.ID, "auth")
	if err != nil {
		t.Fatal(err)
	}
	pool := *f.pool

	adopted := *c
	adopted.ConfigKey = key
	rsAdopted := *rs
	rsAdopted.ConfigKey = key
	dAdopted := *d
	dAdopted.ConfigKey = key
	pAdopted := pool
	pAdopted.ConfigKey = key
	for _, err := range []error{
		f.st.UpdateClient(ctx, &adopted, tollgate.AnyOwner), f.st.PutResourceServer(ctx, &rsAdopted),
		f.st.PutDomain(ctx, &dAdopted), f.st.UpdatePool(ctx, &pAdopted, tollgate.AnyOwner),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	wantReadOnly := func(what string, err error) {
		t.Helper()
		var ro *domain.ReadOnlyError
		wantCause(t, what, err, tollgate.KindReadOnly, &ro)
		if ro != nil && ro.ConfigKey != key {
			t.Errorf("%s: refused for %q, want %q", what, ro.ConfigKey, key)
		}
	}
	_, err = f.svc.UpdateClient(ctx, c, m2m("renamed"))
	wantReadOnly("UpdateClient", err)
	wantReadOnly("DeleteClient", f.svc.DeleteClient(ctx, c))
	_, err = f.svc.UpdateResourceServer(ctx, rs, domain.ResourceServerSpec{Name: "renamed"})
	wantReadOnly("UpdateResourceServer", err)
	wantReadOnly("DeleteResourceServer", f.svc.DeleteResourceServer(ctx, rs))
	wantReadOnly("DeleteDomain", f.svc.DeleteDomain(ctx, d))
	_, err = f.svc.UpdatePool(ctx, &pool, domain.PoolSpec{})
	wantReadOnly("UpdatePool", err)
	if err := f.st.DeleteDomain(ctx, d.Domain, tollgate.AnyOwner); err != nil { // DeletePool refuses a pool with a domain first
		t.Fatal(err)
	}
	wantReadOnly("DeletePool", f.svc.DeletePool(ctx, &pool))

	got, err := f.st.GetClient(ctx, c.ID)
	if err != nil || got.Name != "svc" || got.ConfigKey != key {
		t.Errorf("the client after refused writes: %+v, %v", got, err)
	}
	gotRS, err := f.st.GetResourceServer(ctx, f.pool.ID, "api")
	if err != nil || gotRS.Name != "API" || gotRS.ConfigKey != key {
		t.Errorf("the resource server after refused writes: %+v, %v", gotRS, err)
	}
}

// races is how many writers the racing tests run.
const races = 16

// TestRacingCreates has writers create one resource server, and prefix
// domains for one pool, at once: one wins, and the others are refused with
// the causes a create refused on its read has, which the management API
// answers as it answers those.
func TestRacingCreates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	errs := storetest.Race(races, func(i int) error {
		_, err := f.svc.CreateResourceServer(ctx, f.pool.ID, domain.ResourceServerSpec{Identifier: "orders", Name: fmt.Sprint(i)})
		return err
	})
	won := storetest.Winners(errs, func(i int, err error) {
		wantCause(t, fmt.Sprintf("CreateResourceServer %d", i), err, tollgate.KindConflict, domain.ErrResourceServerExists)
	})
	if won != 1 {
		t.Errorf("%d resource servers created, want 1", won)
	}

	errs = storetest.Race(races, func(i int) error {
		_, err := f.svc.CreateDomain(ctx, f.pool.ID, fmt.Sprintf("auth-%d", i))
		return err
	})
	won = storetest.Winners(errs, func(i int, err error) {
		wantCause(t, fmt.Sprintf("CreateDomain %d", i), err, tollgate.KindConflict, domain.ErrPoolHasPrefix)
	})
	if won != 1 {
		t.Errorf("%d prefix domains created, want 1", won)
	}
	domains, err := f.st.ListDomains(ctx, f.pool.ID)
	if err != nil || len(domains) != 1 {
		t.Errorf("the pool's domains: %d, %v; want 1", len(domains), err)
	}
}
