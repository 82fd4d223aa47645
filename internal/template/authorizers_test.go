package template

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate/internal/config"
)

// cdkAuthorizers is shaped as CDK synthesizes a RestApi with a
// TokenAuthorizer, a RequestAuthorizer and a CfnAuthorizer of type JWT,
// and a UserPool with addTrigger(PRE_TOKEN_GENERATION_CONFIG, fn, V3_0):
//
//   - AuthorizerUri: lambdaAuthorizerArn(handler), whose partition and
//     region Arn.split takes from the function's ARN token (Fn::Select of
//     Fn::Split); Name: Names.uniqueId; AuthorizerResultTtlInSeconds:
//     resultsCacheTtl or Duration.minutes(5); TOKEN IdentitySource:
//     IdentitySource.header('Authorization'); REQUEST IdentitySource:
//     identitySources joined with "," (aws-cdk-lib
//     aws-apigateway/lib/authorizers/lambda.ts, TokenAuthorizer and
//     RequestAuthorizer constructors).
//   - With no assumeRole, setupPermissions adds an AWS::Lambda::Permission
//     for apigateway.amazonaws.com whose SourceArn is the authorizer's ARN
//     (same file, addDefaultPermissionRole).
//   - addTrigger writes LambdaConfig.PreTokenGenerationConfig {LambdaArn:
//     fn.functionArn, LambdaVersion} and a Permission for
//     cognito-idp.amazonaws.com (aws-cognito/lib/user-pool.ts, addTrigger
//     and addLambdaPermission).
//   - JwtConfiguration's properties are CloudFormation's (contract
//     apigw-beyond.md §1.6).
const cdkAuthorizers = `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: pool
      LambdaConfig:
        PreTokenGenerationConfig:
          LambdaArn: {"Fn::GetAtt": [TokenFn, Arn]}
          LambdaVersion: V3_0
  PoolPreTokenGenerationConfigCognito:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: {"Fn::GetAtt": [TokenFn, Arn]}
      Principal: cognito-idp.amazonaws.com
      SourceArn: {"Fn::GetAtt": [Pool, Arn]}
  AuthFn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: a.zip}, FunctionName: auth-fn}
  TokenFn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: t.zip}}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: Api}
  TokenAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      Name: StackTokenAuth1234
      RestApiId: {Ref: Api}
      Type: TOKEN
      AuthorizerUri:
        Fn::Join:
          - ""
          - - "arn:"
            - Fn::Select: [1, {"Fn::Split": [":", {"Fn::GetAtt": [AuthFn, Arn]}]}]
            - ":apigateway:"
            - Fn::Select: [3, {"Fn::Split": [":", {"Fn::GetAtt": [AuthFn, Arn]}]}]
            - ":lambda:path/2015-03-31/functions/"
            - {"Fn::GetAtt": [AuthFn, Arn]}
            - /invocations
      AuthorizerResultTtlInSeconds: 300
      IdentitySource: method.request.header.Authorization
      IdentityValidationExpression: "^Bearer .+$"
  TokenAuthPermissions:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: {"Fn::GetAtt": [AuthFn, Arn]}
      Principal: apigateway.amazonaws.com
      SourceArn:
        Fn::Join: ["", ["arn:", {Ref: AWS::Partition}, ":execute-api:", {Ref: AWS::Region}, ":", {Ref: AWS::AccountId}, ":", {Ref: Api}, "/authorizers/", {Ref: TokenAuth}]]
  ReqAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      Name: StackReqAuth5678
      RestApiId: {Ref: Api}
      Type: REQUEST
      AuthorizerUri:
        Fn::Join: ["", ["arn:", {Ref: AWS::Partition}, ":apigateway:", {Ref: AWS::Region}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [AuthFn, Arn]}, "/invocations"]]
      AuthorizerResultTtlInSeconds: 0
      IdentitySource: method.request.header.X-Tenant,method.request.querystring.key, stageVariables.v,context.httpMethod
  JwtAuth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      Name: jwt
      RestApiId: {Ref: Api}
      Type: JWT
      IdentitySource: method.request.header.Authorization
      JwtConfiguration:
        DefaultAlgorithms: [RS256, ES256]
        Issuers:
          - Issuer: https://issuer.example.com
            Audiences: [api]
            AdditionalClaims:
              - {ClaimName: tenant, ExpectedValues: [a, b], Format: SINGLE_STRING, Required: true}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: {Ref: Api}, ParentId: {"Fn::GetAtt": [Api, RootResourceId]}, PathPart: items}
  ItemsGet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {Ref: Items}
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: {Ref: TokenAuth}
      Integration: {Type: MOCK}
  ItemsPost:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {Ref: Items}
      HttpMethod: POST
      AuthorizationType: CUSTOM
      AuthorizerId: {Ref: ReqAuth}
      Integration: {Type: MOCK}
  ItemsPut:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {Ref: Items}
      HttpMethod: PUT
      AuthorizationType: JWT
      AuthorizerId: {Ref: JwtAuth}
      AuthorizationScopes: [items/write]
      Integration: {Type: MOCK}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: {Ref: Api}, StageName: prod}
`

