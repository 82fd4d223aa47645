package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate/internal/config"
)

// devCredentialsConfig declares one client of each kind that dev
// generates keys for, a secret client, and a pool with mTLS.
const devCredentialsConfig = `
region: us-east-1
userPools:
  - id: Pool
    mtls: true
    resourceServers:
      - id: RS
        identifier: api
        scopes: [{scopeName: read, scopeDescription: read}]
    clients:
      - id: Secret
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
      - id: Jwt
        userPoolClientName: jwt-client
        tokenEndpointAuthMethod: private_key_jwt
      - id: Pki
        userPoolClientName: pki-client
        tokenEndpointAuthMethod: tls_client_auth
        tlsClientAuth: {subjectDn: "CN=pki-client,OU=Payments\\, Inc,O=Example"}
      - id: Self
        userPoolClientName: self-client
        tokenEndpointAuthMethod: self_signed_tls_client_auth
`

func parseWithCredentials(t *testing.T, d *devCredentials) *config.Config {
	t.Helper()
	cfg, err := config.ParseWith("tollgate.yaml", []byte(devCredentialsConfig), d.prepare)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	blk, _ := pem.Decode(readFile(t, path))
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDevCredentials checks what dev generates for a config's clients and
// mTLS listener: the files and their modes, the keys set on the clients,
// the names the certificates carry, and that a second run reuses every
// file while a damaged one is made again.
func TestDevCredentials(t *testing.T) {
	data := t.TempDir()
	now := time.Now()
	d := newDevCredentials(data, "localhost", func() time.Time { return now })
	cfg := parseWithCredentials(t, d)
	dir := filepath.Join(data, "credentials")

	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("credentials dir: %v, %v; want mode 0700", fi, err)
	}
	files := map[string]os.FileMode{
		"ca.crt.pem": 0o644, "ca.key.pem": 0o600, "server.crt.pem": 0o644, "server.key.pem": 0o600,
		"jwt-client.key.pem": 0o600, "jwt-client.jwk.json": 0o600,
		"pki-client.crt.pem": 0o644, "pki-client.key.pem": 0o600,
		"self-client.crt.pem": 0o644, "self-client.key.pem": 0o600,
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(files) {
		t.Errorf("%d files in %s, want %d: %v", len(entries), dir, len(files), entries)
	}
	contents := map[string][]byte{}
	for name, mode := range files {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %04o, want %04o", name, fi.Mode().Perm(), mode)
		}
		contents[name] = readFile(t, filepath.Join(dir, name))
	}

	clients := cfg.UserPools[0].Clients
	if clients[0].JWKS != nil {
		t.Errorf("the secret client got a JWKS: %v", clients[0].JWKS)
	}
	// The private JWK (RFC 7517) and the public one set on the client:
	// kid the RFC 7638 thumbprint, alg ES256, use sig.
	var priv jose.JSONWebKey
	if err := json.Unmarshal(contents["jwt-client.jwk.json"], &priv); err != nil {
		t.Fatal(err)
	}
	if priv.IsPublic() || priv.Algorithm != "ES256" || priv.Use != "sig" || priv.KeyID == "" {
		t.Errorf("private JWK: public %v, alg %q, use %q, kid %q", priv.IsPublic(), priv.Algorithm, priv.Use, priv.KeyID)
	}
	pubSet := clientJWKS(t, clients[1].JWKS)
	if len(pubSet.Keys) != 1 || !pubSet.Keys[0].IsPublic() || pubSet.Keys[0].KeyID != priv.KeyID {
		t.Fatalf("jwt-client JWKS: %+v", pubSet)
	}

	ca := readCert(t, filepath.Join(dir, "ca.crt.pem"))
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	pki := readCert(t, filepath.Join(dir, "pki-client.crt.pem"))
	if _, err := pki.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("pki-client's certificate does not chain to the dev CA: %v", err)
	}
	// RFC 4514 §2.1: the string lists the RDNs last first.
	if got := pki.Subject.String(); got != `CN=pki-client,OU=Payments\, Inc,O=Example` {
		t.Errorf("pki-client subject %q", got)
	}
	server := readCert(t, filepath.Join(dir, "server.crt.pem"))
	if _, err := server.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Errorf("server certificate for localhost: %v", err)
	}
	for _, host := range []string{"127.0.0.1", "::1", "pfx.auth.us-east-1.localhost", "abc.execute-api.us-east-1.localhost"} {
		if err := server.VerifyHostname(host); err != nil {
			t.Errorf("server certificate: %v", err)
		}
	}
	// self_signed_tls_client_auth: the certificate is the x5c of the
	// client's JWKS (RFC 8705 §2.2).
	self := readCert(t, filepath.Join(dir, "self-client.crt.pem"))
	selfSet := clientJWKS(t, clients[3].JWKS)
	if len(selfSet.Keys) != 1 || len(selfSet.Keys[0].Certificates) != 1 || !selfSet.Keys[0].Certificates[0].Equal(self) {
		t.Errorf("self-client JWKS does not carry its certificate: %+v", selfSet)
	}
	if clients[2].JWKS != nil {
		t.Errorf("tls_client_auth client got a JWKS: %v", clients[2].JWKS)
	}

	// A restart reuses everything.
	again := newDevCredentials(data, "localhost", func() time.Time { return now })
	cfg2 := parseWithCredentials(t, again)
	for name := range files {
		if b := readFile(t, filepath.Join(dir, name)); !bytes.Equal(b, contents[name]) {
			t.Errorf("%s changed on a second run", name)
		}
	}
	if k := clientJWKS(t, cfg2.UserPools[0].Clients[1].JWKS).Keys[0].KeyID; k != priv.KeyID {
		t.Errorf("second run: kid %q, want %q", k, priv.KeyID)
	}

	// A damaged client key is made again, with its JWK; a client
	// certificate not matching its key is made again too.
	if err := os.WriteFile(filepath.Join(dir, "jwt-client.key.pem"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pki-client.crt.pem"), contents["self-client.crt.pem"], 0o644); err != nil {
		t.Fatal(err)
	}
	parseWithCredentials(t, newDevCredentials(data, "localhost", func() time.Time { return now }))
	for name, changed := range map[string]bool{
		"jwt-client.key.pem": true, "jwt-client.jwk.json": true, "pki-client.crt.pem": true,
		"ca.crt.pem": false, "server.crt.pem": false, "self-client.crt.pem": false,
	} {
		if b := readFile(t, filepath.Join(dir, name)); bytes.Equal(b, contents[name]) == changed {
			t.Errorf("%s: changed %v, want %v", name, !changed, changed)
		}
	}

	// A year and a day later the certificates are made again; the CA,
	// valid ten years, is kept.
	later := newDevCredentials(data, "localhost", func() time.Time { return now.AddDate(1, 0, 1) })
	parseWithCredentials(t, later)
	if b := readFile(t, filepath.Join(dir, "ca.crt.pem")); !bytes.Equal(b, contents["ca.crt.pem"]) {
		t.Error("the CA was made again")
	}
	if b := readFile(t, filepath.Join(dir, "server.crt.pem")); bytes.Equal(b, contents["server.crt.pem"]) {
		t.Error("an expired server certificate was kept")
	}
}

