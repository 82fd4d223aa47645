package template

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// cdkHTTPAPIOut is the cloud assembly examples/cdk/synth.sh wrote from
// examples/cdk/httpapi/app.js with aws-cdk-lib 2.276.0: what CDK's
// HttpApi, HttpLambdaIntegration, HttpUrlIntegration, HttpJwtAuthorizer,
// HttpUserPoolAuthorizer and HttpLambdaAuthorizer synthesize.
const cdkHTTPAPIOut = "../../examples/cdk/httpapi/cdk.out"

// TestCDKHTTPAPIAssembly maps the committed HttpApi assembly whole: each
// route of CDK's (one per method, Target "integrations/" joined to the
// integration's Ref) with the integration it shares with others, the
// authorizers as CDK writes them (contract apigw-beyond.md §4.7), the
// $default stage and the named one.
func TestCDKHTTPAPIAssembly(t *testing.T) {
	tp, stack, err := Load(cdkHTTPAPIOut, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Deploy(tp, Options{StackName: stack})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	if len(c.HTTPAPIs) != 1 || len(c.RestAPIs) != 0 || len(c.UserPools) != 1 || len(c.Functions) != 2 {
		t.Fatalf("config = %+v", c)
	}
	const (
		echo, authFn = "EchoFunction7EBBA557", "AuthorizerFunctionB4DBAA43"
		pool, client = "UserPool6BA7E5F2", "UserPoolServiceClientFA8B5585"
	)
	hour, ttl0, ttl300, yes := time.Hour, time.Duration(0), 300*time.Second, true
	v2 := func() *config.HTTPIntegration {
		return &config.HTTPIntegration{Type: "AWS_PROXY", Function: echo, PayloadFormatVersion: "2.0", Timeout: tollgate.DefaultHTTPIntegrationTimeout}
	}
	v1 := func() *config.HTTPIntegration {
		return &config.HTTPIntegration{Type: "AWS_PROXY", Function: echo, PayloadFormatVersion: "1.0", Timeout: tollgate.DefaultHTTPIntegrationTimeout}
	}
	want := config.HTTPAPI{
		ID: "ApiF70053CD", APIName: "orders-http", CreateDefaultStage: &yes,
		CORSPreflight: &config.CORSPreflight{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"x-request-id"}, MaxAge: &hour},
		Stages: []config.HTTPStage{
			{StageName: "beta", AutoDeploy: &yes, StageVariables: map[string]string{"backend": "beta"},
				Throttle: &config.ThrottleSettings{RateLimit: 100, BurstLimit: 50}},
			{StageName: "$default", AutoDeploy: &yes},
		},
		Authorizers: []config.HTTPAuthorizer{
			{ID: "ApiIamAuthorizerC3A4D065", Type: "REQUEST", IdentitySource: []string{"$request.header.X-Tenant", "$context.routeKey"},
				Function: authFn, ResponseTypes: []string{"IAM"}, PayloadFormatVersion: "1.0", ResultsCacheTTL: &ttl300},
			// HttpJwtAuthorizer on userPool.userPoolProviderUrl: GetAtt
			// Pool.ProviderURL, a pool of the template.
			{ID: "ApiJwtAuthorizer84FEA7B0", Type: "JWT", IdentitySource: []string{"$request.header.Authorization"},
				UserPool: pool, UserPoolClients: []string{client}},
			// HttpUserPoolAuthorizer: Fn::Join ["https://cognito-idp.",
			// Region, ".amazonaws.com/", Ref Pool].
			{ID: "ApiPoolAuthorizerD80B806E", Type: "JWT", IdentitySource: []string{"$request.header.Authorization"},
				UserPool: pool, UserPoolClients: []string{client}},
			{ID: "ApiSimpleAuthorizerD66AF934", Type: "REQUEST", IdentitySource: []string{"$request.header.X-Tenant"},
				Function: authFn, ResponseTypes: []string{"SIMPLE"}, PayloadFormatVersion: "2.0", ResultsCacheTTL: &ttl0},
		},
		// By logical id, as the template's resources are mapped.
		Routes: []config.HTTPRoute{
			{Path: "/upstream/{proxy+}", Methods: []string{"ANY"},
				Integration: &config.HTTPIntegration{Type: "HTTP_PROXY", URL: "http://127.0.0.1:8089/echo/{proxy}", Method: "ANY", PayloadFormatVersion: "1.0", Timeout: tollgate.DefaultHTTPIntegrationTimeout}},
			{Path: "/v1/{proxy+}", Methods: []string{"ANY"}, Integration: v1()},
			{Path: "/orders/{id}", Methods: []string{"DELETE"}, Integration: v2(), Authorizer: "ApiPoolAuthorizerD80B806E",
				AuthorizationScopes: []string{"orders/admin"}},
			{Path: "$default", Integration: v2()},
			{Path: "/iam", Methods: []string{"GET"}, Integration: v1(), Authorizer: "ApiIamAuthorizerC3A4D065"},
			{Path: "/jwt", Methods: []string{"GET"}, Integration: v2(), Authorizer: "ApiJwtAuthorizer84FEA7B0"},
			{Path: "/orders", Methods: []string{"GET"}, Integration: v2(), Authorizer: "ApiPoolAuthorizerD80B806E",
				AuthorizationScopes: []string{"orders/read"}},
			{Path: "/simple", Methods: []string{"GET"}, Integration: v2(), Authorizer: "ApiSimpleAuthorizerD66AF934"},
		},
	}
	if diff := cmp.Diff(want, c.HTTPAPIs[0]); diff != "" {
		t.Errorf("HTTP API (-want +got):\n%s", diff)
	}
	// HttpApi.url and HttpStage.url: https://{Ref}.execute-api.{Region}.{URLSuffix}/ (and /beta).
	out := map[string]Output{}
	for _, o := range p.Outputs(nil, Endpoints{PublicURL: "http://127.0.0.1:8080"}) {
		out[o.Key] = o
	}
	id := tollgate.RestAPIID("ApiF70053CD")
	for key, local := range map[string]string{"ApiUrl": "/apis/" + id + "/", "BetaUrl": "/apis/" + id + "/beta"} {
		if got := out[key].Local; got != "http://127.0.0.1:8080"+local {
			t.Errorf("output %s = %+v, want local URL http://127.0.0.1:8080%s", key, out[key], local)
		}
	}
	permissions := 0
	for _, r := range p.NotApplicable {
		if r.Type == "AWS::Lambda::Permission" {
			permissions++
		}
	}
	if permissions != 9 {
		t.Errorf("%d Lambda permissions reported not applicable, want CDK's 9", permissions)
	}
}

