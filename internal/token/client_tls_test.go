package token_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
)

// issuedCert is a certificate with its private key.
type issuedCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func (c issuedCert) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key, Leaf: c.cert}
}

// certKind is what a test certificate is for.
type certKind int

const (
	clientCert certKind = iota // TLS client authentication
	caCert                     // issuing client certificates
)

// newCert issues a certificate of kind for subject, valid from notBefore
// to notAfter, signed by parent (self-signed when parent is nil).
func newCert(t testing.TB, subject pkix.Name, parent *issuedCert, notBefore, notAfter time.Time, kind certKind) issuedCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: kind == caCert,
	}
	if kind == caCert {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = nil
	}
	issuer, signer := tmpl, crypto.Signer(key)
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return issuedCert{cert: cert, key: key}
}

// postTLS sends body to the mutual-TLS server's token endpoint with the
// client certificate cert (none when nil).
func (f *authFixture) postTLS(t *testing.T, body string, cert *issuedCert) (*http.Response, []byte) {
	t.Helper()
	tr := f.tlsSrv.Client().Transport.(*http.Transport).Clone()
	if cert != nil {
		tr.TLSClientConfig.Certificates = []tls.Certificate{cert.tls()}
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Post(f.tlsSrv.URL+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestMTLSClientAuth drives tls_client_auth and self_signed_tls_client_auth
// (RFC 8705 §2) over a real mutual-TLS connection.
func TestMTLSClientAuth(t *testing.T) {
	f := newAuthFixture(t)
	from, until := t0.Add(-time.Hour), t0.Add(24*time.Hour)
	ca := newCert(t, pkix.Name{CommonName: "Tollgate Test CA"}, nil, from, until, caCert)
	otherCA := newCert(t, pkix.Name{CommonName: "Other CA"}, nil, from, until, caCert)
	f.cas.AddCert(ca.cert)
	subject := pkix.Name{CommonName: "pki-client", Organization: []string{"Tollgate Test"}}
	good := newCert(t, subject, &ca, from, until, clientCert)
	wrongDN := newCert(t, pkix.Name{CommonName: "someone-else", Organization: []string{"Tollgate Test"}}, &ca, from, until, clientCert)
	wrongCA := newCert(t, subject, &otherCA, from, until, clientCert)
	expired := newCert(t, subject, &ca, t0.Add(-48*time.Hour), t0.Add(-time.Hour), clientCert)
	selfSigned := newCert(t, pkix.Name{CommonName: "self-signed-client"}, nil, from, until, clientCert)
	unregistered := newCert(t, pkix.Name{CommonName: "self-signed-client"}, nil, from, until, clientCert)

	pki := f.oauthClient(f.pool, "pki", tollgate.ClientOAuth{AuthMethod: tollgate.AuthTLSClient,
		TLS: tollgate.TLSClientAuth{SubjectDN: "CN=pki-client,O=Tollgate Test"}})
	self := f.oauthClient(f.pool, "self", tollgate.ClientOAuth{AuthMethod: tollgate.AuthSelfSignedTLSClient,
		JWKS: jwksOf(t, jose.JSONWebKey{Key: selfSigned.key.Public(), Certificates: []*x509.Certificate{selfSigned.cert}})})
	noMTLSPool := f.oauthClient(f.pool2, "pki-pool2", tollgate.ClientOAuth{AuthMethod: tollgate.AuthTLSClient,
		TLS: tollgate.TLSClientAuth{SubjectDN: "CN=pki-client,O=Tollgate Test"}})

	cc := func(id string) string { return form("grant_type", "client_credentials", "client_id", id) }
	tests := []struct {
		name   string
		body   string
		cert   *issuedCert
		status int
		exact  string
	}{
		{"PKI", cc(pki.ID), &good, 200, ""},
		{"self-signed", cc(self.ID), &selfSigned, 200, ""},
		{"PKI, wrong DN", cc(pki.ID), &wrongDN, 400, authFailed},
		{"PKI, another CA", cc(pki.ID), &wrongCA, 400, authFailed},
		{"PKI, expired", cc(pki.ID), &expired, 400, authFailed},
		{"self-signed, not registered", cc(self.ID), &unregistered, 400, authFailed},
		{"self-signed client with a CA certificate", cc(self.ID), &good, 400, authFailed},
		{"PKI client with a self-signed certificate", cc(pki.ID), &selfSigned, 400, authFailed},
		// Without a certificate nor a secret, the answer does not depend on
		// the client: that of a missing secret (client_auth.go), 400
		// without a challenge.
		{"no certificate", cc(pki.ID), nil, 400, `{"error":"invalid_client","error_description":"client authentication failed: client_secret is required"}`},
		{"pool without MTLS", cc(noMTLSPool.ID), &good, 400, authFailed},
		{"unknown client", cc("zzzzzzzzzzzzzzzzzzzzzzzzzz"), &good, 400, authFailed},
		{"a secret client with a certificate", cc(f.m2m.ID), &good, 400, authFailed},
		{"a certificate client with a secret", form("grant_type", "client_credentials", "client_id", pki.ID, "client_secret", "guess"), &good, 400, authFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.postTLS(t, tc.body, tc.cert)
			if tc.status == 200 {
				if resp.StatusCode != 200 || !tokenBody.Match(body) {
					t.Fatalf("answer %d %s, want a token", resp.StatusCode, body)
				}
				return
			}
			wantOAuthError(t, resp, body, tc.status, "invalid_client")
			if tc.exact != "" && string(body) != tc.exact {
				t.Errorf("body %s, want %s", body, tc.exact)
			}
		})
	}

	// The same certificate over plain HTTP is no certificate at all.
	resp, body := f.post(cc(pki.ID), nil)
	wantOAuthError(t, resp, body, 400, "invalid_client")
}
