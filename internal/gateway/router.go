package gateway

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
)

// MaxPathParams is the most path parameters one resource path may hold.
// It bounds the array a Match keeps them in, so matching does not allocate.
const MaxPathParams = 16

// methodAny is the method API Gateway uses for "every method".
const methodAny = "ANY"

// methodList names the methods a route may name besides ANY, which covers
// them all: API Gateway's HttpMethod values. HEAD is a method of its own;
// GET does not cover it.
const methodList = "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"

const (
	anySlot  = 7 // the slot of ANY in resource.methods
	numSlots = 8
)

// methodSlot returns the slot of a method in resource.methods, or -1 for a
// method API Gateway does not serve.
func methodSlot(m string) int {
	switch m {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "OPTIONS":
		return 2
	case "POST":
		return 3
	case "PUT":
		return 4
	case "PATCH":
		return 5
	case "DELETE":
		return 6
	case methodAny:
		return anySlot
	}
	return -1
}

// Router matches request paths to the routes of one REST API with API
// Gateway's semantics (see Match). It is built once and is safe for
// concurrent use.
type Router struct {
	root   node
	routes []tollgate.Route
}

// node is a resource of the tree: the root, a literal path part, or a
// variable path part ({name} or greedy {name+}).
type node struct {
	literals map[string]*node
	variable *node // at most one variable child per level, as API Gateway allows
	name     string
	greedy   bool
	res      *resource // nil until a method is defined on the node
}

// resource is a node that has methods.
type resource struct {
	path   string   // the template, e.g. "/pets/{id}"
	params []string // variable names, in template order
	// methods holds, per slot, 1 + the index of the route, or 0.
	methods [numSlots]int32
}

// Match is the result of matching a request: the route, its resource path
// and the path parameters. Path parameters are raw, as sent (never
// percent-decoded), from the normalized path (contract §5.1): a greedy
// parameter holds the rest of the path without its leading and trailing
// slashes.
type Match struct {
	// Route is the matched route; it points into the slice the router was
	// built from.
	Route *tollgate.Route
	// Index is the index of Route in that slice.
	Index int
	// Resource is the route's resource path, e.g. "/{proxy+}": what the
	// Lambda proxy event calls resource and requestContext.resourcePath.
	Resource string

	names  []string
	values [MaxPathParams]string
}

// NumParams returns how many path parameters the match has.
func (m *Match) NumParams() int { return len(m.names) }

// Param returns the i-th path parameter, in template order.
func (m *Match) Param(i int) (name, value string) { return m.names[i], m.values[i] }

// Lookup returns the value of the named path parameter.
func (m *Match) Lookup(name string) (string, bool) {
	for i, n := range m.names {
		if n == name {
			return m.values[i], true
		}
	}
	return "", false
}

// Params returns the path parameters as a map, or nil when there are none,
// as the Lambda proxy event's pathParameters is null then (§5.1).
func (m *Match) Params() map[string]string {
	if len(m.names) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.names))
	for i, n := range m.names {
		out[n] = m.values[i]
	}
	return out
}

// NewRouter builds the route tree of routes and checks it whole: every bad
// template, misplaced greedy parameter, duplicate method, conflicting
// variable siblings and unknown method is reported, as Problems. The router
// keeps pointers into routes, which must not be modified afterwards.
func NewRouter(routes []tollgate.Route) (*Router, error) {
	rt := &Router{routes: routes}
	var probs Problems
	for i := range routes {
		r := &routes[i]
		slot := methodSlot(r.Method)
		if slot < 0 {
			probs.add(i, "Method", "method %q is not one of %s or ANY", r.Method, methodList)
		}
		segs, msg := parseTemplate(r.ResourcePath)
		if msg != "" {
			probs.add(i, "ResourcePath", "resource path %q: %s", r.ResourcePath, msg)
			continue
		}
		n := &rt.root
		var params []string
		conflict := false
		for k, s := range segs {
			if s.variable {
				params = append(params, s.text)
				if n.variable == nil {
					n.variable = &node{name: s.text, greedy: s.greedy}
				} else if v := n.variable; v.name != s.text || v.greedy != s.greedy {
					probs.add(i, "ResourcePath", "resource path %q: %s conflicts with its sibling %s under %q: API Gateway allows one variable path part per level",
						r.ResourcePath, s.template(), segment{text: v.name, variable: true, greedy: v.greedy}.template(), templatePrefix(segs[:k]))
					conflict = true
					break
				}
				n = n.variable
				continue
			}
			if n.literals == nil {
				n.literals = make(map[string]*node)
			}
			c := n.literals[s.text]
			if c == nil {
				c = &node{}
				n.literals[s.text] = c
			}
			n = c
		}
		if conflict || slot < 0 {
			continue
		}
		if n.res == nil {
			n.res = &resource{path: templatePrefix(segs), params: params}
		}
		if prev := n.res.methods[slot]; prev != 0 {
			probs.add(i, "Method", "method %s is defined twice on %q (also by route %d)", r.Method, n.res.path, prev-1)
			continue
		}
		n.res.methods[slot] = int32(i + 1)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return rt, nil
}

// segment is one parsed path part of a template.
type segment struct {
	text     string // the literal, or the variable's name
	variable bool
	greedy   bool
}

func (s segment) template() string {
	switch {
	case s.greedy:
		return "{" + s.text + "+}"
	case s.variable:
		return "{" + s.text + "}"
	}
	return s.text
}

// templatePrefix renders segments as a resource path.
func templatePrefix(segs []segment) string {
	if len(segs) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(s.template())
	}
	return b.String()
}

