package config

import (
	"errors"
	"strings"
	"testing"
)

// TestGateWithOtherProblems: the gate runs on each API whose own checks
// passed, whatever else the config gets wrong, so that one run of
// validate says every problem: a pool's and a function's beside an HTTP
// API's gate problem. An API naming a function or pool with problems, or
// with problems of its own, is not built: its gate problems wait for those
// to be fixed, and a rule both its own checks and the gate state (the REST
// API's sibling path parts) is said once, by its own checks.
func TestGateWithOtherProblems(t *testing.T) {
	checkProblems(t, "test.yaml", `userPools:
  - id: Pool
    resourceServers:
      - identifier: api
        scopes: [{scopeName: read, scopeDescription: Read}]
    clients:
      - id: M2M
        generateSecret: true
        oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}
  - id: Other
    bogus: 1 # want userPools[1].bogus: unknown field "bogus"
    clients: [{id: Web}]
functions:
  - {id: Fn, runtime: nodejs22.x, handler: index.handler, code: .}
  - {id: Broken, runtime: nodejs22.x, handler: index.handler, code: ., memorySize: 1GB} # want functions[1].memorySize: want a whole number
httpApis:
  - id: Http
    routes:
      - {path: "/{a}/x", integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/{b}/y", integration: {type: AWS_PROXY, function: Fn}} # want httpApis[0].routes[1].path: path part {b} conflicts with its sibling {a}
  - id: UsesBrokenFunction
    routes:
      - {path: "/{a}/x", integration: {type: AWS_PROXY, function: Broken}}
      - {path: "/{b}/y", integration: {type: AWS_PROXY, function: Fn}}
  - id: UsesBrokenPool
    authorizers:
      - {id: Jwt, type: JWT, userPool: Other, userPoolClients: [Web]}
    routes:
      - {path: "/{a}/x", authorizer: Jwt, integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/{b}/y", integration: {type: AWS_PROXY, function: Fn}}
  - id: OwnProblem
    defaultAuthorizer: Nope # want httpApis[3].defaultAuthorizer: "Nope" is not an authorizer of this API
    routes:
      - {path: "/{a}/x", integration: {type: AWS_PROXY, function: Fn}}
      - {path: "/{b}/y", integration: {type: AWS_PROXY, function: Fn}}
restApis:
  - id: Rest
    resources:
      - {path: "/{a}", methods: [{httpMethod: GET, integration: {type: MOCK}}]}
      - {path: "/{b}", methods: [{httpMethod: GET, integration: {type: MOCK}}]} # want restApis[0].resources[1].path: conflicts with its sibling {a} under / (from restApis[0].resources[0].path, line 39)
`)
}

// TestValidateFromGatesDespiteOtherProblems: a Config mapped from a
// template is gated as a config file is: its API's gate problem is said
// in the same run as a function's problem, each once.
func TestValidateFromGatesDespiteOtherProblems(t *testing.T) {
	fn := func(id string) Function {
		return Function{ID: id, Runtime: "nodejs22.x", Handler: "index.handler", Code: "."}
	}
	route := func(path string) HTTPRoute {
		return HTTPRoute{Path: path, Integration: &HTTPIntegration{Type: IntegrationAWSProxy, Function: "Fn"}}
	}
	bad := fn("Bad")
	bad.Runtime = "cobol"
	cfg := &Config{File: "c.yaml", Functions: []Function{fn("Fn"), bad},
		HTTPAPIs: []HTTPAPI{{ID: "Http", Routes: []HTTPRoute{route("/{a}/x"), route("/{b}/y")}}}}
	var got Problems
	if err := cfg.ValidateFrom(testOrigins{}); !errors.As(err, &got) {
		t.Fatalf("ValidateFrom: %v, want Problems", err)
	}
	count := map[string]int{}
	for _, p := range got {
		switch {
		case p.Path == "from functions[1].runtime":
			count["function"]++
		case p.Path == "from httpApis[0].routes[1].path" && strings.Contains(p.Message, "conflicts with its sibling {a}"):
			count["gate"]++
		default:
			t.Errorf("unexpected problem %v", p)
		}
	}
	if count["function"] != 1 || count["gate"] != 1 {
		t.Errorf("got %v, want the function's problem and the gate's, once each:\n%v", count, got)
	}
}
