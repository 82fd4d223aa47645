package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tollgate/tollgate"
)

// clientQuery selects clients joined with their secrets: one row per
// secret, or one row with NULL secret columns for a client without any.
const clientQuery = `SELECT c.id, c.pool_id, c.name, c.allowed_oauth_flows, c.allowed_oauth_scopes,
	c.access_token_validity, c.access_token_validity_unit,
	c.id_token_validity, c.id_token_validity_unit,
	c.refresh_token_validity, c.refresh_token_validity_unit,
	c.config_key, c.created_at, c.updated_at, c.explicit_auth_flows,
	s.id, s.hash, s.sealed, s.created_at
FROM clients c LEFT JOIN client_secrets s ON s.client_id = c.id`

// clientOrder keeps each client's rows together, its secrets oldest first.
const clientOrder = ` ORDER BY c.name, c.pool_id, c.id, s.created_at, s.id`

// scanClients reads clientQuery's rows into clients, in row order.
func scanClients(rows *sql.Rows) ([]*tollgate.Client, error) {
	defer rows.Close()
	clients := []*tollgate.Client{}
	var c *tollgate.Client
	for rows.Next() {
		var (
			row           tollgate.Client
			flows, scopes string
			authFlows     sql.NullString
			secretID      sql.NullString
			secret        tollgate.ClientSecret
		)
		err := rows.Scan(&row.ID, &row.PoolID, &row.Name, &flows, &scopes,
			&row.AccessTokenValidity.Value, &row.AccessTokenValidity.Unit,
			&row.IDTokenValidity.Value, &row.IDTokenValidity.Unit,
			&row.RefreshTokenValidity.Value, &row.RefreshTokenValidity.Unit,
			&row.ConfigKey, (*dbTime)(&row.CreatedAt), (*dbTime)(&row.UpdatedAt), &authFlows,
			&secretID, &secret.Hash, &secret.Sealed, (*dbTime)(&secret.CreatedAt))
		if err != nil {
			return nil, err
		}
		if c == nil || c.ID != row.ID {
			c = &row
			if c.AllowedOAuthFlows, err = decodeStrings(flows); err != nil {
				return nil, err
			}
			if c.AllowedOAuthScopes, err = decodeStrings(scopes); err != nil {
				return nil, err
			}
			if authFlows.Valid { // NULL: never set
				if c.ExplicitAuthFlows, err = decodeStrings(authFlows.String); err != nil {
					return nil, err
				}
			}
			c.Secrets = []tollgate.ClientSecret{}
			clients = append(clients, c)
		}
		if secretID.Valid {
			secret.ID = secretID.String
			secret.Hash, secret.Sealed = nonNil(secret.Hash), nonNil(secret.Sealed)
			c.Secrets = append(c.Secrets, secret)
		}
	}
	return clients, rows.Err()
}

// CreateClient stores a new client with its secrets, unless its pool
// already has MaxClientsPerPool clients. The count and the insert cannot race
// with another writer: update serialises writers.
func (s *Store) CreateClient(ctx context.Context, c *tollgate.Client) error {
	if len(c.Secrets) > tollgate.MaxClientSecrets {
		return tollgate.LimitErrorf("a client may have at most %d secrets, got %d", tollgate.MaxClientSecrets, len(c.Secrets))
	}
	flows, scopes, authFlows, err := encodeClientLists(c)
	if err != nil {
		return wrap(err, "create client "+c.ID)
	}
	return s.change(ctx, "create client "+c.ID, tollgate.Change{Kind: tollgate.ChangeClient, ID: c.ID, PoolID: c.PoolID}, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients WHERE pool_id = $1`, c.PoolID).Scan(&n); err != nil {
			return fmt.Errorf("count clients: %w", err)
		}
		if n >= tollgate.MaxClientsPerPool {
			return tollgate.LimitErrorf("pool %q already has %d clients, the most a pool may have", c.PoolID, n)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO clients (id, pool_id, name, allowed_oauth_flows, allowed_oauth_scopes,
				access_token_validity, access_token_validity_unit,
				id_token_validity, id_token_validity_unit,
				refresh_token_validity, refresh_token_validity_unit,
				config_key, created_at, updated_at, explicit_auth_flows)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			c.ID, c.PoolID, c.Name, flows, scopes,
			c.AccessTokenValidity.Value, c.AccessTokenValidity.Unit,
			c.IDTokenValidity.Value, c.IDTokenValidity.Unit,
			c.RefreshTokenValidity.Value, c.RefreshTokenValidity.Unit,
			c.ConfigKey, s.d.time(c.CreatedAt), s.d.time(c.UpdatedAt), authFlows)
		if err != nil {
			return s.constraint(err,
				tollgate.Errorf(tollgate.KindConflict, "a client with id %q, or named %q in pool %q, already exists", c.ID, c.Name, c.PoolID),
				tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", c.PoolID))
		}
		for _, secret := range c.Secrets {
			if err := s.insertSecret(ctx, tx, c.ID, secret); err != nil {
				return err
			}
		}
		return nil
	})
}

// encodeClientLists encodes the client's lists for their columns;
// authFlows is NULL (nil) when ExplicitAuthFlows was never set.
func encodeClientLists(c *tollgate.Client) (flows, scopes string, authFlows any, err error) {
	if flows, err = encodeStrings(c.AllowedOAuthFlows); err != nil {
		return "", "", nil, err
	}
	if scopes, err = encodeStrings(c.AllowedOAuthScopes); err != nil {
		return "", "", nil, err
	}
	if c.ExplicitAuthFlows != nil {
		if authFlows, err = encodeStrings(c.ExplicitAuthFlows); err != nil {
			return "", "", nil, err
		}
	}
	return flows, scopes, authFlows, nil
}

func (s *Store) insertSecret(ctx context.Context, tx *sql.Tx, clientID string, secret tollgate.ClientSecret) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO client_secrets (client_id, id, hash, sealed, created_at) VALUES ($1, $2, $3, $4, $5)`,
		clientID, secret.ID, nonNil(secret.Hash), nonNil(secret.Sealed), s.d.time(secret.CreatedAt))
	if err != nil {
		return s.constraint(err,
			tollgate.Errorf(tollgate.KindConflict, "client %q already has a secret with id %q", clientID, secret.ID),
			tollgate.Errorf(tollgate.KindNotFound, "client %q not found", clientID))
	}
	return nil
}

