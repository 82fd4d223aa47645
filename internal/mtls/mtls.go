// Package mtls finds the TLS client certificate of a request, from the
// connection or from a trusted TLS-terminating proxy's header, and checks
// it for the mutual-TLS client authentication methods and
// certificate-bound access tokens of RFC 8705.
package mtls

import (
	"crypto/x509"
	"net/http"
	"net/netip"
	"time"

	"github.com/tollgate/tollgate"
)

// Source finds a request's client certificate.
type Source struct {
	// TrustedProxies are the addresses of TLS-terminating proxies whose
	// Header is believed. A request from any other address never has its
	// Header read (a client could forge it).
	TrustedProxies []netip.Prefix
	// Header is the header such a proxy puts the client certificate in:
	// RFC 9440's Client-Cert (a structured-field byte sequence of the DER),
	// or a URL-encoded PEM as nginx's $ssl_client_escaped_cert. Empty: no
	// header is read.
	Header string
}

// Certificate returns the client certificate r came with: the TLS
// connection's leaf, or, when r came from a trusted proxy, the one its
// Header carries (the connection's is then the proxy's own). nil, nil when
// there is none; an error when the header is malformed.
func (s *Source) Certificate(r *http.Request) (*x509.Certificate, error) {
	panic("mtls: Certificate is not implemented yet")
}

// Chain returns the client certificate chain r came with, leaf first, as
// Certificate finds it: the connection's peer certificates, or the one
// certificate of a trusted proxy's header. nil, nil when there is none.
func (s *Source) Chain(r *http.Request) ([]*x509.Certificate, error) {
	panic("mtls: Chain is not implemented yet")
}

// ExternalURL returns the scheme and host r was sent to by the client, as
// a DPoP proof's htu names them: from a trusted proxy, its
// X-Forwarded-Proto and X-Forwarded-Host (or Host); otherwise https when r
// came over TLS, else http, and r.Host.
func (s *Source) ExternalURL(r *http.Request) string {
	panic("mtls: ExternalURL is not implemented yet")
}

// Thumbprint returns the base64url SHA-256 of the certificate's DER: the
// x5t#S256 of a token bound to it (RFC 8705 §3.1).
func Thumbprint(cert *x509.Certificate) string {
	panic("mtls: Thumbprint is not implemented yet")
}

// CheckPKI checks a tls_client_auth client's certificate (RFC 8705 §2.1):
// it chains to roots for client authentication at now, and carries the one
// name want sets (subject DN, or a SAN of the given type).
func CheckPKI(cert *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, want tollgate.TLSClientAuth, now time.Time) error {
	panic("mtls: CheckPKI is not implemented yet")
}

// CheckSelfSigned checks a self_signed_tls_client_auth client's
// certificate (RFC 8705 §2.2): it is one of the certificates of the
// client's JWKS (the x5c of a key), byte for byte.
func CheckSelfSigned(cert *x509.Certificate, jwks []byte) error {
	panic("mtls: CheckSelfSigned is not implemented yet")
}
