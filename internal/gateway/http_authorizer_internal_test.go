package gateway

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestImpliesHTTPLambda: on an HTTP API, a route's Lambda authorizer
// implies another route's when it decides every route alike: a simple
// answer, or an IAM policy evaluated against the request's routeArn
// (the same whichever route serves it), unless $context.routeKey hands
// each route an event and a cache entry of its own.
func TestImpliesHTTPLambda(t *testing.T) {
	opts := LambdaAuthorizerOptions{HTTP: true, HTTPEvent: func(*http.Request, *Invocation, string, string, []string) ([]byte, error) { return nil, nil },
		Invoke: func(context.Context, string, string, []byte) ([]byte, bool, error) { return nil, false, nil }, Cache: NewPolicyCache(0)}
	build := func(version string, simple bool, sources ...string) *LambdaAuthorizer {
		a, err := NewLambdaAuthorizer(&tollgate.Authorizer{Name: "l", Type: tollgate.AuthorizerRequest, Function: "f",
			PayloadFormatVersion: version, SimpleResponses: simple, IdentitySources: sources, ResultTTL: time.Minute}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	simpleAll := build("2.0", true, "$request.header.Authorization")
	simplePerRoute := build("2.0", true, "$request.header.Authorization", "$context.routeKey")
	iam := build("1.0", false, "$request.header.Authorization")
	for _, c := range []struct {
		name          string
		strict, other *routeState
		want          bool
	}{
		{"simple, shared cache", &routeState{http: true, lambda: simpleAll}, &routeState{http: true, lambda: simpleAll}, true},
		{"simple, per route", &routeState{http: true, lambda: simplePerRoute}, &routeState{http: true, lambda: simplePerRoute}, false},
		{"IAM", &routeState{http: true, lambda: iam}, &routeState{http: true, lambda: iam}, true},
		{"another authorizer", &routeState{http: true, lambda: simpleAll}, &routeState{http: true, lambda: build("2.0", true, "$request.header.Authorization")}, false},
		{"an open route", &routeState{http: true, lambda: iam}, &routeState{http: true}, true},
	} {
		if got := implies(c.strict, c.other); got != c.want {
			t.Errorf("%s: implies %v, want %v", c.name, got, c.want)
		}
	}
}
