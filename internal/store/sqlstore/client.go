package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// clientColumns selects a client's columns from clients c.
const clientColumns = `SELECT c.id, c.pool_id, c.name, c.allowed_oauth_flows, c.allowed_oauth_scopes,
	c.access_token_validity, c.access_token_validity_unit,
	c.id_token_validity, c.id_token_validity_unit,
	c.refresh_token_validity, c.refresh_token_validity_unit,
	c.config_key, c.created_at, c.updated_at, c.explicit_auth_flows, c.token_limits, c.oauth`

// clientQuery selects clients joined with their secrets: one row per
// secret, or one row with NULL secret columns for a client without any.
const clientQuery = clientColumns + `,
	s.id, s.hash, s.sealed, s.created_at
FROM clients c LEFT JOIN client_secrets s ON s.client_id = c.id`

// clientOrder keeps each client's rows together, its secrets oldest first.
const clientOrder = ` ORDER BY c.name, c.pool_id, c.id, s.created_at, s.id`

// clientRow holds the scan targets of clientColumns.
type clientRow struct {
	c                tollgate.Client
	flows, scopes    string
	authFlows        sql.NullString
	tokenLimits      sql.NullString
	oauth            sql.NullString
	secretID         sql.NullString // clientQuery's, when joined
	secret           tollgate.ClientSecret
	withSecretColumn bool
}

func (r *clientRow) targets() []any {
	t := []any{&r.c.ID, &r.c.PoolID, &r.c.Name, &r.flows, &r.scopes,
		&r.c.AccessTokenValidity.Value, &r.c.AccessTokenValidity.Unit,
		&r.c.IDTokenValidity.Value, &r.c.IDTokenValidity.Unit,
		&r.c.RefreshTokenValidity.Value, &r.c.RefreshTokenValidity.Unit,
		&r.c.ConfigKey, (*dbTime)(&r.c.CreatedAt), (*dbTime)(&r.c.UpdatedAt), &r.authFlows, &r.tokenLimits, &r.oauth}
	if r.withSecretColumn {
		t = append(t, &r.secretID, &r.secret.Hash, &r.secret.Sealed, (*dbTime)(&r.secret.CreatedAt))
	}
	return t
}

// client returns the scanned client, its lists decoded, without secrets.
func (r *clientRow) client() (*tollgate.Client, error) {
	c := r.c
	var err error
	if c.AllowedOAuthFlows, err = decodeStrings(r.flows); err != nil {
		return nil, err
	}
	if c.AllowedOAuthScopes, err = decodeStrings(r.scopes); err != nil {
		return nil, err
	}
	if r.authFlows.Valid { // NULL: never set
		if c.ExplicitAuthFlows, err = decodeStrings(r.authFlows.String); err != nil {
			return nil, err
		}
	}
	if c.TokenLimits, err = decodeTokenLimits(r.tokenLimits); err != nil { // NULL: the pool's
		return nil, fmt.Errorf("client %s: %w", c.ID, err)
	}
	if c.OAuth, err = decodeClientOAuth(r.oauth); err != nil { // NULL: a Cognito client
		return nil, fmt.Errorf("client %s: %w", c.ID, err)
	}
	c.Secrets = []tollgate.ClientSecret{}
	return &c, nil
}

