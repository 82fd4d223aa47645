package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// wantOwner fails the test unless err refuses a write for its object's
// owner: a KindConflict caused by an *OwnerError naming configKey.
func wantOwner(t *testing.T, what string, err error, configKey string) {
	t.Helper()
	wantKind(t, what, err, tollgate.KindConflict)
	var oe *tollgate.OwnerError
	if err != nil && (!errors.As(err, &oe) || oe.ConfigKey != configKey) {
		t.Errorf("%s: %v is not caused by an OwnerError naming %q", what, err, configKey)
	}
}

// wantDuplicate fails the test unless err refuses a create for a duplicate:
// KindConflict, not for a quota.
func wantDuplicate(t *testing.T, what string, err error) {
	t.Helper()
	wantKind(t, what, err, tollgate.KindConflict)
	if tollgate.IsLimit(err) {
		t.Errorf("%s: %v refuses for a quota, want a duplicate", what, err)
	}
}

// adopted is what testOwner writes: a pool, and a client, a resource server
// and a domain in it, each made by hand, and a copy of each adopted by a
// config.
type adopted struct {
	p, pAdopted   tollgate.UserPool
	c, cAdopted   tollgate.Client
	rs, rsAdopted tollgate.ResourceServer
	d, dAdopted   tollgate.Domain
}

// ownerKey is the config key testOwner's config adopts objects with.
const ownerKey = "config:seed/Declared"

// adoptAll creates the objects of an adopted set by hand, then adopts them as a
// config apply does (AnyOwner writes).
func adoptAll(t *testing.T, s tollgate.Store) *adopted {
	t.Helper()
	ctx := context.Background()
	o := &adopted{p: *mustCreatePool(t, s, "pool")}
	o.c = *newClient(o.p.ID, "client")
	mustCreateClient(t, s, &o.c)
	o.rs = tollgate.ResourceServer{PoolID: o.p.ID, Identifier: "api", Name: "api", Scopes: []tollgate.Scope{}, CreatedAt: t0, UpdatedAt: t0}
	wantNoError(t, "CreateResourceServer", s.CreateResourceServer(ctx, &o.rs))
	o.d = tollgate.Domain{Domain: "pfx", PoolID: o.p.ID, CreatedAt: t0}
	wantNoError(t, "CreateDomain", s.CreateDomain(ctx, &o.d))

	o.pAdopted, o.cAdopted, o.rsAdopted, o.dAdopted = o.p, o.c, o.rs, o.d
	o.pAdopted.ConfigKey, o.cAdopted.ConfigKey, o.rsAdopted.ConfigKey, o.dAdopted.ConfigKey = ownerKey, ownerKey, ownerKey, ownerKey
	wantNoError(t, "UpdateClient adopting", s.UpdateClient(ctx, &o.cAdopted, tollgate.AnyOwner))
	wantNoError(t, "PutResourceServer adopting", s.PutResourceServer(ctx, &o.rsAdopted))
	wantNoError(t, "PutDomain adopting", s.PutDomain(ctx, &o.dAdopted))
	wantNoError(t, "UpdatePool adopting", s.UpdatePool(ctx, &o.pAdopted, tollgate.AnyOwner))
	return o
}