// deployWithAssets deploys text with a code directory for each of its
// functions, as a cloud assembly's assets give them.
func deployWithAssets(t *testing.T, text string, functions ...string) (*Plan, error) {
	t.Helper()
	tp, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tp.assets = map[string]string{}
	for _, fn := range functions {
		tp.assets[fn] = t.TempDir()
	}
	return Deploy(tp, Options{})
}

func TestLambdaAndJWTAuthorizers(t *testing.T) {
	p, err := deployWithAssets(t, cdkAuthorizers, "AuthFn", "TokenFn")
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	cfg := p.Config
	ttl300, ttl0 := 300*time.Second, time.Duration(0)
	want := []config.Authorizer{
		{ID: "JwtAuth", Type: "JWT", IdentitySource: "method.request.header.Authorization", JWTConfiguration: &config.JWTConfiguration{
			DefaultAlgorithms: []string{"RS256", "ES256"},
			Issuers: []config.JWTIssuer{{Issuer: "https://issuer.example.com", Audiences: []string{"api"},
				AdditionalClaims: []config.AdditionalClaim{{ClaimName: "tenant", ExpectedValues: []string{"a", "b"}, Format: "SINGLE_STRING", Required: true}}}},
		}},
		{ID: "ReqAuth", Type: "REQUEST", Function: "AuthFn", ResultsCacheTTL: &ttl0,
			IdentitySources: []string{"method.request.header.X-Tenant", "method.request.querystring.key", "stageVariables.v", "context.httpMethod"}},
		{ID: "TokenAuth", Type: "TOKEN", Function: "AuthFn", IdentitySource: "method.request.header.Authorization",
			ValidationRegex: "^Bearer .+$", ResultsCacheTTL: &ttl300},
	}
	if diff := cmp.Diff(want, cfg.RestAPIs[0].Authorizers); diff != "" {
		t.Errorf("authorizers (-want +got):\n%s", diff)
	}
	var methods []string
	for _, m := range cfg.RestAPIs[0].Resources[0].Methods {
		methods = append(methods, m.HTTPMethod+" "+m.Authorizer+" "+strings.Join(m.AuthorizationScopes, ","))
	}
	if diff := cmp.Diff([]string{"GET TokenAuth ", "POST ReqAuth ", "PUT JwtAuth items/write"}, methods); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	wantTrigger := &config.LambdaTriggers{PreTokenGeneration: &config.PreTokenGenerationTrigger{Function: "TokenFn", LambdaVersion: "V3_0"}}
	if diff := cmp.Diff(wantTrigger, cfg.UserPools[0].LambdaTriggers); diff != "" {
		t.Errorf("pool triggers (-want +got):\n%s", diff)
	}
}