// GetClient returns the client with its secrets, whatever its pool.
func (s *Store) GetClient(ctx context.Context, id string) (*tollgate.Client, error) {
	rows, err := s.read.QueryContext(ctx, clientQuery+` WHERE c.id = $1`+clientOrder, id)
	if err != nil {
		return nil, wrap(err, "get client "+id)
	}
	clients, err := scanClients(rows)
	if err != nil {
		return nil, wrap(err, "get client "+id)
	}
	if len(clients) == 0 {
		return nil, tollgate.Errorf(tollgate.KindNotFound, "client %q not found", id)
	}
	return clients[0], nil
}

// ListClients returns a pool's clients with their secrets, by name; all
// pools' clients (by name, then pool id) when poolID is empty.
func (s *Store) ListClients(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	rows, err := s.read.QueryContext(ctx, clientQuery+` WHERE c.pool_id = $1 OR $1 = ''`+clientOrder, poolID)
	if err != nil {
		return nil, wrap(err, "list clients")
	}
	clients, err := scanClients(rows)
	return clients, wrap(err, "list clients")
}

// UpdateClient updates everything but the client's ID, PoolID, CreatedAt and
// Secrets.
func (s *Store) UpdateClient(ctx context.Context, c *tollgate.Client) error {
	flows, scopes, authFlows, err := encodeClientLists(c)
	if err != nil {
		return wrap(err, "update client "+c.ID)
	}
	return s.change(ctx, "update client "+c.ID, tollgate.Change{Kind: tollgate.ChangeClient, ID: c.ID, PoolID: c.PoolID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE clients SET name = $2, allowed_oauth_flows = $3, allowed_oauth_scopes = $4,
				access_token_validity = $5, access_token_validity_unit = $6,
				id_token_validity = $7, id_token_validity_unit = $8,
				refresh_token_validity = $9, refresh_token_validity_unit = $10,
				config_key = $11, updated_at = $12, explicit_auth_flows = $13
			WHERE id = $1`,
			c.ID, c.Name, flows, scopes,
			c.AccessTokenValidity.Value, c.AccessTokenValidity.Unit,
			c.IDTokenValidity.Value, c.IDTokenValidity.Unit,
			c.RefreshTokenValidity.Value, c.RefreshTokenValidity.Unit,
			c.ConfigKey, s.d.time(c.UpdatedAt), authFlows)
		if err != nil {
			return s.constraint(err, tollgate.Errorf(tollgate.KindConflict, "a client named %q already exists in its pool", c.Name), nil)
		}
		return mustAffect(res, func() error { return tollgate.Errorf(tollgate.KindNotFound, "client %q not found", c.ID) })
	})
}

// DeleteClient deletes the client and its secrets.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete client "+id, tollgate.Change{Kind: tollgate.ChangeClient, ID: id},
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "client %q not found", id) },
		`DELETE FROM clients WHERE id = $1`, id)
}

// AddClientSecret adds a secret to the client; KindConflict when it already
// has MaxClientSecrets. The count and the insert cannot race with another
// writer: update serialises writers.
func (s *Store) AddClientSecret(ctx context.Context, clientID string, secret tollgate.ClientSecret) error {
	return s.change(ctx, "add secret to client "+clientID, tollgate.Change{Kind: tollgate.ChangeClient, ID: clientID}, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_secrets WHERE client_id = $1`, clientID).Scan(&n); err != nil {
			return fmt.Errorf("count secrets: %w", err)
		}
		if n >= tollgate.MaxClientSecrets {
			return tollgate.LimitErrorf("client %q already has %d secrets; delete one first", clientID, n)
		}
		return s.insertSecret(ctx, tx, clientID, secret)
	})
}

// DeleteClientSecret deletes one of the client's secrets.
func (s *Store) DeleteClientSecret(ctx context.Context, clientID, secretID string) error {
	return s.change(ctx, "delete secret of client "+clientID, tollgate.Change{Kind: tollgate.ChangeClient, ID: clientID}, func(tx *sql.Tx) error {
		// Under update's lock, so the count cannot change before the delete.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_secrets WHERE client_id = $1`, clientID).Scan(&n); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM client_secrets WHERE client_id = $1 AND id = $2`, clientID, secretID)
		if err != nil {
			return err
		}
		if err := mustAffect(res, func() error {
			return tollgate.Errorf(tollgate.KindNotFound, "client %q has no secret %q", clientID, secretID)
		}); err != nil {
			return err
		}
		if n <= 1 {
			e := tollgate.Errorf(tollgate.KindConflict, "secret %q is the only secret of client %q", secretID, clientID)
			e.Cause = tollgate.ErrLastSecret
			return e // rolls the delete back
		}
		return nil
	})
}
