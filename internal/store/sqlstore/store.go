package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/tollgate/tollgate"
)

// Store is a tollgate.Store on SQLite or PostgreSQL. It is safe for
// concurrent use, and several Stores, in one process or many, may share one
// database.
type Store struct {
	d dialect
	// write runs every transaction. On SQLite it has a single connection,
	// whose transactions begin IMMEDIATE.
	write *sql.DB
	// read runs single-statement reads. On SQLite it is a pool of read-only
	// connections; on PostgreSQL it is the same pool as write.
	read *sql.DB
	// dsn is what the store was opened on: the change listener opens a
	// connection of its own on it (PostgreSQL).
	dsn string
	// listeners are told of this handle's commits (see ListenChanges).
	listeners listeners
}

var _ tollgate.Store = (*Store)(nil)

// dialect is what differs between SQLite and PostgreSQL.
type dialect interface {
	// name is "sqlite" or "postgres".
	name() string
	// time encodes t as a query argument for a time column.
	time(t time.Time) any
	// violation classifies a constraint violation reported by the driver.
	violation(err error) violation
	// lockKeys takes the lock on poolID's signing keys, held until tx ends
	// and excluding every other process using the database.
	lockKeys(ctx context.Context, tx *sql.Tx, poolID string) error
	// notify tells the database's listeners, at commit, that generation
	// gen was written (PostgreSQL's NOTIFY); nothing on SQLite.
	notify(ctx context.Context, tx *sql.Tx, gen int64) error
	// listen calls notify(nil) on every write any process commits, and
	// after it (re)connects; it returns when ctx ends or listening fails.
	listen(ctx context.Context, dsn string, notify func(error)) error
	// goose returns goose's name for the dialect, the directory of its
	// migrations in the embedded file system and any provider options.
	goose(ctx context.Context, db *sql.DB) (goose.Dialect, string, []goose.ProviderOption, error)
}

// violation is the kind of a constraint violation.
type violation int

const (
	noViolation violation = iota
	uniqueViolation
	foreignKeyViolation
)

// Open opens the store named by dsn and brings its schema up to date. A dsn
// starting with postgres:// or postgresql:// names a PostgreSQL database;
// anything else is the path of a SQLite file, optionally prefixed with
// sqlite:// or file:, which is created if missing (its directory is not).
// ctx bounds opening and migrating only.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	if isPostgres(dsn) {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, sqlitePath(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", RedactDSN(dsn), err)
	}
	s.dsn = dsn
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlstore: migrate %s: %w", RedactDSN(dsn), err)
	}
	return s, nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

// Close closes the store's connections.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Generation returns the number of committed writes.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.read.QueryRowContext(ctx, `SELECT value FROM generation WHERE id = 1`).Scan(&g); err != nil {
		return 0, fmt.Errorf("sqlstore: read generation: %w", err)
	}
	return g, nil
}

// errUnchanged, returned by the function given to change, rolls the
// transaction back, so that a write that changed nothing does not move the
// generation, and makes change return nil.
var errUnchanged = errors.New("unchanged")

// change runs fn in a write transaction that first increments the
// generation and, once fn succeeds, records ch in the change feed under the
// new generation (and, on PostgreSQL, notifies listeners at commit).
// Taking the generation row first serialises writers on PostgreSQL as
// SQLite's write lock does on SQLite, so fn may check a limit (such as the
// number of secrets) and then write without a race, and commit order is
// generation order, which the feed relies on. Errors of the domain
// (*tollgate.Error) are returned as they are; others are wrapped with op.
func (s *Store) change(ctx context.Context, op string, ch tollgate.Change, fn func(tx *sql.Tx) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		gen, err := bumpGeneration(ctx, tx)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return s.record(ctx, tx, gen, ch)
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err == nil {
		s.committed()
	}
	return wrap(err, op)
}