func clientJWKS(t *testing.T, m map[string]any) jose.JSONWebKeySet {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	return set
}

// TestDevCredentialsNothingNeeded checks that a config whose clients all
// have secrets, and no pool with mTLS, gets no credentials directory.
func TestDevCredentialsNothingNeeded(t *testing.T) {
	data := t.TempDir()
	d := newDevCredentials(data, "localhost", nil)
	const yaml = "userPools:\n  - id: P\n    clients:\n      - id: C\n        generateSecret: true\n"
	if _, err := config.ParseWith("t.yaml", []byte(yaml), d.prepare); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "credentials")); !os.IsNotExist(err) {
		t.Errorf("credentials dir made for nothing: %v", err)
	}
	var f mtlsFlags
	d.listen(&f)
	if f.listen != "" || f.certFile != "" || f.keyFile != "" || f.clientCAFile != "" {
		t.Errorf("mTLS flags set: %+v", f)
	}
}

// TestParseDN checks the RFC 4514 strings dev issues certificates for.
func TestParseDN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CN=client", "CN=client"},
		{"CN=a,O=Example,C=DE", "CN=a,O=Example,C=DE"},
		{`CN=a\,b,O=x`, `CN=a\,b,O=x`},
		{`CN=a\2Cb`, `CN=a\,b`},
		{"cn=lower, o=spaced", "CN=lower,O=spaced"},
	} {
		n, err := parseDN(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := n.ToRDNSequence().String(); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"CN", "NOPE=x", `CN=a\`, "CN=a+O=b", "CN=#0403"} {
		if _, err := parseDN(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if !strings.Contains(fileName("a b/../c"), "_") || fileName("..x") != "x" {
		t.Errorf("fileName: %q %q", fileName("a b/../c"), fileName("..x"))
	}
}

func mustParseEmptyConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte("userPools: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
