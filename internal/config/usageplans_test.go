package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tollgate/tollgate"
)

// usageBase declares what the usage plan tests name: a REST API with two
// methods (stage v1) and an HTTP API.
const usageBase = `restApis:
  - id: Api
    deployOptions: {stageName: v1}
    resources:
      - path: /
        methods:
          - httpMethod: GET
            integration: {type: MOCK}
      - path: /items
        methods:
          - httpMethod: GET
            apiKeyRequired: true
            integration: {type: MOCK}
httpApis:
  - id: Http
    routes:
      - path: /x
        integration: {type: HTTP_PROXY, url: "http://127.0.0.1:9/x"}
`

func TestUsagePlanProblems(t *testing.T) {
	secret := "a-very-secret-value-0001"
	src := usageBase + `apiKeys:
  - id: K1
    value: ` + secret + `
  - id: K1 # want apiKeys[1].id: API key id "K1" is already used at apiKeys[0].id (line 20)
  - id: K2
    value: short # want apiKeys[2].value: an API key's value must be 20 to 128 printable ASCII characters without spaces (got 5 characters)
  - id: K3
    value: ` + secret + ` # want apiKeys[3].value: the value is the same as the value of the key at apiKeys[0].value (line 21): API key values are unique
  - id: K4
    apiKeyName: ` + strings.Repeat("n", 1025) + ` # want apiKeys[4].apiKeyName: an API key's name has at most 1024 characters, got 1025
  - id: "bad id" # want apiKeys[5].id: invalid id "bad id"
  - id: K6
    value: "has a space in it, twenty+" # want apiKeys[6].value: without spaces
usagePlans:
  - id: P1
    throttle: {rateLimit: 0, burstLimit: -1} # want usagePlans[0].throttle.rateLimit: the rate must be more than 0 # want usagePlans[0].throttle.burstLimit: the burst must be at least 1
    quota: {limit: 0, offset: -1, period: YEAR} # want usagePlans[0].quota.limit: the quota's limit must be more than 0 requests, got 0 # want usagePlans[0].quota.offset: the quota's offset must be 0 or more, got -1 # want usagePlans[0].quota.period: period must be DAY, WEEK or MONTH, not "YEAR"
    apiStages:
      - api: Http # want usagePlans[0].apiStages[0].api: Http is an HTTP API: API keys and usage plans are a REST API's
      - api: Nope # want usagePlans[0].apiStages[1].api: no REST API has id "Nope"; the config's REST APIs are Api
      - api: Api
        stage: prod # want usagePlans[0].apiStages[2].stage: API Api has no stage "prod": its stage is "v1"
      - {} # want usagePlans[0].apiStages[3].api: api is required
    apiKeys: [K1, Missing, K1] # want usagePlans[0].apiKeys[1]: no API key has id "Missing"; the config's API keys are K1, K1, K2 # want usagePlans[0].apiKeys[2]: API key "K1" is already used at usagePlans[0].apiKeys[0]
  - id: P2
    quota: {limit: 10, offset: 10, period: DAY} # want usagePlans[1].quota.offset: the quota's offset must be less than its limit 10, got 10
    apiStages:
      - api: Api
        throttle:
          - {path: /items, method: GET, rateLimit: 5}
          - {path: /items, method: GET, rateLimit: 6} # want usagePlans[1].apiStages[0].throttle[1]: method throttle "/items/GET" is already used at usagePlans[1].apiStages[0].throttle[0]
          - {path: /items, method: POST, rateLimit: 1} # want usagePlans[1].apiStages[0].throttle[2]: API Api has no method POST /items
          - {path: /, method: GET} # want usagePlans[1].apiStages[0].throttle[3]: rateLimit is required
          - {path: /, method: GET, rateLimit: -2} # want usagePlans[1].apiStages[0].throttle[4].rateLimit: the rate must be more than 0 # want usagePlans[1].apiStages[0].throttle[4]: method throttle "//GET" is already used at usagePlans[1].apiStages[0].throttle[3] (line 51)
      - api: Api
        stage: v1 # want usagePlans[1].apiStages[1].stage: API Api stage v1 is already covered at usagePlans[1].apiStages[0] (line 46)
    apiKeys: [K2]
  - id: P3
    apiStages: [{api: Api}]
    apiKeys: [K2] # want usagePlans[2].apiKeys[0]: API key K2 is already in the plan at usagePlans[1] (line 43), which covers API Api stage v1 too: a key is in at most one plan of an API stage
  - id: P1 # want usagePlans[3].id: usage plan id "P1" is already used
`
	checkProblems(t, "orders.yaml", src)
	if _, err := Parse("orders.yaml", []byte(src)); strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "short") {
		t.Errorf("a problem quotes a key's value:\n%v", err)
	}
}

func TestUsagePlanMethodThrottleLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(usageBase + "usagePlans:\n  - id: P\n    apiStages:\n      - api: Api\n        throttle: # want usagePlans[0].apiStages[0].throttle: a usage plan has at most 20 method throttles per API stage, got 21\n")
	for range tollgate.MaxPlanMethodThrottles {
		b.WriteString("          - {path: /items, method: GET, rateLimit: 1}\n")
	}
	b.WriteString("          - {path: /, method: GET, rateLimit: 1}\n")
	src := b.String()
	// The duplicates are problems too; this test is about the count.
	_, err := Parse("orders.yaml", []byte(src))
	var ps Problems
	if !asProblems(err, &ps) || ps[0].Line != 23 || ps[0].Path != "usagePlans[0].apiStages[0].throttle" || !strings.Contains(ps[0].Message, "at most 20 method throttles per API stage, got 21") {
		t.Errorf("got:\n%v", err)
	}
}

func asProblems(err error, ps *Problems) bool {
	return errors.As(err, ps) && len(*ps) > 0
}

func TestTokenLimitProblems(t *testing.T) {
	checkProblems(t, "orders.yaml", `userPools:
  - id: Pool
    tokenLimits:
      perHour: -1 # want userPools[0].tokenLimits.perHour: perHour must be 0 (no limit) or more, got -1
      perDay: -2 # want userPools[0].tokenLimits.perDay: perDay must be 0 (no limit) or more, got -2
      lockout:
        maxFailures: 1001 # want userPools[0].tokenLimits.lockout.maxFailures: maxFailures must be 1 to 1000, got 1001
        window: 1500ms # want userPools[0].tokenLimits.lockout.window: window must be 1s to 24h0m0s in whole seconds, got 1.5s
        duration: 500ms # want userPools[0].tokenLimits.lockout.duration: duration must be 1s to 24h0m0s in whole seconds, got 500ms
    clients:
      - id: App
        tokenLimits:
          perHour: 10
          perDay: 5 # want userPools[0].clients[0].tokenLimits.perDay: perDay (5) is less than perHour (10)
          lockout: {maxFailures: 3, window: 1m, duration: 1m} # want userPools[0].clients[0].tokenLimits.lockout: a lockout is a pool's
  - id: Pool2
    tokenLimits:
      lockout:
        maxFailures: 0 # want userPools[1].tokenLimits.lockout.maxFailures: maxFailures must be 1 to 1000, got 0 # want userPools[1].tokenLimits.lockout.window: window is required # want userPools[1].tokenLimits.lockout.duration: duration is required
`)
	checkProblems(t, "orders.yaml", `userPools:
  - id: Pool
    tokenLimits:
      perHour: 100
      perDay: 100
      lockout: {maxFailures: 1000, window: 24h, duration: 1s}
`)
}

// TestAPIKeyGateProblems: API Gateway's rules, stated by apigw.Check and
// placed by config.
func TestAPIKeyGateProblems(t *testing.T) {
	checkProblems(t, "orders.yaml", `restApis:
  - id: Api
    apiKeySourceType: QUERY # want restApis[0].apiKeySourceType: unknown API key source "QUERY": want HEADER or AUTHORIZER
    resources:
      - path: /
        methods:
          - httpMethod: GET
            apiKeyRequired: true
            integration: {type: MOCK}
`)
}

func TestUsageDefaults(t *testing.T) {
	cfg, err := Parse("orders.yaml", []byte(usageBase+`apiKeys:
  - id: K
    enabled: false
  - id: L
usagePlans:
  - id: P
    apiStages: [{api: Api}]
    apiKeys: [K]
`))
	if err != nil {
		t.Fatal(err)
	}
	k, l := cfg.APIKeys[0], cfg.APIKeys[1]
	if k.APIKeyName != "K" || *k.Enabled || !*l.Enabled {
		t.Errorf("keys: %+v %+v", k, l)
	}
	if p := cfg.UsagePlans[0]; p.Name != "P" || p.APIStages[0].Stage != "v1" {
		t.Errorf("plan: %+v", p)
	}
}