// inTx runs fn in a transaction on the write pool, committing if fn returns
// nil and rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op (ErrTxDone); if fn panics, the lock is released
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// bumpGeneration increments the generation and returns its new value.
func bumpGeneration(ctx context.Context, tx *sql.Tx) (int64, error) {
	var gen int64
	if err := tx.QueryRowContext(ctx, `UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("increment generation: %w", err)
	}
	return gen, nil
}

// wrap returns nil for nil, a domain error unchanged, and anything else
// wrapped with the operation that failed.
func wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	var e *tollgate.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// constraint returns onUnique or onForeignKey, with err as its cause, when
// err is that kind of violation and the corresponding error is non-nil;
// otherwise it returns err.
func (s *Store) constraint(err error, onUnique, onForeignKey *tollgate.Error) error {
	var e *tollgate.Error
	switch s.d.violation(err) {
	case uniqueViolation:
		e = onUnique
	case foreignKeyViolation:
		e = onForeignKey
	}
	if e == nil {
		return err
	}
	e.Cause = err
	return e
}

// mustAffect returns missing() when res reports that no row was affected.
func mustAffect(res sql.Result, missing func() error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return missing()
	}
	return nil
}

// queryOne runs a read query for one row and scans it with scan; missing()
// is the error when there is none, and op names the operation in others.
func queryOne[T any](ctx context.Context, db *sql.DB, op string, scan func(scanner) (T, error), missing func() error, query string, args ...any) (T, error) {
	v, err := scan(db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, missing()
	}
	if err != nil {
		var zero T
		return zero, wrap(err, op)
	}
	return v, nil
}

// queryAll runs a read query and scans every row it returns with scan; op
// names the operation in errors. No rows is an empty list, never nil.
func queryAll[T any](ctx context.Context, db *sql.DB, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(err, op)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(err, op)
		}
		out = append(out, v)
	}
	return out, wrap(rows.Err(), op)
}

// deleteRow runs a DELETE, in a write transaction recording ch, that must
// remove a row: missing() is the error when it removes none.
func (s *Store) deleteRow(ctx context.Context, op string, ch tollgate.Change, missing func() error, query string, args ...any) error {
	return s.change(ctx, op, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		return mustAffect(res, missing)
	})
}

// ownerArg is owner as the argument of the condition a write on an owned
// object adds to its WHERE clause, `config_key = COALESCE($n, config_key)`:
// NULL, matching any owner, for AnyOwner.
func ownerArg(owner tollgate.Owner) any {
	if owner.Any {
		return nil
	}
	return owner.ConfigKey
}

// mustAffectOwned returns nil when res reports a row affected. Otherwise
// it reads, in tx, the owner of the row with ownerQuery (`SELECT
// config_key FROM … WHERE …` with args): missing() when there is none, and
// when there is one, the write was refused for its owner (ownerArg):
// KindConflict caused by an *tollgate.OwnerError.
func mustAffectOwned(ctx context.Context, tx *sql.Tx, res sql.Result, missing func() error, ownerQuery string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	key, err := ownerOf(ctx, tx, missing, ownerQuery, args...)
	if err != nil {
		return err
	}
	return ownerConflict(key)
}

// ownerOf reads, in tx, the owner of a row with ownerQuery (`SELECT
// config_key FROM … WHERE …` with args): missing() when there is none.
func ownerOf(ctx context.Context, tx *sql.Tx, missing func() error, ownerQuery string, args ...any) (string, error) {
	var key string
	err := tx.QueryRowContext(ctx, ownerQuery, args...).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", missing()
	}
	if err != nil {
		return "", fmt.Errorf("read owner: %w", err)
	}
	return key, nil
}

// ownerConflict is the refusal of a write whose object's owner is key,
// not the one the writer expected.
func ownerConflict(key string) error {
	oe := &tollgate.OwnerError{ConfigKey: key}
	e := tollgate.Errorf(tollgate.KindConflict, "%s", oe.Error())
	e.Cause = oe
	return e
}

// deleteOwned runs query, a DELETE whose last argument is owner's
// (ownerArg), in a write transaction recording ch: missing() when there is
// no row, an *tollgate.OwnerError when it has another owner (ownerQuery,
// as mustAffectOwned).
func (s *Store) deleteOwned(ctx context.Context, op string, ch tollgate.Change, missing func() error, owner tollgate.Owner, query, ownerQuery string, args ...any) error {
	return s.change(ctx, op, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, append(args, ownerArg(owner))...)
		if err != nil {
			return err
		}
		return mustAffectOwned(ctx, tx, res, missing, ownerQuery, args...)
	})
}
