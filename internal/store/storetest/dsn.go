package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgres is the PostgreSQL database tests use unless the
// TOLLGATE_TEST_POSTGRES environment variable names another.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SQLiteDSN returns the path of a new SQLite file in a temporary directory
// that is removed when the test ends.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "tollgate.db")
}

// PostgresDSN returns the DSN of a new, empty schema in the test PostgreSQL
// database (TOLLGATE_TEST_POSTGRES, or DefaultPostgres): its search_path is
// that schema, so tests running in parallel, in one package or many, do not
// see each other's tables. The schema is dropped when the test ends; close
// stores opened on it before then (register their Close with t.Cleanup after
// calling PostgresDSN).
//
// When the database cannot be reached the test is skipped, or fails if the
// CI environment variable is set, so that CI never passes by skipping.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TOLLGATE_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TOLLGATE_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL unreachable (set TOLLGATE_TEST_POSTGRES): %v", err)
		}
		t.Skipf("PostgreSQL unreachable, skipping (set TOLLGATE_TEST_POSTGRES): %v", err)
	}
	defer conn.Close(ctx)

	schema := "test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
