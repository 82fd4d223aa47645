package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrations holds one directory of goose SQL migrations per dialect, named
// <version>_<name>.sql. A migration, once released, is never edited: a
// change to the schema is a new file in both directories.
//
//go:embed migrations
var migrations embed.FS

// migrateAttempts bounds how often migrate tries again. goose cannot lock a
// SQLite database, so two processes opening a new file together may both
// try to apply a migration; the loser's transaction fails after the winner's
// commits, and trying again finds nothing left to do.
const migrateAttempts = 3

// migrate applies the migrations the database lacks.
func (s *Store) migrate(ctx context.Context) error {
	var err error
	for range migrateAttempts {
		if err = s.migrateOnce(ctx); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (s *Store) migrateOnce(ctx context.Context) error {
	p, err := s.migrator(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return err
	}
	return nil
}

// migrator returns a goose provider for the store's database. goose logs
// nothing unless asked to.
func (s *Store) migrator(ctx context.Context) (*goose.Provider, error) {
	dialect, dir, opts, err := s.d.goose(ctx, s.write)
	if err != nil {
		return nil, err
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, s.write, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}
