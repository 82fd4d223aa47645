package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// replaceKeys returns an UpdateSigningKeys function that records the keys it
// was given in *seen and returns keys.
func replaceKeys(seen *[]tollgate.SigningKey, keys []tollgate.SigningKey) func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
	return func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		*seen = current
		return keys, nil
	}
}

func testSigningKeys(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	other := mustCreatePool(t, s, "other")
	var seen []tollgate.SigningKey

	keys, err := s.ListSigningKeys(ctx, pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "ListSigningKeys of a pool without keys", keys, []tollgate.SigningKey{})

	keys, err = s.UpdateSigningKeys(ctx, pool.ID, replaceKeys(&seen, nil))
	wantNoError(t, "UpdateSigningKeys returning nil", err)
	wantEqual(t, "fn's keys of a pool without keys", seen, []tollgate.SigningKey{})
	wantEqual(t, "UpdateSigningKeys returning nil", keys, []tollgate.SigningKey{})

	first := createFirstKeys(t, s, pool.ID)
	kept := rotateStoredKeys(t, s, pool.ID, first)
	checkOtherPoolKeys(t, s, other.ID, pool.ID, kept)
	checkMissingPoolKeys(t, s)
}

// createFirstKeys creates a pool's first keys, together: they list in the
// order given. It returns them, active first.
func createFirstKeys(t *testing.T, s tollgate.Store, poolID string) []tollgate.SigningKey {
	ctx := context.Background()
	var seen []tollgate.SigningKey
	active := newKey(poolID, "k1", tollgate.KeyActive, t0)
	next := newKey("", "k2", tollgate.KeyNext, t0) // PoolID may be left empty
	keys, err := s.UpdateSigningKeys(ctx, poolID, replaceKeys(&seen, []tollgate.SigningKey{active, next}))
	wantNoError(t, "UpdateSigningKeys (first keys)", err)
	next.PoolID = poolID
	first := []tollgate.SigningKey{active, next}
	wantEqual(t, "UpdateSigningKeys (first keys)", keys, first)
	keys, err = s.ListSigningKeys(ctx, poolID)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "ListSigningKeys", keys, first)

	return first
}

// rotateStoredKeys rotates the pool's first keys, then drops the retired
// one, and returns the keys it keeps.
func rotateStoredKeys(t *testing.T, s tollgate.Store, poolID string, first []tollgate.SigningKey) []tollgate.SigningKey {
	ctx := context.Background()
	var seen []tollgate.SigningKey
	active, next := first[0], first[1]
	// Rotation, given newest first: the keys list oldest first, and keys
	// created together (k1, k2) in the order given.
	retired := active
	retired.State, retired.ExpiresAt = tollgate.KeyRetired, at(2*time.Hour)
	promoted := next
	promoted.State, promoted.ActivatedAt = tollgate.KeyActive, at(time.Hour)
	newNext := newKey(poolID, "k3", tollgate.KeyNext, at(time.Hour))
	rotated := []tollgate.SigningKey{retired, promoted, newNext}
	keys, err := s.UpdateSigningKeys(ctx, poolID, replaceKeys(&seen, []tollgate.SigningKey{newNext, retired, promoted}))
	wantNoError(t, "UpdateSigningKeys (rotate)", err)
	wantEqual(t, "fn's keys", seen, first)
	wantEqual(t, "UpdateSigningKeys (rotate)", keys, rotated)

	// Keys absent from the new set are deleted.
	keys, err = s.UpdateSigningKeys(ctx, poolID, replaceKeys(&seen, []tollgate.SigningKey{promoted, newNext}))
	wantNoError(t, "UpdateSigningKeys (drop expired)", err)
	wantEqual(t, "fn's keys after rotation", seen, rotated)
	wantEqual(t, "UpdateSigningKeys (drop expired)", keys, []tollgate.SigningKey{promoted, newNext})

	return []tollgate.SigningKey{promoted, newNext}
}

