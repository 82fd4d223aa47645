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

// ValidScope reports whether s is a scope token (RFC 6749 §3.3): printable
// ASCII other than space, '"' and '\'.
func ValidScope(s string) bool { return scopeTokenPattern.MatchString(s) }

// CheckFetchURL returns what is wrong with a configured URL Tollgate
// fetches keys from or compares to a token's issuer, or "": it must be
// https, or http on a loopback host (isLoopback), with no credentials or
// fragment. A URL a fetch leads to, not configured, is checked with
// CheckFetchedURL.
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

// CheckFetchedURL returns what is wrong with a URL that a fetch from the
// configured URL origin led to (a discovery document's jwks_uri, a
// redirect), or "": what CheckFetchURL requires, and https unless origin
// is itself http (on loopback, as CheckFetchURL allowed it). A remote https
// issuer must not be able to send Tollgate to plain http, loopback
// included: that would let it make Tollgate GET any loopback URL.
func CheckFetchedURL(s, origin string) string {
	if why := CheckFetchURL(s); why != "" {
		return why
	}
	u, _ := url.Parse(s) // CheckFetchURL parsed it
	if o, err := url.Parse(origin); u.Scheme == "http" && (err != nil || o.Scheme != "http") {
		return "want https: a URL reached from an https URL must be https"
	}
	return ""
}

// isLoopback reports whether host is literally this machine: "localhost"
// (RFC 6761 §6.3) or a loopback IP address (127.0.0.0/8, ::1). Other names
// are resolved by DNS, whatever their text: "*.localhost" is not taken for
// loopback.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
