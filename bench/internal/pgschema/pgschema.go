// Package pgschema gives a load benchmark a PostgreSQL schema of its own,
// so that its nodes share a database without touching anything else in
// it, and drops it afterwards.
package pgschema

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Create creates a schema named prefix_ and a random suffix in the
// database at dsn and returns a DSN that uses it (search_path) and the
// function that drops it, which reports its failure on stderr.
func Create(ctx context.Context, dsn, prefix string) (string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("database URL: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	name := prefix + "_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	drop := func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			conn.Close(ctx)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: drop schema %s: %v\n", prefix, name, err)
		}
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
