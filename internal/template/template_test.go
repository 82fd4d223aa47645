package template

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// deploy parses and deploys a template given as text.
func deploy(t *testing.T, name, text string, opts Options) (*Plan, error) {
	t.Helper()
	tp, err := Parse(name, []byte(text))
	if err != nil {
		return nil, err
	}
	return Deploy(tp, opts)
}

// outputsOf deploys a template and returns its outputs by key, with
// placeholders for pools and clients filled by a fake Apply result.
func outputsOf(t *testing.T, text string, opts Options) map[string]string {
	t.Helper()
	p, err := deploy(t, "t.yaml", text, opts)
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	out := map[string]string{}
	for _, o := range p.Outputs(&config.Result{}, Endpoints{PublicURL: "http://127.0.0.1:8080"}) {
		out[o.Key] = o.Value
	}
	return out
}

// A resource every intrinsic test can refer to.
const base = `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: !Sub "${AWS::StackName}-api"}
  Root:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, Integration: {Type: MOCK}}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
`

func TestIntrinsics(t *testing.T) {
	apiID := tollgate.RestAPIID("Api")
	tests := []struct {
		name, outputs string
		params        map[string]string
		want          string
	}{
		{"Ref resource", `!Ref Api`, nil, apiID},
		{"Ref region", `!Ref AWS::Region`, nil, "eu-west-1"},
		{"Ref account", `{Ref: AWS::AccountId}`, nil, tollgate.AccountID},
		{"Ref stack name", `!Ref AWS::StackName`, nil, "Demo"},
		{"Ref partition and suffix", `!Join [".", [!Ref AWS::Partition, !Ref AWS::URLSuffix]]`, nil, "aws.amazonaws.com"},
		{"Ref NoValue dropped from a list", `!Join [",", [a, !Ref AWS::NoValue, b]]`, nil, "a,b"},
		{"Ref parameter default", `!Ref Stage`, nil, "prod"},
		{"Ref parameter given", `!Ref Stage`, map[string]string{"Stage": "dev"}, "dev"},
		{"GetAtt long form", `{"Fn::GetAtt": [Role, Arn]}`, nil, "arn:aws:iam::000000000000:role/Role"},
		{"GetAtt short form", `!GetAtt Api.RootResourceId`, nil, physicalID("root", "Api")},
		{"Join", `{"Fn::Join": ["-", [a, b, 3]]}`, nil, "a-b-3"},
		{"Sub string", `!Sub "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/"`, nil, "https://" + apiID + ".execute-api.eu-west-1.amazonaws.com/prod/"},
		{"Sub with variables and literal", `!Sub ["${X}-${!Literal}-${Role.Arn}", {X: !Ref Stage}]`, nil, "prod-${Literal}-arn:aws:iam::000000000000:role/Role"},
		{"Select and Split", `!Select [1, !Split [",", "a,b,c"]]`, nil, "b"},
		{"Select from a list parameter", `!Select [0, !Ref Zones]`, nil, "z1"},
		{"If true", `!If [IsProd, yes, no]`, nil, "yes"},
		{"If false", `!If [IsProd, yes, no]`, map[string]string{"Stage": "dev"}, "no"},
		{"And Or Not", `!If [Complex, yes, no]`, nil, "yes"},
		{"FindInMap", `!FindInMap [Sizes, !Ref AWS::Region, small]`, nil, "t3.small"},
		{"FindInMap default", `!FindInMap [Sizes, nowhere, small, {DefaultValue: fallback}]`, nil, "fallback"},
		{"Base64", `!Base64 hi`, nil, "aGk="},
		{"GetAZs", `!Select [0, !GetAZs ""]`, nil, "eu-west-1a"},
		{"Number parameter", `!Join ["", [!Ref Count]]`, nil, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := `Parameters:
  Stage: {Type: String, Default: prod, AllowedValues: [prod, dev]}
  Zones: {Type: CommaDelimitedList, Default: "z1, z2"}
  Count: {Type: Number, Default: 3}
Mappings:
  Sizes:
    eu-west-1: {small: t3.small}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Complex: !And [!Condition IsProd, !Or [!Equals [a, b], !Not [!Equals [a, b]]]]
` + base + "Outputs:\n  Out:\n    Value: " + tt.outputs + "\n"
			got := outputsOf(t, text, Options{Region: "eu-west-1", StackName: "Demo", Parameters: tt.params})
			if got["Out"] != tt.want {
				t.Errorf("Out = %q, want %q", got["Out"], tt.want)
			}
		})
	}
}

