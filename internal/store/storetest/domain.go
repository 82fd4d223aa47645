package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

func testDomains(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	poolA := mustCreatePool(t, s, "a")
	poolB := mustCreatePool(t, s, "b")

	prefixA := &tollgate.Domain{Domain: "auth-a", PoolID: poolA.ID, CreatedAt: t0}
	customA := &tollgate.Domain{
		Domain:    "login.example.com",
		PoolID:    poolA.ID,
		Custom:    true,
		CertFile:  "/etc/tollgate/login.crt",
		KeyFile:   "/etc/tollgate/login.key",
		ConfigKey: "LoginDomain",
		CreatedAt: t0,
	}
	prefixB := &tollgate.Domain{Domain: "auth-b", PoolID: poolB.ID, CreatedAt: t0}
	for _, d := range []*tollgate.Domain{customA, prefixB, prefixA} {
		wantNoError(t, "PutDomain "+d.Domain, s.PutDomain(ctx, d))
	}

	got, err := s.GetDomain(ctx, customA.Domain)
	wantNoError(t, "GetDomain", err)
	wantEqual(t, "GetDomain", got, customA)

	list, err := s.ListDomains(ctx, poolA.ID)
	wantNoError(t, "ListDomains", err)
	wantEqual(t, "ListDomains (by domain)", list, []*tollgate.Domain{prefixA, customA})
	list, err = s.ListDomains(ctx, "")
	wantNoError(t, "ListDomains of all pools", err)
	wantEqual(t, "ListDomains of all pools", list, []*tollgate.Domain{prefixA, prefixB, customA})

	replaceDomain(t, s, customA)

	steal := *prefixA
	steal.PoolID = poolB.ID
	wantKind(t, "PutDomain of another pool's domain", s.PutDomain(ctx, &steal), tollgate.KindConflict)
	got, err = s.GetDomain(ctx, prefixA.Domain)
	wantNoError(t, "GetDomain after a refused put", err)
	wantEqual(t, "GetDomain after a refused put", got, prefixA)

	orphan := &tollgate.Domain{Domain: "orphan", PoolID: newPool("missing").ID, CreatedAt: t0}
	wantKind(t, "PutDomain in a missing pool", s.PutDomain(ctx, orphan), tollgate.KindNotFound)
	_, err = s.GetDomain(ctx, orphan.Domain)
	wantKind(t, "GetDomain of a missing domain", err, tollgate.KindNotFound)

	wantNoError(t, "DeleteDomain", s.DeleteDomain(ctx, prefixA.Domain, tollgate.AnyOwner))
	_, err = s.GetDomain(ctx, prefixA.Domain)
	wantKind(t, "GetDomain after delete", err, tollgate.KindNotFound)
	wantKind(t, "DeleteDomain again", s.DeleteDomain(ctx, prefixA.Domain, tollgate.AnyOwner), tollgate.KindNotFound)

	// A deleted domain is free for any pool.
	wantNoError(t, "PutDomain of a deleted domain", s.PutDomain(ctx, &steal))
	list, err = s.ListDomains(ctx, poolB.ID)
	wantNoError(t, "ListDomains after a move", err)
	wantEqual(t, "ListDomains after a move", list, []*tollgate.Domain{&steal, prefixB})
}

// replaceDomain checks that putting a domain again for the same pool
// replaces it, keeping CreatedAt.
func replaceDomain(t *testing.T, s tollgate.Store, d *tollgate.Domain) {
	ctx := context.Background()
	replace := &tollgate.Domain{
		Domain:    d.Domain,
		PoolID:    d.PoolID,
		Custom:    true,
		CertFile:  "/etc/tollgate/new.crt",
		KeyFile:   "/etc/tollgate/new.key",
		CreatedAt: at(time.Hour),
	}
	wantNoError(t, "PutDomain (replace)", s.PutDomain(ctx, replace))
	want := *replace
	want.CreatedAt = t0
	got, err := s.GetDomain(ctx, d.Domain)
	wantNoError(t, "GetDomain after replace", err)
	wantEqual(t, "GetDomain after replace", got, &want)
}
