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
		// AWS documents stage names as "alphanumeric characters, hyphens,
		// and underscores" (CreateStage, stageName); Tollgate refuses the
		// hyphen in config and gateway alike, as config always has.
		func(a *tollgate.RestAPI) { a.Stages[0].Name = "prod-1" },
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
	api.Stages[0].Name = "prod-1"
	if err := gateway.Validate(api); err == nil || !strings.Contains(err.Error(), `Stages[0].Name: stage name "prod-1"`) {
		t.Errorf("a hyphen in a stage name: %v", err)
	}
}
