package proxy

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/gateway"
)

// template is an HTTP_PROXY integration URI, parsed once when the route's
// handler is built (apigw.ParseIntegrationURI, the parser config
// validation runs too): a fixed scheme, host and query, and a path made of
// literal (already percent-encoded) text and placeholders.
type template struct {
	scheme string
	host   string
	query  string // the URI's own raw query, sent before the client's
	// fixed are the names the URI's query sets: a client's parameters of
	// these names are not sent, so that the URI's values are the only ones.
	fixed map[string]bool
	parts []apigw.URIPart
	// static is the whole path when the URI has no placeholder.
	static string
	// shared is set when a placeholder shares its path segment with
	// literal text ("/{name}.json"): only then can values without dot
	// segments form one with the literal text, which expand checks.
	shared bool
}

// parseTemplate parses an integration URI such as
// "http://orders.internal:8080/v1/{proxy}" or "https://h/pets/{id}?v=2"
// with apigw.ParseIntegrationURI.
func parseTemplate(uri string) (*template, error) {
	u, msg := apigw.ParseIntegrationURI(uri)
	if msg != "" {
		return nil, errors.New(msg)
	}
	q, err := url.ParseQuery(u.Query)
	if err != nil { // ParseIntegrationURI has checked it
		return nil, fmt.Errorf("integration URI %q: malformed query: %w", uri, err)
	}
	t := &template{scheme: u.Scheme, host: u.Host, query: u.Query, parts: u.Parts, shared: u.Shared}
	for name := range q {
		if t.fixed == nil {
			t.fixed = map[string]bool{}
		}
		t.fixed[name] = true
	}
	if len(t.parts) == 0 {
		t.static = "/"
	} else if len(t.parts) == 1 && t.parts[0].Param == "" {
		t.static = t.parts[0].Lit
	}
	return t, nil
}

// errMissingParam reports a placeholder the request has no value for: a
// configuration mistake (the route lacks that path parameter).
type errMissingParam string

func (e errMissingParam) Error() string {
	return fmt.Sprintf("integration URI placeholder {%s} has no path parameter of that name", string(e))
}

// expand returns the upstream path, percent-encoded, with each placeholder
// replaced by its path parameter, which param looks up
// (gateway.Invocation.PathParameter: no map is built per request). Values are taken as they appear in the
// request path (percent-encoded); characters that are not allowed in a path
// are escaped, so a decoded value is safe too.
//
// A "." or ".." segment (also spelt with %2e) in a value is refused with
// errDotSegment rather than resolved: "/prod/public/../admin" matches the
// route "/{proxy+}", and resolving it would reach the upstream's /admin,
// which another route, with another authorizer, may be the one to guard.
// Clients normalize dot segments before sending (RFC 3986 §5.2.4), so only
// a crafted request has them.
func (t *template) expand(param func(name string) (string, bool)) (string, error) {
	if t.static != "" {
		return t.static, nil
	}
	n := 0
	for _, p := range t.parts {
		n += len(p.Lit)
		if p.Param != "" {
			v, _ := param(p.Param)
			n += len(v)
		}
	}
	b := make([]byte, 0, n+8)
	for _, p := range t.parts {
		if p.Param == "" {
			b = append(b, p.Lit...)
			continue
		}
		v, ok := param(p.Param)
		if !ok {
			return "", errMissingParam(p.Param)
		}
		if mayHaveDotSegment(v) && apigw.HasDotSegment(v) {
			return "", errDotSegment
		}
		b = appendParam(b, v)
	}
	path := string(b)
	if t.shared && mayHaveDotSegment(path) && apigw.HasDotSegment(path) {
		return "", errDotSegment
	}
	return path, nil
}

// path returns the upstream path of inv: expand with inv's path
// parameters, or, when it is already that path, inv.Path itself (reuse).
func (t *template) path(inv *gateway.Invocation) (string, error) {
	if p, ok := t.reuse(inv.Path, inv.PathParameter); ok {
		return p, nil
	}
	return t.expand(inv.PathParameter)
}

// reuse reports whether s is exactly the path expand would build, so that
// it can be sent as it is rather than built again: the URI is one literal
// and one parameter (typically "/{proxy}"), s is the literal then the
// parameter's value, and the value needs no escaping and has no dot
// segment (expand reports those).
func (t *template) reuse(s string, param func(name string) (string, bool)) (string, bool) {
	if len(t.parts) != 2 || t.parts[0].Param != "" || t.parts[1].Param == "" || t.shared {
		return "", false
	}
	lit := t.parts[0].Lit
	v, ok := param(t.parts[1].Param)
	if !ok || len(s) != len(lit)+len(v) || s[:len(lit)] != lit || s[len(lit):] != v {
		return "", false
	}
	if !unchanged(v) || mayHaveDotSegment(v) && apigw.HasDotSegment(v) {
		return "", false
	}
	return s, true
}

// joinPath returns prefix, the path of the URI of an HTTP API's $default
// route without its trailing slash, followed by raw, the request's path as
// sent ("/store/checkout" on "https://backend" is "/store/checkout"). raw is
// checked as a path parameter is: a "." or ".." segment is refused with
// errDotSegment, and what a path cannot hold is escaped. A raw path that
// needs neither is used as it is: on a URI without a path, joining costs
// no allocation.
func joinPath(prefix, raw string) (string, error) {
	if raw == "" || raw[0] != '/' {
		raw = "/" + raw // the gateway's paths start with "/"; be safe
	}
	if mayHaveDotSegment(raw) && apigw.HasDotSegment(raw) {
		return "", errDotSegment
	}
	if unchanged(raw) {
		if prefix == "" {
			return raw, nil
		}
		return prefix + raw, nil
	}
	b := make([]byte, 0, len(prefix)+len(raw)+8)
	b = append(b, prefix...)
	return string(appendParam(b, raw)), nil
}

// unchanged reports whether appendParam appends v as it is.
func unchanged(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%' && i+2 < len(v) && apigw.IsHex(v[i+1]) && apigw.IsHex(v[i+2]):
			i += 2
		case c == '/' || apigw.IsPchar(c):
		default:
			return false
		}
	}
	return true
}

// errDotSegment reports a path parameter with a "." or ".." segment, or
// parameters that form one with the URI's literal text.
var errDotSegment = errors.New(`a path parameter holds a "." or ".." segment`)

// appendParam appends a path parameter's value to the path being built,
// escaping what a path cannot hold.
func appendParam(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%' && i+2 < len(v) && apigw.IsHex(v[i+1]) && apigw.IsHex(v[i+2]):
			b = append(b, v[i:i+3]...)
			i += 2
		case c == '/' || apigw.IsPchar(c):
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

const upperhex = "0123456789ABCDEF"
