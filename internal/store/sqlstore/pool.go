package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tollgate/tollgate"
)

const poolColumns = `id, name, region, config_key, created_at, updated_at,
	pre_token_generation_arn, pre_token_generation_version, token_limits, oauth`

func scanPool(sc scanner) (*tollgate.UserPool, error) {
	var p tollgate.UserPool
	var arn, version, limits, oauth sql.NullString
	err := sc.Scan(&p.ID, &p.Name, &p.Region, &p.ConfigKey, (*dbTime)(&p.CreatedAt), (*dbTime)(&p.UpdatedAt), &arn, &version, &limits, &oauth)
	if err != nil {
		return nil, err
	}
	if arn.Valid {
		p.PreTokenGeneration = &tollgate.LambdaTrigger{LambdaARN: arn.String, LambdaVersion: version.String}
	}
	l, err := decodeTokenLimits(limits)
	if err != nil {
		return nil, fmt.Errorf("pool %s: %w", p.ID, err)
	}
	if l != nil { // NULL: none set, or a pool older than the column
		p.TokenLimits = *l
	}
	if p.OAuth, err = decodePoolOAuth(oauth); err != nil { // NULL: Cognito's
		return nil, fmt.Errorf("pool %s: %w", p.ID, err)
	}
	return &p, nil
}

// triggerArgs encodes a pool's trigger for its two nullable columns: both
// NULL when t is nil.
func triggerArgs(t *tollgate.LambdaTrigger) (arn, version sql.NullString) {
	if t == nil {
		return arn, version
	}
	return sql.NullString{String: t.LambdaARN, Valid: true}, sql.NullString{String: t.LambdaVersion, Valid: true}
}

// CreatePool stores a new pool; KindConflict if its id or name is taken.
func (s *Store) CreatePool(ctx context.Context, p *tollgate.UserPool) error {
	limits, err := poolTokenLimits(p.TokenLimits)
	if err != nil {
		return wrap(err, "create pool "+p.ID)
	}
	oauth, err := encodePoolOAuth(p.OAuth)
	if err != nil {
		return wrap(err, "create pool "+p.ID)
	}
	return s.change(ctx, "create pool "+p.ID, tollgate.Change{Kind: tollgate.ChangePool, ID: p.ID, PoolID: p.ID}, func(tx *sql.Tx) error {
		arn, version := triggerArgs(p.PreTokenGeneration)
		_, err := tx.ExecContext(ctx, `INSERT INTO pools (`+poolColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			p.ID, p.Name, p.Region, p.ConfigKey, s.d.time(p.CreatedAt), s.d.time(p.UpdatedAt), arn, version, limits, oauth)
		if err != nil {
			return s.constraint(err,
				tollgate.Errorf(tollgate.KindConflict, "a pool with id %q or name %q already exists", p.ID, p.Name), nil)
		}
		return nil
	})
}

// GetPool returns the pool with the given id.
func (s *Store) GetPool(ctx context.Context, id string) (*tollgate.UserPool, error) {
	return queryOne(ctx, s.read, "get pool "+id, scanPool,
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", id) },
		`SELECT `+poolColumns+` FROM pools WHERE id = $1`, id)
}

// ListPools returns every pool, by name.
func (s *Store) ListPools(ctx context.Context) ([]*tollgate.UserPool, error) {
	return queryAll(ctx, s.read, "list pools", scanPool, `SELECT `+poolColumns+` FROM pools ORDER BY name`)
}

// UpdatePool updates the pool's Name, ConfigKey, PreTokenGeneration,
// TokenLimits, OAuth and UpdatedAt, if its owner is owner's.
func (s *Store) UpdatePool(ctx context.Context, p *tollgate.UserPool, owner tollgate.Owner) error {
	limits, err := poolTokenLimits(p.TokenLimits)
	if err != nil {
		return wrap(err, "update pool "+p.ID)
	}
	oauth, err := encodePoolOAuth(p.OAuth)
	if err != nil {
		return wrap(err, "update pool "+p.ID)
	}
	return s.change(ctx, "update pool "+p.ID, tollgate.Change{Kind: tollgate.ChangePool, ID: p.ID, PoolID: p.ID}, func(tx *sql.Tx) error {
		arn, version := triggerArgs(p.PreTokenGeneration)
		res, err := tx.ExecContext(ctx, `UPDATE pools SET name = $2, config_key = $3, updated_at = $4,
				pre_token_generation_arn = $5, pre_token_generation_version = $6, token_limits = $8, oauth = $9
			WHERE id = $1 AND config_key = COALESCE($7, config_key)`,
			p.ID, p.Name, p.ConfigKey, s.d.time(p.UpdatedAt), arn, version, ownerArg(owner), limits, oauth)
		if err != nil {
			return s.constraint(err,
				tollgate.Errorf(tollgate.KindConflict, "a pool named %q already exists", p.Name), nil)
		}
		return mustAffectOwned(ctx, tx, res, func() error { return tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", p.ID) },
			poolOwner, p.ID)
	})
}

// DeletePool deletes the pool and, by cascade, everything it owns, if its
// owner is owner's.
func (s *Store) DeletePool(ctx context.Context, id string, owner tollgate.Owner) error {
	missing := func() error { return tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", id) }
	return s.change(ctx, "delete pool "+id, tollgate.Change{Kind: tollgate.ChangePool, ID: id, PoolID: id}, func(tx *sql.Tx) error {
		if !owner.Any {
			if err := handDeletable(ctx, tx, id, owner, missing); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM pools WHERE id = $1 AND config_key = COALESCE($2, config_key)`, id, ownerArg(owner))
		if err != nil {
			return err
		}
		return mustAffectOwned(ctx, tx, res, missing, poolOwner, id)
	})
}

// poolOwner reads a pool's owner (ownerOf).
const poolOwner = `SELECT config_key FROM pools WHERE id = $1`

// handDeletable returns nil when a writer by hand expecting owner may
// delete the pool id: it is owner's (else an *tollgate.OwnerError, as
// mustAffectOwned words it) and has no domain (else ErrPoolHasDomain).
// Writers are serialised on the generation row, taken first, so nothing
// changes between these reads and the delete.
func handDeletable(ctx context.Context, tx *sql.Tx, id string, owner tollgate.Owner, missing func() error) error {
	key, err := ownerOf(ctx, tx, missing, poolOwner, id)
	if err != nil {
		return err
	}
	if key != owner.ConfigKey {
		return ownerConflict(key)
	}
	var has bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM domains WHERE pool_id = $1)`, id).Scan(&has); err != nil {
		return fmt.Errorf("read domains: %w", err)
	}
	if has {
		e := tollgate.Errorf(tollgate.KindInvalid, "pool %s has a domain: delete it first", id)
		e.Cause = tollgate.ErrPoolHasDomain
		return e
	}
	return nil
}
