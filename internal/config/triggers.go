package config

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
)

// LambdaTriggers are a pool's Lambda triggers, CDK's
// userPool.addTrigger(operation, fn, lambdaVersion) and CloudFormation's
// UserPool LambdaConfig. Tollgate runs one: pre token generation.
type LambdaTriggers struct {
	PreTokenGeneration *PreTokenGenerationTrigger `yaml:"preTokenGeneration"`
}

// PreTokenGenerationTrigger is the function Cognito invokes before it
// issues a token (UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG;
// CloudFormation's LambdaConfig.PreTokenGenerationConfig).
type PreTokenGenerationTrigger struct {
	// Function is the id of a function of this config. The pool keeps its
	// ARN (arn:aws:lambda:{region}:000000000000:function:{name}).
	Function string `yaml:"function"`
	// LambdaVersion is the event version, required as in CloudFormation:
	// V1_0, V2_0 or V3_0. Only V3_0 is invoked for client_credentials
	// tokens, the only tokens Tollgate issues, as on Cognito: a V1_0 or
	// V2_0 trigger is accepted and kept, and never runs.
	LambdaVersion string `yaml:"lambdaVersion"`
}

// LambdaVersions are the event versions a pre token generation trigger
// may name, as Cognito lists them
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PreTokenGenerationVersionConfigType.html).
var LambdaVersions = []string{tollgate.LambdaVersionV1, tollgate.LambdaVersionV2, tollgate.LambdaVersionV3}

// checkTriggers validates the pool's triggers at pp: the function one of
// the config's (functions holds their ids) and the version one of
// LambdaVersions.
func (p *UserPool) checkTriggers(r *report, pp string, functions map[string]bool) {
	if p.LambdaTriggers == nil || p.LambdaTriggers.PreTokenGeneration == nil {
		return
	}
	t := p.LambdaTriggers.PreTokenGeneration
	tp := field(field(pp, "lambdaTriggers"), "preTokenGeneration")
	switch fp := field(tp, "function"); {
	case t.Function == "":
		r.add(fp, "function is required: the id of the function the pool invokes before it issues a token")
	case !functions[t.Function]:
		r.add(fp, "%q is not the id of a function of this config%s", t.Function, functionsHint(functions))
	}
	versions := strings.Join(LambdaVersions, ", ")
	switch vp := field(tp, "lambdaVersion"); {
	case t.LambdaVersion == "":
		r.add(vp, "lambdaVersion is required: one of %s (only V3_0 is invoked for client_credentials tokens)", versions)
	case !slices.Contains(LambdaVersions, t.LambdaVersion):
		r.add(vp, "invalid lambdaVersion %q: want one of %s", t.LambdaVersion, versions)
	}
}

// functionIDs returns the logical ids of the config's functions.
func (c *Config) functionIDs() map[string]bool {
	ids := make(map[string]bool, len(c.Functions))
	for i := range c.Functions {
		ids[c.Functions[i].ID] = true
	}
	return ids
}

// preTokenGeneration returns the trigger the pool should have, with its
// function's ARN, or nil. The config must be valid.
func (c *Config) preTokenGeneration(p *UserPool) *tollgate.LambdaTrigger {
	if p.LambdaTriggers == nil || p.LambdaTriggers.PreTokenGeneration == nil {
		return nil
	}
	t := p.LambdaTriggers.PreTokenGeneration
	fn := tollgate.Function{Name: c.functionName(t.Function), Region: cmp.Or(c.Region, DefaultRegion)}
	return &tollgate.LambdaTrigger{LambdaARN: fn.ARN(), LambdaVersion: t.LambdaVersion}
}

// sameTrigger reports whether two triggers (nil for none) are equal.
func sameTrigger(a, b *tollgate.LambdaTrigger) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
