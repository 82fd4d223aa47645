package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tollgate/tollgate"
)

const signingKeyColumns = `pool_id, kid, alg, state, public, sealed, created_at, activated_at, expires_at`

// listSigningKeys returns the pool's keys, oldest first, and among keys
// created together in the order they were written.
func listSigningKeys(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, poolID string) ([]tollgate.SigningKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys
		WHERE pool_id = $1 ORDER BY created_at, position`, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []tollgate.SigningKey{}
	for rows.Next() {
		var k tollgate.SigningKey
		err := rows.Scan(&k.PoolID, &k.KID, &k.Algorithm, &k.State, &k.Public, &k.Sealed,
			(*dbTime)(&k.CreatedAt), (*dbTime)(&k.ActivatedAt), (*dbTime)(&k.ExpiresAt))
		if err != nil {
			return nil, err
		}
		k.Public, k.Sealed = nonNil(k.Public), nonNil(k.Sealed)
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// ListSigningKeys returns the pool's keys, oldest first; none for a pool
// that does not exist.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]tollgate.SigningKey, error) {
	keys, err := listSigningKeys(ctx, s.read, poolID)
	return keys, wrap(err, "list signing keys of pool "+poolID)
}

// UpdateSigningKeys runs fn while holding the pool's key lock (see
// tollgate.Store). When fn returns a non-nil slice, the pool's keys become
// exactly that set: the stored keys are deleted and the new set inserted in
// the same transaction, which has the effect of an upsert by KID that
// removes the absent keys. A key's PoolID may be empty (it is the pool's) but
// must not name another pool. An error from fn is returned unchanged.
//
// fn runs inside a write transaction (on SQLite, holding the file's write
// lock), so it must be quick and must not use the store.
func (s *Store) UpdateSigningKeys(ctx context.Context, poolID string, fn func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error)) ([]tollgate.SigningKey, error) {
	var (
		result []tollgate.SigningKey
		fnErr  error
		wrote  bool
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.d.lockKeys(ctx, tx, poolID); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pools WHERE id = $1)`, poolID).Scan(&exists); err != nil {
			return fmt.Errorf("read pool: %w", err)
		}
		if !exists {
			return tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", poolID)
		}
		current, err := listSigningKeys(ctx, tx, poolID)
		if err != nil {
			return fmt.Errorf("read signing keys: %w", err)
		}
		next, err := fn(current)
		if err != nil {
			fnErr = err
			return err
		}
		if next == nil {
			result = current
			return nil
		}
		if err := checkKeys(poolID, next); err != nil {
			return err
		}
		gen, err := bumpGeneration(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.replaceKeys(ctx, tx, poolID, next); err != nil {
			return err
		}
		if err := s.record(ctx, tx, gen, tollgate.Change{Kind: tollgate.ChangeSigningKeys, ID: poolID, PoolID: poolID}); err != nil {
			return err
		}
		result, err = listSigningKeys(ctx, tx, poolID)
		wrote = err == nil
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, wrap(err, "update signing keys of pool "+poolID)
	}
	if wrote {
		s.committed()
	}
	return result, nil
}

// checkKeys returns a KindInvalid error unless every key has a KID unique in
// keys and belongs to the pool.
func checkKeys(poolID string, keys []tollgate.SigningKey) error {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		switch {
		case k.KID == "":
			return tollgate.Errorf(tollgate.KindInvalid, "a signing key of pool %q has no key id", poolID)
		case seen[k.KID]:
			return tollgate.Errorf(tollgate.KindInvalid, "signing key %q appears twice", k.KID)
		case k.PoolID != "" && k.PoolID != poolID:
			return tollgate.Errorf(tollgate.KindInvalid, "signing key %q belongs to pool %q, not %q", k.KID, k.PoolID, poolID)
		}
		seen[k.KID] = true
	}
	return nil
}

func (s *Store) replaceKeys(ctx context.Context, tx *sql.Tx, poolID string, keys []tollgate.SigningKey) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signing_keys WHERE pool_id = $1`, poolID); err != nil {
		return fmt.Errorf("delete signing keys: %w", err)
	}
	for i, k := range keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			poolID, k.KID, k.Algorithm, k.State, nonNil(k.Public), nonNil(k.Sealed),
			s.d.time(k.CreatedAt), s.nullTimeArg(k.ActivatedAt), s.nullTimeArg(k.ExpiresAt), i)
		if err != nil {
			return fmt.Errorf("insert signing key %q: %w", k.KID, err)
		}
	}
	return nil
}
