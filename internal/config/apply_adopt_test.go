package config_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/vault"
)

// legacy is what Apply wrote for the seed config before config files had
// names: the same objects, with bare logical ids as ConfigKeys, a client
// secret and a signing key. It stands for a data directory made by an
// older Tollgate.
type legacy struct {
	pool   *tollgate.UserPool
	client *tollgate.Client
	secret string // the client's secret in the clear
}

func writeLegacy(t *testing.T, st tollgate.Store, v *vault.Vault) legacy {
	t.Helper()
	ctx := context.Background()
	pool := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "UserPool", Region: "us-east-1", ConfigKey: "UserPool", CreatedAt: t0, UpdatedAt: t0}
	must(t, st.CreatePool(ctx, pool))
	must(t, st.PutResourceServer(ctx, &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "default", Name: "Custom default resource server",
		Scopes: []tollgate.Scope{{Name: "default", Description: "Custom default scope"}}, ConfigKey: "UserPool/ResourceServer", CreatedAt: t0, UpdatedAt: t0}))
	secret := tollgate.NewClientSecret()
	client := &tollgate.Client{ID: tollgate.NewClientID(), PoolID: pool.ID, Name: "ThirdPartyClientName",
		AllowedOAuthFlows: []string{tollgate.FlowClientCredentials}, AllowedOAuthScopes: []string{"default/default"},
		AccessTokenValidity: tollgate.Validity{Value: 60, Unit: tollgate.Minutes}, IDTokenValidity: tollgate.Validity{Value: 60, Unit: tollgate.Minutes},
		RefreshTokenValidity: tollgate.Validity{Value: 5, Unit: tollgate.Days}, ConfigKey: "UserPool/ThirdPartyAppClient", CreatedAt: t0, UpdatedAt: t0}
	hash, sealed := v.ProtectSecret(client.ID, secret)
	client.Secrets = []tollgate.ClientSecret{{ID: tollgate.NewSecretID(), Hash: hash, Sealed: sealed, CreatedAt: t0}}
	must(t, st.CreateClient(ctx, client))
	must(t, st.PutDomain(ctx, &tollgate.Domain{Domain: "tollgate-seed", PoolID: pool.ID, ConfigKey: "UserPool/UserPoolDomain", CreatedAt: t0}))
	_, err := st.UpdateSigningKeys(ctx, pool.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{{PoolID: pool.ID, KID: "kid-1", Algorithm: "RS256", State: tollgate.KeyActive, Public: []byte("public"), Sealed: []byte("sealed"), CreatedAt: t0, ActivatedAt: t0}}, nil
	})
	must(t, err)
	return legacy{pool: pool, client: client, secret: secret}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A data directory used with a config before config files had names keeps
// every id, secret and key when the same config runs again: the config
// adopts its objects in place, and the next apply writes nothing.
func TestApplyAdoptsBareKeys(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		old := writeLegacy(t, st, v)
		keysBefore, err := st.ListSigningKeys(ctx, old.pool.ID)
		must(t, err)

		res := apply(t, st, v, seed, t1)
		checkChanges(t, res,
			"adopted pool config:orders/UserPool",
			"adopted resource server config:orders/UserPool/ResourceServer",
			"adopted client config:orders/UserPool/ThirdPartyAppClient",
			"adopted domain config:orders/UserPool/UserPoolDomain")
		if id, _ := res.PoolID("UserPool"); id != old.pool.ID {
			t.Errorf("pool id %s, want the stored %s", id, old.pool.ID)
		}
		if id, _ := res.ClientID("UserPool", "ThirdPartyAppClient"); id != old.client.ID {
			t.Errorf("client id %s, want the stored %s", id, old.client.ID)
		}
		c, err := st.GetClient(ctx, old.client.ID)
		must(t, err)
		if c.ConfigKey != "config:orders/UserPool/ThirdPartyAppClient" || !c.CreatedAt.Equal(t0) {
			t.Errorf("client = %+v", c)
		}
		if diff := cmp.Diff(old.client.Secrets, c.Secrets); diff != "" || !bytes.Equal(v.HashSecret(c.ID, old.secret), c.Secrets[0].Hash) {
			t.Errorf("the client's secrets changed (-before +after):\n%s", diff)
		}
		keysAfter, err := st.ListSigningKeys(ctx, old.pool.ID)
		must(t, err)
		if diff := cmp.Diff(keysBefore, keysAfter); diff != "" {
			t.Errorf("the pool's signing keys changed (-before +after):\n%s", diff)
		}
		for kind, want := range map[string]string{"pool": "config:orders/UserPool", "domain": "config:orders/UserPool/UserPoolDomain", "rs": "config:orders/UserPool/ResourceServer"} {
			id := old.pool.ID
			if kind == "domain" {
				id = "tollgate-seed"
			}
			if got := keyOf(t, st, kind, id); got != want {
				t.Errorf("%s key %q after the adoption, want %q", kind, got, want)
			}
		}
		checkChanges(t, apply(t, st, v, seed, t1))
	})
}

