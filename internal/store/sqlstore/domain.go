package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tollgate/tollgate"
)

const domainColumns = `domain, pool_id, custom, cert_file, key_file, config_key, created_at`

func scanDomain(sc scanner) (*tollgate.Domain, error) {
	var d tollgate.Domain
	err := sc.Scan(&d.Domain, &d.PoolID, &d.Custom, &d.CertFile, &d.KeyFile, &d.ConfigKey, (*dbTime)(&d.CreatedAt))
	return &d, err
}

// PutDomain creates the domain, or replaces it (keeping its CreatedAt) if
// the same pool has it; KindConflict if another pool has it.
func (s *Store) PutDomain(ctx context.Context, d *tollgate.Domain) error {
	return s.change(ctx, "put domain "+d.Domain, tollgate.Change{Kind: tollgate.ChangeDomain, ID: d.Domain, PoolID: d.PoolID}, func(tx *sql.Tx) error {
		// The WHERE clause makes the upsert a no-op, affecting no row, when
		// the domain belongs to another pool.
		res, err := tx.ExecContext(ctx, `INSERT INTO domains (`+domainColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (domain) DO UPDATE SET
				custom = excluded.custom, cert_file = excluded.cert_file,
				key_file = excluded.key_file, config_key = excluded.config_key
			WHERE domains.pool_id = excluded.pool_id`,
			d.Domain, d.PoolID, d.Custom, d.CertFile, d.KeyFile, d.ConfigKey, s.d.time(d.CreatedAt))
		if err != nil {
			return s.constraint(err, nil, tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", d.PoolID))
		}
		return mustAffect(res, func() error {
			return tollgate.Errorf(tollgate.KindConflict, "domain %q belongs to another pool", d.Domain)
		})
	})
}

// CreateDomain creates the domain and never replaces one: KindConflict when
// any pool has it (the primary key decides), or when it is a prefix domain
// and its pool has one already, counted in the writing transaction, which
// change serialises with every other writer.
func (s *Store) CreateDomain(ctx context.Context, d *tollgate.Domain) error {
	return s.change(ctx, "create domain "+d.Domain, tollgate.Change{Kind: tollgate.ChangeDomain, ID: d.Domain, PoolID: d.PoolID}, func(tx *sql.Tx) error {
		if !d.Custom {
			var prefix string
			err := tx.QueryRowContext(ctx, `SELECT domain FROM domains WHERE pool_id = $1 AND NOT custom LIMIT 1`, d.PoolID).Scan(&prefix)
			if err == nil {
				return tollgate.Errorf(tollgate.KindConflict, "pool %q has a prefix domain already (%s)", d.PoolID, prefix)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read the pool's prefix domain: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO domains (`+domainColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.Domain, d.PoolID, d.Custom, d.CertFile, d.KeyFile, d.ConfigKey, s.d.time(d.CreatedAt))
		if err != nil {
			return s.constraint(err,
				tollgate.Errorf(tollgate.KindConflict, "domain %q already exists", d.Domain),
				tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", d.PoolID))
		}
		return nil
	})
}

// GetDomain returns the domain.
func (s *Store) GetDomain(ctx context.Context, domain string) (*tollgate.Domain, error) {
	return queryOne(ctx, s.read, "get domain "+domain, scanDomain,
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "domain %q not found", domain) },
		`SELECT `+domainColumns+` FROM domains WHERE domain = $1`, domain)
}

// ListDomains returns a pool's domains, by domain; all domains when poolID
// is empty.
func (s *Store) ListDomains(ctx context.Context, poolID string) ([]*tollgate.Domain, error) {
	return queryAll(ctx, s.read, "list domains", scanDomain,
		`SELECT `+domainColumns+` FROM domains WHERE pool_id = $1 OR $1 = '' ORDER BY domain`, poolID)
}

// DeleteDomain deletes the domain, if its owner is owner's.
func (s *Store) DeleteDomain(ctx context.Context, domain string, owner tollgate.Owner) error {
	return s.deleteOwned(ctx, "delete domain "+domain, tollgate.Change{Kind: tollgate.ChangeDomain, ID: domain},
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "domain %q not found", domain) },
		owner, `DELETE FROM domains WHERE domain = $1 AND config_key = COALESCE($2, config_key)`,
		`SELECT config_key FROM domains WHERE domain = $1`, domain)
}