// TestLegacyPreTokenGeneration: LambdaConfig.PreTokenGeneration alone is a
// V1_0 trigger (Cognito's LambdaConfigType: the legacy field is the V1
// trigger; PreTokenGenerationConfig's LambdaArn must equal it when both
// are set).
func TestLegacyPreTokenGeneration(t *testing.T) {
	text := `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: k.zip}}
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig: {PreTokenGeneration: {"Fn::GetAtt": [Fn, Arn]}}
`
	p, err := deployWithAssets(t, text, "Fn")
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	want := &config.LambdaTriggers{PreTokenGeneration: &config.PreTokenGenerationTrigger{Function: "Fn", LambdaVersion: "V1_0"}}
	if diff := cmp.Diff(want, p.Config.UserPools[0].LambdaTriggers); diff != "" {
		t.Errorf("triggers (-want +got):\n%s", diff)
	}
}

// TestAuthorizerProblems: what cannot be mapped, or what the Config's
// rules refuse, is reported at the template property it came from.
func TestAuthorizerProblems(t *testing.T) {
	text := `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: k.zip}}
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        PreSignUp: {"Fn::GetAtt": [Fn, Arn]}
        PreTokenGeneration: {"Fn::GetAtt": [Fn, Arn]}
        PreTokenGenerationConfig: {LambdaArn: arn:aws:lambda:us-east-1:000000000000:function:other, LambdaVersion: V3_0}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: Api}
  Token:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: TOKEN
      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:nope/invocations
      IdentitySource: method.request.header.Authorization
  Request:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: REQUEST
      AuthorizerUri: https://example.com/not-a-lambda
  Cognito:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: COGNITO_USER_POOLS
      ProviderARNs: [{"Fn::GetAtt": [Pool, Arn]}]
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: {Ref: Cognito}
      Integration: {Type: MOCK}
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
      HttpMethod: POST
      AuthorizationType: COGNITO_USER_POOLS
      AuthorizerId: {Ref: Token}
      AuthorizationScopes: [a/b]
      Integration: {Type: MOCK}
  Put:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
      HttpMethod: PUT
      AuthorizationType: AWS_IAM
      Integration: {Type: MOCK}
  Lite:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolTier: LITE
      LambdaConfig: {PreTokenGenerationConfig: {LambdaArn: {"Fn::GetAtt": [Fn, Arn]}, LambdaVersion: V3_0}}
  LiteV1:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolTier: LITE
      LambdaConfig: {PreTokenGenerationConfig: {LambdaArn: {"Fn::GetAtt": [Fn, Arn]}, LambdaVersion: V1_0}}
  Untyped:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      AuthorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:nope/invocations
      IdentitySource: method.request.header.Authorization
  Patch:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
      HttpMethod: PATCH
      AuthorizationType: CUSTOM
      AuthorizerId: {Ref: Untyped}
      Integration: {Type: MOCK}
  Blank:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: REQUEST
      AuthorizerUri: {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [Fn, Arn]}, "/invocations"]]}
      IdentitySource: " , "
  Trailing:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: REQUEST
      AuthorizerUri: {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [Fn, Arn]}, "/invocations"]]}
      IdentitySource: "method.request.header.A,"
`
	_, err := deployWithAssets(t, text, "Fn")
	if err == nil {
		t.Fatal("Deploy succeeded, want problems")
	}
	for _, want := range []string{
		"t.yaml:9:20: Resources.Pool.Properties.LambdaConfig.PreSignUp: the PreSignUp trigger is not supported",
		"t.yaml:10:29: Resources.Pool.Properties.LambdaConfig.PreTokenGeneration: PreTokenGeneration must be the LambdaArn of PreTokenGenerationConfig when both are set",
		"t.yaml:11:47: Resources.Pool.Properties.LambdaConfig.PreTokenGenerationConfig.LambdaArn: the function other is not a function of this template",
		"t.yaml:20:22: Resources.Token.Properties.AuthorizerUri: the function nope is not a function of this template",
		"t.yaml:27:22: Resources.Request.Properties.AuthorizerUri: a Lambda authorizer's AuthorizerUri must invoke a Lambda function of this template",
		"t.yaml:40:26: Resources.Get.Properties.AuthorizationType: authorization type CUSTOM does not go with the COGNITO_USER_POOLS authorizer Cognito: want COGNITO_USER_POOLS",
		"t.yaml:49:26: Resources.Post.Properties.AuthorizationType: authorization type COGNITO_USER_POOLS does not go with the TOKEN authorizer Token: want CUSTOM",
		"t.yaml:59:26: Resources.Put.Properties.AuthorizationType: authorization type AWS_IAM is not supported",
		// "In user pools with the Essentials or Plus feature plan, you can
		// generate the version two or V2_0 trigger event ... and the version
		// three or V3_0 trigger event"
		// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html).
		"t.yaml:65:102: Resources.Lite.Properties.LambdaConfig.PreTokenGenerationConfig.LambdaVersion: a V3_0 pre token generation trigger needs the Essentials or Plus feature plan, and this pool's UserPoolTier is LITE",
		// AWS::ApiGateway::Authorizer: Type is required.
		"t.yaml:74:7: Resources.Untyped.Properties: Type is required: TOKEN, REQUEST, COGNITO_USER_POOLS or JWT\n",
		// The API reference: IdentitySource is "a comma-separated list".
		"t.yaml:92:23: Resources.Blank.Properties.IdentitySource: invalid identity source \" , \": empty entry in the comma-separated list\n",
		"t.yaml:99:23: Resources.Trailing.Properties.IdentitySource: invalid identity source \"method.request.header.A,\": empty entry in the comma-separated list\n",
	} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	// A V1_0 trigger is a LITE pool's; an authorizer of no type, and the
	// method naming it, have the one problem above.
	for _, not := range []string{"LiteV1", "Untyped.Properties.", "Patch", `identity source ""`} {
		if strings.Contains(err.Error(), not) {
			t.Errorf("problems mention %s:\n%v", not, err)
		}
	}
}

