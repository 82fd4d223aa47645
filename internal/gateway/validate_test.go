package gateway_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestValidateIsTheGate: the gateway's Validate is apigw.Check, the gate
// config validation runs too, so the two refuse the same APIs with the
// same problems.
func TestValidateIsTheGate(t *testing.T) {
	f := newFixture(t)
	for _, change := range []func(*tollgate.RestAPI){
		// "Stage names can only contain alphanumeric characters, hyphens,
		// and underscores." (Stage and CreateStage API references,
		// stageName): a dot is none of these.
		func(a *tollgate.RestAPI) { a.Stages[0].Name = "prod.1" },
		// Not an AWS rule: Tollgate bounds a rate at apigw.MaxRate, since a
		// default burst is the rate rounded up; config always has.
		func(a *tollgate.RestAPI) { a.Stages[0].Throttle = tollgate.Throttle{Rate: 2 * apigw.MaxRate, Burst: 1} },
		func(a *tollgate.RestAPI) { a.Routes[0].AuthorizationScopes = []string{"has space"} },
		func(a *tollgate.RestAPI) { a.Routes[0].ResourcePath = "/{a}/{a}" },
	} {
		api := testAPI(f)
		change(api)
		err := gateway.Validate(api)
		var probs gateway.Problems
		if !errors.As(err, &probs) || len(probs) == 0 {
			t.Fatalf("Validate accepted %+v", api)
		}
		if want := apigw.Check(api); probs.Error() != want.Error() {
			t.Errorf("Validate = %v, apigw.Check = %v", probs, want)
		}
	}
	api := testAPI(f)
	api.Stages[0].Name = "prod.1"
	if err := gateway.Validate(api); err == nil || !strings.Contains(err.Error(), `Stages[0].Name: stage name "prod.1"`) {
		t.Errorf("a dot in a stage name: %v", err)
	}
	// AWS allows hyphens (same source), and so does the gate.
	api = testAPI(f)
	api.Stages[0].Name = "prod-1"
	if err := gateway.Validate(api); err != nil {
		t.Errorf("a hyphen in a stage name: %v", err)
	}
}

// TestHyphenatedStageServes: a stage named with a hyphen, valid per the
// Stage reference, is served on every addressing form: the execute-api
// host, the LocalStack-style /restapis path and the /apis path.
func TestHyphenatedStageServes(t *testing.T) {
	e := newEnv(t, func(a *tollgate.RestAPI, _ *gateway.Options) { a.Stages[1].Name = "prod-1" })
	for _, tt := range []struct{ host, target string }{
		{execHost, "/prod-1/open/7"},
		{"localhost", "/restapis/" + apiID + "/prod-1/_user_request_/open/7"},
		{"127.0.0.1", "/apis/" + apiID + "/prod-1/open/7"},
	} {
		w := e.do(request("GET", tt.host, tt.target, ""))
		if w.Code != 200 {
			t.Fatalf("%s%s: status %d %s", tt.host, tt.target, w.Code, w.Body)
		}
		inv, _, _ := e.invocation()
		if inv == nil || inv.Stage == nil || inv.Stage.Name != "prod-1" || inv.Path != "/open/7" {
			t.Errorf("%s%s: invocation %+v", tt.host, tt.target, inv)
		}
	}
}