// httpAPIBase is an HTTP API and a function that the mapping tests build
// on.
const httpAPIBase = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Code: {S3Bucket: b, S3Key: k.zip}}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: api, ProtocolType: HTTP}
  DefaultStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default, AutoDeploy: true}
`

// TestHTTPAPIMapping maps each property of the AWS::ApiGatewayV2
// resources (CFN23:aws-resource-apigatewayv2-*.md, contract §4.6) into the
// Config's httpApis.
func TestHTTPAPIMapping(t *testing.T) {
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:Fn"
	invocation := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"
	no, yes := false, true
	ttl0, ttl60 := time.Duration(0), time.Minute
	age := 10 * time.Second
	tests := []struct {
		name, resources string
		want            config.HTTPAPI
	}{
		{"quick create with a Lambda ARN: AWS_PROXY 2.0, $default route and stage", `
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn, CredentialsArn: arn:aws:iam::000000000000:role/r}
`, config.HTTPAPI{ID: "Quick", APIName: "quick", CreateDefaultStage: &yes, Routes: []config.HTTPRoute{
			{Path: "$default", Integration: &config.HTTPIntegration{Type: "AWS_PROXY", Function: "Fn", PayloadFormatVersion: "2.0", Timeout: 30 * time.Second}}}}},
		{"quick create with a URL and a route key", `
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: quick, ProtocolType: HTTP, Target: "https://backend.example.com/api", RouteKey: "GET /items/{id}"}
`, config.HTTPAPI{ID: "Quick", APIName: "quick", CreateDefaultStage: &yes, Routes: []config.HTTPRoute{
			{Path: "/items/{id}", Methods: []string{"GET"}, Integration: &config.HTTPIntegration{Type: "HTTP_PROXY", URL: "https://backend.example.com/api", Method: "ANY", Timeout: 30 * time.Second}}}}},
		{"CORS, execute-api endpoint off, no name", `
  Cors:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
      DisableExecuteApiEndpoint: true
      CorsConfiguration: {AllowOrigins: ["https://a.example"], AllowCredentials: true, AllowMethods: ["*"], AllowHeaders: [x-a], ExposeHeaders: [x-b], MaxAge: 10}
      Description: ignored
      Tags: {a: b}
  CorsStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Cors, StageName: v1}
