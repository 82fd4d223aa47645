package apigw_test

import (
	"testing"

	"github.com/tollgate/tollgate/internal/apigw"
)

func TestCheckFetchURL(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://issuer.example.com/", true},
		{"http://localhost:8080/jwks", true},
		{"http://127.0.0.1:8080/jwks", true},
		{"http://127.1.2.3/jwks", true},
		{"http://[::1]:8080/jwks", true},
		// A name under .localhost is resolved by DNS like any other: its
		// text does not make it loopback.
		{"http://evil.localhost/jwks", false},
		{"http://localhost.example.com/jwks", false},
		{"http://example.com/jwks", false},
		{"http://10.0.0.1/jwks", false},
		{"ftp://localhost/jwks", false},
		{"https://u:p@example.com/", false},
		{"https://example.com/#f", false},
	} {
		if got := apigw.CheckFetchURL(tt.url); (got == "") != tt.ok {
			t.Errorf("CheckFetchURL(%q) = %q, want ok %v", tt.url, got, tt.ok)
		}
	}
}

// A URL a fetch led to (a jwks_uri, a redirect) is https unless the
// configured URL was itself http on loopback: an https issuer cannot make
// Tollgate GET a loopback http URL.
func TestCheckFetchedURL(t *testing.T) {
	for _, tt := range []struct {
		url, origin string
		ok          bool
	}{
		{"https://keys.example.com/jwks", "https://issuer.example.com/", true},
		{"https://keys.example.com/jwks", "http://127.0.0.1:9000/", true},
		{"http://127.0.0.1:9000/jwks", "http://127.0.0.1:9000/", true},
		{"http://localhost:6379/", "http://127.0.0.1:9000/", true},
		{"http://127.0.0.1:9000/jwks", "https://issuer.example.com/", false},
		{"http://localhost/admin", "https://issuer.example.com/", false},
		{"http://[::1]/", "https://issuer.example.com/", false},
		{"http://example.com/jwks", "http://127.0.0.1:9000/", false},
		{"http://127.0.0.1/jwks", "::not a url", false},
	} {
		if got := apigw.CheckFetchedURL(tt.url, tt.origin); (got == "") != tt.ok {
			t.Errorf("CheckFetchedURL(%q, %q) = %q, want ok %v", tt.url, tt.origin, got, tt.ok)
		}
	}
}
