package mtls_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"
)

// now is the time the tests check certificates at; the certificates are
// issued around it, whatever the clock says.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// issued is a certificate and its key.
type issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// certSpec is what a test certificate differs in.
type certSpec struct {
	subject   pkix.Name
	ca        bool
	eku       []x509.ExtKeyUsage
	dns       []string
	uris      []string
	ips       []string
	emails    []string
	notBefore time.Time
	notAfter  time.Time
}

var serial int64

// issue makes a certificate of spec signed by parent (self-signed when
// parent is nil).
func issue(t testing.TB, spec certSpec, parent *issued) issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               spec.subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  spec.ca,
		ExtKeyUsage:           spec.eku,
		DNSNames:              spec.dns,
		EmailAddresses:        spec.emails,
	}
	if !spec.notBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = spec.notBefore, spec.notAfter
	}
	if spec.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	for _, u := range spec.uris {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.URIs = append(tmpl.URIs, pu)
	}
	for _, ip := range spec.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return issued{cert, key}
}

// pki is a root CA, an intermediate, and a client certificate of each kind.
type pki struct {
	root, inter                                           issued
	dn, dnsSAN, uriSAN, ipSAN, ip6SAN, email              issued
	expired, notYet, serverOnly, anyEKU, noEKU, otherRoot issued
	roots                                                 *x509.CertPool
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{}
	p.root = issue(t, certSpec{subject: pkix.Name{CommonName: "Test Root CA"}, ca: true}, nil)
	p.inter = issue(t, certSpec{subject: pkix.Name{CommonName: "Test Intermediate CA"}, ca: true}, &p.root)
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	leaf := func(spec certSpec) issued {
		if spec.eku == nil {
			spec.eku = client
		}
		if spec.subject.CommonName == "" {
			spec.subject.CommonName = "client"
		}
		return issue(t, spec, &p.inter)
	}
	p.dn = leaf(certSpec{subject: pkix.Name{
		CommonName: "client.example.com", Organization: []string{"Example, Inc."},
		OrganizationalUnit: []string{"API  Clients"}, Country: []string{"US"},
	}})
	p.dnsSAN = leaf(certSpec{dns: []string{"other.example.com", "Client.Example.COM"}})
	p.uriSAN = leaf(certSpec{uris: []string{"spiffe://example.com/client"}})
	p.ipSAN = leaf(certSpec{ips: []string{"10.0.0.7"}})
	p.ip6SAN = leaf(certSpec{ips: []string{"2001:db8::7"}})
	p.email = leaf(certSpec{emails: []string{"client@example.com"}})
	p.expired = leaf(certSpec{dns: []string{"client.example.com"}, notBefore: now.Add(-48 * time.Hour), notAfter: now.Add(-24 * time.Hour)})
	p.notYet = leaf(certSpec{dns: []string{"client.example.com"}, notBefore: now.Add(time.Hour), notAfter: now.Add(48 * time.Hour)})
	p.serverOnly = leaf(certSpec{dns: []string{"client.example.com"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	p.anyEKU = leaf(certSpec{dns: []string{"client.example.com"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	p.noEKU = leaf(certSpec{dns: []string{"client.example.com"}, eku: []x509.ExtKeyUsage{}})
	other := issue(t, certSpec{subject: pkix.Name{CommonName: "Other Root CA"}, ca: true}, nil)
	p.otherRoot = issue(t, certSpec{subject: pkix.Name{CommonName: "client"}, dns: []string{"client.example.com"}, eku: client}, &other)
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.root.cert)
	return p
}
