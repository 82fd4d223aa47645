package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testGeneration checks that every kind of write moves the generation, and
// that reads and writes that change nothing do not.
func testGeneration(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := newPool("pool")
	rs := &tollgate.ResourceServer{PoolID: pool.ID, Identifier: "default", Name: "Default", Scopes: []tollgate.Scope{}, CreatedAt: t0, UpdatedAt: t0}
	c := newClient(pool.ID, "client", newSecret(t0)) // a secret to keep: the last one is never deleted
	secret := newSecret(t0)
	d := &tollgate.Domain{Domain: "auth", PoolID: pool.ID, CreatedAt: t0}
	tok := tollgate.RevokedToken{JTI: "jti", PoolID: pool.ID, ClientID: c.ID, ExpiresAt: t0, RevokedAt: t0}
	keys := func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(pool.ID, "k1", tollgate.KeyActive, t0)}, nil
	}
	noKeys := func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) { return nil, nil }
	deleteExpired := func(want int64) func() error { return deleteExpiredWanting(ctx, s, want) }
	read := func() error { return readEverything(ctx, s, pool.ID, c.ID, tok.JTI) }

	steps := []struct {
		name  string
		write func() error
		moves bool
	}{
		{"CreatePool", func() error { return s.CreatePool(ctx, pool) }, true},
		{"UpdatePool", func() error { return s.UpdatePool(ctx, pool, tollgate.AnyOwner) }, true},
		{"PutResourceServer (create)", func() error { return s.PutResourceServer(ctx, rs) }, true},
		{"PutResourceServer (replace)", func() error { return s.PutResourceServer(ctx, rs) }, true},
		{"CreateClient", func() error { return s.CreateClient(ctx, c) }, true},
		{"UpdateClient", func() error { return s.UpdateClient(ctx, c, tollgate.AnyOwner) }, true},
		{"AddClientSecret", func() error { return s.AddClientSecret(ctx, c.ID, secret) }, true},
		{"DeleteClientSecret", func() error { return s.DeleteClientSecret(ctx, c.ID, secret.ID) }, true},
		{"PutDomain", func() error { return s.PutDomain(ctx, d) }, true},
		{"UpdateSigningKeys", func() error { _, err := s.UpdateSigningKeys(ctx, pool.ID, keys); return err }, true},
		{"UpdateSigningKeys returning nil", func() error { _, err := s.UpdateSigningKeys(ctx, pool.ID, noKeys); return err }, false},
		{"RevokeToken", func() error { return s.RevokeToken(ctx, tok) }, true},
		{"RevokeToken again", func() error { return s.RevokeToken(ctx, tok) }, false},
		{"reads", read, false},
		{"DeleteExpiredRevocations", deleteExpired(1), true},
		{"DeleteExpiredRevocations deleting none", deleteExpired(0), false},
		{"DeleteDomain", func() error { return s.DeleteDomain(ctx, d.Domain, tollgate.AnyOwner) }, true},
		{"DeleteResourceServer", func() error { return s.DeleteResourceServer(ctx, pool.ID, rs.Identifier, tollgate.AnyOwner) }, true},
		{"DeleteClient", func() error { return s.DeleteClient(ctx, c.ID, tollgate.AnyOwner) }, true},
		{"DeletePool", func() error { return s.DeletePool(ctx, pool.ID, tollgate.AnyOwner) }, true},
	}
	before, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	for _, st := range steps {
		wantNoError(t, st.name, st.write())
		after, err := s.Generation(ctx)
		wantNoError(t, "Generation", err)
		switch {
		case st.moves && after <= before:
			t.Errorf("%s: generation went from %d to %d, want it to grow", st.name, before, after)
		case !st.moves && after != before:
			t.Errorf("%s: generation went from %d to %d, want it unchanged", st.name, before, after)
		}
		before = after
	}
}

// deleteExpiredWanting returns a step that deletes the revocations expired
// an hour after t0 and fails unless it deleted want of them.
func deleteExpiredWanting(ctx context.Context, s tollgate.Store, want int64) func() error {
	return func() error {
		n, err := s.DeleteExpiredRevocations(ctx, at(time.Hour))
		if err == nil && n != want {
			err = fmt.Errorf("deleted %d revocations, want %d", n, want)
		}
		return err
	}
}

// readEverything runs every read of the store.
func readEverything(ctx context.Context, s tollgate.Store, poolID, clientID, jti string) error {
	for _, err := range []error{
		func() error { _, err := s.GetPool(ctx, poolID); return err }(),
		func() error { _, err := s.ListPools(ctx); return err }(),
		func() error { _, err := s.GetClient(ctx, clientID); return err }(),
		func() error { _, err := s.ListClients(ctx, ""); return err }(),
		func() error { _, err := s.ListResourceServers(ctx, poolID); return err }(),
		func() error { _, err := s.ListDomains(ctx, ""); return err }(),
		func() error { _, err := s.ListSigningKeys(ctx, poolID); return err }(),
		func() error { _, err := s.IsTokenRevoked(ctx, jti); return err }(),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
