package proxy

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// template is an HTTP_PROXY integration URI, parsed once when the route's
// handler is built: a fixed scheme, host and query, and a path made of
// literal (already percent-encoded) text and placeholders.
type template struct {
	scheme string
	host   string
	query  string // the URI's own raw query, sent before the client's
	// fixed are the names the URI's query sets: a client's parameters of
	// these names are not sent, so that the URI's values are the only ones.
	fixed map[string]bool
	parts []part
	// static is the whole path when the URI has no placeholder.
	static string
	// shared is set when a placeholder shares its path segment with
	// literal text ("/{name}.json"): only then can values without dot
	// segments form one with the literal text, which expand checks.
	shared bool
}

// part is either literal path text or the name of a path parameter.
type part struct {
	lit   string
	param string
}

// errURI wraps every template error so that callers can show them as
// configuration problems.
func errURI(uri, format string, args ...any) error {
	return fmt.Errorf("integration URI %q: %s", uri, fmt.Sprintf(format, args...))
}

// parseTemplate parses an integration URI such as
// "http://orders.internal:8080/v1/{proxy}" or "https://h/pets/{id}?v=2".
//
// Placeholders may appear only in the path, each a "{name}" whose name is
// letters, digits, "_", "-" or "."; "{name+}" (a resource path's greedy
// syntax), stage variables, unbalanced braces, credentials in the URI and
// fragments are refused, as are schemes other than http and https.
func parseTemplate(uri string) (*template, error) {
	if uri == "" {
		return nil, errors.New("integration URI is empty")
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return nil, errURI(uri, "must be an absolute http:// or https:// URL")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return nil, errURI(uri, "scheme %q is not supported (only http and https)", scheme)
	}
	if strings.Contains(uri, "#") {
		return nil, errURI(uri, "a fragment is not allowed")
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	if strings.ContainsAny(authority, "{}$") {
		return nil, errURI(uri, "placeholders are allowed only in the path")
	}
	if strings.Contains(authority, "@") {
		return nil, errURI(uri, "credentials in the URI are not supported")
	}
	u, err := url.Parse(scheme + "://" + authority)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, errURI(uri, "host is missing or malformed")
	}
	rawPath, query, _ := strings.Cut(rest, "?")
	if strings.ContainsAny(query, "{}") {
		return nil, errURI(uri, "placeholders are allowed only in the path")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, errURI(uri, "malformed query: %v", err)
	}
	t := &template{scheme: scheme, host: u.Host, query: query}
	for name := range q {
		if t.fixed == nil {
			t.fixed = map[string]bool{}
		}
		t.fixed[name] = true
	}
	if err := t.parsePath(uri, rawPath); err != nil {
		return nil, err
	}
	if len(t.parts) == 0 {
		t.static = "/"
	} else if len(t.parts) == 1 && t.parts[0].param == "" {
		t.static = t.parts[0].lit
	}
	return t, nil
}

// parsePath splits the path into literal text and placeholders.
func (t *template) parsePath(uri, p string) error {
	for p != "" {
		open := strings.IndexByte(p, '{')
		lit := p
		if open >= 0 {
			lit = p[:open]
		}
		if strings.IndexByte(lit, '}') >= 0 {
			return errURI(uri, "unbalanced '}' in the path")
		}
		if lit != "" {
			if !validPath(lit) {
				return errURI(uri, "path %q has characters that must be percent-encoded", lit)
			}
			t.parts = append(t.parts, part{lit: lit})
		}
		if open < 0 {
			break
		}
		if open > 0 && p[open-1] == '$' {
			return errURI(uri, "stage variables are not supported in integration URIs")
		}
		closing := strings.IndexByte(p[open:], '}')
		if closing < 0 {
			return errURI(uri, "unbalanced '{' in the path")
		}
		name := p[open+1 : open+closing]
		switch {
		case name == "":
			return errURI(uri, "empty placeholder {}")
		case strings.HasSuffix(name, "+"):
			return errURI(uri, "write {%s}, not {%s}: the greedy '+' belongs to the resource path only", strings.TrimSuffix(name, "+"), name)
		case strings.HasPrefix(name, "stageVariables."):
			return errURI(uri, "stage variables are not supported in integration URIs")
		case !validName(name):
			return errURI(uri, "placeholder {%s}: a name is letters, digits, '_', '-' or '.'", name)
		}
		if n := len(t.parts); n > 0 && t.parts[n-1].param != "" {
			return errURI(uri, "placeholders {%s} and {%s} must be separated by literal text", t.parts[n-1].param, name)
		}
		t.parts = append(t.parts, part{param: name})
		p = p[open+closing+1:]
	}
	if len(t.parts) > 0 && !strings.HasPrefix(t.parts[0].lit, "/") {
		// An authority followed directly by "{x}" cannot happen (the path
		// starts at '/'), but a relative path must never reach the wire.
		return errURI(uri, "path must start with '/'")
	}
	var shape strings.Builder // the path with each placeholder as "x"
	for _, pt := range t.parts {
		if pt.param != "" {
			shape.WriteString("x")
		}
		shape.WriteString(pt.lit)
	}
	if hasDotSegment(shape.String()) {
		return errURI(uri, "the path must not contain \".\" or \"..\" segments")
	}
	for i, pt := range t.parts {
		if pt.param == "" {
			continue
		}
		before := t.parts[i-1].lit // parts[0] is literal, checked above
		after := "/"
		if i+1 < len(t.parts) {
			after = t.parts[i+1].lit
		}
		if !strings.HasSuffix(before, "/") || !strings.HasPrefix(after, "/") {
			t.shared = true
		}
	}
	return nil
}

