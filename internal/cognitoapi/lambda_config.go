package cognitoapi

import (
	"encoding/json"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// lambdaConfig is LambdaConfigType, CreateUserPool's and UpdateUserPool's
// LambdaConfig, with its members in the model's order (botocore
// cognito-idp service-2.json). Tollgate runs one trigger: pre token
// generation, set by PreTokenGenerationConfig or by its legacy form
// PreTokenGeneration. Every other member names a trigger of a user flow
// (sign-up, sign-in, messages, migration, federation), which Tollgate has
// no users to run: a request that sets one is refused with
// InvalidParameterException naming it, never taken and ignored.
type lambdaConfig struct {
	PreSignUp                   *string
	CustomMessage               *string
	PostConfirmation            *string
	PreAuthentication           *string
	PostAuthentication          *string
	DefineAuthChallenge         *string
	CreateAuthChallenge         *string
	VerifyAuthChallengeResponse *string
	PreTokenGeneration          *string
	UserMigration               *string
	PreTokenGenerationConfig    *preTokenGenerationConfig
	CustomSMSSender             *json.RawMessage
	CustomEmailSender           *json.RawMessage
	KMSKeyID                    *string
	InboundFederation           *json.RawMessage
}

// preTokenGenerationConfig is PreTokenGenerationVersionConfigType.
type preTokenGenerationConfig struct {
	LambdaVersion *string
	LambdaArn     *string
}

// preTokenGenerationLambdaVersionType is the model's enum:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PreTokenGenerationVersionConfigType.html
var preTokenGenerationLambdaVersionType = strShape{enum: domain.LambdaVersions}

// check validates the members' shapes, as "lambdaConfig.{member}" (the
// path Cognito's messages give: "Value '…' at 'lambdaConfig.customMessage'
// failed to satisfy constraint", aws-amplify/amplify-js#3731).
func (c *lambdaConfig) check(v *validation) {
	if c == nil {
		return
	}
	for _, m := range c.arnMembers() {
		v.optional("lambdaConfig."+lowerFirst(m.name), m.value, arnType)
	}
	if g := c.PreTokenGenerationConfig; g != nil {
		v.required("lambdaConfig.preTokenGenerationConfig.lambdaVersion", g.LambdaVersion, preTokenGenerationLambdaVersionType)
		v.required("lambdaConfig.preTokenGenerationConfig.lambdaArn", g.LambdaArn, arnType)
	}
}

type arnMember struct {
	name  string
	value *string
}

// arnMembers are the members whose shape is ArnType, in the model's order.
func (c *lambdaConfig) arnMembers() []arnMember {
	return []arnMember{
		{"PreSignUp", c.PreSignUp}, {"CustomMessage", c.CustomMessage}, {"PostConfirmation", c.PostConfirmation},
		{"PreAuthentication", c.PreAuthentication}, {"PostAuthentication", c.PostAuthentication},
		{"DefineAuthChallenge", c.DefineAuthChallenge}, {"CreateAuthChallenge", c.CreateAuthChallenge},
		{"VerifyAuthChallengeResponse", c.VerifyAuthChallengeResponse}, {"PreTokenGeneration", c.PreTokenGeneration},
		{"UserMigration", c.UserMigration},
	}
}

// unsupported returns the members set that Tollgate does not run, in the
// model's order.
func (c *lambdaConfig) unsupported() []string {
	var out []string
	for _, m := range c.arnMembers() {
		if m.value != nil && m.name != "PreTokenGeneration" {
			out = append(out, m.name)
		}
	}
	for _, m := range []struct {
		name string
		set  bool
	}{
		{"CustomSMSSender", c.CustomSMSSender != nil}, {"CustomEmailSender", c.CustomEmailSender != nil},
		{"KMSKeyID", c.KMSKeyID != nil}, {"InboundFederation", c.InboundFederation != nil},
	} {
		if m.set {
			out = append(out, m.name)
		}
	}
	return out
}

// spec turns the LambdaConfig of a valid request into the domain's pool
// spec, or refuses the triggers Tollgate does not run. A request without
// LambdaConfig asks for no trigger: UpdateUserPool resets what it is not
// given.
func (c *lambdaConfig) spec() (domain.PoolSpec, error) {
	var spec domain.PoolSpec
	if c == nil {
		return spec, nil
	}
	if names := c.unsupported(); len(names) > 0 {
		noun := "trigger"
		if len(names) > 1 {
			noun = "triggers"
		}
		return spec, invalid("Tollgate does not support the LambdaConfig %s %s: it has no users, so it runs no sign-up, sign-in, message, migration or federation trigger. LambdaConfig may set only PreTokenGenerationConfig (and PreTokenGeneration, its legacy form).",
			held(noun), held(strings.Join(names, ", ")))
	}
	if c.PreTokenGeneration != nil {
		spec.LegacyPreTokenGeneration = *c.PreTokenGeneration
	}
	if g := c.PreTokenGenerationConfig; g != nil {
		spec.PreTokenGeneration = &tollgate.LambdaTrigger{LambdaARN: *g.LambdaArn, LambdaVersion: *g.LambdaVersion}
	}
	return spec, nil
}

// lambdaConfigView is LambdaConfig as DescribeUserPool and ListUserPools
// show it: {} without a trigger; with one, both its legacy member and
// PreTokenGenerationConfig, as Cognito shows a pool's pre token generation
// trigger (aws/aws-cli awscli/examples/cognito-idp/list-user-pools.rst:
// "PreTokenGeneration" and "PreTokenGenerationConfig" with the same ARN).
func lambdaConfigView(p *tollgate.UserPool) map[string]any {
	t := p.PreTokenGeneration
	if t == nil {
		return map[string]any{}
	}
	return map[string]any{
		"PreTokenGeneration":       t.LambdaARN,
		"PreTokenGenerationConfig": map[string]string{"LambdaArn": t.LambdaARN, "LambdaVersion": t.LambdaVersion},
	}
}

// lowerFirst is a member's name as validation messages give it.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
