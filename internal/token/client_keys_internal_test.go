package token

import (
	"testing"
	"time"
)

// TestCacheTTL checks how long a fetched JWKS is used: its Cache-Control
// max-age (RFC 9111 §5.2.2.1) within [1 min, 1 day].
func TestCacheTTL(t *testing.T) {
	tests := []struct {
		values []string
		want   time.Duration
	}{
		{nil, jwksDefaultTTL},
		{[]string{"public, max-age=600"}, 10 * time.Minute},
		{[]string{"max-age=5"}, time.Minute},
		{[]string{"max-age=31536000"}, 24 * time.Hour},
		{[]string{"max-age=99999999999999999999"}, jwksDefaultTTL}, // not a number Go parses
		{[]string{`max-age="120"`}, 2 * time.Minute},
		{[]string{"no-store"}, time.Minute},
		{[]string{"max-age=600", "no-cache"}, time.Minute},
		{[]string{"max-age=-1"}, jwksDefaultTTL},
	}
	for _, tc := range tests {
		if got := cacheTTL(tc.values); got != tc.want {
			t.Errorf("cacheTTL(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}

// TestCheckJWKSURI checks which jwks_uri values are fetched: https, or
// http to a loopback address.
func TestCheckJWKSURI(t *testing.T) {
	for uri, ok := range map[string]bool{
		"https://client.example.com/jwks.json": true,
		"http://127.0.0.1:8080/jwks.json":      true,
		"http://[::1]/jwks.json":               true,
		"http://localhost/jwks.json":           true,
		"http://app.localhost/jwks.json":       true,
		"http://client.example.com/jwks.json":  false,
		"http://10.0.0.1/jwks.json":            false,
		"file:///etc/passwd":                   false,
		"https:///jwks.json":                   false,
		"ftp://127.0.0.1/jwks.json":            false,
		"::not a url":                          false,
	} {
		if err := checkJWKSURI(uri); (err == nil) != ok {
			t.Errorf("checkJWKSURI(%q) = %v, want ok %v", uri, err, ok)
		}
	}
}
