package gateway

import (
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// methodSlot returns the slot of a method in resource.methods, or -1 for a
// method API Gateway does not serve.
func methodSlot(m string) int { return apigw.MethodIndex(m) }

const anySlot = apigw.AnyIndex // the slot of ANY in resource.methods

// Router matches request paths to the routes of one API with API
// Gateway's semantics (see Match): a REST API's (NewRouter) or an HTTP
// API's (NewHTTPRouter), which differ only in two parameters of the one
// matcher. It is built once and is safe for concurrent use.
type Router struct {
	root   node
	routes []tollgate.Route
	// greedyLast (HTTP APIs) makes every full match of a path beat every
	// match by a greedy parameter (contract apigw-beyond §4.1: "full match
	// > greedy match > $default"); a REST API tries a greedy parameter at
	// its level, after the literal and the variable.
	greedyLast bool
	// def is 1 + the index of the $default route (HTTP APIs), or 0: the
	// route of every request no other route matches. It is not in the
	// tree.
	def int32
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
	methods [apigw.NumMethods]int32
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
	values [apigw.MaxPathParams]string // bounded, so matching does not allocate
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

// NewRouter builds the route tree of a REST API's routes and checks it
// whole (apigw.CheckRoutes): every bad template, misplaced greedy
// parameter, duplicate method, conflicting variable siblings and unknown
// method is reported, as Problems. The router keeps pointers into routes,
// which must not be modified afterwards.
func NewRouter(routes []tollgate.Route) (*Router, error) {
	rt := &Router{routes: routes}
	return rt, rt.build()
}

// NewHTTPRouter builds the route tree of an HTTP API's routes, checked as
// NewRouter's; the $default route (tollgate.Route.IsDefault) is kept beside
// the tree as the fallback, and Match selects routes as HTTP APIs do.
func NewHTTPRouter(routes []tollgate.Route) (*Router, error) {
	rt := &Router{routes: routes, greedyLast: true}
	return rt, rt.build()
}

// build builds the tree of either kind of router (greedyLast tells an HTTP
// API's): rt.routes are checked by apigw.CheckRoutes (which passes over
// the $default route, once per API), and each is inserted at its own
// index, the $default route beside the tree.
func (rt *Router) build() error {
	routes := rt.routes
	probs := apigw.CheckRoutes(routes)
	for i := range routes {
		if routes[i].IsDefault() && !rt.greedyLast {
			probs.Add(i, "ResourcePath", "a REST API has no $default route")
		}
	}
	if len(probs) > 0 {
		return probs
	}
	for i := range routes {
		r := &routes[i]
		if r.IsDefault() {
			rt.def = int32(i + 1)
			continue
		}
		parts, _ := apigw.ParsePath(r.ResourcePath)
		n := rt.insert(parts)
		if n.res == nil {
			n.res = &resource{path: apigw.FormatPath(parts), params: apigw.Params(parts)}
		}
		n.res.methods[methodSlot(r.Method)] = int32(i + 1)
	}
	return nil
}

// insert returns the node of a checked path, adding the nodes on the way.
func (rt *Router) insert(parts []apigw.Part) *node {
	n := &rt.root
	for _, p := range parts {
		if p.Variable {
			if n.variable == nil {
				n.variable = &node{name: p.Text, greedy: p.Greedy}
			}
			n = n.variable
			continue
		}
		if n.literals == nil {
			n.literals = make(map[string]*node)
		}
		c := n.literals[p.Text]
		if c == nil {
			c = &node{}
			n.literals[p.Text] = c
		}
		n = c
	}
	return n
}

// Match finds the route for a request's method and path, the path being
// the raw (escaped) request path after the stage, e.g. "/pets/1" ("" is
// the root, as a request for just "/prod" is). It reports false when no
// route matches the path and method, which the gateway answers with 403
// Missing Authentication Token on a REST API (contract §4.2) and 404 Not
// Found on an HTTP API (apigw-beyond §4.1).
//
// Runs of slashes count as one and a trailing slash is ignored. At each
// level a literal path part is tried first, then the variable part, then a
// greedy part, which needs at least one path segment (so "/" does not match
// "/{proxy+}" on a REST API); a resource that matches the path but has neither the method
// nor ANY is passed over and the search backtracks. On a resource, a
// specific method beats ANY. Matching does not allocate.
//
// An HTTP API's router (NewHTTPRouter) differs in three ways (apigw-beyond
// §4.1, http-api-develop-routes.md "Routing API requests"): a match
// without a greedy parameter anywhere beats every match with one, so that
// "/{x}/b" wins "/a/b" over "/a/{proxy+}", which a REST API's depth-first
// search would take; the root path matches a greedy parameter at the root
// with the empty value (rootGreedy); and a request no route matches, or
// whose method no route knows, goes to the $default route when there is
// one.
//
// On both kinds a method that is only a case-variant of a known one
// ("get", "Post") matches nothing, $default included: RFC 9110 makes
// methods case-sensitive, but upstreams that upper-case them would serve
// "get" as the "GET" its route guards. What AWS answers is not documented;
// this is the kind's "no route" answer.
func (rt *Router) Match(method, path string) (Match, bool) {
	var m Match
	slot := methodSlot(method)
	if slot == anySlot || (slot < 0 && caseVariant(method)) {
		// "ANY" is not a request method; and "get" is not "GET" (RFC 9110
		// §9.1: methods are case-sensitive), but an upstream that
		// upper-cases it would serve it as GET: it is refused, rather than
		// left to $default, which may guard less than "GET"'s route.
		return m, false
	}
	if slot >= 0 {
		rest := trimSlashes(path)
		first := withGreedy
		if rt.greedyLast {
			first = fullOnly
		}
		if rt.match(&rt.root, slot, rest, 0, &m, first) {
			return m, true
		}
		if first == fullOnly && (rt.match(&rt.root, slot, rest, 0, &m, withGreedy) || rt.rootGreedy(slot, rest, &m)) {
			return m, true
		}
	}
	if rt.def == 0 {
		return m, false
	}
	m.Index = int(rt.def - 1)
	m.Route = &rt.routes[m.Index]
	m.Resource = tollgate.DefaultRouteKey
	m.names = nil
	return m, true
}

// rootGreedy matches the root path ("/", rest "") of an HTTP API to a
// greedy parameter at the root ("/{proxy+}") with the empty value, as
// recorded on AWS: an API whose only route is "ANY /{proxy+}" gets GET "/"
// with routeKey "ANY /{proxy+}" and pathParameters.proxy "" (a capture
// on the $default stage, rawPath "/", and one on the stage dev, rawPath
// "/dev/"). A REST API's "/{proxy+}" needs a segment. Only the root is
// recorded, so a deeper "/a/{proxy+}" still needs one.
func (rt *Router) rootGreedy(slot int, rest string, m *Match) bool {
	v := rt.root.variable
	if rest != "" || v == nil || !v.greedy || !rt.found(v, slot, m) {
		return false
	}
	m.values[0] = ""
	return true
}

// caseVariant reports whether m is another spelling of a method API
// Gateway knows ("get", "Post", "any").
func caseVariant(m string) bool {
	for _, k := range apigw.Methods {
		if strings.EqualFold(m, k) {
			return true
		}
	}
	return false
}

// pass is a search of the tree: for full matches only, or greedy ones too.
type pass uint8

const (
	fullOnly   pass = iota // greedy parameters are passed over
	withGreedy             // greedy parameters are tried after the rest
)

// match matches rest, which has no leading slash, below n; nvar variables
// have been bound on the way.
func (rt *Router) match(n *node, slot int, rest string, nvar int, m *Match, p pass) bool {
	if rest == "" {
		return rt.found(n, slot, m)
	}
	seg, tail := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		seg, tail = rest[:i], trimSlashes(rest[i:])
	}
	if c := n.literals[seg]; c != nil && rt.match(c, slot, tail, nvar, m, p) {
		return true
	}
	v := n.variable
	if v == nil {
		return false
	}
	if !v.greedy {
		m.values[nvar] = seg
		return rt.match(v, slot, tail, nvar+1, m, p)
	}
	if p == fullOnly || !rt.found(v, slot, m) {
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
