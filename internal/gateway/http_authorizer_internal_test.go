package gateway

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// TestImpliesHTTPLambda: a route's Lambda authorizer implies another
// route's only when it decides every route alike: a TOKEN authorizer,
// whose event is the token and the methodArn and whose policy is
// evaluated against every form of the path. A REQUEST authorizer's event
// names the route (an HTTP API's routeKey, REST's resource), and its
// function may decide by it: the same REQUEST authorizer on two routes
// implies nothing, simple or IAM, shared cache or not.
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
	rest := LambdaAuthorizerOptions{Invoke: opts.Invoke, Cache: opts.Cache,
		Event: func(*http.Request, *Invocation, string) ([]byte, error) { return nil, nil }}
	token, err := NewLambdaAuthorizer(&tollgate.Authorizer{Name: "t", Type: tollgate.AuthorizerToken, Function: "f",
		IdentitySource: "method.request.header.Authorization", ResultTTL: time.Minute}, rest)
	if err != nil {
		t.Fatal(err)
	}
	request, err := NewLambdaAuthorizer(&tollgate.Authorizer{Name: "r", Type: tollgate.AuthorizerRequest, Function: "f",
		IdentitySources: []string{"method.request.header.Authorization"}, ResultTTL: time.Minute}, rest)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name          string
		strict, other *routeState
		want          bool
	}{
		{"simple, shared cache", &routeState{http: true, lambda: simpleAll}, &routeState{http: true, lambda: simpleAll}, false},
		{"simple, per route", &routeState{http: true, lambda: simplePerRoute}, &routeState{http: true, lambda: simplePerRoute}, false},
		{"IAM", &routeState{http: true, lambda: iam}, &routeState{http: true, lambda: iam}, false},
		{"REST TOKEN", &routeState{lambda: token}, &routeState{lambda: token}, true},
		{"REST REQUEST", &routeState{lambda: request}, &routeState{lambda: request}, false},
		{"another authorizer", &routeState{http: true, lambda: simpleAll}, &routeState{http: true, lambda: build("2.0", true, "$request.header.Authorization")}, false},
		{"an open route", &routeState{http: true, lambda: iam}, &routeState{http: true}, true},
	} {
		if got := implies(c.strict, c.other); got != c.want {
			t.Errorf("%s: implies %v, want %v", c.name, got, c.want)
		}
	}
}