// parseTemplate parses a resource path, "/" or "/part/part…", with API
// Gateway's rule for a path part: "a-zA-Z0-9._- and curly braces at the
// beginning and the end and an optional plus sign before the closing
// brace". A greedy part must be the last, a variable name may not repeat,
// and at most MaxPathParams parts may be variables. It returns a message
// saying what is wrong, or "".
func parseTemplate(p string) ([]segment, string) {
	if p == "/" {
		return nil, ""
	}
	if !strings.HasPrefix(p, "/") {
		return nil, "must start with /"
	}
	if strings.HasSuffix(p, "/") {
		return nil, "must not end with /"
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	vars := 0
	for i, part := range parts {
		if part == "" {
			return nil, "has an empty path part"
		}
		var s segment
		if strings.HasPrefix(part, "{") || strings.HasSuffix(part, "}") {
			if len(part) < 3 || part[0] != '{' || part[len(part)-1] != '}' {
				return nil, "path part " + quoteTemplate(part) + " must be {name} or {name+}"
			}
			s = segment{text: part[1 : len(part)-1], variable: true}
			if strings.HasSuffix(s.text, "+") {
				s.text, s.greedy = s.text[:len(s.text)-1], true
				if i != len(parts)-1 {
					return nil, "greedy path part " + quoteTemplate(part) + " must be the last"
				}
			}
			if !validPathPart(s.text) {
				return nil, "path part " + quoteTemplate(part) + ": a variable name may only hold a-zA-Z0-9._-"
			}
			for _, o := range segs {
				if o.variable && o.text == s.text {
					return nil, "path parameter " + quoteTemplate(s.text) + " appears twice"
				}
			}
			if vars++; vars > MaxPathParams {
				return nil, "has more than " + strconv.Itoa(MaxPathParams) + " path parameters"
			}
		} else {
			if !validPathPart(part) {
				return nil, "path part " + quoteTemplate(part) + " may only hold a-zA-Z0-9._- (or be {name} or {name+})"
			}
			s = segment{text: part}
		}
		segs = append(segs, s)
	}
	return segs, ""
}

func validPathPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func quoteTemplate(s string) string { return `"` + s + `"` }

// Match finds the route for a request's method and path, the path being
// the raw (escaped) request path after the stage, e.g. "/pets/1" ("" is
// the root, as a request for just "/prod" is). It reports false when no
// route matches the path and method, which the gateway answers with 403
// Missing Authentication Token (contract §4.2).
//
// Runs of slashes count as one and a trailing slash is ignored. At each
// level a literal path part is tried first, then the variable part, then a
// greedy part, which needs at least one path segment (so "/" does not match
// "/{proxy+}"); a resource that matches the path but has neither the method
// nor ANY is passed over and the search backtracks. On a resource, a
// specific method beats ANY. Matching does not allocate.
func (rt *Router) Match(method, path string) (Match, bool) {
	var m Match
	slot := methodSlot(method)
	if slot < 0 || slot == anySlot {
		return m, false // "ANY" is not a request method
	}
	ok := rt.match(&rt.root, slot, trimSlashes(path), 0, &m)
	return m, ok
}

// match matches rest, which has no leading slash, below n; nvar variables
// have been bound on the way.
func (rt *Router) match(n *node, slot int, rest string, nvar int, m *Match) bool {
	if rest == "" {
		return rt.found(n, slot, m)
	}
	seg, tail := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg, tail = rest[:i], trimSlashes(rest[i:])
	}
	if c := n.literals[seg]; c != nil && rt.match(c, slot, tail, nvar, m) {
		return true
	}
	v := n.variable
	if v == nil {
		return false
	}
	if !v.greedy {
		m.values[nvar] = seg
		return rt.match(v, slot, tail, nvar+1, m)
	}
	if !rt.found(v, slot, m) {
		return false
	}
	m.values[nvar] = greedyValue(rest)
	return true
}

// found fills m with n's route for the method slot, if it has one.
func (rt *Router) found(n *node, slot int, m *Match) bool {
	res := n.res
	if res == nil {
		return false
	}
	idx := res.methods[slot]
	if idx == 0 {
		if idx = res.methods[anySlot]; idx == 0 {
			return false
		}
	}
	m.Index = int(idx - 1)
	m.Route = &rt.routes[m.Index]
	m.Resource = res.path
	m.names = res.params
	return true
}

// trimSlashes removes leading slashes.
func trimSlashes(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}

// greedyValue returns the value of a greedy parameter from the rest of the
// path (which starts with a segment): without trailing slashes, and with
// the slashes inside it kept as sent, as API Gateway keeps them (contract
// §5.1: pathParameters.proxy is the path without its leading and trailing
// slash).
func greedyValue(rest string) string {
	for len(rest) > 0 && rest[len(rest)-1] == '/' {
		rest = rest[:len(rest)-1]
	}
	return rest
}