`, config.HTTPAPI{ID: "Cors", APIName: "Cors", CreateDefaultStage: &no, DisableExecuteAPIEndpoint: true,
			Stages: []config.HTTPStage{{StageName: "v1"}},
			CORSPreflight: &config.CORSPreflight{AllowOrigins: []string{"https://a.example"}, AllowCredentials: true,
				AllowMethods: []string{"*"}, AllowHeaders: []string{"x-a"}, ExposeHeaders: []string{"x-b"}, MaxAge: &age}}},
		{"integration by invocation URI, timeout; route by Fn::Sub target; stage route settings", `
  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: ` + invocation + `, IntegrationMethod: POST, PayloadFormatVersion: "1.0", TimeoutInMillis: 5000}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "POST /orders", Target: !Sub "integrations/${Int}", AuthorizationType: NONE, OperationName: op}
  Dev:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: dev
      AutoDeploy: false
      AccessLogSettings: {DestinationArn: x, Format: y}
      DefaultRouteSettings: {ThrottlingRateLimit: 1.5, ThrottlingBurstLimit: 3, DetailedMetricsEnabled: true}
      RouteSettings:
        "POST /orders": {ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20}
        "$default": {LoggingLevel: INFO}
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    Properties: {ApiId: !Ref Api}
`, config.HTTPAPI{ID: "Api", APIName: "api", CreateDefaultStage: &yes,
			Stages: []config.HTTPStage{{StageName: "$default", AutoDeploy: &yes}, {StageName: "dev", AutoDeploy: &no, Throttle: &config.ThrottleSettings{RateLimit: 1.5, BurstLimit: 3},
				RouteThrottles: map[string]config.ThrottleSettings{"POST /orders": {RateLimit: 10, BurstLimit: 20}}}},
			Routes: []config.HTTPRoute{{Path: "/orders", Methods: []string{"POST"},
				Integration: &config.HTTPIntegration{Type: "AWS_PROXY", Function: "Fn", PayloadFormatVersion: "1.0", Timeout: 5 * time.Second}}}}},
		{"HTTP_PROXY integration, external JWT issuer, REQUEST authorizer without TTL, $default stage", `
  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "http://127.0.0.1:9000/{proxy}", IntegrationMethod: GET, PayloadFormatVersion: "1.0", ConnectionType: INTERNET, RequestParameters: {}}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: JWT, Name: jwt, IdentitySource: [$request.querystring.t], JwtConfiguration: {Issuer: "https://issuer.example.com", Audience: [a, b]}}
  Lambda:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: REQUEST, AuthorizerUri: ` + invocation + `, AuthorizerPayloadFormatVersion: "2.0", IdentitySource: [$request.header.X, $stageVariables.v]}
  Lambda60:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: REQUEST, AuthorizerUri: ` + invocation + `, AuthorizerPayloadFormatVersion: "2.0", IdentitySource: [$context.routeKey], EnableSimpleResponses: true, AuthorizerResultTtlInSeconds: 60, AuthorizerCredentialsArn: x}
  Open:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: REQUEST, AuthorizerUri: ` + invocation + `, AuthorizerPayloadFormatVersion: "1.0"}
  A:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "ANY /p/{proxy+}", Target: !Join ["", [integrations/, !Ref Int]], AuthorizationType: JWT, AuthorizerId: !Ref Jwt, AuthorizationScopes: [s1, s2]}
  B:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /b/{proxy}", Target: !Join ["", [integrations/, !Ref Int]], AuthorizationType: CUSTOM, AuthorizerId: !GetAtt Lambda.AuthorizerId}
  Beta:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !GetAtt Api.ApiId, StageName: beta, StageVariables: {v: "1"}}
