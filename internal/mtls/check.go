package mtls

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
)

// Thumbprint returns the base64url SHA-256 of the certificate's DER: the
// x5t#S256 of a token bound to it (RFC 8705 §3.1).
func Thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckPKI checks a tls_client_auth client's certificate (RFC 8705 §2.1):
// it chains to roots for client authentication at now, and carries the one
// name want sets (subject DN, or a SAN of the given type).
//
// The chain is built by crypto/x509 from intermediates (the rest of what
// the client sent) to roots, with the client authentication extended key
// usage required along it. Names compare as follows (RFC 8705 §2.1.2):
// the subject DN as an RDN sequence (see the package documentation), a
// DNS name case-insensitively (RFC 4343), a URI and an email address
// exactly, an IP address as an address (so "::ffff:10.0.0.1" is not
// 10.0.0.1, and "2001:db8::1" equals "2001:DB8:0::1").
func CheckPKI(cert *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, want tollgate.TLSClientAuth, now time.Time) error {
	if cert == nil {
		return errors.New("no client certificate")
	}
	if roots == nil {
		// x509 would fall back to the system's roots: never for clients.
		return errors.New("no trusted client certificate authorities configured")
	}
	pool := x509.NewCertPool()
	for _, c := range intermediates {
		pool.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Intermediates: pool,
		Roots:         roots,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		CurrentTime:   now,
	})
	if err != nil {
		return fmt.Errorf("client certificate: %w", err)
	}
	return checkName(cert, want)
}

// checkName checks that cert carries the one name want declares.
func checkName(cert *x509.Certificate, want tollgate.TLSClientAuth) error {
	set := 0
	for _, v := range []string{want.SubjectDN, want.SANDNS, want.SANURI, want.SANIP, want.SANEmail} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("client declares %d certificate names, want exactly one (RFC 8705 §2.1.2)", set)
	}
	var ok bool
	switch {
	case want.SubjectDN != "":
		dn, err := ParseDN(want.SubjectDN)
		if err != nil {
			return fmt.Errorf("declared subject DN: %w", err)
		}
		if ok, err = dn.Matches(cert.RawSubject); err != nil {
			return fmt.Errorf("client certificate subject: %w", err)
		}
	case want.SANDNS != "":
		ok = anyOf(cert.DNSNames, func(n string) bool {
			return strings.EqualFold(strings.TrimSuffix(n, "."), strings.TrimSuffix(want.SANDNS, "."))
		})
	case want.SANURI != "":
		for _, u := range cert.URIs {
			ok = ok || u.String() == want.SANURI
		}
	case want.SANIP != "":
		ip, err := netip.ParseAddr(want.SANIP)
		if err != nil {
			return fmt.Errorf("declared SAN IP %q: %w", want.SANIP, err)
		}
		for _, b := range cert.IPAddresses {
			a, _ := netip.AddrFromSlice(b)
			if len(b) == 16 && ip.Is4() {
				a = a.Unmap() // x509 stores IPv4 SANs in 16 bytes
			}
			ok = ok || a == ip
		}
	default:
		ok = anyOf(cert.EmailAddresses, func(e string) bool { return e == want.SANEmail })
	}
	if !ok {
		return errors.New("client certificate does not carry the client's registered name")
	}
	return nil
}

func anyOf(names []string, match func(string) bool) bool {
	for _, n := range names {
		if match(n) {
			return true
		}
	}
	return false
}

// CheckSelfSigned checks a self_signed_tls_client_auth client's
// certificate (RFC 8705 §2.2): it is one of the certificates of the
// client's JWKS (the x5c of a key), byte for byte, and within its validity
// period now.
func CheckSelfSigned(cert *x509.Certificate, jwks []byte) error {
	return CheckSelfSignedAt(cert, jwks, time.Now())
}

// CheckSelfSignedAt is CheckSelfSigned at the given time. RFC 8705 §2.2
// does not ask the server to check the certificate beyond its being
// registered; its validity period is checked anyway, so that a client
// rotates certificates as it would with a CA.
func CheckSelfSignedAt(cert *x509.Certificate, jwks []byte, now time.Time) error {
	if cert == nil {
		return errors.New("no client certificate")
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		return fmt.Errorf("client JWKS: %w", err)
	}
	for _, k := range set.Keys {
		// RFC 7517 §4.7: the first certificate of x5c holds the key.
		if len(k.Certificates) > 0 && bytes.Equal(k.Certificates[0].Raw, cert.Raw) {
			if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
				return fmt.Errorf("client certificate is valid from %s to %s, not now",
					cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
			}
			return nil
		}
	}
	return errors.New("client certificate is not one the client registered (x5c of its JWKS)")
}
