package token

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
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

// TestPublicAddress: jwks_uri fetches connect to public addresses only:
// not loopback (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), private (RFC 1918,
// RFC 4193), link-local (RFC 3927, RFC 4291 §2.5.6), unspecified nor
// multicast, in IPv4-mapped form neither.
func TestPublicAddress(t *testing.T) {
	for addr, ok := range map[string]bool{
		"93.184.215.14":          true,
		"2606:2800:21f:cb07::1":  true,
		"127.0.0.1":              false,
		"127.5.6.7":              false,
		"::1":                    false,
		"10.1.2.3":               false,
		"172.16.0.1":             false,
		"192.168.1.1":            false,
		"fd00::1":                false,
		"169.254.169.254":        false,
		"fe80::1%eth0":           false,
		"0.0.0.0":                false,
		"::":                     false,
		"224.0.0.1":              false,
		"ff02::1":                false,
		"::ffff:127.0.0.1":       false,
		"::ffff:169.254.169.254": false,
	} {
		if got := publicAddress(netip.MustParseAddr(addr)); got != ok {
			t.Errorf("publicAddress(%s) = %v, want %v", addr, got, ok)
		}
	}
}

// TestJWKSFetchRefusesPrivate: without AllowPrivateJWKSURI, a jwks_uri on
// loopback, by address or by a name that resolves to it, is not fetched:
// the check is on the address dialed, after resolution. With it, it is.
func TestJWKSFetchRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, uri := range []string{srv.URL + "/jwks.json", "http://localhost:" + port + "/jwks.json"} {
		_, _, err := newClientKeySets(time.Now, nil).fetch(context.Background(), uri)
		if !errors.Is(err, errPrivateAddress) {
			t.Errorf("fetch %s: %v, want %v", uri, err, errPrivateAddress)
		}
		if _, _, err := newClientKeySets(time.Now, newJWKSClient(nil)).fetch(context.Background(), uri); err != nil {
			t.Errorf("fetch %s allowing private addresses: %v", uri, err)
		}
	}
}

// TestParseJWKSLimits: a client's set holds at most 16 keys, and its RSA
// keys have moduli of 2048 (RFC 7518 §3.3's minimum) to 8192 bits.
func TestParseJWKSLimits(t *testing.T) {
	ed := func() jose.JSONWebKey {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return jose.JSONWebKey{Key: pub}
	}
	rsaKey := func(bits int) jose.JSONWebKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return jose.JSONWebKey{Key: &k.PublicKey}
	}
	set := func(keys ...jose.JSONWebKey) []byte {
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	many := make([]jose.JSONWebKey, maxJWKSKeys+1)
	for i := range many {
		many[i] = ed()
	}
	for _, c := range []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"16 keys", set(many[:maxJWKSKeys]...), true},
		{"17 keys", set(many...), false},
		{"RSA 2048", set(rsaKey(2048)), true},
		{"RSA 1024", set(rsaKey(1024)), false},
	} {
		if _, err := parseJWKS(c.raw); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
}
