package config

import (
	"testing"

	"github.com/tollgate/tollgate"
)

// The versions are CloudFormation's and Cognito's: V1_0 | V2_0 | V3_0
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cognito-userpool-pretokengenerationconfig.html);
// a function is one of the config's, as an AWS_PROXY integration's is.
func TestParseTriggerProblems(t *testing.T) {
	const functions = `
functions:
  - {id: TokenFn, runtime: nodejs22.x, handler: index.handler, code: .}
`
	for _, tc := range []struct{ name, src string }{
		{"valid, every version", functions + `
userPools:
  - id: A
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0}
  - id: B
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V2_0}
  - id: C
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V1_0}
  - id: D
    lambdaTriggers: {}
`},
		{"unknown function and version", functions + `
userPools:
  - id: A
    lambdaTriggers:
      preTokenGeneration:
        function: Missing # want userPools[0].lambdaTriggers.preTokenGeneration.function: "Missing" is not the id of a function of this config (want one of TokenFn)
        lambdaVersion: V3 # want userPools[0].lambdaTriggers.preTokenGeneration.lambdaVersion: invalid lambdaVersion "V3": want one of V1_0, V2_0, V3_0
`},
		{"no functions at all", `
userPools:
  - id: A
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0} # want userPools[0].lambdaTriggers.preTokenGeneration.function: the config declares no function
`},
		{"required", functions + `
userPools:
  - id: A
    lambdaTriggers:
      preTokenGeneration: {} # want userPools[0].lambdaTriggers.preTokenGeneration.function: function is required # want userPools[0].lambdaTriggers.preTokenGeneration.lambdaVersion: lambdaVersion is required
`},
		{"other triggers are unknown fields", functions + `
userPools:
  - id: A
    lambdaTriggers:
      preSignUp: {function: TokenFn} # want userPools[0].lambdaTriggers.preSignUp: unknown field "preSignUp"
`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkProblems(t, "tollgate.yaml", tc.src) })
	}
}

// TestTriggerARN: the pool keeps its function's ARN, the ARN Lambda gives
// the function ($LATEST, account 000000000000, the config's region).
func TestTriggerARN(t *testing.T) {
	cfg, err := Parse("tollgate.yaml", []byte(`
region: eu-central-1
functions:
  - {id: TokenFn, functionName: token-claims, runtime: nodejs22.x, handler: index.handler, code: .}
userPools:
  - id: A
    lambdaTriggers:
      preTokenGeneration: {function: TokenFn, lambdaVersion: V3_0}
  - id: B
`))
	if err != nil {
		t.Fatal(err)
	}
	want := tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:eu-central-1:000000000000:function:token-claims", LambdaVersion: "V3_0"}
	if got := cfg.preTokenGeneration(&cfg.UserPools[0]); got == nil || *got != want {
		t.Errorf("trigger %+v, want %+v", got, want)
	}
	if name, ok := tollgate.FunctionNameFromARN(want.LambdaARN); !ok || name != "token-claims" {
		t.Errorf("FunctionNameFromARN(%s) = %q, %v", want.LambdaARN, name, ok)
	}
	if got := cfg.preTokenGeneration(&cfg.UserPools[1]); got != nil {
		t.Errorf("a pool without triggers: %+v", got)
	}
}
