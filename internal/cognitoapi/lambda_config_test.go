package cognitoapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tollgate/tollgate"
)

// Shapes and values, from Cognito's API reference and recorded answers:
//   - PreTokenGenerationVersionConfigType: LambdaArn (20 to 2048, ArnType's
//     pattern) and LambdaVersion (V1_0 | V2_0 | V3_0), both required
//     (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PreTokenGenerationVersionConfigType.html);
//   - DescribeUserPool and ListUserPools show a pool's trigger as both
//     PreTokenGeneration and PreTokenGenerationConfig
//     (aws/aws-cli awscli/examples/cognito-idp/list-user-pools.rst);
//   - UpdateUserPool resets what it is not given, Lambda triggers included
//     (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html).
const (
	tokenFnARN = "arn:aws:lambda:eu-west-1:000000000000:function:TokenFn"
	otherFnARN = "arn:aws:lambda:eu-west-1:000000000000:function:Other"
)

func TestPreTokenGenerationTrigger(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client

	v3 := &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(tokenFnARN), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV30}
	created := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("orders"),
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: v3}})).must(t, "CreateUserPool with a trigger").UserPool
	wantLambdaConfig(t, "CreateUserPool", created.LambdaConfig, tokenFnARN, "V3_0")
	id := created.Id
	stored, err := f.st.GetPool(ctx, *id)
	if err != nil {
		t.Fatal(err)
	}
	if want := (tollgate.LambdaTrigger{LambdaARN: tokenFnARN, LambdaVersion: "V3_0"}); stored.PreTokenGeneration == nil || *stored.PreTokenGeneration != want {
		t.Errorf("stored trigger %+v, want %+v", stored.PreTokenGeneration, want)
	}
	described := try(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).must(t, "DescribeUserPool").UserPool
	wantLambdaConfig(t, "DescribeUserPool", described.LambdaConfig, tokenFnARN, "V3_0")
	listed := try(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})).must(t, "ListUserPools").UserPools
	if len(listed) != 1 {
		t.Fatalf("ListUserPools: %d pools", len(listed))
	}
	wantLambdaConfig(t, "ListUserPools", listed[0].LambdaConfig, tokenFnARN, "V3_0")

	changes := f.changes
	for _, step := range []struct {
		name         string
		config       *types.LambdaConfigType
		arn, version string // "" for none
	}{
		{"to V2_0 of another function", &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(otherFnARN), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}, otherFnARN, "V2_0"},
		{"without LambdaConfig: cleared", nil, "", ""},
		{"the legacy member alone: V1_0", &types.LambdaConfigType{PreTokenGeneration: aws.String(tokenFnARN)}, tokenFnARN, "V1_0"},
		{"both members, equal", &types.LambdaConfigType{PreTokenGeneration: aws.String(tokenFnARN), PreTokenGenerationConfig: v3}, tokenFnARN, "V3_0"},
		{"an empty LambdaConfig: cleared", &types.LambdaConfigType{}, "", ""},
	} {
		try(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, LambdaConfig: step.config})).must(t, "UpdateUserPool "+step.name)
		got := try(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).must(t, "DescribeUserPool").UserPool
		wantLambdaConfig(t, "UpdateUserPool "+step.name, got.LambdaConfig, step.arn, step.version)
		if got.LastModifiedDate == nil || time.Since(*got.LastModifiedDate) > time.Minute {
			t.Errorf("UpdateUserPool %s: LastModifiedDate %v", step.name, got.LastModifiedDate)
		}
		changes++
		if f.changes != changes {
			t.Errorf("UpdateUserPool %s: %d change notices, want %d", step.name, f.changes, changes)
		}
	}
}

// wantLambdaConfig checks a pool's LambdaConfig as the SDK reads it: the
// trigger's ARN in both members, or no member at all.
func wantLambdaConfig(t *testing.T, what string, lc *types.LambdaConfigType, arn, version string) {
	t.Helper()
	if lc == nil {
		t.Errorf("%s: no LambdaConfig (Cognito always shows one)", what)
		return
	}
	if arn == "" {
		if *lc != (types.LambdaConfigType{}) {
			t.Errorf("%s: LambdaConfig %+v, want {}", what, lc)
		}
		return
	}
	g := lc.PreTokenGenerationConfig
	if aws.ToString(lc.PreTokenGeneration) != arn || g == nil || aws.ToString(g.LambdaArn) != arn || string(g.LambdaVersion) != version {
		t.Errorf("%s: LambdaConfig %+v (config %+v), want %s %s in both members", what, lc, g, arn, version)
	}
}

func TestPreTokenGenerationTriggerRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client
	pool := try(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("orders")})).must(t, "CreateUserPool").UserPool
	for _, tt := range []struct {
		name   string
		config *types.LambdaConfigType
		msg    string
	}{
		{"legacy unlike LambdaArn", &types.LambdaConfigType{PreTokenGeneration: aws.String(otherFnARN),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(tokenFnARN), LambdaVersion: "V3_0"}},
			"LambdaConfig.PreTokenGeneration and LambdaConfig.PreTokenGenerationConfig.LambdaArn must be the same function ARN"},
		{"an ARN of another service", &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String("arn:aws:sns:eu-west-1:000000000000:topic"), LambdaVersion: "V3_0"}},
			`"arn:aws:sns:eu-west-1:000000000000:topic" is not a Lambda function ARN`},
		{"a user-flow trigger", &types.LambdaConfigType{PreSignUp: aws.String(otherFnARN)},
			"Tollgate does not support the LambdaConfig trigger PreSignUp: it has no users"},
		{"several, beside a supported one", &types.LambdaConfigType{CustomMessage: aws.String(otherFnARN), PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(tokenFnARN), LambdaVersion: "V3_0"}, CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{
			LambdaArn: aws.String(otherFnARN), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10}, KMSKeyID: aws.String("arn:aws:kms:eu-west-1:000000000000:key/k")},
			"Tollgate does not support the LambdaConfig triggers CustomMessage, CustomEmailSender, KMSKeyID: "},
	} {
		_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("refused"), LambdaConfig: tt.config})
		wantAPIError(t, "CreateUserPool, "+tt.name, err, "InvalidParameterException", tt.msg)
		_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: pool.Id, LambdaConfig: tt.config})
		wantAPIError(t, "UpdateUserPool, "+tt.name, err, "InvalidParameterException", tt.msg)
	}
	all, err := f.st.ListPools(ctx)
	if err != nil || len(all) != 1 || all[0].PreTokenGeneration != nil {
		t.Errorf("after refusals: pools %v, %v; want the one pool, without a trigger", all, err)
	}

	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("eu-west-1_missing00")})
	wantAPIError(t, "UpdateUserPool of a missing pool", err, "ResourceNotFoundException", "User pool eu-west-1_missing00 does not exist.")

	declared := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "declared", Region: "eu-west-1", ConfigKey: "config:orders/Pool",
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := f.st.CreatePool(ctx, declared); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &declared.ID})
	wantAPIError(t, "UpdateUserPool of a declared pool", err, "InvalidParameterException", `(as "Pool" in config orders) and is read-only through this API`)
}

// TestLambdaConfigViolations: the members' shapes, reported as Cognito
// words them ("Value '…' at 'lambdaConfig.customMessage' failed to satisfy
// constraint: Member must satisfy regular expression pattern: arn:…",
// aws-amplify/amplify-js#3731).
func TestLambdaConfigViolations(t *testing.T) {
	f := newFixture(t)
	const arnPattern = `arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`
	for _, tt := range []struct {
		name, op, body, want string
	}{
		{"version and ARN", "CreateUserPool", `{"PoolName":"p","LambdaConfig":{"PreTokenGenerationConfig":{"LambdaArn":"arn:x","LambdaVersion":"V4_0"}}}`,
			`3 validation errors detected: Value 'V4_0' at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [V1_0, V2_0, V3_0]; ` +
				`Value 'arn:x' at 'lambdaConfig.preTokenGenerationConfig.lambdaArn' failed to satisfy constraint: Member must have length greater than or equal to 20; ` +
				`Value 'arn:x' at 'lambdaConfig.preTokenGenerationConfig.lambdaArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ` + arnPattern},
		{"both required", "UpdateUserPool", `{"UserPoolId":"eu-west-1_abc","LambdaConfig":{"PreTokenGenerationConfig":{}}}`,
			`2 validation errors detected: Value null at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy constraint: Member must not be null; ` +
				`Value null at 'lambdaConfig.preTokenGenerationConfig.lambdaArn' failed to satisfy constraint: Member must not be null`},
		{"a legacy member, in the model's order", "CreateUserPool", `{"PoolName":"p","MfaConfiguration":"MAYBE","LambdaConfig":{"CustomMessage":"functionvdp3dcf8667CustomMessageArn"}}`,
			`2 validation errors detected: Value 'functionvdp3dcf8667CustomMessageArn' at 'lambdaConfig.customMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: ` + arnPattern + `; ` +
				`Value 'MAYBE' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := f.raw(t, "AWSCognitoIdentityProviderService."+tt.op, tt.body)
			var got struct {
				Message string `json:"message"`
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "InvalidParameterException" || got.Message != tt.want {
				t.Errorf("%d %s: %s\nwant 400 InvalidParameterException: %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), got.Message, tt.want)
			}
		})
	}
}
