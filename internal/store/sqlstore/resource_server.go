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
// write cannot race with another writer: update serialises writers.
func (s *Store) PutResourceServer(ctx context.Context, rs *tollgate.ResourceServer) error {
	scopes, err := encodeScopes(rs.Scopes)
	if err != nil {
		return wrap(err, "put resource server "+rs.Identifier)
	}
	return s.change(ctx, "put resource server "+rs.Identifier, tollgate.Change{Kind: tollgate.ChangeResourceServers, ID: rs.PoolID, PoolID: rs.PoolID}, func(tx *sql.Tx) error {
		if err := checkResourceServerQuota(ctx, tx, rs); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO resource_servers (`+resourceServerColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (pool_id, identifier) DO UPDATE SET
				name = excluded.name, scopes = excluded.scopes,
				config_key = excluded.config_key, updated_at = excluded.updated_at`,
			rs.PoolID, rs.Identifier, rs.Name, scopes, rs.ConfigKey, s.d.time(rs.CreatedAt), s.d.time(rs.UpdatedAt))
		if err != nil {
			return s.constraint(err, nil, tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", rs.PoolID))
		}
		return nil
	})
}

// GetResourceServer returns the pool's resource server with the given
// identifier.
func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*tollgate.ResourceServer, error) {
	return queryOne(ctx, s.read, "get resource server "+identifier, scanResourceServer,
		func() error {
			return tollgate.Errorf(tollgate.KindNotFound, "resource server %q not found in pool %q", identifier, poolID)
		},
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
// identifier.
func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	return s.deleteRow(ctx, "delete resource server "+identifier, tollgate.Change{Kind: tollgate.ChangeResourceServers, ID: poolID, PoolID: poolID},
		func() error {
			return tollgate.Errorf(tollgate.KindNotFound, "resource server %q not found in pool %q", identifier, poolID)
		},
		`DELETE FROM resource_servers WHERE pool_id = $1 AND identifier = $2`, poolID, identifier)
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
