package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tollgate/tollgate"
)

// Reseal calls fn for every sealed value (see tollgate.Store): client
// secrets, access keys and API keys one at a time, each in an update transaction
// that reads the row again once it holds the write lock, so that a value
// deleted meanwhile is skipped and none is written over a newer one; a
// pool's signing keys together under the pool's key lock
// (UpdateSigningKeys), which is how every writer changes them. A value fn
// leaves unchanged writes nothing and does not move the generation.
func (s *Store) Reseal(ctx context.Context, fn func(v *tollgate.SealedValue) (bool, error)) (int, error) {
	r := resealer{s: s, fn: fn}
	for _, step := range []func(context.Context) error{r.clientSecrets, r.signingKeys, r.accessKeys, r.apiKeys} {
		if err := step(ctx); err != nil {
			if r.fnErr != nil {
				return r.written, r.fnErr
			}
			return r.written, err
		}
	}
	return r.written, nil
}

// resealer is one run of Reseal.
type resealer struct {
	s       *Store
	fn      func(v *tollgate.SealedValue) (bool, error)
	written int
	fnErr   error // fn's error, which Reseal returns as it is
}

// call calls fn, keeping its error.
func (r *resealer) call(v *tollgate.SealedValue) (bool, error) {
	changed, err := r.fn(v)
	if err != nil {
		r.fnErr = err
	}
	return changed, err
}

// ref names a row: its owner (a client id; empty for an access key) and id.
type ref struct{ owner, id string }

func scanRef(sc scanner) (ref, error) {
	var r ref
	err := sc.Scan(&r.owner, &r.id)
	return r, err
}

func (r *resealer) clientSecrets(ctx context.Context) error {
	return r.each(ctx, "list client secrets", `SELECT client_id, id FROM client_secrets ORDER BY client_id, id`,
		tollgate.SealedClientSecret, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			return tx.QueryRowContext(ctx, `SELECT sealed, hash FROM client_secrets WHERE client_id = $1 AND id = $2`,
				v.Owner, v.ID).Scan(&v.Sealed, &v.Hash)
		}, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			_, err := tx.ExecContext(ctx, `UPDATE client_secrets SET sealed = $3, hash = $4 WHERE client_id = $1 AND id = $2`,
				v.Owner, v.ID, nonNil(v.Sealed), nonNil(v.Hash))
			return err
		})
}

func (r *resealer) accessKeys(ctx context.Context) error {
	return r.each(ctx, "list access keys", `SELECT '', id FROM access_keys ORDER BY id`,
		tollgate.SealedAccessKey, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			return tx.QueryRowContext(ctx, `SELECT sealed FROM access_keys WHERE id = $1`, v.ID).Scan(&v.Sealed)
		}, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			_, err := tx.ExecContext(ctx, `UPDATE access_keys SET sealed = $2 WHERE id = $1`, v.ID, nonNil(v.Sealed))
			return err
		})
}

// apiKeys reseals each API key's value and its hash, which the gateway
// finds the key by.
func (r *resealer) apiKeys(ctx context.Context) error {
	return r.each(ctx, "list API keys", `SELECT '', id FROM api_keys ORDER BY id`,
		tollgate.SealedAPIKey, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			return tx.QueryRowContext(ctx, `SELECT sealed, hash FROM api_keys WHERE id = $1`, v.ID).Scan(&v.Sealed, &v.Hash)
		}, func(tx *sql.Tx, v *tollgate.SealedValue) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_keys SET sealed = $2, hash = $3 WHERE id = $1`,
				v.ID, nonNil(v.Sealed), nonNil(v.Hash))
			return r.s.constraint(err, tollgate.Errorf(tollgate.KindConflict, "API key %q: another key has its value's new hash", v.ID), nil)
		})
}

// each reseals, one at a time (one), the values of kind whose rows list
// (a query of owner and id; op names it in errors) finds: read fills v
// from its row, write stores it.
func (r *resealer) each(ctx context.Context, op, list string, kind tollgate.SealedKind, read, write func(*sql.Tx, *tollgate.SealedValue) error) error {
	refs, err := queryAll(ctx, r.s.read, op, scanRef, list)
	if err != nil {
		return err
	}
	for _, at := range refs {
		v := &tollgate.SealedValue{Kind: kind, Owner: at.owner, ID: at.id}
		err := r.one(ctx, v, func(tx *sql.Tx) error { return read(tx, v) }, func(tx *sql.Tx) error { return write(tx, v) })
		if err != nil {
			return err
		}
	}
	return nil
}

// one reseals the value v names in its own update transaction: read fills
// v from its row (sql.ErrNoRows: the row is gone), fn may change it, and
// write stores it.
func (r *resealer) one(ctx context.Context, v *tollgate.SealedValue, read, write func(*sql.Tx) error) error {
	changed := false
	err := r.s.change(ctx, "reseal "+v.String(), resealChange(v), func(tx *sql.Tx) error {
		err := read(tx)
		if errors.Is(err, sql.ErrNoRows) {
			return errUnchanged // deleted since it was listed: nothing to do
		}
		if err != nil {
			return err
		}
		if changed, err = r.call(v); err != nil {
			return err
		}
		if !changed {
			return errUnchanged
		}
		return write(tx)
	})
	if err == nil && changed {
		r.written++
	}
	return err
}

// signingKeys reseals each pool's signing keys in one UpdateSigningKeys,
// which writes only when one of them changed.
func (r *resealer) signingKeys(ctx context.Context) error {
	pools, err := queryAll(ctx, r.s.read, "list pools with signing keys", func(sc scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}, `SELECT DISTINCT pool_id FROM signing_keys ORDER BY pool_id`)
	if err != nil {
		return err
	}
	for _, poolID := range pools {
		n := 0
		_, err := r.s.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
			n = 0
			for i := range current {
				k := &current[i]
				v := &tollgate.SealedValue{Kind: tollgate.SealedSigningKey, Owner: poolID, ID: k.KID, Sealed: k.Sealed}
				changed, err := r.call(v)
				if err != nil {
					return nil, err
				}
				if changed {
					k.Sealed = v.Sealed
					n++
				}
			}
			if n == 0 {
				return nil, nil // nothing to write
			}
			return current, nil
		})
		if tollgate.IsNotFound(err) {
			continue // the pool was deleted since it was listed
		}
		if err != nil {
			return err
		}
		r.written += n
	}
	return nil
}

// resealChange is what re-sealing v changes, for the change feed: its
// client (whose secret hash other nodes must reload), its access key or
// its API key (whose hash the gateway finds it by).
// Signing keys are re-sealed through UpdateSigningKeys, which records its
// own change.
func resealChange(v *tollgate.SealedValue) tollgate.Change {
	switch v.Kind {
	case tollgate.SealedClientSecret:
		return tollgate.Change{Kind: tollgate.ChangeClient, ID: v.Owner}
	case tollgate.SealedAPIKey:
		return tollgate.Change{Kind: tollgate.ChangeAPIKey, ID: v.ID}
	}
	return tollgate.Change{Kind: tollgate.ChangeAccessKey, ID: v.ID}
}
