package server

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/token"
)

// TestInvokeTriggerUsesDeploymentInService: the token endpoint's Invoke
// runs a trigger's function on the runner of the deployment in service
// when it is called: a function a reload removed is not found any more,
// one it added is, and a name no function has is token.ErrFunctionNotFound
// (which the endpoint answers as Cognito answers a missing function);
// each invocation releases the deployment it held.
func TestInvokeTriggerUsesDeploymentInService(t *testing.T) {
	echo := func(name string) *tollgate.Function {
		return &tollgate.Function{Name: name, Runtime: tollgate.EchoRuntime, Region: "us-east-1"}
	}
	s := newReloadServer(t, reloadAPI(), []*tollgate.Function{echo("TokenFn")})
	ctx := context.Background()
	event := []byte(`{"version":"3"}`)

	check := func(name string, found bool) {
		t.Helper()
		out, fnErr, err := s.invokeTrigger(ctx, name, "", event)
		switch {
		case found && (err != nil || fnErr || len(out) == 0):
			t.Errorf("%s: payload %s, function error %v, err %v", name, out, fnErr, err)
		case !found && !errors.Is(err, token.ErrFunctionNotFound):
			t.Errorf("%s: err %v, want token.ErrFunctionNotFound", name, err)
		}
	}
	check("TokenFn", true)
	check("Gone", false)

	if _, err := s.Reload(reloadAPI(), []*tollgate.Function{echo("OtherFn")}); err != nil {
		t.Fatal(err)
	}
	check("TokenFn", false)
	check("OtherFn", true)
	if n := s.dep.Load().refs.Load(); n != 0 {
		t.Errorf("the deployment is still held %d times after the invocations", n)
	}
}