func TestBuildUsagePlanAndAPIKeyFields(t *testing.T) {
	cfg, err := Parse("orders.yaml", []byte(usageBase+`usagePlans:
  - id: P
    throttle: {rateLimit: 10}
    quota: {limit: 100, offset: 5, period: WEEK}
    apiStages:
      - api: Api
        throttle:
          - {path: /, method: GET, rateLimit: 2, burstLimit: 3}
          - {path: /items, method: GET, rateLimit: 1.5}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := buildUsagePlan(&cfg.UsagePlans[0])
	want := &tollgate.UsagePlan{
		Name:     "P",
		Throttle: tollgate.Throttle{Rate: 10, Burst: 10},
		Quota:    &tollgate.Quota{Limit: 100, Offset: 5, Period: tollgate.QuotaWeek},
		Stages: []tollgate.PlanStage{{APIID: tollgate.RestAPIID("Api"), Stage: "v1", Throttle: map[string]tollgate.Throttle{
			// apigw-beyond §3: keys "/{path}/{METHOD}", the root "//GET".
			"//GET":      {Rate: 2, Burst: 3},
			"/items/GET": {Rate: 1.5, Burst: 2},
		}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}

	apis, err := cfg.BuildRestAPIs(&Result{pools: map[string]string{}, clients: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if a := apis[0]; a.APIKeySource != "" || a.Routes[0].APIKeyRequired || !a.Routes[1].APIKeyRequired {
		t.Errorf("API: source %q, routes %+v", a.APIKeySource, a.Routes)
	}
	cfg.RestAPIs[0].APIKeySourceType = tollgate.APIKeySourceAuthorizer
	if apis, _ = cfg.BuildRestAPIs(&Result{}); apis[0].APIKeySource != tollgate.APIKeySourceAuthorizer {
		t.Errorf("APIKeySource = %q", apis[0].APIKeySource)
	}
}

func TestTokenLimitsBuild(t *testing.T) {
	tl := &TokenLimits{PerHour: 1, PerDay: 2, Lockout: &LockoutSettings{MaxFailures: 3, Window: time.Minute, Duration: time.Hour}}
	want := tollgate.TokenLimits{PerHour: 1, PerDay: 2, Lockout: tollgate.Lockout{MaxFailures: 3, Window: time.Minute, Duration: time.Hour}}
	if got := tokenLimits(tl); got != want {
		t.Errorf("tokenLimits = %+v", got)
	}
	if clientTokenLimits(nil) != nil || *clientTokenLimits(tl) != want {
		t.Error("clientTokenLimits")
	}
}

// TestUsagePlansExample checks that the usage plans example holds what it
// documents: a method that requires a key and one that does not, a key
// with a fixed value and a generated one, a plan with a throttle, a
// per-method throttle and a DAY quota, and token limits on the pool and
// a client.
func TestUsagePlansExample(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "examples", "usage-plans", "tollgate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := cfg.buildRestAPI(&cfg.RestAPIs[0], madeUpIDs{cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.Routes) != 2 || api.Routes[0].APIKeyRequired || !api.Routes[1].APIKeyRequired || api.APIKeySource != tollgate.APIKeySourceHeader {
		t.Errorf("API: %+v", api)
	}
	if len(cfg.APIKeys) != 2 || cfg.APIKeys[0].Value == "" || cfg.APIKeys[1].Value != "" {
		t.Errorf("keys: %+v", cfg.APIKeys)
	}
	plan := buildUsagePlan(&cfg.UsagePlans[0])
	if plan.Throttle.Rate == 0 || plan.Quota == nil || plan.Quota.Period != tollgate.QuotaDay ||
		len(plan.Stages) != 1 || plan.Stages[0].Stage != "v1" || len(plan.Stages[0].Throttle) != 1 || len(cfg.UsagePlans[0].APIKeys) != 2 {
		t.Errorf("plan: %+v", plan)
	}
	pool := cfg.UserPools[0]
	if pool.TokenLimits == nil || pool.TokenLimits.Lockout == nil || pool.Clients[0].TokenLimits == nil {
		t.Errorf("token limits: %+v", pool)
	}
}

// TestUsagePlanProblemFormat: a problem's file, line, column and path.
func TestUsagePlanProblemFormat(t *testing.T) {
	_, err := Parse("dir/tollgate.yaml", []byte(usageBase+"usagePlans:\n  - id: P\n    apiStages: [{api: Nope}]\n"))
	want := `dir/tollgate.yaml:21:23: usagePlans[0].apiStages[0].api: no REST API has id "Nope"; the config's REST APIs are Api`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

// TestParseInt64: quotas and token limits hold 64-bit counts; past that,
// a problem.
func TestParseInt64(t *testing.T) {
	cfg, err := Parse("orders.yaml", []byte("userPools:\n  - id: P\n    tokenLimits: {perHour: 4294967296, perDay: 9223372036854775807}\n"))
	if err != nil || cfg.UserPools[0].TokenLimits.PerHour != 1<<32 || cfg.UserPools[0].TokenLimits.PerDay != 1<<63-1 {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
	checkProblems(t, "orders.yaml", "userPools:\n  - id: P\n    tokenLimits: {perDay: 9223372036854775808} # want userPools[0].tokenLimits.perDay: the number 9223372036854775808 is too large\n")
	// An int field keeps its 32-bit bound.
	checkProblems(t, "orders.yaml", usageBase+"usagePlans:\n  - id: P\n    throttle: {rateLimit: 1, burstLimit: 4294967296} # want usagePlans[0].throttle.burstLimit: the number 4294967296 is too large\n")
}
