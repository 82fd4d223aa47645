package dpop

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Thumbprint returns the base64url (unpadded) SHA-256 JWK thumbprint of
// jwk (RFC 7638 §3): cnf.jkt of a token bound to the key (RFC 9449 §6.1).
func Thumbprint(jwk *jose.JSONWebKey) (string, error) {
	if jwk == nil {
		return "", errors.New("dpop: no key")
	}
	t, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

// ATH returns the ath of a proof bound to an access token: the base64url
// (unpadded) SHA-256 of the token's ASCII bytes (RFC 9449 §4.2).
func ATH(token string) string {
	s := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// NormalizeURL returns the form of an http or https URL that htu is
// compared in (RFC 9449 §4.3 check 9): scheme and host in lower case, the
// scheme's default port removed (RFC 3986 §6.2.3), an empty path made "/",
// percent-encodings of unreserved characters decoded and the others in
// upper case (§6.2.2.2), dot segments removed (§6.2.2.3); the query and
// fragment are left out. A URL with user information is an error.
func NormalizeURL(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	scheme := strings.ToLower(p.Scheme)
	if (scheme != "http" && scheme != "https") || p.Host == "" || p.Opaque != "" {
		return "", errors.New("dpop: not an absolute http(s) URL")
	}
	if p.User != nil {
		return "", errors.New("dpop: a URL with user information")
	}
	host := strings.ToLower(p.Host)
	if port := p.Port(); (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		host = strings.TrimSuffix(host, ":"+port)
	} else if port == "" {
		host = strings.TrimSuffix(host, ":") // an empty port is the default one
	}
	path := removeDotSegments(normalizeEscapes(p.EscapedPath()))
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// normalizeEscapes decodes the percent-encodings of unreserved characters
// and writes the others in upper case (RFC 3986 §6.2.2.1, §6.2.2.2).
func normalizeEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(s[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is RFC 3986 §5.2.4's algorithm.
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:i+1])
				in = in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}