// params returns the names of the template's placeholders, in order.
func (t *template) params() []string {
	var names []string
	for _, p := range t.parts {
		if p.param != "" {
			names = append(names, p.param)
		}
	}
	return names
}

// Placeholders validates an HTTP_PROXY integration URI as Handler does and
// returns the names of its path placeholders in order ("proxy" for
// "http://h/{proxy}"). Config validation can use it to check that each name
// is a path parameter of the route.
func Placeholders(uri string) ([]string, error) {
	t, err := parseTemplate(uri)
	if err != nil {
		return nil, err
	}
	return t.params(), nil
}

// errMissingParam reports a placeholder the request has no value for: a
// configuration mistake (the route lacks that path parameter).
type errMissingParam string

func (e errMissingParam) Error() string {
	return fmt.Sprintf("integration URI placeholder {%s} has no path parameter of that name", string(e))
}

// expand returns the upstream path, percent-encoded, with each placeholder
// replaced by its path parameter. Values are taken as they appear in the
// request path (percent-encoded); characters that are not allowed in a path
// are escaped, so a decoded value is safe too.
//
// A "." or ".." segment (also spelt with %2e) in a value is refused with
// errDotSegment rather than resolved: "/prod/public/../admin" matches the
// route "/{proxy+}", and resolving it would reach the upstream's /admin,
// which another route, with another authorizer, may be the one to guard.
// Clients normalize dot segments before sending (RFC 3986 §5.2.4), so only
// a crafted request has them.
func (t *template) expand(params map[string]string) (string, error) {
	if t.static != "" {
		return t.static, nil
	}
	n := 0
	for _, p := range t.parts {
		n += len(p.lit) + len(params[p.param])
	}
	b := make([]byte, 0, n+8)
	for _, p := range t.parts {
		if p.param == "" {
			b = append(b, p.lit...)
			continue
		}
		v, ok := params[p.param]
		if !ok {
			return "", errMissingParam(p.param)
		}
		if mayHaveDotSegment(v) && hasDotSegment(v) {
			return "", errDotSegment
		}
		b = appendParam(b, v)
	}
	path := string(b)
	if t.shared && mayHaveDotSegment(path) && hasDotSegment(path) {
		return "", errDotSegment
	}
	return path, nil
}

// errDotSegment reports a path parameter with a "." or ".." segment, or
// parameters that form one with the URI's literal text.
var errDotSegment = errors.New(`a path parameter holds a "." or ".." segment`)

// hasDotSegment reports whether a path has a "." or ".." segment.
func hasDotSegment(p string) bool {
	for s := range strings.SplitSeq(p, "/") {
		if dotSegment(s) != 0 {
			return true
		}
	}
	return false
}

// appendParam appends a path parameter's value to the path being built,
// escaping what a path cannot hold.
func appendParam(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]):
			b = append(b, v[i:i+3]...)
			i += 2
		case c == '/' || isPchar(c):
			b = append(b, c)
		default:
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return b
}

// mayHaveDotSegment is a cheap filter before hasDotSegment.
func mayHaveDotSegment(v string) bool {
	return strings.IndexByte(v, '.') >= 0 || strings.Contains(v, "%2e") || strings.Contains(v, "%2E")
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

const upperhex = "0123456789ABCDEF"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isPchar reports whether c may appear unescaped in a path segment
// (RFC 3986 §3.3: unreserved, sub-delims, ':' and '@').
func isPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

// validPath reports whether s is a percent-encoded path fragment.
func validPath(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		case c == '/' || isPchar(c):
		default:
			return false
		}
	}
	return true
}

// validName reports whether s is a placeholder name.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return s != ""
}