// checkOtherPoolKeys checks that another pool's keys are its own, and that
// an empty set deletes them all.
func checkOtherPoolKeys(t *testing.T, s tollgate.Store, otherID, poolID string, poolKeys []tollgate.SigningKey) {
	ctx := context.Background()
	var seen []tollgate.SigningKey
	otherKey := newKey(otherID, "k1", tollgate.KeyActive, t0) // a KID is unique within its pool
	_, err := s.UpdateSigningKeys(ctx, otherID, replaceKeys(&seen, []tollgate.SigningKey{otherKey}))
	wantNoError(t, "UpdateSigningKeys of another pool", err)
	wantEqual(t, "fn's keys of another pool", seen, []tollgate.SigningKey{})
	keys, err := s.ListSigningKeys(ctx, poolID)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "ListSigningKeys after another pool's update", keys, poolKeys)

	// An empty, non-nil set deletes every key.
	keys, err = s.UpdateSigningKeys(ctx, otherID, replaceKeys(&seen, []tollgate.SigningKey{}))
	wantNoError(t, "UpdateSigningKeys (empty set)", err)
	wantEqual(t, "UpdateSigningKeys (empty set)", keys, []tollgate.SigningKey{})

}

// checkMissingPoolKeys checks that a missing pool has no keys and gets
// none.
func checkMissingPoolKeys(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	missing := newPool("missing").ID
	called := false
	_, err := s.UpdateSigningKeys(ctx, missing, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		called = true
		return nil, nil
	})
	wantKind(t, "UpdateSigningKeys of a missing pool", err, tollgate.KindNotFound)
	if called {
		t.Error("UpdateSigningKeys of a missing pool called fn")
	}
	keys, err := s.ListSigningKeys(ctx, missing)
	wantNoError(t, "ListSigningKeys of a missing pool", err)
	wantEqual(t, "ListSigningKeys of a missing pool", keys, []tollgate.SigningKey{})
}

var errBoom = errors.New("boom")

// testSigningKeysRollback checks that nothing is written when fn fails or
// returns keys the store refuses.
func testSigningKeysRollback(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	pool := mustCreatePool(t, s, "pool")
	var seen []tollgate.SigningKey
	initial := []tollgate.SigningKey{newKey(pool.ID, "k1", tollgate.KeyActive, t0), newKey(pool.ID, "k2", tollgate.KeyNext, t0)}
	_, err := s.UpdateSigningKeys(ctx, pool.ID, replaceKeys(&seen, initial))
	wantNoError(t, "UpdateSigningKeys", err)
	g0, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)

	fnErr := fmt.Errorf("generate key: %w", errBoom)
	_, err = s.UpdateSigningKeys(ctx, pool.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
		return []tollgate.SigningKey{newKey(pool.ID, "k3", tollgate.KeyNext, t0)}, fnErr
	})
	if err != fnErr || !errors.Is(err, errBoom) { //nolint:errorlint // the contract is fn's error itself, unwrapped
		t.Errorf("UpdateSigningKeys returned %v, want fn's error unchanged (%v)", err, fnErr)
	}

	refused := []struct {
		name string
		keys []tollgate.SigningKey
	}{
		{"another pool's key", []tollgate.SigningKey{newKey(newPool("x").ID, "k3", tollgate.KeyNext, t0)}},
		{"a KID twice", []tollgate.SigningKey{newKey(pool.ID, "k3", tollgate.KeyNext, t0), newKey(pool.ID, "k3", tollgate.KeyActive, t0)}},
		{"no KID", []tollgate.SigningKey{newKey(pool.ID, "", tollgate.KeyNext, t0)}},
	}
	for _, tt := range refused {
		_, err := s.UpdateSigningKeys(ctx, pool.ID, replaceKeys(&seen, tt.keys))
		wantKind(t, "UpdateSigningKeys with "+tt.name, err, tollgate.KindInvalid)
	}

	keys, err := s.ListSigningKeys(ctx, pool.ID)
	wantNoError(t, "ListSigningKeys", err)
	wantEqual(t, "keys after failed updates", keys, initial)
	g1, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	if g1 != g0 {
		t.Errorf("generation went from %d to %d over failed updates", g0, g1)
	}
}
