package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tollgate/tollgate"
)

const accessKeyColumns = `id, description, sealed, created_at`

func scanAccessKey(sc scanner) (*tollgate.AccessKey, error) {
	var k tollgate.AccessKey
	err := sc.Scan(&k.ID, &k.Description, &k.Sealed, (*dbTime)(&k.CreatedAt))
	return &k, err
}

// CreateAccessKey stores a new access key; KindConflict if its id is taken.
func (s *Store) CreateAccessKey(ctx context.Context, k *tollgate.AccessKey) error {
	return s.change(ctx, "create access key "+k.ID, tollgate.Change{Kind: tollgate.ChangeAccessKey, ID: k.ID}, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO access_keys (`+accessKeyColumns+`) VALUES ($1, $2, $3, $4)`,
			k.ID, k.Description, nonNil(k.Sealed), s.d.time(k.CreatedAt))
		if err != nil {
			return s.constraint(err, tollgate.Errorf(tollgate.KindConflict, "access key %q already exists", k.ID), nil)
		}
		return nil
	})
}

// GetAccessKey returns the access key with the given id.
func (s *Store) GetAccessKey(ctx context.Context, id string) (*tollgate.AccessKey, error) {
	return queryOne(ctx, s.read, "get access key", scanAccessKey,
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "access key %q not found", id) },
		`SELECT `+accessKeyColumns+` FROM access_keys WHERE id = $1`, id)
}

// ListAccessKeys returns every access key, oldest first.
func (s *Store) ListAccessKeys(ctx context.Context) ([]*tollgate.AccessKey, error) {
	return queryAll(ctx, s.read, "list access keys", scanAccessKey,
		`SELECT `+accessKeyColumns+` FROM access_keys ORDER BY created_at, id`)
}

// DeleteAccessKey deletes the access key.
func (s *Store) DeleteAccessKey(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "delete access key "+id, tollgate.Change{Kind: tollgate.ChangeAccessKey, ID: id},
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "access key %q not found", id) },
		`DELETE FROM access_keys WHERE id = $1`, id)
}
