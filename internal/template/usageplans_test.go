package template

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate/internal/config"
)

// cdkUsagePlansOut is the cloud assembly examples/cdk/synth.sh wrote from
// examples/cdk/usageplans/app.js with aws-cdk-lib 2.276.0: what
// RestApi.addApiKey, addUsagePlan (throttle, quota, apiStages with a
// per-method throttle), UsagePlan.addApiKey and a method's apiKeyRequired
// synthesize.
const cdkUsagePlansOut = "../../examples/cdk/usageplans/cdk.out"

// storeIDs are the ids a store would give pools, clients, API keys and
// usage plans.
type storeIDs struct{ fixedIDs }

func (storeIDs) APIKey(logicalID string) string    { return "k" + idOf(logicalID) }
func (storeIDs) UsagePlan(logicalID string) string { return "p" + idOf(logicalID) }

// idOf makes 9 lowercase characters of a logical id: its last ones.
func idOf(logicalID string) string {
	s := "000000000" + strings.ToLower(logicalID)
	return s[len(s)-9:]
}

// TestCDKUsagePlansAssembly maps the committed assembly whole: every
// resource CDK emits for keys and plans is mapped or, for the functions'
// permissions and role, not applicable; Ref of a key and a plan resolves to
// the ids the store gives.
func TestCDKUsagePlansAssembly(t *testing.T) {
	tp, stack, err := Load(cdkUsagePlansOut, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Deploy(tp, Options{StackName: stack, IDs: storeIDs{}})
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	c := p.Config
	yes := true
	wantKeys := []config.APIKey{
		{ID: "MeteredApiDevKeyE7F5F94A", APIKeyName: "partner-dev", Value: "dev-key-0123456789abcdef", Enabled: &yes,
			Description: "Development key of the partner (fixed value: not for production)"},
		{ID: "MeteredApiPartnerKey5606E8D5", APIKeyName: "partner", Enabled: &yes, CustomerID: "partner-42"},
	}
	if diff := cmp.Diff(wantKeys, c.APIKeys); diff != "" {
		t.Errorf("API keys (-want +got):\n%s", diff)
	}
	wantPlans := []config.UsagePlan{{
		ID: "MeteredApiPartnerPlanB08322B3", Name: "Partner", Description: "Partners of the catalogue",
		Throttle: &config.PlanThrottle{RateLimit: 10, BurstLimit: 20},
		Quota:    &config.PlanQuota{Limit: 1000, Period: "DAY"},
		APIStages: []config.PlanAPIStage{{API: "MeteredApi8C8395E5", Stage: "prod",
			Throttle: []config.PlanMethodThrottle{{Path: "/items", Method: "GET", RateLimit: 0.01, BurstLimit: 2}}}},
		APIKeys: []string{"MeteredApiDevKeyE7F5F94A", "MeteredApiPartnerKey5606E8D5"},
	}}
	if diff := cmp.Diff(wantPlans, c.UsagePlans); diff != "" {
		t.Errorf("usage plans (-want +got):\n%s", diff)
	}
	if len(c.RestAPIs) != 1 {
		t.Fatalf("REST APIs %+v", c.RestAPIs)
	}
	api := c.RestAPIs[0]
	if api.APIKeySourceType != "HEADER" {
		t.Errorf("apiKeySourceType %q, want HEADER", api.APIKeySourceType)
	}
	required := map[string]bool{}
	for _, r := range api.Resources {
		for _, m := range r.Methods {
			required[m.HTTPMethod+" "+r.Path] = m.APIKeyRequired
		}
	}
	if diff := cmp.Diff(map[string]bool{"GET /items": true, "GET /orders": true, "GET /status": false}, required); diff != "" {
		t.Errorf("apiKeyRequired by method (-want +got):\n%s", diff)
	}
	outs := map[string]string{}
	for _, o := range p.Outputs(nil, Endpoints{}) {
		outs[o.Key] = o.Value
	}
	if outs["UsagePlanId"] != "pnb08322b3" || outs["PartnerKeyId"] != "ky5606e8d5" {
		t.Errorf("outputs %v: want the plan's and the key's ids", outs)
	}
	for _, r := range p.NotApplicable {
		if strings.HasPrefix(r.Type, "AWS::ApiGateway::") {
			t.Errorf("%s (%s) reported as not applicable", r.LogicalID, r.Type)
		}
	}
}

const usagePlanBase = `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api, ApiKeySourceType: AUTHORIZER}
  Root:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, AuthorizationType: NONE, ApiKeyRequired: true, Integration: {Type: MOCK}}
  Pets:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: pets}
  Pet:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !Ref Pets, PathPart: "{id}"}
  PetDelete:
    Type: AWS::ApiGateway::Method
    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Pet, HttpMethod: DELETE, AuthorizationType: NONE, ApiKeyRequired: false, Integration: {Type: MOCK}}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: v1}
`

// TestUsagePlanMapping maps each property of AWS::ApiGateway::ApiKey,
// UsagePlan and UsagePlanKey (contract apigw-beyond.md §3,
// "CloudFormation"), and their Ref and Fn::GetAtt.
func TestUsagePlanMapping(t *testing.T) {
	text := usagePlanBase + `  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Name: k
      Value: abcdefghij0123456789
      Enabled: false
      CustomerId: c1
      Description: d
      GenerateDistinctId: true
      StageKeys: [{RestApiId: !Ref Api, StageName: v1}]
      Tags: [{Key: a, Value: b}]
  Bare:
    Type: AWS::ApiGateway::ApiKey
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      UsagePlanName: gold
      Quota: {Limit: 500, Offset: 20, Period: MONTH}
      ApiStages:
        - ApiId: !Ref Api
          Stage: v1
          Throttle:
            "//GET": {BurstLimit: 3, RateLimit: 1.5}
            "/pets/{id}/DELETE": {RateLimit: 2}
      Tags: [{Key: a, Value: b}]
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
  BarePlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !GetAtt Bare.APIKeyId, KeyType: API_KEY, UsagePlanId: !GetAtt Plan.Id}
Outputs:
  KeyRef: {Value: !Ref Key}
  KeyAtt: {Value: !GetAtt Key.APIKeyId}
  PlanRef: {Value: !Ref Plan}
  PlanAtt: {Value: !GetAtt Plan.Id}
  PlanKeyRef: {Value: !Ref PlanKey}
  PlanKeyAtt: {Value: !GetAtt PlanKey.Id}
`
	tp, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Deploy(tp, Options{IDs: storeIDs{}})
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	no := false
	wantKeys := []config.APIKey{
		// A key without Enabled is disabled, as CreateApiKey makes it;
		// without Name it is named by the config's default, its logical
		// id (CloudFormation names it by a physical id it makes up).
		{ID: "Bare", APIKeyName: "Bare", Enabled: &no},
		{ID: "Key", APIKeyName: "k", Value: "abcdefghij0123456789", Enabled: &no, CustomerID: "c1", Description: "d"},
	}
	if diff := cmp.Diff(wantKeys, p.Config.APIKeys); diff != "" {
		t.Errorf("API keys (-want +got):\n%s", diff)
	}
	wantPlans := []config.UsagePlan{{
		ID: "Plan", Name: "gold",
		Quota: &config.PlanQuota{Limit: 500, Offset: 20, Period: "MONTH"},
		APIStages: []config.PlanAPIStage{{API: "Api", Stage: "v1", Throttle: []config.PlanMethodThrottle{
			{Path: "/", Method: "GET", RateLimit: 1.5, BurstLimit: 3},
			// Without BurstLimit, the config's default: the rate rounded up.
			{Path: "/pets/{id}", Method: "DELETE", RateLimit: 2, BurstLimit: 2},
		}}},
		APIKeys: []string{"Bare", "Key"},
	}}
	if diff := cmp.Diff(wantPlans, p.Config.UsagePlans); diff != "" {
		t.Errorf("usage plans (-want +got):\n%s", diff)
	}
	api := p.Config.RestAPIs[0]
	if api.APIKeySourceType != "AUTHORIZER" || !api.Resources[0].Methods[0].APIKeyRequired || api.Resources[1].Methods[0].APIKeyRequired {
		t.Errorf("api %+v", api)
	}
	outs := map[string]string{}
	for _, o := range p.Outputs(nil, Endpoints{}) {
		outs[o.Key] = o.Value
	}
	key, plan := "k000000key", "p00000plan"
	want := map[string]string{"KeyRef": key, "KeyAtt": key, "PlanRef": plan, "PlanAtt": plan,
		"PlanKeyRef": key + ":" + plan, "PlanKeyAtt": key}
	if diff := cmp.Diff(want, outs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// Without a store's ids, keys and plans get made-up ids of API Gateway's
// shape, the same at each Deploy.
func TestMadeUpKeyAndPlanIDs(t *testing.T) {
	text := usagePlanBase + `  Key: {Type: AWS::ApiGateway::ApiKey}
  Plan: {Type: AWS::ApiGateway::UsagePlan}
Outputs:
  Key: {Value: !Ref Key}
  Plan: {Value: !Ref Plan}
`
	a, b := outputsOf(t, text, Options{}), outputsOf(t, text, Options{IDs: fixedIDs{}})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("made-up ids differ between deploys (-first +second):\n%s", diff)
	}
	for _, k := range []string{"Key", "Plan"} {
		if len(a[k]) != 10 || strings.Trim(a[k], "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Errorf("%s id %q: want 10 lowercase alphanumerics", k, a[k])
		}
	}
	if a["Key"] == a["Plan"] {
		t.Errorf("the key and the plan share the id %q", a["Key"])
	}
}

// TestUsagePlanProblems: what cannot be mapped is reported at its property.
func TestUsagePlanProblems(t *testing.T) {
	text := usagePlanBase + `  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: h, ProtocolType: HTTP}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Value: abcdefghij0123456789, Enabled: yes-please, Unknown: 1}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      Throttle: {RateLimit: fast, BurstLimit: 1}
      ApiStages:
        - {ApiId: !Ref Http, Stage: $default}
        - {ApiId: not-an-api, Stage: v1}
        - {Stage: v1}
        - ApiId: !Ref Api
          Stage: v1
          Throttle:
            "/GET": {RateLimit: 1}
            "pets/GET": {RateLimit: 1}
            "/pets/": {RateLimit: 1}
            "/pets/DELETE": 5
            "/pets/{id}/DELETE": {RateLimit: 1, Extra: 2}
  Wrong:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Plan, KeyType: CUSTOMER, UsagePlanId: !Ref Key}
  Missing:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {}
`
	_, err := deploy(t, "t.yaml", text, Options{})
	if err == nil {
		t.Fatal("no problems")
	}
	msg := err.Error()
	for _, want := range []string{
		"Resources.Key.Properties.Enabled: want true or false",
		"Resources.Key.Properties.Unknown: property Unknown of AWS::ApiGateway::ApiKey is not supported by Tollgate",
		"Resources.Plan.Properties.Throttle.RateLimit: want a number",
		"Resources.Plan.Properties.ApiStages[0].ApiId: usage plans cover REST APIs only, and Http is an HTTP API",
		`Resources.Plan.Properties.ApiStages[1].ApiId: ApiId must refer to a REST API of this template (Ref of an AWS::ApiGateway::RestApi), got "not-an-api"`,
		"Resources.Plan.Properties.ApiStages[2]: ApiId is required",
		`Resources.Plan.Properties.ApiStages[3].Throttle./GET: a per-method throttle is keyed /{resource path}/{HTTP method}, like /pets/GET (the root's GET is //GET), got "/GET"`,
		`Resources.Plan.Properties.ApiStages[3].Throttle.pets/GET: a per-method throttle is keyed`,
		`Resources.Plan.Properties.ApiStages[3].Throttle./pets/: a per-method throttle is keyed`,
		"Resources.Plan.Properties.ApiStages[3].Throttle./pets/DELETE: a method's throttle is a mapping with BurstLimit and RateLimit",
		"Resources.Plan.Properties.ApiStages[3].Throttle./pets/{id}/DELETE.Extra: property Extra of AWS::ApiGateway::UsagePlan is not supported",
		"Resources.Wrong.Properties.KeyId: KeyId must refer to an API key of this template",
		"Resources.Wrong.Properties.UsagePlanId: UsagePlanId must refer to a usage plan of this template",
		`Resources.Wrong.Properties.KeyType: KeyType must be API_KEY, got "CUSTOMER"`,
		"Resources.Missing.Properties: KeyId is required",
		"Resources.Missing.Properties: UsagePlanId is required",
		"Resources.Missing.Properties: KeyType is required: API_KEY",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "abcdefghij0123456789") {
		t.Errorf("a problem quotes the key's value:\n%s", msg)
	}
}

// An HTTP API's route still refuses ApiKeyRequired: API keys are REST
// APIs' (contract §3, D APIGW23:http-api-vs-rest.md).
func TestAPIKeyRequiredOnHTTPRoute(t *testing.T) {
	text := httpAPIBase + `  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: "GET /", ApiKeyRequired: true}
`
	_, err := deploy(t, "t.yaml", text, Options{})
	if err == nil || !strings.Contains(err.Error(), "Resources.Route.Properties.ApiKeyRequired: API keys are not supported on HTTP APIs") {
		t.Errorf("got %v, want ApiKeyRequired refused on an HTTP route", err)
	}
}

func TestSplitMethodThrottleKey(t *testing.T) {
	for key, want := range map[string][2]string{
		"//GET":             {"/", "GET"},
		"/pets/GET":         {"/pets", "GET"},
		"/pets/{id}/DELETE": {"/pets/{id}", "DELETE"},
		"/{proxy+}/ANY":     {"/{proxy+}", "ANY"},
		"/GET":              {},
		"pets/GET":          {},
		"/pets/":            {},
		"/pets//GET":        {},
		"":                  {},
		"/":                 {},
	} {
		path, method, ok := splitMethodThrottleKey(key)
		if ok != (want != [2]string{}) || path != want[0] || method != want[1] {
			t.Errorf("splitMethodThrottleKey(%q) = %q, %q, %v; want %q", key, path, method, ok, want)
		}
	}
}

// The Config's rules for keys and plans (internal/config) report their
// problems at the template property each value came from: every field the
// mapper fills records its origin, and a plan's apiKeys[i] is the KeyId of
// the UsagePlanKey that added it.
func TestUsagePlanOrigins(t *testing.T) {
	text := usagePlanBase + `  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Name: k
      Value: abcdefghij0123456789
      Enabled: true
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      Throttle: {RateLimit: 1, BurstLimit: 2}
      Quota: {Limit: 5, Period: WEEK}
      ApiStages:
        - ApiId: !Ref Api
          Stage: v1
          Throttle:
            "//GET": {BurstLimit: 3, RateLimit: 1.5}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
`
	tp, err := Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	d := newDeployer(tp, Options{})
	d.run()
	if len(d.problems) > 0 {
		t.Fatalf("problems: %v", config.Problems(d.problems))
	}
	at := mappedFrom{d}
	for path, want := range map[string]string{
		"apiKeys[0]":                                         "Resources.Key.Properties",
		"apiKeys[0].apiKeyName":                              "Resources.Key.Properties.Name",
		"apiKeys[0].value":                                   "Resources.Key.Properties.Value",
		"apiKeys[0].enabled":                                 "Resources.Key.Properties.Enabled",
		"usagePlans[0].throttle.rateLimit":                   "Resources.Plan.Properties.Throttle.RateLimit",
		"usagePlans[0].throttle.burstLimit":                  "Resources.Plan.Properties.Throttle.BurstLimit",
		"usagePlans[0].quota.period":                         "Resources.Plan.Properties.Quota.Period",
		"usagePlans[0].quota.offset":                         "Resources.Plan.Properties.Quota (offset)",
		"usagePlans[0].apiStages[0].api":                     "Resources.Plan.Properties.ApiStages[0].ApiId",
		"usagePlans[0].apiStages[0].stage":                   "Resources.Plan.Properties.ApiStages[0].Stage",
		"usagePlans[0].apiStages[0].throttle":                "Resources.Plan.Properties.ApiStages[0].Throttle",
		"usagePlans[0].apiStages[0].throttle[0]":             "Resources.Plan.Properties.ApiStages[0].Throttle.//GET",
		"usagePlans[0].apiStages[0].throttle[0].path":        "Resources.Plan.Properties.ApiStages[0].Throttle.//GET (path)",
		"usagePlans[0].apiStages[0].throttle[0].burstLimit":  "Resources.Plan.Properties.ApiStages[0].Throttle.//GET.BurstLimit",
		"usagePlans[0].apiKeys[0]":                           "Resources.PlanKey.Properties.KeyId",
		"restApis[0].apiKeySourceType":                       "Resources.Api.Properties.ApiKeySourceType",
		"restApis[0].resources[0].methods[0].apiKeyRequired": "Resources.Root.Properties.ApiKeyRequired",
	} {
		p := at.Value(path)
		if p.Path != want || p.Line == 0 {
			t.Errorf("%s is placed at %s:%d, want %s", path, p.Path, p.Line, want)
		}
	}
}
