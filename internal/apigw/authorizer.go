package apigw

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Sources: the CreateAuthorizer API reference (identitySource) and RFC
// 6749 §3.3 (scope-token).
var (
	// headerNamePattern is an HTTP field name (RFC 9110 §5.1).
	headerNamePattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
	// scopeTokenPattern is RFC 6749 §3.3's scope-token.
	scopeTokenPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)
)

const (
	// IdentitySourcePrefix starts an identity source that names a request
	// header.
	IdentitySourcePrefix = "method.request.header."
	// DefaultIdentitySource is where a Cognito authorizer finds the token,
	// as CDK writes it.
	DefaultIdentitySource = IdentitySourcePrefix + "Authorization"
)

// CheckIdentitySource returns what is wrong with the identity source of a
// COGNITO_USER_POOLS, TOKEN or JWT authorizer, as a template or config
// writes it, or "": these read the token from one request header.
func CheckIdentitySource(s string) string {
	h, ok := strings.CutPrefix(s, IdentitySourcePrefix)
	if !ok || !headerNamePattern.MatchString(h) {
		return fmt.Sprintf("invalid identity source %q: want a request header, like %s (the authorizer reads the token from one header)", s, DefaultIdentitySource)
	}
	return ""
}

// IdentityHeader returns the header name an identity source names: the
// default Authorization for "", a bare header name, or
// "method.request.header.Name"; "" when it names no header.
func IdentityHeader(source string) string {
	h := strings.TrimPrefix(source, IdentitySourcePrefix)
	if h == "" {
		h = "Authorization"
	}
	if !headerNamePattern.MatchString(h) {
		return ""
	}
	return h
}

// ValidScope reports whether s is a scope token (RFC 6749 §3.3): printable
// ASCII other than space, '"' and '\'.
func ValidScope(s string) bool { return scopeTokenPattern.MatchString(s) }

// CheckFetchURL returns what is wrong with a URL Tollgate fetches keys from
// or compares to a token's issuer, or "": it must be https, or http on a
// loopback host, with no credentials or fragment.
func CheckFetchURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "":
		return "want an https URL"
	case u.Scheme != "https" && u.Scheme != "http":
		return "want an https URL"
	case u.Hostname() == "":
		return "the host is missing"
	case u.User != nil:
		return "credentials in the URL are not supported"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "a fragment is not allowed"
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "want https: http is allowed only on a loopback host (localhost, 127.0.0.1, ::1)"
	}
	return ""
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
