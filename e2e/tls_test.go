package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for host and returns the
// certificate and key file paths and a pool that trusts it.
func selfSigned(t *testing.T, dir, host string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile := filepath.Join(dir, host+".pem"), filepath.Join(dir, host+"-key.pem")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})))
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// TestCustomDomainTLS serves a pool on a custom domain with its own
// certificate, picked by SNI.
func TestCustomDomainTLS(t *testing.T) {
	dir := t.TempDir()
	const host = "auth.example.test"
	_, _, roots := selfSigned(t, dir, host)
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, "userPools:\n"+partnerPool("api/read", "read")+`    domains:
      - id: Custom
        customDomain:
          domainName: `+host+`
          certificate: {certFile: `+host+`.pem, keyFile: `+host+`-key.pem}
`)
	p, d := startDev(t, dir, "--config", cfg, "--tls-listen", "127.0.0.1:0")
	client := tlsClient(t, p, roots)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {d.ClientID}, "client_secret": {d.ClientSecret}}
	resp, err := client.Post("https://"+host+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("token over TLS: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.TLS.PeerCertificates[0].DNSNames[0] != host {
		t.Fatalf("token over TLS: %s", resp.Status)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security over TLS")
	}
	var disc map[string]any
	r2, err := client.Get("https://" + host + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(r2.Body).Decode(&disc)
	r2.Body.Close()
	if err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	if disc["token_endpoint"] != "https://"+host+"/oauth2/token" {
		t.Errorf("custom domain discovery: %v", disc)
	}
	// A name no domain has gets no certificate.
	if _, err := client.Get("https://other.example.test/healthz"); err == nil { // SNI other.example.test
		t.Error("a handshake for an unknown name succeeded")
	}
}

// TestAPICustomDomainTLS serves a REST API on a custom domain name with its
// own certificate, picked by SNI.
func TestAPICustomDomainTLS(t *testing.T) {
	dir := t.TempDir()
	const host = "api.example.test"
	_, _, roots := selfSigned(t, dir, host)
	cfg := filepath.Join(dir, "tollgate.yaml")
	writeFile(t, cfg, `restApis:
  - id: Api
    resources:
      - path: /ping
        methods:
          - {httpMethod: GET, integration: {type: MOCK, statusCode: 204}}
    domainNames:
      - domainName: `+host+`
        basePath: v1
        certificate: {certFile: `+host+`.pem, keyFile: `+host+`-key.pem}
`)
	p := start(t, nil, `^Stop with Ctrl-C`, "dev", "--data", dir, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--config", cfg)
	client := tlsClient(t, p, roots)
	resp, err := client.Get("https://" + host + "/v1/ping")
	if err != nil {
		t.Fatalf("API over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.TLS.PeerCertificates[0].DNSNames[0] != host || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Fatalf("API over TLS: %s, certificate for %v", resp.Status, resp.TLS.PeerCertificates[0].DNSNames)
	}
}

// tlsClient is a client that trusts roots and dials the HTTPS listener the
// process printed, whatever host a URL names (so that SNI carries it).
func tlsClient(t *testing.T, p *proc, roots *x509.CertPool) *http.Client {
	t.Helper()
	m := regexp.MustCompile(`HTTPS for custom domains on (\S+)`).FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("no HTTPS address printed:\n%s", p.Output())
	}
	tlsAddr := m[1]
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, tlsAddr)
		},
	}}
}
