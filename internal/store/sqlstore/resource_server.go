package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/tollgate/tollgate"
)

const resourceServerColumns = `pool_id, identifier, name, scopes, config_key, created_at, updated_at`

// scopeJSON is a Scope as stored in the scopes column.
type scopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func encodeScopes(scopes []tollgate.Scope) (string, error) {
	out := make([]scopeJSON, len(scopes))
	for i, sc := range scopes {
		out[i] = scopeJSON(sc)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeScopes(s string) ([]tollgate.Scope, error) {
	var in []scopeJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode scopes: %w", err)
	}
	out := make([]tollgate.Scope, len(in))
	for i, sc := range in {
		out[i] = tollgate.Scope(sc)
	}
	return out, nil
}

func scanResourceServer(sc scanner) (*tollgate.ResourceServer, error) {
	var (
		rs     tollgate.ResourceServer
		scopes string
	)
	err := sc.Scan(&rs.PoolID, &rs.Identifier, &rs.Name, &scopes, &rs.ConfigKey,
		(*dbTime)(&rs.CreatedAt), (*dbTime)(&rs.UpdatedAt))
	if err != nil {
		return nil, err
	}
	if rs.Scopes, err = decodeScopes(scopes); err != nil {
		return nil, err
	}
	return &rs, nil
}

// PutResourceServer creates the resource server, or replaces the one with
// the same pool and identifier, keeping its CreatedAt. Creating one in a pool
// that has MaxResourceServersPerPool already is refused; the count and the
// write cannot race with another writer: change serialises writers.
func (s *Store) PutResourceServer(ctx context.Context, rs *tollgate.ResourceServer) error {
	return s.insertResourceServer(ctx, "put resource server "+rs.Identifier, rs, resourceServerInsert+`
			ON CONFLICT (pool_id, identifier) DO UPDATE SET
				name = excluded.name, scopes = excluded.scopes,
				config_key = excluded.config_key, updated_at = excluded.updated_at`)
}

// CreateResourceServer creates the resource server; KindConflict when the
// pool has its identifier already (the primary key decides, in the
// writing transaction), or when the pool is full.
func (s *Store) CreateResourceServer(ctx context.Context, rs *tollgate.ResourceServer) error {
	return s.insertResourceServer(ctx, "create resource server "+rs.Identifier, rs, resourceServerInsert)
}

// resourceServerInsert is the INSERT of a resource server's columns.
const resourceServerInsert = `INSERT INTO resource_servers (` + resourceServerColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`

// insertResourceServer runs query, resourceServerInsert perhaps followed by
// an ON CONFLICT clause, on rs after the quota check.
func (s *Store) insertResourceServer(ctx context.Context, op string, rs *tollgate.ResourceServer, query string) error {
	scopes, err := encodeScopes(rs.Scopes)
	if err != nil {
		return wrap(err, op)
	}
	return s.change(ctx, op, tollgate.Change{Kind: tollgate.ChangeResourceServers, ID: rs.PoolID, PoolID: rs.PoolID}, func(tx *sql.Tx) error {
		if err := checkResourceServerQuota(ctx, tx, rs); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, query,
			rs.PoolID, rs.Identifier, rs.Name, scopes, rs.ConfigKey, s.d.time(rs.CreatedAt), s.d.time(rs.UpdatedAt))
		if err != nil {
			return s.constraint(err,
				tollgate.Errorf(tollgate.KindConflict, "resource server %q already exists in pool %q", rs.Identifier, rs.PoolID),
				tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", rs.PoolID))
		}
		return nil
	})
}

// UpdateResourceServer replaces the Name, Scopes and UpdatedAt of an
// existing resource server, if its owner is owner's.
func (s *Store) UpdateResourceServer(ctx context.Context, rs *tollgate.ResourceServer, owner tollgate.Owner) error {
	op := "update resource server " + rs.Identifier
	scopes, err := encodeScopes(rs.Scopes)
	if err != nil {
		return wrap(err, op)
	}
	return s.change(ctx, op, tollgate.Change{Kind: tollgate.ChangeResourceServers, ID: rs.PoolID, PoolID: rs.PoolID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE resource_servers SET name = $3, scopes = $4, updated_at = $5
			WHERE pool_id = $1 AND identifier = $2 AND config_key = COALESCE($6, config_key)`,
			rs.PoolID, rs.Identifier, rs.Name, scopes, s.d.time(rs.UpdatedAt), ownerArg(owner))
		if err != nil {
			return err
		}
		return mustAffectOwned(ctx, tx, res, resourceServerMissing(rs.PoolID, rs.Identifier),
			resourceServerOwner, rs.PoolID, rs.Identifier)
	})
}

// resourceServerOwner reads a resource server's owner (mustAffectOwned).
const resourceServerOwner = `SELECT config_key FROM resource_servers WHERE pool_id = $1 AND identifier = $2`

// resourceServerMissing is the error for a resource server that does not
// exist.
func resourceServerMissing(poolID, identifier string) func() error {
	return func() error {
		return tollgate.Errorf(tollgate.KindNotFound, "resource server %q not found in pool %q", identifier, poolID)
	}
}

// GetResourceServer returns the pool's resource server with the given
// identifier.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*tollgate.ResourceServer, error) {
	return queryOne(ctx, s.read, "get resource server "+identifier, scanResourceServer,
		resourceServerMissing(poolID, identifier),
		`SELECT `+resourceServerColumns+` FROM resource_servers WHERE pool_id = $1 AND identifier = $2`, poolID, identifier)
}

// ListResourceServers returns the pool's resource servers, by identifier;
// none for a pool that does not exist; all pools' (by pool, then
// identifier) when poolID is empty.
func (s *Store) ListResourceServers(ctx context.Context, poolID string) ([]*tollgate.ResourceServer, error) {
	return queryAll(ctx, s.read, "list resource servers", scanResourceServer,
		`SELECT `+resourceServerColumns+` FROM resource_servers WHERE pool_id = $1 OR $1 = '' ORDER BY pool_id, identifier`, poolID)
}

// DeleteResourceServer deletes the pool's resource server with the given
// identifier, if its owner is owner's.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string, owner tollgate.Owner) error {
	return s.deleteOwned(ctx, "delete resource server "+identifier, tollgate.Change{Kind: tollgate.ChangeResourceServers, ID: poolID, PoolID: poolID},
		resourceServerMissing(poolID, identifier),
		owner, `DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2 AND config_key = COALESCE($3, config_key)`,
		resourceServerOwner, poolID, identifier)
}

// checkResourceServerQuota refuses a new resource server in a pool that has
// MaxResourceServersPerPool already; replacing one is always allowed.
func checkResourceServerQuota(ctx context.Context, tx *sql.Tx, rs *tollgate.ResourceServer) error {
	var n, same int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN identifier = $2 THEN 1 END)
		FROM resource_servers WHERE pool_id = $1`, rs.PoolID, rs.Identifier).Scan(&n, &same)
	if err != nil {
		return fmt.Errorf("count resource servers: %w", err)
	}
	if same == 0 && n >= tollgate.MaxResourceServersPerPool {
		return tollgate.LimitErrorf("pool %q already has %d resource servers, the most a pool may have", rs.PoolID, n)
	}
	return nil
}
