package sqlstore

import (
	"net/url"
	"strings"
)

// isPostgres reports whether dsn names a PostgreSQL database rather than a
// SQLite file.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePath returns the file path of a SQLite DSN: a plain path, or one
// prefixed with "sqlite://" or "file:". A query string is not supported.
func sqlitePath(dsn string) string {
	for _, prefix := range []string{"sqlite://", "file:"} {
		if p, ok := strings.CutPrefix(dsn, prefix); ok {
			return p
		}
	}
	return dsn
}

// RedactDSN returns dsn fit for logs and error messages: the password of a
// PostgreSQL DSN, given in its user info or as a password parameter, is
// replaced by "xxxxx". SQLite paths are returned unchanged.
func RedactDSN(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		// Never echo what could not be parsed: it may hold a password.
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://(unparsable, redacted)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