// keyOf returns the ConfigKey of a stored pool, domain or resource server
// ("default" of the pool).
func keyOf(t *testing.T, st tollgate.Store, kind, id string) string {
	t.Helper()
	ctx := context.Background()
	switch kind {
	case "pool":
		p, err := st.GetPool(ctx, id)
		must(t, err)
		return p.ConfigKey
	case "domain":
		d, err := st.GetDomain(ctx, id)
		must(t, err)
		return d.ConfigKey
	}
	rs, err := st.GetResourceServer(ctx, id, "default")
	must(t, err)
	return rs.ConfigKey
}

// Bare-keyed pools the config does not declare may be another config's:
// they are kept and reported, never deleted, even with Prune; a config
// that declares them later adopts them.
func TestApplyKeepsBarePoolsItDoesNotDeclare(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		old := writeLegacy(t, st, v)
		other := parse(t, "userPools:\n  - id: Other\n")
		other.Name = "other"
		res, err := config.ApplyWith(ctx, st, v, other, t1, config.ApplyOptions{Prune: true})
		must(t, err)
		checkChanges(t, res, "created pool config:other/Other")
		if len(res.Kept) != 1 || res.Kept[0].ID != old.pool.ID || res.Kept[0].Key != "UserPool" {
			t.Errorf("Kept = %v, want the bare pool UserPool", res.Kept)
		}
		if c, err := st.GetClient(ctx, old.client.ID); err != nil || c.ConfigKey != "UserPool/ThirdPartyAppClient" {
			t.Errorf("the bare pool's client: %+v, %v; want it untouched", c, err)
		}
		// Its own config adopts it afterwards.
		checkChanges(t, apply(t, st, v, seed, t1),
			"adopted pool config:orders/UserPool",
			"adopted resource server config:orders/UserPool/ResourceServer",
			"adopted client config:orders/UserPool/ThirdPartyAppClient",
			"adopted domain config:orders/UserPool/UserPoolDomain")
	})
}

// Adopting a pool whose bare-keyed clients the config does not declare
// would delete them: those with secrets need Prune, as any other.
func TestApplyAdoptionGuardsUndeclaredSecrets(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		old := writeLegacy(t, st, v)
		const poolOnly = "userPools:\n  - id: UserPool\n"
		before := snapshot(t, st)
		_, err := config.Apply(ctx, st, v, parse(t, poolOnly), t1)
		var pe *config.PruneError
		if !errors.As(err, &pe) || len(pe.Objects) != 1 || pe.Objects[0].ID != old.client.ID || pe.Objects[0].Key != "UserPool/ThirdPartyAppClient" {
			t.Fatalf("err = %v, want a PruneError for the bare client", err)
		}
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("a refused adoption changed the store (-before +after):\n%s", diff)
		}
		checkChanges(t, prune(t, st, v, poolOnly, t1),
			"deleted client UserPool/ThirdPartyAppClient",
			"deleted resource server UserPool/ResourceServer",
			"deleted domain UserPool/UserPoolDomain",
			"adopted pool config:orders/UserPool")
	})
}

// The Store has no transactions: an adoption cut short leaves a pool
// with the config's key and objects with bare keys. The next apply adopts
// those, and keeps their ids.
func TestApplyFinishesAnInterruptedAdoption(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		old := writeLegacy(t, st, v)
		p := *old.pool
		p.ConfigKey = "config:orders/UserPool"
		must(t, st.UpdatePool(ctx, &p, tollgate.AnyOwner))
		res := apply(t, st, v, seed, t1)
		checkChanges(t, res,
			"adopted resource server config:orders/UserPool/ResourceServer",
			"adopted client config:orders/UserPool/ThirdPartyAppClient",
			"adopted domain config:orders/UserPool/UserPoolDomain")
		if id, _ := res.ClientID("UserPool", "ThirdPartyAppClient"); id != old.client.ID {
			t.Errorf("client id %s, want the stored %s", id, old.client.ID)
		}
	})
}

// raceStore lets a test act between Apply's reading of the pools and its
// writes, as another process applying at the same moment would.
type raceStore struct {
	tollgate.Store
	between func()
}

func (s *raceStore) ListPools(ctx context.Context) ([]*tollgate.UserPool, error) {
	pools, err := s.Store.ListPools(ctx)
	if s.between != nil {
		s.between()
		s.between = nil
	}
	return pools, err
}

// Two configs that declare one bare-keyed pool and run at once do not both
// take it: the one that writes second sees a conflict (which serve and dev
// retry, planning again), and the pool stays the first's.
func TestApplyAdoptionRace(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		old := writeLegacy(t, st, v)
		rs := &raceStore{Store: st, between: func() {
			p := *old.pool
			p.ConfigKey = "config:first/UserPool"
			must(t, st.UpdatePool(ctx, &p, tollgate.AnyOwner))
		}}
		_, err := config.Apply(ctx, rs, v, parse(t, seed), t1)
		if tollgate.KindOf(err) != tollgate.KindConflict {
			t.Fatalf("err = %v, want a conflict", err)
		}
		if key := keyOf(t, st, "pool", old.pool.ID); key != "config:first/UserPool" {
			t.Errorf("pool key %q, want the first adopter's", key)
		}
	})
}