// TestJSONTemplate reads the same intrinsics in JSON's long form.
func TestJSONTemplate(t *testing.T) {
	text := `{
  "Resources": {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "x"}},
    "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
      "HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": {"Type": "MOCK", "IntegrationResponses": [{"StatusCode": "204"}]}}}
  },
  "Outputs": {"Url": {"Value": {"Fn::Join": ["", ["https://", {"Ref": "Api"}, ".execute-api.", {"Ref": "AWS::Region"}, ".amazonaws.com/prod/"]]}}}
}`
	p, err := deploy(t, "t.json", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	outs := p.Outputs(&config.Result{}, Endpoints{PublicURL: "http://127.0.0.1:8080"})
	id := tollgate.RestAPIID("Api")
	want := []Output{{Key: "Url", Value: "https://" + id + ".execute-api.us-east-1.amazonaws.com/prod/", Local: "http://127.0.0.1:8080/apis/" + id + "/prod/"}}
	if diff := cmp.Diff(want, outs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// TestConditionOnResource skips a resource whose condition is false, and
// refuses a reference to it.
func TestConditionOnResource(t *testing.T) {
	text := `Parameters:
  WithApi: {Type: String, Default: "no"}
Conditions:
  HasApi: !Equals [!Ref WithApi, "yes"]
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Condition: HasApi
  Pool:
    Type: AWS::Cognito::UserPool
`
	p, err := deploy(t, "t.yaml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Config.RestAPIs) != 0 || len(p.Skipped) != 1 || p.Skipped[0].LogicalID != "Api" {
		t.Errorf("APIs %v, skipped %v; want the API skipped", p.Config.RestAPIs, p.Skipped)
	}
	_, err = deploy(t, "t.yaml", text+"Outputs:\n  A: {Value: !Ref Api}\n", Options{})
	if err == nil || !strings.Contains(err.Error(), "Api is not created (its condition HasApi is false)") {
		t.Errorf("err = %v, want the reference refused", err)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name, text string
		params     map[string]string
		want       []string // each a substring of one line of the error
	}{
		{"unsupported type with its line", `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: t}
`, nil, []string{"t.yaml:5:11: Resources.Table.Type: Table (AWS::DynamoDB::Table) is not supported"}},
		{"unknown Ref", `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: !Ref Nope
`, nil, []string{`t.yaml:5:17: Resources.Api.Properties.Name.Ref: Ref names "Nope"`}},
		{"cycle", `Resources:
  A:
    Type: AWS::ApiGateway::RestApi
    DependsOn: B
  B:
    Type: AWS::ApiGateway::RestApi
    DependsOn: A
`, nil, []string{"circular dependency between resources: A → B → A"}},
		{"DependsOn unknown", `Resources:
  A:
    Type: AWS::ApiGateway::RestApi
    DependsOn: [Nope]
`, nil, []string{`Resources.A.DependsOn: DependsOn names "Nope"`}},
		{"parameter without default", `Parameters:
  Name: {Type: String}
Resources:
  A: {Type: AWS::ApiGateway::RestApi}
`, nil, []string{"parameter Name has no default: give it with --parameter Name=VALUE"}},
		{"parameter not allowed", `Parameters:
  Name: {Type: String, Default: a, AllowedValues: [a, b]}
Resources:
  A: {Type: AWS::ApiGateway::RestApi}
`, map[string]string{"Name": "c"}, []string{`parameter Name is "c", which is not one of its AllowedValues`}},
		{"unknown parameter given", `Resources:
  A: {Type: AWS::ApiGateway::RestApi}
`, map[string]string{"Nope": "1"}, []string{`--parameter Nope: the template has no parameter "Nope"`}},
		{"unknown property", `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: x, Nonsense: 1}
`, nil, []string{"Resources.Api.Properties.Nonsense: property Nonsense of AWS::ApiGateway::RestApi is not supported"}},
		{"config rule at the template", `Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [nope/nope]
      GenerateSecret: true
`, nil, []string{"t.yaml:8:28: Resources.Client.Properties.AllowedOAuthScopes[0]:"}},
		{"pool reference", `Resources:
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties: {Domain: x, UserPoolId: us-east-1_abc}
`, nil, []string{"UserPoolId must refer to a user pool of this template"}},
		{"Select out of range", `Resources:
  A: {Type: AWS::ApiGateway::RestApi, Properties: {Name: !Select [5, [a]]}}
`, nil, []string{"index 5 is out of range"}},
		{"transform", `Transform: AWS::Serverless-2016-10-31
Resources:
  A: {Type: AWS::ApiGateway::RestApi}
`, nil, []string{"transforms (such as AWS::Serverless) are not supported"}},
		{"code in S3", `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Code: {S3Bucket: b, S3Key: k.zip}
`, nil, []string{"the code of Fn is in S3"}},
		{"every problem at once", `Resources:
  A: {Type: AWS::SQS::Queue}
  B: {Type: AWS::SNS::Topic}
`, nil, []string{"A (AWS::SQS::Queue)", "B (AWS::SNS::Topic)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy(t, "t.yaml", tt.text, Options{Parameters: tt.params})
			if err == nil {
				t.Fatal("Deploy succeeded, want problems")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestNotApplicable accepts what means nothing off AWS and lists it.
func TestNotApplicable(t *testing.T) {
	text := `Parameters:
  BootstrapVersion:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /cdk-bootstrap/hnb659fds/version
Rules:
  CheckBootstrapVersion:
    Assertions:
      - Assert: !Not [!Contains [["1"], !Ref BootstrapVersion]]
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Role:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {Statement: []}}
  Perm: {Type: AWS::Lambda::Permission, Properties: {FunctionName: x, SourceArn: !GetAtt Role.Arn}}
  Logs: {Type: AWS::Logs::LogGroup}
  Account: {Type: AWS::ApiGateway::Account, Properties: {CloudWatchRoleArn: !GetAtt Role.Arn}}
  Record: {Type: AWS::Route53::RecordSet}
  CDKMetadata: {Type: AWS::CDK::Metadata, Properties: {Analytics: v2:deflate64:abc}}
`
	p, err := deploy(t, "t.yaml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range p.NotApplicable {
		got = append(got, r.LogicalID+" "+r.Type)
	}
	want := []string{"Account AWS::ApiGateway::Account", "BootstrapVersion parameter AWS::SSM::Parameter::Value<String>",
		"CDKMetadata AWS::CDK::Metadata", "CheckBootstrapVersion rule", "Logs AWS::Logs::LogGroup",
		"Perm AWS::Lambda::Permission", "Record AWS::Route53::RecordSet", "Role AWS::IAM::Role"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("not applicable (-want +got):\n%s", diff)
	}
}

// TestCDKAssembly maps the committed cdk.out of examples/cdk.
func TestCDKAssembly(t *testing.T) {
	tp, stack, err := Load("../../examples/cdk/cdk.out", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Deploy(tp, Options{StackName: stack})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	if len(c.UserPools) != 1 || len(c.UserPools[0].Clients) != 1 || len(c.UserPools[0].Domains) != 2 || len(c.Functions) != 1 || len(c.RestAPIs) != 1 {
		t.Fatalf("config = %+v", c)
	}
	cl := c.UserPools[0].Clients[0]
	if cl.UserPoolClientName != "ThirdPartyClientName" || !cl.GenerateSecret || !slicesEqual(cl.OAuth.Scopes, []string{"default/default"}) ||
		cl.RefreshTokenValidity != (tollgate.Validity{Value: 7200, Unit: tollgate.Minutes}) {
		t.Errorf("client = %+v", cl)
	}
	api := c.RestAPIs[0]
	if api.DeployOptions.StageName != "prod" || len(api.Resources) != 1 || api.Resources[0].Path != "/{proxy+}" {
		t.Errorf("api = %+v", api)
	}
	m := api.Resources[0].Methods[0]
	if m.Authorizer == "" || m.Integration.Type != "AWS_PROXY" || m.Integration.Function != c.Functions[0].ID {
		t.Errorf("method = %+v, integration %+v", m, m.Integration)
	}
	if c.Functions[0].Timeout.Seconds() != 10 || !strings.Contains(c.Functions[0].Code, "asset.") {
		t.Errorf("function = %+v", c.Functions[0])
	}
	if len(p.NotApplicable) == 0 {
		t.Error("no resource reported as not applicable")
	}
	// CDK's bootstrap parameter and rule are reported, not skipped silently.
	found := map[string]string{}
	for _, r := range p.NotApplicable {
		found[r.LogicalID] = r.Type
	}
	if found["BootstrapVersion"] != "parameter AWS::SSM::Parameter::Value<String>" {
		t.Errorf("BootstrapVersion reported as %q", found["BootstrapVersion"])
	}
	if found["CheckBootstrapVersion"] != "rule" {
		t.Errorf("the CheckBootstrapVersion rule reported as %q", found["CheckBootstrapVersion"])
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestOutputsAfterApply fills pool and client ids from Apply's result.
func TestOutputsAfterApply(t *testing.T) {
	text := `Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Server:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties: {UserPoolId: !Ref Pool, Identifier: api, Name: api, Scopes: [{ScopeName: read, ScopeDescription: read}]}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, GenerateSecret: true, AllowedOAuthFlows: [client_credentials], AllowedOAuthScopes: [!Sub "${Server}/read"]}
Outputs:
  PoolId: {Value: !Ref Pool}
  ClientId: {Value: !GetAtt Client.ClientId}
  Provider: {Value: !GetAtt Pool.ProviderURL}
  Secret: {Value: !GetAtt Client.ClientSecret}
`
	p, err := deploy(t, "t.yaml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range p.Outputs(nil, Endpoints{}) {
		if strings.Contains(o.Value, placeholderOpen) {
			t.Errorf("output %s = %q still holds a placeholder", o.Key, o.Value)
		}
	}
}

// fixedIDs are the ids a store would give.
type fixedIDs struct{}

func (fixedIDs) Pool(logicalID, region string) string { return region + "_" + logicalID + "123" }
func (fixedIDs) Client(pool, client string) string    { return strings.ToLower(pool + client + "id") }

// Ref and Fn::GetAtt of pools and clients resolve to their physical ids in
// resource properties too, inside Fn::Sub, Fn::Join and Fn::Select, so that
// a function's environment and a client's name see the real values.
func TestPhysicalIDsInProperties(t *testing.T) {
	text := `Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, ClientName: !Sub '${Pool}-${Env}'}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Code: {S3Bucket: b, S3Key: k}
      Environment:
        Variables:
          POOL: !Ref Pool
          CID: !Ref Client
          ARN: !GetAtt Pool.Arn
          PROVIDER: !GetAtt Pool.ProviderName
          JOINED: !Join [":", [!Ref Pool, !GetAtt Client.ClientId]]
          REGION: !Select [0, !Split ["_", !Ref Pool]]
Outputs:
  PoolId: {Value: !Ref Pool}
`
	tp, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tp.assets = map[string]string{"Fn": t.TempDir()}
	p, err := Deploy(tp, Options{IDs: fixedIDs{}})
	if err != nil {
		t.Fatal(err)
	}
	pool, client := "us-east-1_Pool123", "poolclientid"
	want := map[string]string{
		"POOL": pool, "CID": client,
		"ARN":      "arn:aws:cognito-idp:us-east-1:" + tollgate.AccountID + ":userpool/" + pool,
		"PROVIDER": "cognito-idp.us-east-1.amazonaws.com/" + pool,
		"JOINED":   pool + ":" + client,
		"REGION":   "us-east-1",
	}
	if diff := cmp.Diff(want, p.Config.Functions[0].Environment); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if got := p.Config.UserPools[0].Clients[0].UserPoolClientName; got != pool+"-dev" {
		t.Errorf("client name %q, want %q", got, pool+"-dev")
	}
	if outs := p.Outputs(nil, Endpoints{}); len(outs) != 1 || outs[0].Value != pool {
		t.Errorf("outputs %+v, want PoolId %s", outs, pool)
	}
}

// A client secret is not handed to other resources: saying so beats a
// placeholder in a function's environment.
func TestClientSecretInPropertiesIsAProblem(t *testing.T) {
	text := `Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, GenerateSecret: true}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: !GetAtt Client.ClientSecret}
`
	_, err := deploy(t, "t.yaml", text, Options{})
	if err == nil || !strings.Contains(err.Error(), "Resources.Api.Properties.Name: the secret of client Client") {
		t.Errorf("got %v, want the secret reported", err)
	}
}

// A reference to a resource that failed to resolve says so, not that its
// condition is false (it has none).
func TestReferenceToAFailedResource(t *testing.T) {
	text := `Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: !Ref Missing}
  Queue: {Type: AWS::SQS::Queue}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, ClientName: !GetAtt Queue.Arn}
`
	_, err := deploy(t, "t.yaml", text, Options{})
	if err == nil {
		t.Fatal("no problems")
	}
	msg := err.Error()
	for _, want := range []string{
		"Resources.Client.Properties.ClientName.Fn::GetAtt: Queue is of a type Tollgate does not run (AWS::SQS::Queue), so its attributes cannot be read",
		"Resources.Client.Properties.UserPoolId.Ref: Pool has properties that could not be resolved (see the problems at Resources.Pool)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "condition") {
		t.Errorf("a resource without a condition is said to have one:\n%s", msg)
	}
}

// A MOCK integration's first response is served: its literal header
// values and a mapping template without VTL as the body, as CDK's CORS
// preflight declares them; what is not literal is reported, not dropped
// silently.
func TestMockResponses(t *testing.T) {
	text := base + `  Options:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: "{ statusCode: 200 }"}
        IntegrationResponses:
          - StatusCode: "204"
            ResponseParameters:
              method.response.header.Access-Control-Allow-Headers: "'Content-Type,Authorization'"
              method.response.header.Access-Control-Allow-Origin: "'*'"
              method.response.header.X-From-Request: method.request.header.Origin
            ResponseTemplates: {application/json: '{"ok": true}', text/plain: '$input.body'}
          - StatusCode: "500"
            SelectionPattern: ".*error.*"
      MethodResponses:
        - StatusCode: "204"
          ResponseParameters: {method.response.header.Access-Control-Allow-Origin: true}
`
	p, err := deploy(t, "t.yaml", text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var in *config.Integration
	for _, r := range p.Config.RestAPIs[0].Resources {
		for _, m := range r.Methods {
			if m.HTTPMethod == "OPTIONS" {
				in = m.Integration
			}
		}
	}
	if in == nil {
		t.Fatalf("no OPTIONS method in %+v", p.Config.RestAPIs[0].Resources)
	}
	wantHeaders := map[string]string{"Access-Control-Allow-Headers": "Content-Type,Authorization", "Access-Control-Allow-Origin": "*"}
	if diff := cmp.Diff(wantHeaders, in.ResponseHeaders); diff != "" || in.Body != `{"ok": true}` || in.StatusCode != 204 {
		t.Errorf("integration %+v, headers (-want +got):\n%s", in, diff)
	}
	want := []string{"Resources.Options.Properties.Integration: MOCK integration answers with status 204 and its first response's literal headers and body, without " +
		"response parameter method.response.header.X-From-Request (not a literal); mapping template for text/plain (VTL); integration responses after the first (selected by SelectionPattern)"}
	if diff := cmp.Diff(want, p.Limitations); diff != "" {
		t.Errorf("limitations (-want +got):\n%s", diff)
	}
}

// Problems come in the order of the file, not of the logical ids.
func TestProblemsInFileOrder(t *testing.T) {
	text := `Resources:
  Zed: {Type: AWS::SQS::Queue}
  Alpha: {Type: AWS::SQS::Queue}
`
	_, err := deploy(t, "t.yaml", text, Options{})
	var probs config.Problems
	if !errors.As(err, &probs) || len(probs) != 2 || probs[0].Line != 2 || probs[1].Line != 3 {
		t.Errorf("problems %v, want lines 2 then 3", err)
	}
}
