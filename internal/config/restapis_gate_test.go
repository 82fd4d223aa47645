package config

import (
	"testing"

	"github.com/tollgate/tollgate/internal/apigw"
)

// TestGatePath: a problem apigw.Check finds in a built API is placed at the
// config value its route or stage field was built from.
func TestGatePath(t *testing.T) {
	a := &RestAPI{Resources: []Resource{
		{Path: "/a", Methods: []Method{{HTTPMethod: "GET"}, {HTTPMethod: "POST"}}},
		{Path: "/b", Methods: []Method{{HTTPMethod: "ANY"}}},
	}}
	for _, tc := range []struct {
		p    apigw.Problem
		want string
	}{
		{apigw.Problem{Route: -1, Field: "ID"}, "restApis[1].id"},
		{apigw.Problem{Route: -1, Field: "Stages[0].Name"}, "restApis[1].deployOptions.stageName"},
		{apigw.Problem{Route: -1, Field: "Stages[0].ClientThrottle.Burst"}, "restApis[1].clientThrottling.burstLimit"},
		{apigw.Problem{Route: -1, Field: "Something"}, "restApis[1]"},
		{apigw.Problem{Route: 0, Field: "ResourcePath"}, "restApis[1].resources[0].path"},
		{apigw.Problem{Route: 1, Field: "Method"}, "restApis[1].resources[0].methods[1].httpMethod"},
		{apigw.Problem{Route: 2, Field: "Integration.URI"}, "restApis[1].resources[1].methods[0].integration.uri"},
		{apigw.Problem{Route: 2, Field: "AuthorizationScopes[3]"}, "restApis[1].resources[1].methods[0].authorizationScopes[3]"},
		{apigw.Problem{Route: 1, Field: "Authorizer.PoolIDs[0]"}, "restApis[1].resources[0].methods[1].authorizer"},
		{apigw.Problem{Route: 3, Field: "Method"}, "restApis[1]"},
	} {
		if got := gatePath(a, "restApis[1]", tc.p); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.p, got, tc.want)
		}
	}
}

// TestGatePassesValidConfigs: a config its own checks accept passes the
// gate the gateway runs, so what validate accepts serve accepts too.
func TestGatePassesValidConfigs(t *testing.T) {
	cfg, err := Parse("t.yaml", []byte(apiBase+`
restApis:
  - id: Api
    deployOptions: {stageName: prod_2, throttlingRateLimit: 0.5, variables: {v: x}}
    clientThrottling: {rateLimit: 10}
    authorizers:
      - {id: Local, cognitoUserPools: [Pool]}
    resources:
      - path: /pets/{id}
        methods:
          - {httpMethod: GET, authorizer: Local, authorizationScopes: [api/read], integration: {type: HTTP_PROXY, uri: "http://127.0.0.1:9/x/{id}.{id}"}}
          - {httpMethod: ANY, integration: {type: MOCK, statusCode: 204, responseHeaders: {X-A: b}}}
      - path: /{proxy+}
        methods:
          - {httpMethod: POST, integration: {type: AWS_PROXY, function: Fn}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var probs apigw.Problems
	for i := range cfg.RestAPIs {
		api, err := cfg.buildRestAPI(&cfg.RestAPIs[i], madeUpIDs{"us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		probs = append(probs, apigw.Check(api)...)
	}
	if len(probs) > 0 {
		t.Errorf("the gate refuses a valid config:\n%v", probs)
	}
}
