package apigw

import (
	"fmt"
	"strings"
)

// MethodAny is the method API Gateway uses for "every method".
const MethodAny = "ANY"

// Methods are the methods a resource may define (PutMethod's httpMethod),
// ANY covering them all. HEAD is a method of its own; GET does not cover
// it. A method's index in Methods is what MethodIndex returns.
var Methods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", MethodAny}

// AnyIndex is the index of ANY in Methods.
const AnyIndex = 7

// NumMethods is len(Methods).
const NumMethods = AnyIndex + 1

// MethodIndex returns the index of m in Methods, or -1 for a method API
// Gateway does not serve. It does not allocate.
func MethodIndex(m string) int {
	switch m {
	case "GET":
		return 0
	case "POST":
		return 1
	case "PUT":
		return 2
	case "DELETE":
		return 3
	case "PATCH":
		return 4
	case "HEAD":
		return 5
	case "OPTIONS":
		return 6
	case MethodAny:
		return AnyIndex
	}
	return -1
}

// CheckMethod returns what is wrong with a method, or "": field is what the
// caller calls it ("httpMethod", "method").
func CheckMethod(field, m string) string {
	list := strings.Join(Methods, ", ")
	switch {
	case m == "":
		return fmt.Sprintf("%s is required: %s \"\" is not one of %s", field, field, list)
	case MethodIndex(m) < 0:
		hint := ""
		if MethodIndex(strings.ToUpper(m)) >= 0 {
			hint = " (write it in upper case)"
		}
		return fmt.Sprintf("invalid %s %q%s: want one of %s", field, m, hint, list)
	}
	return ""
}

// DefaultRouteKey is the route key of an HTTP API's catch-all route.
const DefaultRouteKey = "$default"

// RouteKey is a method and a resource path: what a REST API's method is
// keyed by and what an HTTP API's route key ("GET /pets/{id}", "ANY
// /{proxy+}", "$default") spells. ParseRouteKey reads one.
type RouteKey struct {
	Method string // one of Methods; "" for $default
	Path   string // a resource path template, or "$default"
}

// String returns the key as API Gateway writes it: "GET /pets/{id}".
func (k RouteKey) String() string {
	if k.Path == DefaultRouteKey {
		return DefaultRouteKey
	}
	return k.Method + " " + k.Path
}

// ParseRouteKey parses an HTTP API's route key (AWS::ApiGatewayV2::Route's
// RouteKey), "METHOD /path" with one space or "$default", and returns a
// message saying what is wrong, or "". METHOD is one of Methods (ANY
// included) and /path a template ParsePath accepts; the $default route's
// key has Method "" and Path "$default". CDK writes keys so
// (HttpRouteKey.with: `${method} ${path}`; HttpRouteKey.DEFAULT:
// "$default").
func ParseRouteKey(s string) (RouteKey, string) {
	if s == DefaultRouteKey {
		return RouteKey{Path: DefaultRouteKey}, ""
	}
	m, p, ok := strings.Cut(s, " ")
	if !ok {
		return RouteKey{}, fmt.Sprintf("invalid route key %q: want METHOD /path or %s", s, DefaultRouteKey)
	}
	if msg := CheckMethod("method", m); msg != "" {
		return RouteKey{}, msg
	}
	if _, err := ParsePath(p); err != nil {
		return RouteKey{}, err.Error()
	}
	return RouteKey{Method: m, Path: p}, ""
}