`, config.HTTPAPI{ID: "Api", APIName: "api", CreateDefaultStage: &yes,
			Stages: []config.HTTPStage{{StageName: "beta", StageVariables: map[string]string{"v": "1"}}, {StageName: "$default", AutoDeploy: &yes}},
			Authorizers: []config.HTTPAuthorizer{
				{ID: "Jwt", Type: "JWT", IdentitySource: []string{"$request.querystring.t"}, JWTIssuer: "https://issuer.example.com", JWTAudience: []string{"a", "b"}},
				{ID: "Lambda", Type: "REQUEST", IdentitySource: []string{"$request.header.X", "$stageVariables.v"}, Function: "Fn",
					ResponseTypes: []string{"IAM"}, PayloadFormatVersion: "2.0", ResultsCacheTTL: &ttl0},
				{ID: "Lambda60", Type: "REQUEST", IdentitySource: []string{"$context.routeKey"}, Function: "Fn", ResponseTypes: []string{"SIMPLE"}, PayloadFormatVersion: "2.0", ResultsCacheTTL: &ttl60},
				// No IdentitySource: none, as CloudFormation has it.
				{ID: "Open", Type: "REQUEST", IdentitySource: []string{}, Function: "Fn", ResponseTypes: []string{"IAM"}, PayloadFormatVersion: "1.0", ResultsCacheTTL: &ttl0},
			},
			Routes: []config.HTTPRoute{
				{Path: "/p/{proxy+}", Methods: []string{"ANY"}, Authorizer: "Jwt", AuthorizationScopes: []string{"s1", "s2"},
					Integration: &config.HTTPIntegration{Type: "HTTP_PROXY", URL: "http://127.0.0.1:9000/{proxy}", Method: "GET", PayloadFormatVersion: "1.0", Timeout: 30 * time.Second}},
				{Path: "/b/{proxy}", Methods: []string{"GET"}, Authorizer: "Lambda",
					Integration: &config.HTTPIntegration{Type: "HTTP_PROXY", URL: "http://127.0.0.1:9000/{proxy}", Method: "GET", PayloadFormatVersion: "1.0", Timeout: 30 * time.Second}},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := deployWithAssets(t, httpAPIBase+tt.resources, "Fn")
			if err != nil {
				t.Fatalf("Deploy: %v", err)
			}
			var got *config.HTTPAPI
			for i := range p.Config.HTTPAPIs {
				if p.Config.HTTPAPIs[i].ID == tt.want.ID {
					got = &p.Config.HTTPAPIs[i]
				}
			}
			if got == nil {
				t.Fatalf("no HTTP API %s in %+v", tt.want.ID, p.Config.HTTPAPIs)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("HTTP API (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHTTPAPIRefAndAttributes: Ref and Fn::GetAtt of the v2 resources, as
// the CloudFormation reference gives them: the API's id and endpoint, the
// stage's name.
func TestHTTPAPIRefAndAttributes(t *testing.T) {
	id := tollgate.RestAPIID("Api")
	tp, err := Parse("t.yaml", []byte(httpAPIBase+`
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod}
Outputs:
  Ref: {Value: !Ref Api}
  ApiId: {Value: !GetAtt Api.ApiId}
  Endpoint: {Value: !GetAtt Api.ApiEndpoint}
  Stage: {Value: !Ref Stage}
  Url: {Value: !Sub "${Api.ApiEndpoint}/${Stage}/"}
