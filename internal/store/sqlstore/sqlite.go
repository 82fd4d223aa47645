package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteBusyTimeout is how long a SQLite statement waits for a lock held by
// another connection (usually another process: the CLI, or a second server)
// before it fails with SQLITE_BUSY.
const sqliteBusyTimeout = 10 * time.Second

// sqliteTimeLayout is how times are written to SQLite: fixed width and UTC,
// so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

type sqliteDialect struct{}

// openSQLite opens the SQLite file at path with two pools: one writer
// connection whose transactions begin IMMEDIATE, and read-only connections.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.Contains(path, ":memory:") {
		return nil, fmt.Errorf("want the path of a SQLite file (no query parameters, not in memory), got %q", path)
	}
	_, err := os.Stat(path)
	created := errors.Is(err, fs.ErrNotExist)

	// The pragmas run on every new connection, busy_timeout first so that
	// the others wait for locks too.
	pragmas := []string{
		fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(NORMAL)",
	}
	writeDSN := path + "?" + url.Values{
		"_pragma": pragmas,
		"_txlock": {"immediate"},
	}.Encode()
	readDSN := path + "?" + url.Values{
		"_pragma": slices.Concat(pragmas, []string{"query_only(1)"}),
	}.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// Open the writer first: it creates the file and switches it to WAL,
	// which the readers then find.
	if err := useWAL(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	if created {
		if err := ownerOnly(path); err != nil {
			write.Close()
			return nil, err
		}
	}

	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	return &Store{d: sqliteDialect{}, write: write, read: read}, nil
}

// useWAL switches the database to WAL mode, which is a property of the file
// and lasts. Switching needs an exclusive lock, and SQLite returns
// SQLITE_BUSY at once rather than wait for it (waiting could deadlock), so
// when several processes set up a new file together some must try again.
func useWAL(ctx context.Context, db *sql.DB) error {
	const attempts = 100
	for attempt := 1; ; attempt++ {
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		if err == nil {
			if mode != "wal" {
				return fmt.Errorf("journal mode is %q, not wal", mode)
			}
			return nil
		}
		var e *sqlite.Error
		if !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || attempt == attempts {
			return fmt.Errorf("set journal mode: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// ownerOnly makes a new database file, and the WAL files SQLite created
// with it, readable by their owner only: they hold sealed keys and hashed
// secrets. SQLite gives WAL files it creates later the database's mode. (It
// changes modes rather than creating the file itself, because closing a file
// descriptor on the database would drop the process's SQLite locks on it.)
func ownerOnly(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) time(t time.Time) any { return t.UTC().Format(sqliteTimeLayout) }

func (sqliteDialect) violation(err error) violation {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return noViolation
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return uniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return foreignKeyViolation
	}
	return noViolation
}

// lockKeys has nothing to do: a SQLite write transaction begins IMMEDIATE,
// holding the file's write lock, which excludes every other writer.
func (sqliteDialect) lockKeys(context.Context, *sql.Tx, string) error { return nil }

// notify has nothing to do: SQLite cannot tell other processes, which
// find the write by polling the generation.
func (sqliteDialect) notify(context.Context, *sql.Tx, int64) error { return nil }

// listen tells once that it listens (the caller reads what was written
// before) and waits for ctx to end: only this handle's own commits are
// told (ListenChanges), other processes' are found by polling.
func (sqliteDialect) listen(ctx context.Context, _ string, notify func(error)) error {
	notify(nil)
	<-ctx.Done()
	return nil
}

// goose has no lock for SQLite; migrate retries instead when another process
// migrated at the same time.
func (sqliteDialect) goose(context.Context, *sql.DB) (goose.Dialect, string, []goose.ProviderOption, error) {
	return goose.DialectSQLite3, "migrations/sqlite", nil, nil
}
