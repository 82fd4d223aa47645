package limittest

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// DefaultRedis is the Redis server tests use unless the TOLLGATE_TEST_REDIS
// environment variable names another.
const DefaultRedis = "redis://127.0.0.1:6379/0"

// RedisURL returns the URL of the test Redis server (TOLLGATE_TEST_REDIS,
// or DefaultRedis) once it accepts a connection. When it cannot be
// reached the test is skipped, or fails if the CI environment variable is
// set, so that CI never passes by skipping. Tests sharing the server keep
// their keys apart (a prefix, or names of their own).
func RedisURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("TOLLGATE_TEST_REDIS")
	if raw == "" {
		raw = DefaultRedis
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Hostname() == "" {
		// The URL may hold a password: the message does not repeat it.
		t.Fatal("TOLLGATE_TEST_REDIS must be a redis:// or rediss:// URL with a host")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	c, err := net.DialTimeout("tcp", host, 5*time.Second) //nolint:gosec // the address is the test environment's own setting
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis at %s unreachable (set TOLLGATE_TEST_REDIS; CI is set: Redis must be there): %v", host, err)
		}
		t.Skipf("Redis at %s unreachable, skipping (set TOLLGATE_TEST_REDIS): %v", host, err)
	}
	c.Close()
	return raw
}
