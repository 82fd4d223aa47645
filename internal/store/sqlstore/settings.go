package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tollgate/tollgate"
)

// GetSetting returns a setting's value; KindNotFound when it was never set.
func (s *Store) GetSetting(ctx context.Context, name string) ([]byte, error) {
	return queryOne(ctx, s.read, "get setting "+name, scanSetting,
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "setting %q is not set", name) },
		`SELECT value FROM settings WHERE name = $1`, name)
}

func scanSetting(sc scanner) ([]byte, error) {
	var v []byte
	err := sc.Scan(&v)
	return nonNil(v), err
}

// InitSetting stores value unless the setting has one, and returns the
// value stored. The insert does nothing on a conflict, so that of writers
// racing on one database, the first to commit wins and the others read its
// value; only the insert that stores moves the generation.
func (s *Store) InitSetting(ctx context.Context, name string, value []byte) ([]byte, error) {
	var stored []byte
	err := s.change(ctx, "init setting "+name, tollgate.Change{Kind: tollgate.ChangeSetting, ID: name}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, nonNil(value))
		if err != nil {
			return err
		}
		if stored, err = scanSetting(tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name)); err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return errUnchanged // another writer's value: nothing written
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// PutSetting stores a setting's value, replacing any.
func (s *Store) PutSetting(ctx context.Context, name string, value []byte) error {
	return s.change(ctx, "put setting "+name, tollgate.Change{Kind: tollgate.ChangeSetting, ID: name}, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, nonNil(value))
		return err
	})
}
