package apigw

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// IntegrationURI is a parsed HTTP_PROXY integration URI: a fixed scheme,
// host and query, and a path made of literal (already percent-encoded) text
// and {name} placeholders, which take the route's path parameters.
type IntegrationURI struct {
	Scheme string // "http" or "https", lower case
	Host   string // host[:port]
	Query  string // the URI's own raw query
	// Parts is the path: literal text and placeholders, never two
	// placeholders in a row. It is empty for the path "/" or none.
	Parts []URIPart
	// Shared is set when a placeholder shares its path segment with
	// literal text ("/{name}.json"): only then can values without dot
	// segments form one with the literal text.
	Shared bool
}

// URIPart is either literal path text or the name of a placeholder.
type URIPart struct {
	Lit   string
	Param string
}

// Params returns the names of the URI's placeholders, in order.
func (u *IntegrationURI) Params() []string {
	var names []string
	for _, p := range u.Parts {
		if p.Param != "" {
			names = append(names, p.Param)
		}
	}
	return names
}

// ParseIntegrationURI parses an HTTP_PROXY integration URI such as
// "http://orders.internal:8080/v1/{proxy}" or "https://h/pets/{id}?v=2"
// and returns a message saying what is wrong, or "".
//
// Placeholders may appear only in the path, each a "{name}" whose name is
// letters, digits, '.', '_' or '-'; "{name+}" (a resource path's greedy
// syntax), stage variables, unbalanced braces, credentials in the URI,
// fragments and "." or ".." segments are refused, as are schemes other
// than http and https.
func ParseIntegrationURI(uri string) (*IntegrationURI, string) {
	bad := func(format string, args ...any) (*IntegrationURI, string) {
		return nil, fmt.Sprintf("invalid uri %q: ", uri) + fmt.Sprintf(format, args...)
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return bad("want an absolute http:// or https:// URL")
	}
	if s := strings.ToLower(scheme); s != "http" && s != "https" {
		return bad("scheme %q is not supported: want http or https", scheme)
	}
	if strings.Contains(uri, "#") {
		return bad("a fragment is not allowed")
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	if strings.ContainsAny(authority, "{}$") {
		return bad("placeholders are allowed only in the path")
	}
	if strings.Contains(authority, "@") {
		return bad("credentials in the URI are not supported")
	}
	u := &IntegrationURI{Scheme: strings.ToLower(scheme)}
	h, err := url.Parse(u.Scheme + "://" + authority)
	if err != nil || h.Host == "" || h.Hostname() == "" {
		return bad("the host is missing or malformed")
	}
	u.Host = h.Host
	path, query, _ := strings.Cut(rest, "?")
	if strings.ContainsAny(query, "{}") {
		return bad("placeholders are allowed only in the path")
	}
	if _, err := url.ParseQuery(query); err != nil {
		return bad("malformed query")
	}
	u.Query = query
	if msg := u.parsePath(path); msg != "" {
		return bad("%s", msg)
	}
	return u, ""
}

// parsePath splits the path into literal text and placeholders.
func (u *IntegrationURI) parsePath(p string) string {
	for p != "" {
		open := strings.IndexByte(p, '{')
		lit := p
		if open >= 0 {
			lit = p[:open]
		}
		if strings.IndexByte(lit, '}') >= 0 {
			return "unbalanced '}' in the path"
		}
		if lit != "" {
			if !validURIPath(lit) {
				return fmt.Sprintf("the path %q has characters that must be percent-encoded", lit)
			}
			u.Parts = append(u.Parts, URIPart{Lit: lit})
		}
		if open < 0 {
			break
		}
		closing := strings.IndexByte(p[open:], '}')
		if open > 0 && p[open-1] == '$' {
			return "stage variables are not supported in integration URIs"
		}
		if closing < 0 {
			return "unbalanced '{' in the path"
		}
		name := p[open+1 : open+closing]
		if msg := checkPlaceholder(name); msg != "" {
			return msg
		}
		if n := len(u.Parts); n > 0 && u.Parts[n-1].Param != "" {
			return fmt.Sprintf("placeholders {%s} and {%s} must be separated by literal text", u.Parts[n-1].Param, name)
		}
		u.Parts = append(u.Parts, URIPart{Param: name})
		p = p[open+closing+1:]
	}
	return u.checkShape()
}

func checkPlaceholder(name string) string {
	switch {
	case name == "":
		return "empty placeholder {}"
	case strings.HasSuffix(name, "+"):
		return fmt.Sprintf("write {%s}, not {%s}: the greedy '+' belongs to the resource path only", strings.TrimSuffix(name, "+"), name)
	case strings.HasPrefix(name, "stageVariables."):
		return "stage variables are not supported in integration URIs"
	case !validName(name):
		return fmt.Sprintf("placeholder {%s}: a name is letters, digits, '.', '_' or '-'", name)
	}
	return ""
}

// checkShape checks the path as a whole, each placeholder standing for a
// value that is no dot segment, and sets Shared.
func (u *IntegrationURI) checkShape() string {
	if len(u.Parts) > 0 && !strings.HasPrefix(u.Parts[0].Lit, "/") {
		// The path starts at '/', so this cannot happen, but a relative
		// path must never reach the wire.
		return "the path must start with '/'"
	}
	var shape strings.Builder // the path with each placeholder as "x"
	for _, pt := range u.Parts {
		if pt.Param != "" {
			shape.WriteString("x")
		}
		shape.WriteString(pt.Lit)
	}
	if HasDotSegment(shape.String()) {
		return `the path must not contain "." or ".." segments`
	}
	for i, pt := range u.Parts {
		if pt.Param == "" {
			continue
		}
		before := u.Parts[i-1].Lit // Parts[0] is literal, checked above
		after := "/"
		if i+1 < len(u.Parts) {
			after = u.Parts[i+1].Lit
		}
		if !strings.HasSuffix(before, "/") || !strings.HasPrefix(after, "/") {
			u.Shared = true
		}
	}
	return ""
}

// validURIPath reports whether s is a percent-encoded path fragment (RFC
// 3986 §3.3).
func validURIPath(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !IsHex(s[i+1]) || !IsHex(s[i+2]) {
				return false
			}
			i += 2
		case c == '/' || IsPchar(c):
		default:
			return false
		}
	}
	return true
}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// IsPchar reports whether c may appear unescaped in a path segment
// (RFC 3986 §3.3: unreserved, sub-delims, ':' and '@').
func IsPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