`))
	if err != nil {
		t.Fatal(err)
	}
	tp.assets = map[string]string{"Fn": t.TempDir()}
	p, err := Deploy(tp, Options{Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	out := map[string]string{}
	for _, o := range p.Outputs(nil, Endpoints{}) {
		out[o.Key] = o.Value
	}
	want := map[string]string{"Ref": id, "ApiId": id, "Endpoint": "https://" + id + ".execute-api.eu-west-1.amazonaws.com",
		"Stage": "prod", "Url": "https://" + id + ".execute-api.eu-west-1.amazonaws.com/prod/"}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// TestHTTPAPIProblems: what Tollgate does not run, and what
// CloudFormation would refuse, is a problem at the property, each with
// every other.
func TestHTTPAPIProblems(t *testing.T) {
	text := httpAPIBase + `  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Imported:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP, Body: {openapi: "3.0.1"}, BodyS3Location: {Bucket: b, Key: k}}
  Half:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP, RouteKey: "GET /"}
  Mapped:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "http://h/", IntegrationMethod: ANY, PayloadFormatVersion: "2.0", RequestParameters: {"overwrite:path": "/x"}}
  Private:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "http://h/", PayloadFormatVersion: "1.0", ConnectionType: VPC_LINK, ConnectionId: x}
  Mock:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: MOCK, PayloadFormatVersion: "1.0"}
  NoVersion:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}
  Elsewhere:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: "arn:aws:lambda:us-east-1:000000000000:function:nope", PayloadFormatVersion: "2.0"}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: JWT, JwtConfiguration: {Issuer: !GetAtt Pool.ProviderURL, Audience: [someone-else]}}
  NoPayload:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: REQUEST, AuthorizerUri: !Sub "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}
  BareArn:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: REQUEST, AuthorizerUri: !GetAtt Fn.Arn, AuthorizerPayloadFormatVersion: "2.0"}
  GetLambda:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, IntegrationMethod: GET, PayloadFormatVersion: "2.0"}
  Cognito:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: COGNITO_USER_POOLS}
  Pool:
    Type: AWS::Cognito::UserPool
  Iam:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /iam", AuthorizationType: AWS_IAM, Target: !Sub "integrations/${Mapped}"}
  Mismatch:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /m", AuthorizationType: CUSTOM, AuthorizerId: !Ref Jwt, Target: !Sub "integrations/${Mapped}"}
  BadKey:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "/nomethod", Target: "integrations/nothing"}
  OpenNone:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /n", AuthorizationType: NONE, AuthorizerId: !Ref Jwt, Target: !Sub "integrations/${Mapped}"}
  OpenUntyped:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /u", AuthorizerId: !Ref Jwt, Target: !Sub "integrations/${Mapped}"}
  NoTarget:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /t", RequestParameters: {x: y}}
  OtherApi:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Half, RouteKey: "GET /o", Target: !Sub "integrations/${Mapped}"}
  NotAnApi:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: nope, StageName: s}
  Twice1:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: dev}
  Twice2:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: dev}
  Sqs:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationSubtype: SQS-SendMessage, PayloadFormatVersion: "1.0", RequestParameters: {QueueUrl: q, MessageBody: $request.body}}
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP, Target: "https://backend.example.com"}
  QuickDefault:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Quick, StageName: $default}