// testOwner checks that the writes taking an Owner change an object only
// when its ConfigKey is the one expected, and that AnyOwner writes
// whatever the owner.
func testOwner(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	o := adoptAll(t, s)
	p, c, rs, d := o.p, o.c, o.rs, o.d

	// Writers that read the objects made by hand are refused, and change
	// nothing.
	byHand := tollgate.OwnedBy("")
	renamed := c
	renamed.Name = "renamed"
	wantOwner(t, "UpdateClient by hand", s.UpdateClient(ctx, &renamed, byHand), ownerKey)
	wantOwner(t, "DeleteClient by hand", s.DeleteClient(ctx, c.ID, byHand), ownerKey)
	rsRenamed := rs
	rsRenamed.Name = "renamed"
	wantOwner(t, "UpdateResourceServer by hand", s.UpdateResourceServer(ctx, &rsRenamed, byHand), ownerKey)
	wantOwner(t, "DeleteResourceServer by hand", s.DeleteResourceServer(ctx, p.ID, rs.Identifier, byHand), ownerKey)
	wantOwner(t, "DeleteDomain by hand", s.DeleteDomain(ctx, d.Domain, byHand), ownerKey)
	wantOwner(t, "DeletePool by hand", s.DeletePool(ctx, p.ID, byHand), ownerKey)
	gotClient, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	wantEqual(t, "the client after refused writes", gotClient, &o.cAdopted)
	gotRS, err := s.GetResourceServer(ctx, p.ID, rs.Identifier)
	wantNoError(t, "GetResourceServer", err)
	wantEqual(t, "the resource server after refused writes", gotRS, &o.rsAdopted)
	_, err = s.GetDomain(ctx, d.Domain)
	wantNoError(t, "GetDomain after a refused delete", err)

	// Writers expecting the owner it has, or any, write.
	byOwner := tollgate.OwnedBy(ownerKey)
	rsRenamed.ConfigKey = ownerKey
	wantNoError(t, "UpdateResourceServer by its owner", s.UpdateResourceServer(ctx, &rsRenamed, byOwner))
	gotRS, err = s.GetResourceServer(ctx, p.ID, rs.Identifier)
	wantNoError(t, "GetResourceServer", err)
	wantEqual(t, "the resource server updated by its owner", gotRS, &rsRenamed)
	renamed.ConfigKey = ownerKey
	wantNoError(t, "UpdateClient by its owner", s.UpdateClient(ctx, &renamed, byOwner))
	wantNoError(t, "DeleteClient by its owner", s.DeleteClient(ctx, c.ID, byOwner))
	wantNoError(t, "DeleteResourceServer by its owner", s.DeleteResourceServer(ctx, p.ID, rs.Identifier, byOwner))
	wantNoError(t, "DeleteDomain by any owner", s.DeleteDomain(ctx, d.Domain, tollgate.AnyOwner))
	wantNoError(t, "DeletePool by its owner", s.DeletePool(ctx, p.ID, byOwner))

	// A missing object is not found, whatever the owner expected.
	wantKind(t, "UpdateClient of a missing client", s.UpdateClient(ctx, &renamed, byHand), tollgate.KindNotFound)
	wantKind(t, "UpdateResourceServer of a missing one", s.UpdateResourceServer(ctx, &rsRenamed, byHand), tollgate.KindNotFound)
	wantKind(t, "DeleteClient of a missing client", s.DeleteClient(ctx, c.ID, byHand), tollgate.KindNotFound)
	wantKind(t, "DeleteResourceServer of a missing one", s.DeleteResourceServer(ctx, p.ID, rs.Identifier, byHand), tollgate.KindNotFound)
	wantKind(t, "DeleteDomain of a missing domain", s.DeleteDomain(ctx, d.Domain, byHand), tollgate.KindNotFound)
	wantKind(t, "DeletePool of a missing pool", s.DeletePool(ctx, p.ID, byHand), tollgate.KindNotFound)
}

// testCreateOnly checks that CreateResourceServer and CreateDomain never
// replace: a duplicate, a taken domain and a pool's second prefix domain
// are conflicts, and the stored object is left as it was.
func testCreateOnly(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p := mustCreatePool(t, s, "pool")
	other := mustCreatePool(t, s, "other")
	rs := &tollgate.ResourceServer{PoolID: p.ID, Identifier: "api", Name: "first", Scopes: []tollgate.Scope{{Name: "read"}}, CreatedAt: t0, UpdatedAt: t0}
	wantNoError(t, "CreateResourceServer", s.CreateResourceServer(ctx, rs))
	again := *rs
	again.Name, again.Scopes = "second", []tollgate.Scope{}
	wantDuplicate(t, "CreateResourceServer of an existing identifier", s.CreateResourceServer(ctx, &again))
	got, err := s.GetResourceServer(ctx, p.ID, rs.Identifier)
	wantNoError(t, "GetResourceServer", err)
	wantEqual(t, "the resource server after a refused create", got, rs)
	elsewhere := *rs
	elsewhere.PoolID = other.ID
	wantNoError(t, "CreateResourceServer of the identifier in another pool", s.CreateResourceServer(ctx, &elsewhere))
	orphan := *rs
	orphan.PoolID = "eu-west-1_missing"
	wantKind(t, "CreateResourceServer in a missing pool", s.CreateResourceServer(ctx, &orphan), tollgate.KindNotFound)
	for i := 1; i < tollgate.MaxResourceServersPerPool; i++ {
		more := *rs
		more.Identifier = fmt.Sprintf("rs-%02d", i)
		wantNoError(t, "CreateResourceServer "+more.Identifier, s.CreateResourceServer(ctx, &more))
	}
	tooMany := *rs
	tooMany.Identifier = "one-too-many"
	wantLimit(t, "CreateResourceServer in a full pool", s.CreateResourceServer(ctx, &tooMany))

	d := &tollgate.Domain{Domain: "pfx", PoolID: p.ID, CreatedAt: t0}
	wantNoError(t, "CreateDomain", s.CreateDomain(ctx, d))
	wantDuplicate(t, "CreateDomain of the pool's domain again", s.CreateDomain(ctx, d))
	wantDuplicate(t, "CreateDomain of a second prefix domain", s.CreateDomain(ctx, &tollgate.Domain{Domain: "pfx2", PoolID: p.ID, CreatedAt: t0}))
	wantDuplicate(t, "CreateDomain of another pool's domain", s.CreateDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: other.ID, CreatedAt: t0}))
	custom := &tollgate.Domain{Domain: "auth.example.com", PoolID: p.ID, Custom: true, CertFile: "c.pem", KeyFile: "k.pem", CreatedAt: t0}
	wantNoError(t, "CreateDomain of a custom domain beside the prefix", s.CreateDomain(ctx, custom))
	wantKind(t, "CreateDomain in a missing pool", s.CreateDomain(ctx, &tollgate.Domain{Domain: "orphan", PoolID: "eu-west-1_missing", CreatedAt: t0}), tollgate.KindNotFound)
	domains, err := s.ListDomains(ctx, p.ID)
	wantNoError(t, "ListDomains", err)
	wantEqual(t, "the pool's domains", domains, []*tollgate.Domain{custom, d})
}