// TestAuthorizerConfigProblemsAtTheirProperty: the Config's rules on a
// mapped authorizer are reported at the template property the value came
// from: a REQUEST identity source at IdentitySource, the TTL at
// AuthorizerResultTtlInSeconds, a pool on AWS at its ProviderARNs entry,
// the trigger's version at LambdaVersion.
func TestAuthorizerConfigProblemsAtTheirProperty(t *testing.T) {
	text := `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: k.zip}}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: Api}
  Token:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: TOKEN
      AuthorizerUri: {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [Fn, Arn]}, "/invocations"]]}
      AuthorizerResultTtlInSeconds: 7200
      IdentityValidationExpression: "(?!x)"
  Request:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: REQUEST
      AuthorizerUri: {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/", {"Fn::GetAtt": [Fn, Arn]}, "/invocations"]]}
      IdentitySource: method.request.header.A, method.request.path.id
  Cognito:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: {Ref: Api}
      Type: COGNITO_USER_POOLS
      ProviderARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_onAws, arn:aws:cognito-idp:us-east-1:123456789012:userpool/eu-west-1_x]
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: {Ref: Api}
      ResourceId: {"Fn::GetAtt": [Api, RootResourceId]}
      HttpMethod: GET
      AuthorizationType: CUSTOM
      AuthorizerId: {Ref: Token}
      AuthorizationScopes: [a/b]
      Integration: {Type: MOCK}
`
	_, err := deployWithAssets(t, text, "Fn")
	if err == nil {
		t.Fatal("Deploy succeeded, want problems")
	}
	for _, want := range []string{
		"t.yaml:14:37: Resources.Token.Properties.AuthorizerResultTtlInSeconds: resultsCacheTtl must be whole seconds from 0s (no caching) to 3600s, got 2h0m0s",
		"t.yaml:15:37: Resources.Token.Properties.IdentityValidationExpression: invalid regular expression \"(?!x)\": \"(?!\" is Java syntax",
		"t.yaml:22:23: Resources.Request.Properties.IdentitySource: invalid identity source \"method.request.path.id\": a path parameter cannot be an identity source",
		"t.yaml:28:91: Resources.Cognito.Properties.ProviderARNs[1]: invalid user pool ARN",
		"t.yaml:37:7: Resources.Get.Properties.AuthorizationScopes: authorizationScopes apply to COGNITO_USER_POOLS and JWT authorizers only",
	} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 5 {
		t.Errorf("%d problems, want 5:\n%v", n, err)
	}
}
