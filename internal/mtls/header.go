package mtls

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// maxHeaderCert bounds a certificate header's length; a certificate chain
// fits in a fraction of it, and the server's MaxHeaderBytes is smaller.
const maxHeaderCert = 64 << 10

// ParseHeader parses the values of a proxy's client certificate header:
// RFC 9440 §2.2's Client-Cert, a structured-field byte sequence (RFC 8941
// §3.3.5, ":" base64 of the DER ":", parameters ignored), or else a
// URL-encoded PEM certificate (nginx's $ssl_client_escaped_cert). No value,
// or one empty value (nginx's when the client sent no certificate), is no
// certificate: nil, nil. Several values are an error: which would be the
// client's?
func ParseHeader(values []string) (*x509.Certificate, error) {
	switch len(values) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, errors.New("client certificate header sent more than once")
	}
	v := strings.Trim(values[0], " \t")
	if v == "" {
		return nil, nil
	}
	if len(v) > maxHeaderCert {
		return nil, errors.New("client certificate header too long")
	}
	var der []byte
	var err error
	if v[0] == ':' {
		der, err = parseByteSequence(v)
	} else {
		der, err = parseEscapedPEM(v)
	}
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("client certificate header: %w", err)
	}
	return cert, nil
}

// parseByteSequence decodes an RFC 8941 §3.3.5 byte sequence item,
// ignoring its parameters (RFC 9440 defines none).
func parseByteSequence(v string) ([]byte, error) {
	end := strings.IndexByte(v[1:], ':')
	if end < 0 {
		return nil, errors.New("client certificate header: unterminated byte sequence")
	}
	b64, rest := v[1:1+end], v[2+end:]
	if rest != "" && rest[0] != ';' {
		return nil, errors.New("client certificate header: not a single byte sequence")
	}
	der, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		// RFC 8941 §4.2.7: parsers may accept a sequence without padding.
		der, err = base64.RawStdEncoding.Strict().DecodeString(b64)
	}
	if err != nil || len(der) == 0 {
		return nil, errors.New("client certificate header: bad base64 in byte sequence")
	}
	return der, nil
}

// parseEscapedPEM decodes a URL-encoded PEM certificate. Percent escapes
// are undone without turning "+" into a space: "+" is a base64 digit, which
// a proxy may leave unescaped.
func parseEscapedPEM(v string) ([]byte, error) {
	s, err := url.PathUnescape(v)
	if err != nil {
		return nil, errors.New("client certificate header: bad URL encoding")
	}
	block, rest := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("client certificate header: neither a byte sequence nor a PEM certificate")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("client certificate header: more than one PEM block")
	}
	return block.Bytes, nil
}