// testCreateResourceServerOnce has many goroutines, over both handles,
// create a resource server with one identifier: exactly one must win, the
// others get a duplicate conflict, and the winner's is stored.
func testCreateResourceServerOnce(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, a, "pool")
	errs := Race(workers, func(i int) error {
		s := [2]tollgate.Store{a, b}[i%2]
		return s.CreateResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "api",
			Name: fmt.Sprintf("racer-%02d", i), Scopes: []tollgate.Scope{}, CreatedAt: t0, UpdatedAt: t0})
	})
	winner := -1
	won := Winners(errs, func(i int, err error) { wantDuplicate(t, fmt.Sprintf("worker %d", i), err) })
	for i, err := range errs {
		if err == nil {
			winner = i
		}
	}
	if won != 1 {
		t.Fatalf("%d creates succeeded, want 1", won)
	}
	got, err := b.GetResourceServer(ctx, pool.ID, "api")
	wantNoError(t, "GetResourceServer", err)
	if want := fmt.Sprintf("racer-%02d", winner); got.Name != want {
		t.Errorf("the stored resource server is %s's, want the winner's, %s", got.Name, want)
	}
}

// testOnePrefixDomain has many goroutines, over both handles, each give one
// pool a prefix domain of its own: exactly one must win, and the pool must
// end with one domain.
func testOnePrefixDomain(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, a, "pool")
	errs := Race(workers, func(i int) error {
		s := [2]tollgate.Store{a, b}[i%2]
		return s.CreateDomain(ctx, &tollgate.Domain{Domain: fmt.Sprintf("racer-%02d", i), PoolID: pool.ID, CreatedAt: t0})
	})
	if won := Winners(errs, func(i int, err error) { wantDuplicate(t, fmt.Sprintf("worker %d", i), err) }); won != 1 {
		t.Errorf("%d creates succeeded, want 1", won)
	}
	domains, err := b.ListDomains(ctx, pool.ID)
	wantNoError(t, "ListDomains", err)
	if len(domains) != 1 {
		t.Errorf("the pool has %d domains, want 1", len(domains))
	}
}

// adoptionRounds is how many times testHandWriteRacingAdoption races a
// writer by hand with an adoption.
const adoptionRounds = 20

// testHandWriteRacingAdoption races, over both handles, a write by hand
// (an update, then a delete) of a client the writer read made by hand with
// a config apply adopting it. Either the hand's write lands first and the
// adoption follows it, or the hand's write is refused for the owner: never
// is the adopted client changed, un-adopted or deleted by the hand.
func testHandWriteRacingAdoption(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	const key = "config:seed/Client"
	pool := mustCreatePool(t, a, "pool")
	for round := range adoptionRounds {
		c := newClient(pool.ID, fmt.Sprintf("client-%02d", round))
		mustCreateClient(t, a, c)
		declared := *c
		declared.Name, declared.ConfigKey = c.Name+"-declared", key
		hand := *c
		hand.Name = c.Name + "-by-hand"
		errs := Race(2, func(i int) error {
			if i == 0 {
				return a.UpdateClient(ctx, &declared, tollgate.AnyOwner)
			}
			return b.UpdateClient(ctx, &hand, tollgate.OwnedBy(""))
		})
		wantNoError(t, "the adoption", errs[0])
		if errs[1] != nil {
			wantOwner(t, "the update by hand", errs[1], key)
		}
		got, err := a.GetClient(ctx, c.ID)
		wantNoError(t, "GetClient", err)
		if got.ConfigKey != key || got.Name != declared.Name {
			t.Fatalf("round %d: the client is %q owned by %q, want %q owned by %q", round, got.Name, got.ConfigKey, declared.Name, key)
		}

		c2 := newClient(pool.ID, fmt.Sprintf("deleted-%02d", round))
		mustCreateClient(t, a, c2)
		declared2 := *c2
		declared2.ConfigKey = key
		errs = Race(2, func(i int) error {
			if i == 0 {
				return a.UpdateClient(ctx, &declared2, tollgate.AnyOwner)
			}
			return b.DeleteClient(ctx, c2.ID, tollgate.OwnedBy(""))
		})
		if errs[1] == nil { // deleted before the adoption, which found nothing
			wantKind(t, "the adoption after the delete", errs[0], tollgate.KindNotFound)
		} else {
			wantOwner(t, "the delete by hand", errs[1], key)
			wantNoError(t, "the adoption", errs[0])
		}
	}
}

