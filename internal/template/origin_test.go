package template

import (
	"strings"
	"testing"
)

// TestConfigProblemsAtTheirProperty: a problem that the Config's rules (and
// apigw.Check) find in a Config mapped from a template is placed at the
// line and column of the template property its value came from, for each
// family of rules.
func TestConfigProblemsAtTheirProperty(t *testing.T) {
	text := `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: "bad name!"
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [ok/read, nope/nope]
      GenerateSecret: true
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      MemorySize: 1
      Code: {S3Bucket: b, S3Key: k.zip}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
      EndpointConfiguration:
        Types: [REGIONAL, EDGE]
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Type: COGNITO_USER_POOLS
      ProviderARNs: [!GetAtt Pool.Arn]
      IdentitySource: header.Authorization
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: get
      AuthorizationType: NONE
      Integration: {Type: MOCK}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      DeploymentId: x
      ThrottlingRateLimit: -1
`
	tp, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tp.assets = map[string]string{"Fn": t.TempDir()}
	_, err = Deploy(tp, Options{})
	if err == nil {
		t.Fatal("Deploy succeeded, want problems")
	}
	for _, want := range []string{
		"t.yaml:5:21: Resources.Pool.Properties.UserPoolName:",
		// A problem with a whole list is placed at the key that names it.
		"t.yaml:25:9: Resources.Api.Properties.EndpointConfiguration.Types: an API has one endpoint type, got 2",
		"t.yaml:11:37: Resources.Client.Properties.AllowedOAuthScopes[1]:",
		"t.yaml:18:19: Resources.Fn.Properties.MemorySize: memorySize must be between",
		"t.yaml:32:23: Resources.Auth.Properties.IdentitySource:",
		"t.yaml:38:19: Resources.Get.Properties.HttpMethod: invalid httpMethod \"get\"",
		"t.yaml:47:28: Resources.Stage.Properties.ThrottlingRateLimit: the rate must be more than 0",
	} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

// TestConfigProblemsWithoutAProperty: a value no property gave (the region
// Deploy is given) is placed at the resource of its nearest recorded
// ancestor, with the rest of its Config path in brackets, or, with no
// ancestor in the template, by its Config path alone.
func TestConfigProblemsWithoutAProperty(t *testing.T) {
	text := `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: p}
`
	_, err := deploy(t, "t.yaml", text, Options{Region: "Nowhere 1"})
	if err == nil {
		t.Fatal("Deploy succeeded, want problems")
	}
	for _, want := range []string{
		"t.yaml: region: invalid region \"Nowhere 1\"",
		"t.yaml:4:17: Resources.Pool.Properties (region): invalid region \"Nowhere 1\"",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}