// HasDotSegment reports whether a path has a "." or ".." segment, a dot
// also spelt %2e or %2E.
func HasDotSegment(p string) bool {
	for s := range strings.SplitSeq(p, "/") {
		if dotSegment(s) != 0 {
			return true
		}
	}
	return false
}

// dotSegment returns 1 for ".", 2 for "..", counting "%2e"/"%2E" as a dot,
// and 0 for anything else.
func dotSegment(s string) int {
	dots := 0
	for s != "" {
		switch {
		case s[0] == '.':
			s = s[1:]
		case len(s) >= 3 && s[0] == '%' && s[1] == '2' && (s[2] == 'e' || s[2] == 'E'):
			s = s[3:]
		default:
			return 0
		}
		dots++
		if dots > 2 {
			return 0
		}
	}
	return dots
}

// lambdaURI is an AWS_PROXY integration's Uri: API Gateway's path to
// Lambda's Invoke action on a function's ARN, optionally qualified by a
// version or alias.
var lambdaURI = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?/invocations$`)

// LambdaFunction returns the name of the function a Lambda invocation URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function
// ARN}/invocations) invokes.
func LambdaFunction(uri string) (string, bool) {
	m := lambdaURI.FindStringSubmatch(uri)
	if m == nil {
		return "", false
	}
	return m[1], true
}