// testDeletePoolWithDomain: a pool with a domain is not deleted by hand
// (Cognito's DeleteUserPool wants its domain deleted first), decided in
// the deleting transaction; config apply (AnyOwner) deletes it with its
// domains.
func testDeletePoolWithDomain(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p := mustCreatePool(t, s, "pool")
	wantNoError(t, "CreateDomain", s.CreateDomain(ctx, &tollgate.Domain{Domain: "pfx", PoolID: p.ID, CreatedAt: t0}))
	err := s.DeletePool(ctx, p.ID, tollgate.OwnedBy(""))
	wantKind(t, "DeletePool by hand of a pool with a domain", err, tollgate.KindInvalid)
	if !errors.Is(err, tollgate.ErrPoolHasDomain) {
		t.Errorf("DeletePool by hand of a pool with a domain: %v, want caused by ErrPoolHasDomain", err)
	}
	wantNoError(t, "DeletePool by config apply", s.DeletePool(ctx, p.ID, tollgate.AnyOwner))
	domains, err := s.ListDomains(ctx, p.ID)
	wantNoError(t, "ListDomains", err)
	if len(domains) != 0 {
		t.Errorf("the deleted pool's domains: %v", domains)
	}
}

// testDeletePoolRacingDomain races, over both handles, a delete by hand of
// a pool with the creation of its domain: either the domain comes first
// and the delete is refused, or the delete comes first and the domain has
// no pool; never do both succeed, which would delete a domain its creator
// was told exists.
func testDeletePoolRacingDomain(t *testing.T, a, b tollgate.Store) {
	ctx := context.Background()
	for round := range adoptionRounds {
		p := mustCreatePool(t, a, fmt.Sprintf("pool-%02d", round))
		errs := Race(2, func(i int) error {
			if i == 0 {
				return a.CreateDomain(ctx, &tollgate.Domain{Domain: fmt.Sprintf("racer-%02d", round), PoolID: p.ID, CreatedAt: t0})
			}
			return b.DeletePool(ctx, p.ID, tollgate.OwnedBy(""))
		})
		switch {
		case errs[0] == nil && errs[1] == nil:
			t.Fatalf("round %d: the domain was created and its pool deleted by hand, both acknowledged", round)
		case errs[0] == nil:
			if !errors.Is(errs[1], tollgate.ErrPoolHasDomain) {
				t.Errorf("round %d: the delete after the domain: %v, want ErrPoolHasDomain", round, errs[1])
			}
		case errs[1] == nil:
			wantKind(t, fmt.Sprintf("round %d: the domain after the delete", round), errs[0], tollgate.KindNotFound)
		default:
			t.Errorf("round %d: both refused: %v; %v", round, errs[0], errs[1])
		}
	}
}

// testPoolOwner checks that UpdatePool, like the other writes taking an
// Owner, changes a pool only when its ConfigKey is the one expected: a
// writer by hand that read the pool before a config adopted it changes
// nothing, its owner writes, and a missing pool is not found.
func testPoolOwner(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	o := adoptAll(t, s)
	p := o.p
	p.PreTokenGeneration = &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:Fn", LambdaVersion: tollgate.LambdaVersionV3}
	p.UpdatedAt = t0.Add(time.Minute)
	wantOwner(t, "UpdatePool by hand", s.UpdatePool(ctx, &p, tollgate.OwnedBy("")), ownerKey)
	got, err := s.GetPool(ctx, p.ID)
	wantNoError(t, "GetPool", err)
	wantEqual(t, "the pool after a refused update", got, &o.pAdopted)

	p.ConfigKey = ownerKey
	wantNoError(t, "UpdatePool by its owner", s.UpdatePool(ctx, &p, tollgate.OwnedBy(ownerKey)))
	got, err = s.GetPool(ctx, p.ID)
	wantNoError(t, "GetPool", err)
	wantEqual(t, "the pool updated by its owner", got, &p)

	wantNoError(t, "DeletePool", s.DeletePool(ctx, p.ID, tollgate.AnyOwner))
	wantKind(t, "UpdatePool of a missing pool", s.UpdatePool(ctx, &p, tollgate.OwnedBy("")), tollgate.KindNotFound)
}
