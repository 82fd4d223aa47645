package mtls

import (
	"crypto/x509"
	"net/http"
	"net/netip"
	"strings"
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
	chain, err := s.Chain(r)
	if err != nil || len(chain) == 0 {
		return nil, err
	}
	return chain[0], nil
}

// Chain returns the client certificate chain r came with, leaf first, as
// Certificate finds it: the connection's peer certificates, or the one
// certificate of a trusted proxy's header. nil, nil when there is none.
func (s *Source) Chain(r *http.Request) ([]*x509.Certificate, error) {
	if s != nil && s.Header != "" && s.trusted(r) {
		// Only the header counts: the connection's certificate, if any, is
		// the proxy's.
		cert, err := ParseHeader(r.Header.Values(s.Header))
		if err != nil || cert == nil {
			return nil, err
		}
		return []*x509.Certificate{cert}, nil
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	return r.TLS.PeerCertificates, nil
}

// ExternalURL returns the scheme and host r was sent to by the client, as
// a DPoP proof's htu names them: from a trusted proxy, its
// X-Forwarded-Proto and X-Forwarded-Host (or Host); otherwise https when r
// came over TLS, else http, and r.Host.
func (s *Source) ExternalURL(r *http.Request) string {
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s != nil && s.trusted(r) {
		if p := strings.ToLower(firstValue(r.Header, "X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header, "X-Forwarded-Host"); validHost(h) {
			host = h
		}
	}
	return scheme + "://" + host
}

// trusted reports whether r came straight from one of TrustedProxies.
func (s *Source) trusted(r *http.Request) bool {
	if len(s.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// firstValue returns the first element of a comma-separated header: the
// one the outermost proxy, the one the client talked to, set when proxies
// in a chain append their own.
func firstValue(h http.Header, name string) string {
	v := h.Get(name)
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// validHost reports whether h can be the host[:port] of a URL: not empty,
// and none of the characters that would end the authority or break the URL.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`/?#@\"<>{}|^`+"`", c) >= 0 {
			return false
		}
	}
	return true
}
