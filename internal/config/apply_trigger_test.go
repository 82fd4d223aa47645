package config_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

const triggered = `
functions:
  - {id: TokenFn, runtime: nodejs22.x, handler: index.handler, code: .}
  - {id: OtherFn, functionName: other, runtime: nodejs22.x, handler: index.handler, code: .}
userPools:
  - id: P
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0}
`

// TestApplyTriggers: a config's pool gets, changes and loses its pre token
// generation trigger with the config, stored as its function's ARN
// (tollgate.Function.ARN: the config's region, account 000000000000); an
// unchanged trigger is no write; a pool made by hand is left alone.
func TestApplyTriggers(t *testing.T) {
	stores(t, func(t *testing.T, st tollgate.Store) {
		ctx := context.Background()
		v := newVault(t)
		hand := &tollgate.UserPool{ID: tollgate.NewPoolID("us-east-1"), Name: "hand", Region: "us-east-1", CreatedAt: t0, UpdatedAt: t0,
			PreTokenGeneration: &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:HandFn", LambdaVersion: "V2_0"}}
		if err := st.CreatePool(ctx, hand); err != nil {
			t.Fatal(err)
		}
		res := apply(t, st, v, triggered, t0)
		checkChanges(t, res, "created pool config:orders/P")
		id, _ := res.PoolID("P")
		wantStoredTrigger(t, st, id, "arn:aws:lambda:us-east-1:000000000000:function:TokenFn", "V3_0")

		checkChanges(t, apply(t, st, v, triggered, t1))

		for _, step := range []struct {
			name, src, arn, version string
		}{
			{"another version", strings.Replace(triggered, "V3_0", "V1_0", 1), "arn:aws:lambda:us-east-1:000000000000:function:TokenFn", "V1_0"},
			{"another function", strings.Replace(triggered, "function: TokenFn", "function: OtherFn", 1), "arn:aws:lambda:us-east-1:000000000000:function:other", "V3_0"},
			{"removed", strings.Split(triggered, "    lambdaTriggers:")[0], "", ""},
			{"set again", triggered, "arn:aws:lambda:us-east-1:000000000000:function:TokenFn", "V3_0"},
		} {
			checkChanges(t, apply(t, st, v, step.src, t1), "updated pool config:orders/P: lambdaTriggers")
			wantStoredTrigger(t, st, id, step.arn, step.version)
		}

		got, err := st.GetPool(ctx, hand.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PreTokenGeneration == nil || *got.PreTokenGeneration != *hand.PreTokenGeneration || got.ConfigKey != "" {
			t.Errorf("the pool made by hand: %+v, trigger %+v", got, got.PreTokenGeneration)
		}
	})
}

func wantStoredTrigger(t *testing.T, st tollgate.Store, poolID, arn, version string) {
	t.Helper()
	p, err := st.GetPool(context.Background(), poolID)
	if err != nil {
		t.Fatal(err)
	}
	got := p.PreTokenGeneration
	switch {
	case arn == "" && got != nil:
		t.Errorf("trigger %+v, want none", got)
	case arn != "" && (got == nil || *got != tollgate.LambdaTrigger{LambdaARN: arn, LambdaVersion: version}):
		t.Errorf("trigger %+v, want %s %s", got, arn, version)
	}
}
