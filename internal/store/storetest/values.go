package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testTimes checks that times come back in UTC, equal to what was written
// at microsecond precision, whatever zone they were written in.
func testTimes(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	created := time.Date(2026, 3, 29, 1, 59, 59, 999999000, zone)
	p := newPool("pool")
	p.CreatedAt, p.UpdatedAt = created, created.Add(time.Microsecond)
	wantNoError(t, "CreatePool", s.CreatePool(ctx, p))
	got, err := s.GetPool(ctx, p.ID)
	wantNoError(t, "GetPool", err)
	for _, tt := range []struct {
		name      string
		got, want time.Time
	}{
		{"CreatedAt", got.CreatedAt, p.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, p.UpdatedAt},
	} {
		if !tt.got.Equal(tt.want) || tt.got.Location() != time.UTC {
			t.Errorf("%s = %s, want %s in UTC", tt.name, tt.got, tt.want.UTC())
		}
	}

	// Zero times of a key (a next key's ActivatedAt and ExpiresAt) stay zero.
	keys, err := s.UpdateSigningKeys(ctx, p.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(p.ID, "k", tollgate.KeyNext, created)}, nil
	})
	wantNoError(t, "UpdateSigningKeys", err)
	if k := keys[0]; !k.ActivatedAt.IsZero() || !k.ExpiresAt.IsZero() || !k.CreatedAt.Equal(created) {
		t.Errorf("key times: created %s, activated %s, expires %s; want %s, zero, zero", k.CreatedAt, k.ActivatedAt, k.ExpiresAt, created)
	}
}

// testCopies checks that the store keeps neither the objects it is given nor
// those it returns.
func testCopies(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	c := newClient(pool.ID, "client", newSecret(t0))
	mustCreateClient(t, s, c)
	want, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)

	c.Name = "changed"
	c.Secrets[0].Hash[0] ^= 0xff
	c.AllowedOAuthScopes[0] = "changed"
	got, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	got.Secrets[0].Hash[0] ^= 0xff
	got.Secrets = append(got.Secrets, newSecret(t0))
	got.AllowedOAuthFlows[0] = "changed"
	got, err = s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	wantEqual(t, "GetClient after changing what was given and returned", got, want)

	_, err = s.UpdateSigningKeys(ctx, pool.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(pool.ID, "k", tollgate.KeyActive, t0)}, nil
	})
	wantNoError(t, "UpdateSigningKeys", err)
	keys, err := s.ListSigningKeys(ctx, pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	keys[0].Public[0] ^= 0xff
	_, err = s.UpdateSigningKeys(ctx, pool.ID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		current[0].Sealed[0] ^= 0xff // fn may scribble on what it is given
		return nil, nil
	})
	wantNoError(t, "UpdateSigningKeys", err)
	keys, err = s.ListSigningKeys(ctx, pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "ListSigningKeys after changing what was returned", keys, []tollgate.SigningKey{newKey(pool.ID, "k", tollgate.KeyActive, t0)})
}

// testEmptyLists checks that empty lists come back as empty, non-nil
// slices, whether they were written nil or empty.
func testEmptyLists(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pools, err := s.ListPools(ctx)
	wantNoError(t, "ListPools", err)
	wantEqual(t, "ListPools of an empty store", pools, []*tollgate.UserPool{})
	clients, err := s.ListClients(ctx, "")
	wantNoError(t, "ListClients", err)
	wantEqual(t, "ListClients of an empty store", clients, []*tollgate.Client{})
	domains, err := s.ListDomains(ctx, "")
	wantNoError(t, "ListDomains", err)
	wantEqual(t, "ListDomains of an empty store", domains, []*tollgate.Domain{})

	pool := mustCreatePool(t, s, "pool")
	c := newClient(pool.ID, "client")
	c.Secrets, c.AllowedOAuthFlows, c.AllowedOAuthScopes = nil, nil, nil
	mustCreateClient(t, s, c)
	rs := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "default", CreatedAt: t0, UpdatedAt: t0}
	wantNoError(t, "PutResourceServer", s.PutResourceServer(ctx, rs))

	gotClient, err := s.GetClient(ctx, c.ID)
	wantNoError(t, "GetClient", err)
	if gotClient.Secrets == nil || gotClient.AllowedOAuthFlows == nil || gotClient.AllowedOAuthScopes == nil {
		t.Errorf("GetClient: nil lists (secrets %#v, flows %#v, scopes %#v), want empty slices",
			gotClient.Secrets, gotClient.AllowedOAuthFlows, gotClient.AllowedOAuthScopes)
	}
	gotRS, err := s.GetResourceServer(ctx, pool.ID, rs.Identifier)
	wantNoError(t, "GetResourceServer", err)
	if gotRS.Scopes == nil {
		t.Error("GetResourceServer: nil Scopes, want an empty slice")
	}
}

// testCanceledContext checks that a canceled context stops reads and writes.
func testCanceledContext(t *testing.T, s tollgate.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := newPool("pool")
	if err := s.CreatePool(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("CreatePool with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := s.GetPool(context.Background(), p.ID); !tollgate.IsNotFound(err) {
		t.Errorf("GetPool of a pool created with a canceled context: %v, want not found", err)
	}
	if _, err := s.ListPools(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ListPools with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := s.Generation(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Generation with a canceled context: %v, want context.Canceled", err)
	}
}