`
	_, err := deployWithAssets(t, text, "Fn")
	if err == nil {
		t.Fatal("Deploy succeeded, want problems")
	}
	want := []string{
		"t.yaml:13:42: Resources.Ws.Properties.ProtocolType: WebSocket APIs are not supported",
		"t.yaml:16:44: Resources.Imported.Properties.Body: an API defined by Body (an OpenAPI definition) is not supported",
		"Resources.Imported.Properties.BodyS3Location: an API defined by BodyS3Location",
		"Resources.Half.Properties.RouteKey: RouteKey is part of quick create: it needs Target",
		"Resources.Mapped.Properties.RequestParameters: parameter mapping (RequestParameters) is not supported",
		`Resources.Private.Properties.ConnectionType: connection type "VPC_LINK" is not supported`,
		"Resources.Private.Properties.ConnectionId: property ConnectionId of AWS::ApiGatewayV2::Integration is not supported",
		`Resources.Mock.Properties.IntegrationType: integration type "MOCK" is not supported on an HTTP API: want AWS_PROXY or HTTP_PROXY`,
		"Resources.NoVersion.Properties: PayloadFormatVersion is required for an HTTP API's integration",
		"Resources.Elsewhere.Properties.IntegrationUri: the function nope is not a function of this template",
		`Resources.Jwt.Properties.JwtConfiguration.Audience[0]: "someone-else" is not a client of the pool Pool`,
		"Resources.NoPayload.Properties: AuthorizerPayloadFormatVersion is required for a REQUEST authorizer",
		// "For REQUEST authorizers, this must be a well-formed Lambda
		// function URI, for example, arn:aws:apigateway:…/invocations"
		// (API Gateway V2 API reference, Authorizer authorizerUri).
		"Resources.BareArn.Properties.AuthorizerUri: a REQUEST authorizer's AuthorizerUri is the function's invocation URI",
		// "BadRequestException: HttpMethod must be POST for AWS_PROXY
		// IntegrationType" (hashicorp/terraform-provider-aws#42391).
		"Resources.GetLambda.Properties.IntegrationMethod: an AWS_PROXY integration's IntegrationMethod must be POST (API Gateway invokes Lambda with POST), got \"GET\"",
		`Resources.Cognito.Properties.AuthorizerType: authorizer type "COGNITO_USER_POOLS" is not supported on an HTTP API: want JWT or REQUEST`,
		"Resources.Iam.Properties.AuthorizationType: authorization type AWS_IAM (requests signed with SigV4) is not supported",
		"Resources.Mismatch.Properties.AuthorizationType: authorization type CUSTOM does not go with the JWT authorizer Jwt: want JWT",
		`Resources.BadKey.Properties.RouteKey: invalid route key "/nomethod"`,
		// An authorizer dropped would leave open a route meant to be guarded.
		"Resources.OpenNone.Properties.AuthorizerId: an authorizer needs AuthorizationType JWT or CUSTOM, and this route's is NONE",
		"Resources.OpenUntyped.Properties.AuthorizerId: an authorizer needs AuthorizationType JWT or CUSTOM, and this route's is NONE (left out)",
		`Resources.BadKey.Properties.Target: Target must name an AWS::ApiGatewayV2::Integration of this template, got "integrations/nothing"`,
		"Resources.NoTarget.Properties: Target is required",
		"Resources.NoTarget.Properties.RequestParameters: property RequestParameters of AWS::ApiGatewayV2::Route is not supported",
		"Resources.OtherApi.Properties.Target: the integration Mapped belongs to another API",
		`Resources.NotAnApi.Properties.ApiId: ApiId must refer to an HTTP API of this template (Ref of an AWS::ApiGatewayV2::Api), got "nope"`,
		"Resources.Twice2.Properties.StageName: the API already has stage dev, declared by Twice1",
		"Resources.Sqs.Properties.IntegrationSubtype: AWS service integrations (IntegrationSubtype SQS-SendMessage) are not supported",
		"Resources.QuickDefault.Properties.StageName: the API's quick create (Target) already made its $default stage",
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems lack %q:\n%v", w, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("%d problems, want %d:\n%v", n, len(want), err)
	}
}

// TestHTTPAPIConfigProblemsAtTheirProperty: what the httpApis rules of
// config, and then apigw.Check (the gate, which runs when config's own
// rules pass), find in a Config mapped from AWS::ApiGatewayV2 resources is
// placed at the template property the value came from.
func TestHTTPAPIConfigProblemsAtTheirProperty(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"config", httpAPIBase + `  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "2.0"}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "FETCH /x", Target: !Sub "integrations/${Int}"}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: "bad name"}
`, []string{
			`t.yaml:16:44: Resources.Route.Properties.RouteKey: invalid method "FETCH"`,
			`t.yaml:19:45: Resources.Stage.Properties.StageName: invalid stage name "bad name"`,
		}},
		{"gate", httpAPIBase + `  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "3.0", TimeoutInMillis: 10}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /x", Target: !Sub "integrations/${Int}", AuthorizationType: JWT, AuthorizerId: !Ref Jwt}
  Url:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "http://h/", PayloadFormatVersion: "2.0"}
  UrlRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /u", Target: !Sub "integrations/${Url}"}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: JWT, IdentitySource: [$request.path.id], JwtConfiguration: {Issuer: "http://issuer.example.com", Audience: [a]}}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: beta
      RouteSettings:
        "GET /nope": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1}
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: {ProtocolType: HTTP, Target: "ftp://backend"}
`, []string{
			`t.yaml:13:115: Resources.Int.Properties.PayloadFormatVersion: payload format version "3.0"`,
			"t.yaml:13:139: Resources.Int.Properties.TimeoutInMillis: timeout 10ms: want whole milliseconds from 50ms to 30s",
			`t.yaml:19:114: Resources.Url.Properties.PayloadFormatVersion: payload format version "2.0": an HTTP_PROXY integration's is 1.0`,
			`t.yaml:25:72: Resources.Jwt.Properties.IdentitySource[0]: invalid identity source "$request.path.id"`,
			`t.yaml:25:118: Resources.Jwt.Properties.JwtConfiguration.Issuer: invalid issuer "http://issuer.example.com"`,
			`t.yaml:32:9: Resources.Stage.Properties.RouteSettings.GET /nope: route "GET /nope" is not a route of this API`,
			`t.yaml:35:46: Resources.Quick.Properties.Target: invalid uri "ftp://backend"`,
		}},
		// An integration two routes share is a copy in each route of the
		// Config: its problem is said once.
		{"shared", httpAPIBase + `  Url:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "ftp://h/", PayloadFormatVersion: "1.0"}
  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /a", Target: !Sub "integrations/${Url}"}
  R2:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /b", Target: !Sub "integrations/${Url}"}
`, []string{
			`t.yaml:13:79: Resources.Url.Properties.IntegrationUri: invalid uri "ftp://h/"`,
		}},
		// An authorizer no route uses is checked all the same.
		{"unused authorizer", httpAPIBase + `  Unused:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties: {ApiId: !Ref Api, AuthorizerType: JWT, Name: u, JwtConfiguration: {Issuer: "http://issuer.example.com", Audience: [a]}}
`, []string{
			`t.yaml:13:91: Resources.Unused.Properties.JwtConfiguration.Issuer: invalid issuer "http://issuer.example.com"`,
		}},
		// A duplicate names the property of the first, with its line.
		{"duplicate", httpAPIBase + `  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "2.0"}
  R1:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /x", Target: !Sub "integrations/${Int}"}
  R2:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /x", Target: !Sub "integrations/${Int}"}
`, []string{
			`t.yaml:19:44: Resources.R2.Properties.RouteKey: route "GET /x" is already used at Resources.R1.Properties.RouteKey (line 16)`,
		}},
		// Zeros written in the template are refused as config refuses
		// them (config's "stages" case): a rate or burst of 0 is not "no
		// limit", a TimeoutInMillis of 0 not the default 30 s.
		{"zeros", httpAPIBase + `  Zero:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: zero
      DefaultRouteSettings: {ThrottlingRateLimit: 0, ThrottlingBurstLimit: 0}
      RouteSettings:
        "GET /x": {ThrottlingRateLimit: 0, ThrottlingBurstLimit: 0}
  Int:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "2.0", TimeoutInMillis: 0}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /x", Target: !Sub "integrations/${Int}"}
`, []string{
			"t.yaml:16:51: Resources.Zero.Properties.DefaultRouteSettings.ThrottlingRateLimit: the rate must be more than 0 requests per second, got 0",
			"t.yaml:16:76: Resources.Zero.Properties.DefaultRouteSettings.ThrottlingBurstLimit: the burst must be at least 1 request, got 0",
			"t.yaml:18:41: Resources.Zero.Properties.RouteSettings.GET /x.ThrottlingRateLimit: the rate must be more than 0 requests per second, got 0",
			"t.yaml:18:66: Resources.Zero.Properties.RouteSettings.GET /x.ThrottlingBurstLimit: the burst must be at least 1 request, got 0",
			"t.yaml:21:139: Resources.Int.Properties.TimeoutInMillis: timeout 0s: want whole milliseconds from 50ms to 30s",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := deployWithAssets(t, tc.text, "Fn")
			if err == nil {
				t.Fatal("Deploy succeeded, want problems")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems lack %q:\n%v", w, err)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", n, len(tc.want), err)
			}
		})
	}
}
