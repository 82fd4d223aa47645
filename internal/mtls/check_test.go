package mtls_test

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/mtls"
)

func TestThumbprint(t *testing.T) {
	p := newPKI(t)
	// RFC 8705 §3.1: x5t#S256 is the base64url encoding (no padding) of the
	// SHA-256 of the DER certificate.
	sum := sha256.Sum256(p.dn.cert.Raw)
	want := strings.TrimRight(base64.URLEncoding.EncodeToString(sum[:]), "=")
	if got := mtls.Thumbprint(p.dn.cert); got != want {
		t.Errorf("Thumbprint = %q, want %q", got, want)
	}
	if len(want) != 43 {
		t.Errorf("thumbprint %q has %d characters, want 43", want, len(want))
	}
}

func TestCheckPKI(t *testing.T) {
	p := newPKI(t)
	inter := []*x509.Certificate{p.inter.cert}
	tests := []struct {
		name  string
		cert  issued
		inter []*x509.Certificate
		want  tollgate.TLSClientAuth
		ok    bool
	}{
		{"subject DN", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `CN=client.example.com,OU=API Clients,O=Example\, Inc.,C=US`}, true},
		{"subject DN, case and spaces", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `cn = CLIENT.example.com, ou=api  clients , o=example\2C inc., c=us`}, true},
		{"subject DN by OIDs", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `2.5.4.3=client.example.com,2.5.4.11=API Clients,2.5.4.10=Example\, Inc.,2.5.4.6=US`}, true},
		{"subject DN, order reversed", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `C=US,O=Example\, Inc.,OU=API Clients,CN=client.example.com`}, false},
		{"subject DN, an RDN missing", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `CN=client.example.com,O=Example\, Inc.,C=US`}, false},
		{"subject DN, other value", p.dn, inter, tollgate.TLSClientAuth{SubjectDN: `CN=other.example.com,OU=API Clients,O=Example\, Inc.,C=US`}, false},
		{"SAN DNS, case-insensitive", p.dnsSAN, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, true},
		{"SAN DNS, other name", p.dnsSAN, inter, tollgate.TLSClientAuth{SANDNS: "third.example.com"}, false},
		{"SAN DNS is not the CN", p.dn, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		{"SAN URI", p.uriSAN, inter, tollgate.TLSClientAuth{SANURI: "spiffe://example.com/client"}, true},
		{"SAN URI, exact", p.uriSAN, inter, tollgate.TLSClientAuth{SANURI: "spiffe://example.com/Client"}, false},
		{"SAN IP", p.ipSAN, inter, tollgate.TLSClientAuth{SANIP: "10.0.0.7"}, true},
		{"SAN IP, other", p.ipSAN, inter, tollgate.TLSClientAuth{SANIP: "10.0.0.8"}, false},
		{"SAN IP, v4-mapped is another address", p.ipSAN, inter, tollgate.TLSClientAuth{SANIP: "::ffff:10.0.0.7"}, false},
		{"SAN IPv6, other spelling", p.ip6SAN, inter, tollgate.TLSClientAuth{SANIP: "2001:DB8:0::7"}, true},
		{"SAN email", p.email, inter, tollgate.TLSClientAuth{SANEmail: "client@example.com"}, true},
		{"SAN email, exact", p.email, inter, tollgate.TLSClientAuth{SANEmail: "Client@example.com"}, false},
		{"no intermediate sent", p.dnsSAN, nil, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		{"expired", p.expired, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		{"not yet valid", p.notYet, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		{"server auth only", p.serverOnly, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		// crypto/x509 treats anyExtendedKeyUsage, and no EKU extension, as
		// allowing every usage (RFC 5280 §4.2.1.12).
		{"any EKU", p.anyEKU, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, true},
		{"no EKU extension", p.noEKU, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, true},
		{"another CA", p.otherRoot, nil, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, false},
		{"no name declared", p.dnsSAN, inter, tollgate.TLSClientAuth{}, false},
		{"two names declared", p.dnsSAN, inter, tollgate.TLSClientAuth{SANDNS: "client.example.com", SANEmail: "client@example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mtls.CheckPKI(tt.cert.cert, tt.inter, p.roots, tt.want, now)
			if (err == nil) != tt.ok {
				t.Errorf("CheckPKI = %v, want ok %v", err, tt.ok)
			}
		})
	}
	t.Run("no roots", func(t *testing.T) {
		if err := mtls.CheckPKI(p.dnsSAN.cert, inter, nil, tollgate.TLSClientAuth{SANDNS: "client.example.com"}, now); err == nil {
			t.Error("CheckPKI with nil roots succeeded; it must not fall back to the system roots")
		}
	})
}

func TestParseDN(t *testing.T) {
	cn := asn1.ObjectIdentifier{2, 5, 4, 3}
	tests := []struct {
		in   string
		want mtls.DN
		err  bool
	}{
		// RFC 4514 §4 examples.
		{in: "UID=jsmith,DC=example,DC=net", want: mtls.DN{
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Text: "jsmith"}},
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Text: "example"}},
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Text: "net"}},
		}},
		{in: "OU=Sales+CN=J.  Smith,DC=example,DC=net", want: mtls.DN{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Text: "Sales"}, {Type: cn, Text: "J.  Smith"}},
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Text: "example"}},
			{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Text: "net"}},
		}},
		{in: `CN=James \"Jim\" Smith\, III`, want: mtls.DN{{{Type: cn, Text: `James "Jim" Smith, III`}}}},
		{in: `CN=Before\0dAfter`, want: mtls.DN{{{Type: cn, Text: "Before\rAfter"}}}},
		{in: "1.3.6.1.4.1.1466.0=#04024869", want: mtls.DN{{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1466, 0}, BER: []byte{4, 2, 0x48, 0x69}}}}},
		{in: `CN=Lu\C4\8Di\C4\87`, want: mtls.DN{{{Type: cn, Text: "Lučić"}}}},
		{in: "", err: true},
		{in: "CN", err: true},
		{in: "CN=a,", err: true},
		{in: "CN=", err: true},
		{in: "XX=a", err: true},
		{in: "1=a", err: true},
		{in: `CN=a\`, err: true},
		{in: `CN=a\zz`, err: true},
		{in: `CN=a"b`, err: true},
		{in: `CN=a;b`, err: true},
		{in: "CN=#zz", err: true},
		{in: "CN=#0402", err: true},
		{in: `CN=\ff`, err: true},
	}
	for _, tt := range tests {
		got, err := mtls.ParseDN(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseDN(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !equalDN(got, tt.want) {
			t.Errorf("ParseDN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func equalDN(a, b mtls.DN) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestDNMatchesMultiValuedRDN(t *testing.T) {
	// An RDN of two values, in either order (RFC 4514 §2.2: a SET).
	rdns := pkix.RDNSequence{
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "US"}},
		{{Type: asn1.ObjectIdentifier{2, 5, 4, 11}, Value: "Sales"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "J. Smith"}},
	}
	raw, err := asn1.Marshal(rdns)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]bool{
		"OU=Sales+CN=J. Smith,C=US":        true,
		"CN=J. Smith+OU=Sales,C=US":        true,
		"CN=J. Smith,OU=Sales,C=US":        false,
		"CN=J. Smith+OU=Sales":             false,
		"CN=J. Smith+CN=Sales,C=US":        false,
		"CN=J. Smith+OU=Sales,C=#13024341": false,
		"CN=J. Smith+OU=Sales,C=#13025553": true,
	} {
		dn, err := mtls.ParseDN(in)
		if err != nil {
			t.Fatalf("ParseDN(%q): %v", in, err)
		}
		if got, err := dn.Matches(raw); err != nil || got != want {
			t.Errorf("%q Matches = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestCheckSelfSigned(t *testing.T) {
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	mine := issue(t, certSpec{subject: pkix.Name{CommonName: "client"}, eku: client}, nil)
	rotated := issue(t, certSpec{subject: pkix.Name{CommonName: "client"}, eku: client}, nil)
	expired := issue(t, certSpec{subject: pkix.Name{CommonName: "client"}, eku: client,
		notBefore: now.Add(-48 * time.Hour), notAfter: now.Add(-time.Hour)}, nil)
	stranger := issue(t, certSpec{subject: pkix.Name{CommonName: "client"}, eku: client}, nil)
	jwks := jwksOf(t, mine, rotated, expired)
	tests := []struct {
		name string
		cert *x509.Certificate
		jwks []byte
		ok   bool
	}{
		{"registered", mine.cert, jwks, true},
		{"second key", rotated.cert, jwks, true},
		{"expired", expired.cert, jwks, false},
		{"not registered", stranger.cert, jwks, false},
		{"no x5c", mine.cert, []byte(`{"keys":[]}`), false},
		{"not a JWKS", mine.cert, []byte(`{`), false},
		{"no certificate", nil, jwks, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mtls.CheckSelfSignedAt(tt.cert, tt.jwks, now)
			if (err == nil) != tt.ok {
				t.Errorf("CheckSelfSignedAt = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// jwksOf returns a JWKS with a key per certificate, its x5c that
// certificate (RFC 7517 §4.7).
func jwksOf(t testing.TB, certs ...issued) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for i, c := range certs {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key: &c.key.PublicKey, KeyID: string(rune('a' + i)), Use: "sig", Algorithm: "ES256",
			Certificates: []*x509.Certificate{c.cert},
		})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
