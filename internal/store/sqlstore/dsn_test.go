package sqlstore

import (
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	tests := []struct {
		dsn, want string
	}{
		{"postgres://tollgate:s3cret@db.internal:5432/tollgate?sslmode=require", "postgres://tollgate:xxxxx@db.internal:5432/tollgate?sslmode=require"},
		{"postgresql://tollgate:s3cret@db/tollgate", "postgresql://tollgate:xxxxx@db/tollgate"},
		{"postgres://tollgate@db/tollgate?password=s3cret&sslmode=disable", "postgres://tollgate@db/tollgate?password=xxxxx&sslmode=disable"},
		{"postgres://postgres@127.0.0.1:5432/test", "postgres://postgres@127.0.0.1:5432/test"},
		{"postgres://u:s3cret@db:port/x", "postgres://(unparsable, redacted)"},
		{"/var/lib/tollgate/tollgate.db", "/var/lib/tollgate/tollgate.db"},
		{"sqlite:///var/lib/tollgate/tollgate.db", "sqlite:///var/lib/tollgate/tollgate.db"},
	}
	for _, tt := range tests {
		got := RedactDSN(tt.dsn)
		if got != tt.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("RedactDSN(%q) = %q shows the password", tt.dsn, got)
		}
	}
}

func TestSQLitePath(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"tollgate.db", "tollgate.db"},
		{"/data/tollgate.db", "/data/tollgate.db"},
		{"sqlite:///data/tollgate.db", "/data/tollgate.db"},
		{"sqlite://data/tollgate.db", "data/tollgate.db"},
		{"file:/data/tollgate.db", "/data/tollgate.db"},
	}
	for _, tt := range tests {
		if got := sqlitePath(tt.dsn); got != tt.want {
			t.Errorf("sqlitePath(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
