package template

import (
	"os"
	"testing"
)

// FuzzTemplate feeds arbitrary bytes to Parse and Deploy: a template is
// untrusted input, so neither may panic or hang, whatever it holds.
func FuzzTemplate(f *testing.F) {
	f.Add([]byte(`Resources: {A: {Type: AWS::Cognito::UserPool}}`))
	f.Add([]byte(`{"Resources": {"A": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": {"Fn::Join": ["-", [{"Ref": "AWS::Region"}, "x"]]}}}}}`))
	f.Add([]byte("Conditions:\n  C: !Equals [a, !Ref P]\nParameters:\n  P: {Type: String, Default: a}\nResources:\n  R:\n    Type: AWS::ApiGateway::RestApi\n    Condition: C\n    Properties: {Name: !If [C, !Sub '${AWS::StackName}', !Select [0, !Split [',', 'a,b']]]}\n"))
	f.Add([]byte("Resources:\n  A: {Type: AWS::ApiGateway::RestApi, DependsOn: B}\n  B: {Type: AWS::ApiGateway::RestApi, DependsOn: A}\n"))
	f.Add([]byte("Resources:\n  A: !GetAtt B.C\n"))
	f.Add([]byte(cdkAuthorizers))
	f.Add([]byte("Resources:\n  P: {Type: AWS::Cognito::UserPool, Properties: {LambdaConfig: {PreTokenGeneration: x, PreTokenGenerationConfig: {LambdaArn: [], LambdaVersion: 3}, KMSKeyID: k}}}\n  A: {Type: AWS::ApiGateway::Authorizer, Properties: {Type: JWT, JwtConfiguration: {Issuers: [{AdditionalClaims: [1]}, x]}, IdentitySource: ',,'}}\n"))
	f.Add([]byte("Resources:\n  A: {Type: AWS::ApiGatewayV2::Api, Properties: {ProtocolType: HTTP, Target: !Ref R, RouteKey: 3, CorsConfiguration: {MaxAge: x}}}\n  R: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref A, RouteKey: ' ', Target: integrations/, AuthorizationType: JWT}}\n  S: {Type: AWS::ApiGatewayV2::Stage, Properties: {ApiId: !Ref A, RouteSettings: {k: 1, j: {ThrottlingRateLimit: []}}}}\n"))
	f.Add([]byte("Resources:\n  K: {Type: AWS::ApiGateway::ApiKey, Properties: {Enabled: [], StageKeys: 1}}\n  P: {Type: AWS::ApiGateway::UsagePlan, Properties: {Quota: 1, ApiStages: [x, {Throttle: {'/': 1, '//': {}, '///GET': {RateLimit: a}}}]}}\n  U: {Type: AWS::ApiGateway::UsagePlanKey, Properties: {KeyId: !Ref P, UsagePlanId: !GetAtt K.APIKeyId}}\n"))
	for _, file := range []string{
		"../../examples/cdk/cdk.out/OAuthApiStack.template.json",
		cdkHTTPAPIOut + "/HttpApiStack.template.json",
		cdkUsagePlansOut + "/UsagePlansStack.template.json",
	} {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		p, err := Deploy(tp, Options{Parameters: map[string]string{}})
		if err == nil {
			_ = p.Outputs(nil, Endpoints{})
		}
	})
}
