package apigw

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate"
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

// CheckRouteKey returns what is wrong with an HTTP API's route key
// (AWS::ApiGatewayV2::Route's RouteKey), or "": "METHOD /path" with one
// space, METHOD one of Methods (ANY included) and /path a template
// ParsePath accepts, or "$default". CDK writes keys so
// (HttpRouteKey.with: `${method} ${path}`; HttpRouteKey.DEFAULT:
// "$default").
func CheckRouteKey(s string) string {
	if s == tollgate.DefaultRouteKey {
		return ""
	}
	m, p, ok := strings.Cut(s, " ")
	if !ok {
		return fmt.Sprintf("invalid route key %q: want METHOD /path or %s", s, tollgate.DefaultRouteKey)
	}
	if msg := CheckMethod("method", m); msg != "" {
		return msg
	}
	if _, err := ParsePath(p); err != nil {
		return err.Error()
	}
	return ""
}
