package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// PostgreSQL error codes (SQLSTATE), from Appendix A of its manual.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

type postgresDialect struct{}

// openPostgres opens a pool of connections to the PostgreSQL database named
// by dsn, a postgres:// URL. Parameters pgx does not know, such as
// search_path, are sent to the server as run-time parameters.
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{d: postgresDialect{}, write: db, read: db}, nil
}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) time(t time.Time) any { return t.UTC().Truncate(time.Microsecond) }

func (postgresDialect) violation(err error) violation {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return noViolation
	}
	switch e.Code {
	case pgUniqueViolation:
		return uniqueViolation
	case pgForeignKeyViolation:
		return foreignKeyViolation
	}
	return noViolation
}

// lockKeys takes a transaction-level advisory lock on a 64-bit hash of the
// pool id, which PostgreSQL releases when tx ends.
func (postgresDialect) lockKeys(ctx context.Context, tx *sql.Tx, poolID string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID("tollgate/keys/"+poolID)); err != nil {
		return fmt.Errorf("lock signing keys: %w", err)
	}
	return nil
}

// changesChannel is the channel every write NOTIFYs, with its generation as
// the payload. It is the database's, whatever the schema: a listener on
// another schema's store only reads its feed once for nothing.
const changesChannel = "tollgate_changes"

// notify queues a notification that PostgreSQL delivers at commit (and
// drops on rollback).
func (postgresDialect) notify(ctx context.Context, tx *sql.Tx, gen int64) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, strconv.FormatInt(gen, 10)); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// listen opens a connection of its own, LISTENs on changesChannel and calls
// notify for each notification, and once when it starts listening.
func (postgresDialect) listen(ctx context.Context, dsn string, notify func(error)) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("sqlstore: listen for changes: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }() // the connection is done with either way
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return fmt.Errorf("sqlstore: listen for changes: %w", err)
	}
	notify(nil) // what was written while nobody listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("sqlstore: listen for changes: %w", err)
		}
		notify(nil)
	}
}

// goose locks migrations with a session-level advisory lock so that nodes
// starting together migrate one at a time. The lock is specific to the
// database and schema, since migrations are: stores in different schemas of
// one database (as tests use) do not wait for each other.
func (postgresDialect) goose(ctx context.Context, db *sql.DB) (goose.Dialect, string, []goose.ProviderOption, error) {
	var database, schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).Scan(&database, &schema); err != nil {
		return "", "", nil, fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return "", "", nil, errors.New("no schema in search_path exists")
	}
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(lockID("tollgate/migrate/"+database.String+"/"+schema.String)),
		lock.WithLockTimeout(1, 600), // retry every second for ten minutes
	)
	if err != nil {
		return "", "", nil, err
	}
	return goose.DialectPostgres, "migrations/postgres", []goose.ProviderOption{goose.WithSessionLocker(locker)}, nil
}

// lockID returns a PostgreSQL advisory lock key for name.
func lockID(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64()) //nolint:gosec // G115: the wrap is wanted: any 64 bits are a lock key
}