// scanClients reads clientQuery's rows into clients, in row order.
func scanClients(rows *sql.Rows) ([]*tollgate.Client, error) {
	defer rows.Close()
	clients := []*tollgate.Client{}
	var c *tollgate.Client
	for rows.Next() {
		r := clientRow{withSecretColumn: true}
		if err := rows.Scan(r.targets()...); err != nil {
			return nil, err
		}
		if c == nil || c.ID != r.c.ID {
			var err error
			if c, err = r.client(); err != nil {
				return nil, err
			}
			clients = append(clients, c)
		}
		if r.secretID.Valid {
			r.secret.ID = r.secretID.String
			r.secret.Hash, r.secret.Sealed = nonNil(r.secret.Hash), nonNil(r.secret.Sealed)
			c.Secrets = append(c.Secrets, r.secret)
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
	flows, scopes, authFlows, limits, err := encodeClientColumns(c)
	if err != nil {
		return wrap(err, "create client "+c.ID)
	}
	oauth, err := encodeClientOAuth(c.OAuth)
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
				config_key, created_at, updated_at, explicit_auth_flows, token_limits, oauth)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			c.ID, c.PoolID, c.Name, flows, scopes,
			c.AccessTokenValidity.Value, c.AccessTokenValidity.Unit,
			c.IDTokenValidity.Value, c.IDTokenValidity.Unit,
			c.RefreshTokenValidity.Value, c.RefreshTokenValidity.Unit,
			c.ConfigKey, s.d.time(c.CreatedAt), s.d.time(c.UpdatedAt), authFlows, limits, oauth)
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

// encodeClientColumns encodes the client's lists and token limits for
// their columns; authFlows is NULL (nil) when ExplicitAuthFlows was never
// set, limits when TokenLimits is nil.
func encodeClientColumns(c *tollgate.Client) (flows, scopes string, authFlows, limits any, err error) {
	if flows, err = encodeStrings(c.AllowedOAuthFlows); err != nil {
		return "", "", nil, nil, err
	}
	if scopes, err = encodeStrings(c.AllowedOAuthScopes); err != nil {
		return "", "", nil, nil, err
	}
	if c.ExplicitAuthFlows != nil {
		if authFlows, err = encodeStrings(c.ExplicitAuthFlows); err != nil {
			return "", "", nil, nil, err
		}
	}
	if limits, err = encodeTokenLimits(c.TokenLimits); err != nil {
		return "", "", nil, nil, err
	}
	return flows, scopes, authFlows, limits, nil
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
//
// It reads the clients, then their secrets, each in one scan of its table,
// and joins them in memory: a join in SQL costs an index lookup per client,
// which at 100k clients is most of a server's start. Between the two
// reads, writes may land: a client deleted in between is listed without
// its secrets (it authenticates no one), a secret added or deleted in
// between is listed as the second read found it; either is what the
// store holds a moment later.
func (s *Store) ListClients(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	clients, err := s.listClientRows(ctx, poolID)
	if err != nil {
		return nil, wrap(err, "list clients")
	}
	byID := make(map[string]*tollgate.Client, len(clients))
	for _, c := range clients {
		byID[c.ID] = c
	}
	rows, err := s.read.QueryContext(ctx, `SELECT s.client_id, s.id, s.hash, s.sealed, s.created_at FROM client_secrets s
		WHERE $1 = '' OR s.client_id IN (SELECT id FROM clients WHERE pool_id = $1)`, poolID)
	if err != nil {
		return nil, wrap(err, "list clients")
	}
	defer rows.Close()
	var (
		clientID string
		secret   tollgate.ClientSecret
	)
	targets := []any{&clientID, &secret.ID, &secret.Hash, &secret.Sealed, (*dbTime)(&secret.CreatedAt)}
	for rows.Next() {
		secret = tollgate.ClientSecret{}
		if err := rows.Scan(targets...); err != nil {
			return nil, wrap(err, "list clients")
		}
		if c := byID[clientID]; c != nil { // else created after the clients were read
			secret.Hash, secret.Sealed = nonNil(secret.Hash), nonNil(secret.Sealed)
			c.Secrets = append(c.Secrets, secret)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "list clients")
	}
	for _, c := range clients {
		slices.SortFunc(c.Secrets, func(a, b tollgate.ClientSecret) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
	}
	slices.SortFunc(clients, func(a, b *tollgate.Client) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.PoolID, b.PoolID), strings.Compare(a.ID, b.ID))
	})
	return clients, nil
}

// listClientRows reads a pool's clients (all when poolID is empty),
// without their secrets. One set of scan targets serves every row: at 100k
// clients, a set per row is most of the load's allocations.
func (s *Store) listClientRows(ctx context.Context, poolID string) ([]*tollgate.Client, error) {
	rows, err := s.read.QueryContext(ctx, clientColumns+` FROM clients c WHERE c.pool_id = $1 OR $1 = ''`, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r clientRow
	targets := r.targets()
	clients := []*tollgate.Client{}
	for rows.Next() {
		r.authFlows, r.tokenLimits, r.oauth = sql.NullString{}, sql.NullString{}, sql.NullString{}
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		c, err := r.client()
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
	}
	return clients, rows.Err()
}

// UpdateClient updates everything but the client's ID, PoolID, CreatedAt and
// Secrets, if its owner is owner's.
func (s *Store) UpdateClient(ctx context.Context, c *tollgate.Client, owner tollgate.Owner) error {
	flows, scopes, authFlows, limits, err := encodeClientColumns(c)
	if err != nil {
		return wrap(err, "update client "+c.ID)
	}
	oauth, err := encodeClientOAuth(c.OAuth)
	if err != nil {
		return wrap(err, "update client "+c.ID)
	}
	return s.change(ctx, "update client "+c.ID, tollgate.Change{Kind: tollgate.ChangeClient, ID: c.ID, PoolID: c.PoolID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE clients SET name = $2, allowed_oauth_flows = $3, allowed_oauth_scopes = $4,
				access_token_validity = $5, access_token_validity_unit = $6,
				id_token_validity = $7, id_token_validity_unit = $8,
				refresh_token_validity = $9, refresh_token_validity_unit = $10,
				config_key = $11, updated_at = $12, explicit_auth_flows = $13, token_limits = $15, oauth = $16
			WHERE id = $1 AND config_key = COALESCE($14, config_key)`,
			c.ID, c.Name, flows, scopes,
			c.AccessTokenValidity.Value, c.AccessTokenValidity.Unit,
			c.IDTokenValidity.Value, c.IDTokenValidity.Unit,
			c.RefreshTokenValidity.Value, c.RefreshTokenValidity.Unit,
			c.ConfigKey, s.d.time(c.UpdatedAt), authFlows, ownerArg(owner), limits, oauth)
		if err != nil {
			return s.constraint(err, tollgate.Errorf(tollgate.KindConflict, "a client named %q already exists in its pool", c.Name), nil)
		}
		return mustAffectOwned(ctx, tx, res, func() error { return tollgate.Errorf(tollgate.KindNotFound, "client %q not found", c.ID) },
			`SELECT config_key FROM clients WHERE id = $1`, c.ID)
	})
}

// DeleteClient deletes the client and its secrets, if its owner is owner's.
func (s *Store) DeleteClient(ctx context.Context, id string, owner tollgate.Owner) error {
	return s.deleteOwned(ctx, "delete client "+id, tollgate.Change{Kind: tollgate.ChangeClient, ID: id},
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "client %q not found", id) },
		owner, `DELETE FROM clients WHERE id = $1 AND config_key = COALESCE($2, config_key)`,
		`SELECT config_key FROM clients WHERE id = $1`, id)
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
