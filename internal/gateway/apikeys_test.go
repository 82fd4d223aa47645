package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
	"github.com/tollgate/tollgate/internal/limit"
)

// The API keys of the tests: values of 20–128 characters (usage plans
// page), ids of 10 lowercase alphanumerics.
const (
	keyValue    = "k-alpha-0123456789abcdef" // keyalpha01, in planboth1 (prod and dev)
	keyDisabled = "k-disabled-0123456789ab"  // keydisab01, in planboth1, disabled
	keyDevOnly  = "k-devonly-0123456789abc"  // keydevon01, in plandev01 (dev only)
	keyNoPlan   = "k-noplan-0123456789abcd"  // keynopla01, in no plan
	keyUnknown  = "k-unknown-0123456789abc"
)

// fakeKeys is the catalog of API keys and usage plans.
type fakeKeys struct {
	keys  map[string]*tollgate.APIKey
	plans map[string]*tollgate.UsagePlan
}

func (f *fakeKeys) APIKey(value string) (*tollgate.APIKey, bool) {
	k, ok := f.keys[value]
	return k, ok
}

func (f *fakeKeys) UsagePlan(id string) (*tollgate.UsagePlan, bool) {
	p, ok := f.plans[id]
	return p, ok
}

// newFakeKeys returns the catalog with planboth1 (plan) covering prod and
// dev, and plandev01 covering dev.
func newFakeKeys(plan tollgate.UsagePlan) *fakeKeys {
	plan.ID = "planboth1x"
	if plan.Stages == nil {
		plan.Stages = []tollgate.PlanStage{{APIID: apiID, Stage: "prod"}, {APIID: apiID, Stage: "dev"}}
	}
	if plan.CreatedAt.IsZero() {
		plan.CreatedAt = t0.AddDate(0, -1, 0)
	}
	return &fakeKeys{
		keys: map[string]*tollgate.APIKey{
			keyValue:    {ID: "keyalpha01", Enabled: true, PlanIDs: []string{"planboth1x"}},
			keyDisabled: {ID: "keydisab01", Enabled: false, PlanIDs: []string{"planboth1x"}},
			keyDevOnly:  {ID: "keydevon01", Enabled: true, PlanIDs: []string{"plandev01x"}},
			keyNoPlan:   {ID: "keynopla01", Enabled: true},
		},
		plans: map[string]*tollgate.UsagePlan{
			"planboth1x": &plan,
			"plandev01x": {ID: "plandev01x", Stages: []tollgate.PlanStage{{APIID: apiID, Stage: "dev"}}},
		},
	}
}

// usage records what the gateway records and observes of usage plans.
type usage struct {
	*observer
	mu       sync.Mutex
	records  []string // "plan key day"
	outcomes []gateway.PlanOutcome
	limErrs  []bool
}

func (u *usage) Record(planID, keyID string, now time.Time) {
	u.mu.Lock()
	u.records = append(u.records, planID+" "+keyID+" "+now.Format(tollgate.UsageDay))
	u.mu.Unlock()
}

func (u *usage) ObservePlan(planID, keyID string, outcome gateway.PlanOutcome) {
	u.mu.Lock()
	u.outcomes = append(u.outcomes, outcome)
	u.mu.Unlock()
}

func (u *usage) ObserveLimiterError(failOpen bool) {
	u.mu.Lock()
	u.limErrs = append(u.limErrs, failOpen)
	u.mu.Unlock()
}

// fakeLimiter counts Take calls and answers with answer (or admits).
type fakeLimiter struct {
	mu     sync.Mutex
	takes  [][]limit.Check
	answer func([]limit.Check) (limit.Result, error)
}

func (l *fakeLimiter) Take(_ context.Context, _ time.Time, checks []limit.Check) (limit.Result, error) {
	l.mu.Lock()
	l.takes = append(l.takes, append([]limit.Check(nil), checks...))
	l.mu.Unlock()
	if l.answer != nil {
		return l.answer(checks)
	}
	return limit.Result{Refused: -1}, nil
}

func (l *fakeLimiter) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, nil
}

func (l *fakeLimiter) Close() error { return nil }

// keyEnv is a gateway whose API requires keys on GET /, GET /pets and
// ANY /{proxy+} (recorded), and not on GET /open; GET /fn is a Lambda
// proxy integration whose events are recorded.
type keyEnv struct {
	*env
	keys  *fakeKeys
	usage *usage
	proxy *fakeFunction
}

func newKeyEnv(t testing.TB, plan tollgate.UsagePlan, edit func(*tollgate.RestAPI, *gateway.Options)) *keyEnv {
	t.Helper()
	ke := &keyEnv{keys: newFakeKeys(plan), proxy: &fakeFunction{answer: func([]byte) ([]byte, bool, error) {
		return []byte(`{"statusCode":200,"body":"ok"}`), false, nil
	}}}
	ke.env = newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		mock := tollgate.Integration{Type: tollgate.IntegrationMock}
		api.Routes = []tollgate.Route{
			{ResourcePath: "/", Method: "GET", APIKeyRequired: true, Integration: mock},
			{ResourcePath: "/pets", Method: "GET", APIKeyRequired: true, Integration: mock},
			{ResourcePath: "/open", Method: "GET", Integration: mock},
			{ResourcePath: "/{proxy+}", Method: "ANY", APIKeyRequired: true, Integration: tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/{proxy}"}},
			{ResourcePath: "/fn", Method: "GET", APIKeyRequired: true, Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "handler"}},
			{ResourcePath: "/fnopen", Method: "GET", Integration: tollgate.Integration{Type: tollgate.IntegrationAWSProxy, Function: "handler"}},
		}
		api.DomainNames = nil
		ke.usage = &usage{observer: &observer{}}
		o.APIKeys, o.Usage, o.Observer = ke.keys, ke.usage, ke.usage
		inner := o.Integrations
		o.Integrations = gateway.IntegrationsFunc(func(api *tollgate.RestAPI, r *tollgate.Route) (gateway.Integration, error) {
			if r.Integration.Type == tollgate.IntegrationAWSProxy {
				return lambdaproxy.New(api, r.Integration, ke.proxy.invoke, quiet), nil
			}
			return inner.Integration(api, r)
		})
		if edit != nil {
			edit(api, o)
		}
	})
	return ke
}

// get sends GET target with the X-API-Key value key (none if ""), under
// the header name header.
func (ke *keyEnv) getKey(target, header, key string) *httptest.ResponseRecorder {
	r := request("GET", execHost, target, "")
	if key != "" {
		r.Header[header] = []string{key}
	}
	return ke.do(r)
}

func (ke *keyEnv) get(target, key string) *httptest.ResponseRecorder {
	return ke.getKey(target, "X-Api-Key", key)
}

// wantAnswer checks a gateway response: status, body and
// x-amzn-ErrorType, and no Retry-After (apigw-beyond §3: API Gateway
// sends none with its 429s).
func wantAnswer(t *testing.T, what string, w *httptest.ResponseRecorder, status int, body, errorType string) {
	t.Helper()
	if w.Code != status || w.Body.String() != body || w.Header().Get("X-Amzn-Errortype") != errorType || w.Header().Get("Retry-After") != "" {
		t.Errorf("%s: %d %q %q, Retry-After %q; want %d %q %q", what, w.Code, w.Body, w.Header().Get("X-Amzn-Errortype"), w.Header().Get("Retry-After"), status, body, errorType)
	}
}

// The answers of apigw-beyond §3 (D api-gateway-api-key-source.md; V
// LocalStack TestUsagePlans::test_api_key_required_for_methods; V
// repost.aws/knowledge-center/api-gateway-429-limit).
const (
	forbidden       = `{"message":"Forbidden"}`
	tooManyRequests = `{"message":"Too Many Requests"}`
	limitExceeded   = `{"message":"Limit Exceeded"}`
)

func TestAPIKeyRequired(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{}, nil)
	for _, tt := range []struct {
		name, target, header, key string
		status                    int
	}{
		{"valid", "/prod/pets", "X-Api-Key", keyValue, 200},
		{"lowercase header", "/prod/pets", "x-api-key", keyValue, 200},
		{"missing", "/prod/pets", "X-Api-Key", "", 403},
		{"unknown", "/prod/pets", "X-Api-Key", keyUnknown, 403},
		{"disabled", "/prod/pets", "X-Api-Key", keyDisabled, 403},
		{"in a plan of another stage", "/prod/pets", "X-Api-Key", keyDevOnly, 403},
		{"in that plan's stage", "/dev/pets", "X-Api-Key", keyDevOnly, 200},
		{"in no plan", "/prod/pets", "X-Api-Key", keyNoPlan, 403},
		{"another header", "/prod/pets", "X-Key", keyValue, 403},
		{"not required, none", "/prod/open", "X-Api-Key", "", 200},
		{"not required, unknown", "/prod/open", "X-Api-Key", keyUnknown, 200},
	} {
		r := request("GET", execHost, tt.target, "")
		if tt.key != "" {
			// Set as sent, not canonicalized: net/http's server
			// canonicalizes what it reads, which ReadRequest stands for.
			r.Header.Set(tt.header, tt.key)
		}
		w := ke.do(r)
		if tt.status == 403 {
			wantAnswer(t, tt.name, w, 403, forbidden, "ForbiddenException")
		} else if w.Code != tt.status {
			t.Errorf("%s: %d %q", tt.name, w.Code, w.Body)
		}
	}
	// Two values: which counts is not the caller's to choose.
	r := request("GET", execHost, "/prod/pets", "")
	r.Header["X-Api-Key"] = []string{keyValue, keyValue}
	wantAnswer(t, "two values", ke.do(r), 403, forbidden, "ForbiddenException")
	// Only admitted requests of key-required methods are recorded.
	want := []string{"planboth1x keyalpha01 2026-11-03", "planboth1x keyalpha01 2026-11-03", "plandev01x keydevon01 2026-11-03"}
	if !slices.Equal(ke.usage.records, want) {
		t.Errorf("records %v, want %v", ke.usage.records, want)
	}
}

// Without Options.APIKeys, methods that require a key refuse everything.
func TestAPIKeyRequiredWithoutCatalog(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{}, func(_ *tollgate.RestAPI, o *gateway.Options) { o.APIKeys = nil })
	wantAnswer(t, "no catalog", ke.get("/prod/pets", keyValue), 403, forbidden, "ForbiddenException")
}

// A real request's header names arrive canonicalized whatever the case the
// caller sent (AWS's examples send x-api-key).
func TestAPIKeyHeaderCaseOverTheWire(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{}, nil)
	for _, name := range []string{"x-api-key", "X-API-KEY", "X-Api-Key"} {
		r := request("GET", execHost, "/prod/pets", "")
		r.Header = map[string][]string{}
		r.Header.Add(name, keyValue)
		if w := ke.do(r); w.Code != 200 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
}

// The plan's throttle is per key over all its stages: prod and dev draw
// from one bucket.
func TestPlanThrottleAcrossStages(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{Throttle: tollgate.Throttle{Rate: 1, Burst: 2}}, nil)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	if w := ke.get("/dev/pets", keyValue); w.Code != 200 {
		t.Fatalf("second, on dev: %d", w.Code)
	}
	wantAnswer(t, "third, on prod", ke.get("/prod/pets", keyValue), 429, tooManyRequests, "TooManyRequestsException")
	wantAnswer(t, "third, on dev", ke.get("/dev/", keyValue), 429, tooManyRequests, "TooManyRequestsException")
	// Another key of the plan has a bucket of its own.
	ke.keys.keys["k-second-0123456789abcd"] = &tollgate.APIKey{ID: "keysecon01", Enabled: true, PlanIDs: []string{"planboth1x"}}
	if w := ke.get("/prod/pets", "k-second-0123456789abcd"); w.Code != 200 {
		t.Errorf("another key: %d", w.Code)
	}
	ke.f.clock.advance(time.Second)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Errorf("a second later: %d", w.Code)
	}
	// Methods that require no key are neither throttled nor counted.
	for range 3 {
		if w := ke.get("/prod/open", keyValue); w.Code != 200 {
			t.Errorf("open: %d", w.Code)
		}
	}
	want := []gateway.PlanOutcome{gateway.PlanAllowed, gateway.PlanAllowed, gateway.PlanThrottled, gateway.PlanThrottled, gateway.PlanAllowed, gateway.PlanAllowed}
	if !slices.Equal(ke.usage.outcomes, want) {
		t.Errorf("outcomes %v, want %v", ke.usage.outcomes, want)
	}
	if len(ke.usage.records) != 4 {
		t.Errorf("records %v", ke.usage.records)
	}
}

// A stage's per-method throttle is keyed "/path/METHOD", the root "//GET"
// (apigw-beyond §3).
func TestPlanMethodThrottle(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{Stages: []tollgate.PlanStage{
		{APIID: apiID, Stage: "prod", Throttle: map[string]tollgate.Throttle{"/pets/GET": {Rate: 1, Burst: 1}, "//GET": {Rate: 1, Burst: 2}}},
		{APIID: apiID, Stage: "dev"},
	}}, nil)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	wantAnswer(t, "second", ke.get("/prod/pets", keyValue), 429, tooManyRequests, "TooManyRequestsException")
	for i := range 2 {
		if w := ke.get("/prod/", keyValue); w.Code != 200 {
			t.Errorf("root %d: %d", i, w.Code)
		}
	}
	wantAnswer(t, "root, third", ke.get("/prod/", keyValue), 429, tooManyRequests, "TooManyRequestsException")
	// The dev stage sets no method throttle.
	if w := ke.get("/dev/pets", keyValue); w.Code != 200 {
		t.Errorf("dev: %d", w.Code)
	}
	ke.f.clock.advance(time.Second)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Errorf("a second later: %d", w.Code)
	}
}

// The quota counts per key and UTC day, and starts afresh the next day.
func TestPlanQuota(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 2, Period: tollgate.QuotaDay}}, nil)
	for i := range 2 {
		if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	wantAnswer(t, "over the quota", ke.get("/dev/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	if got := ke.usage.outcomes[len(ke.usage.outcomes)-1]; got != gateway.PlanQuota {
		t.Errorf("outcome %v", got)
	}
	ke.f.clock.set(time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC))
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Errorf("the next day: %d", w.Code)
	}
	if got := ke.usage.records; len(got) != 3 || got[2] != "planboth1x keyalpha01 2026-11-04" {
		t.Errorf("records %v", got)
	}
}

// The offset takes from the first period only (QuotaSettings.offset).
func TestPlanQuotaOffset(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{CreatedAt: t0.Add(-time.Hour), Quota: &tollgate.Quota{Limit: 3, Offset: 2, Period: tollgate.QuotaDay}}, nil)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	wantAnswer(t, "second, in the first period", ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	ke.f.clock.set(time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC))
	for i := range 3 {
		if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
			t.Fatalf("the next day, %d: %d", i, w.Code)
		}
	}
	wantAnswer(t, "the next day, fourth", ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
}

// With an AUTHORIZER key source the key is the Lambda authorizer's
// usageIdentifierKey; X-API-Key is not read.
func TestAPIKeySourceAuthorizer(t *testing.T) {
	answer := func(key string) func([]byte) ([]byte, bool, error) {
		return func([]byte) ([]byte, bool, error) {
			out := `{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
				`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:*:` + apiID + `/*"}]}`
			if key != "" {
				out += `,"usageIdentifierKey":"` + key + `"`
			}
			return []byte(out + `}`), false, nil
		}
	}
	for _, tt := range []struct {
		name, key, header string
		status            int
	}{
		{"usageIdentifierKey", keyValue, "", 200},
		{"none, a header", "", keyValue, 403},
		{"an unknown one", keyUnknown, keyValue, 403},
	} {
		fn := &fakeFunction{answer: answer(tt.key)}
		ke := newKeyEnv(t, tollgate.UsagePlan{}, func(api *tollgate.RestAPI, o *gateway.Options) {
			api.APIKeySource = tollgate.APIKeySourceAuthorizer
			authz := tokenAuthorizer(0)
			for i := range api.Routes {
				api.Routes[i].Authorizer = authz
			}
			o.Invoke = fn.invoke
		})
		r := request("GET", execHost, "/prod/x", "tok")
		if tt.header != "" {
			r.Header.Set("X-Api-Key", tt.header)
		}
		w := ke.do(r)
		if tt.status == 403 {
			wantAnswer(t, tt.name, w, 403, forbidden, "ForbiddenException")
		} else if w.Code != tt.status {
			t.Errorf("%s: %d %q", tt.name, w.Code, w.Body)
		}
		if len(fn.taken()) != 1 {
			t.Errorf("%s: the authorizer was not asked first", tt.name)
		}
		if tt.status == 200 && (ke.last == nil || ke.last.APIKey() != keyValue || ke.last.APIKeyID() != "keyalpha01") {
			t.Errorf("%s: invocation %+v", tt.name, ke.last)
		}
	}
}

// With a HEADER source the authorizer decides first: a refused token is
// 401, whatever the key (LocalStack's handler chain runs authorizers
// before api_key_validation_handler).
func TestAPIKeyAfterAuthorizer(t *testing.T) {
	fn := &fakeFunction{answer: func([]byte) ([]byte, bool, error) {
		return []byte(`{"errorMessage":"Unauthorized","errorType":"Error"}`), true, nil
	}}
	ke := newKeyEnv(t, tollgate.UsagePlan{}, func(api *tollgate.RestAPI, o *gateway.Options) {
		authz := tokenAuthorizer(0)
		for i := range api.Routes {
			api.Routes[i].Authorizer = authz
		}
		o.Invoke = fn.invoke
	})
	r := request("GET", execHost, "/prod/pets", "tok")
	wantAnswer(t, "refused token, no key", ke.do(r), 401, `{"message":"Unauthorized"}`, "UnauthorizedException")
}

// The Lambda proxy event's requestContext.identity has apiKey (the value)
// and apiKeyId when a key was used, and neither otherwise (apigw-beyond
// §3 "Backend context").
func TestAPIKeyInLambdaEvent(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{}, nil)
	identity := func(target, key string) map[string]json.RawMessage {
		t.Helper()
		if w := ke.get(target, key); w.Code != 200 {
			t.Fatalf("%s: %d %q", target, w.Code, w.Body)
		}
		return eventIdentity(t, target, ke.proxy)
	}
	id := identity("/prod/fn", keyValue)
	if string(id["apiKey"]) != `"`+keyValue+`"` || string(id["apiKeyId"]) != `"keyalpha01"` {
		t.Errorf("with a key: apiKey %s, apiKeyId %s", id["apiKey"], id["apiKeyId"])
	}
	id = identity("/prod/fnopen", keyValue)
	if _, ok := id["apiKey"]; ok {
		t.Errorf("without a required key: apiKey %s", id["apiKey"])
	}
	if _, ok := id["apiKeyId"]; ok {
		t.Errorf("without a required key: apiKeyId %s", id["apiKeyId"])
	}
	// The invocation of a method without key has none.
	ke.get("/prod/open", keyValue)
	if w := ke.get("/prod/x", keyValue); w.Code != 200 || ke.last.APIKey() != keyValue || ke.last.APIKeyID() != "keyalpha01" {
		t.Errorf("invocation: %d %q %q", w.Code, ke.last.APIKey(), ke.last.APIKeyID())
	}
}

// eventIdentity returns the requestContext.identity of the event of the
// one call fn was given since last asked, for target.
func eventIdentity(t *testing.T, target string, fn *fakeFunction) map[string]json.RawMessage {
	t.Helper()
	calls := fn.taken()
	if len(calls) != 1 {
		t.Fatalf("%s: %d calls", target, len(calls))
	}
	var ev struct {
		RequestContext struct {
			Identity map[string]json.RawMessage `json:"identity"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(calls[0].event, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.RequestContext.Identity
}

// With a shared limiter, every limit of a request is one Take: the stage's
// throttle, the client's, the plan's, the method's and the quota.
func TestSharedLimiterOneTake(t *testing.T) {
	lim := &fakeLimiter{}
	ke := newKeyEnv(t, meteredPlan(), func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 1000, Burst: 1000}
		o.Limiter = lim
	})
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("%d %q", w.Code, w.Body)
	}
	if len(lim.takes) != 1 {
		t.Fatalf("%d takes", len(lim.takes))
	}
	checks := lim.takes[0]
	if len(checks) != 4 {
		t.Fatalf("checks %+v", checks)
	}
	if c := checks[0]; c.Rate != (limit.Rate{PerSecond: 1000, Burst: 1000}) {
		t.Errorf("stage %+v", c)
	}
	wantPlanChecks(t, checks[1:], 100)
	// A method without key: the stage's throttle alone.
	ke.get("/prod/open", "")
	if len(lim.takes) != 2 || len(lim.takes[1]) != 1 || lim.takes[1][0].Key != checks[0].Key {
		t.Errorf("open: %+v", lim.takes[1:])
	}
	wantRefusals(t, ke, lim, 1)
}

// meteredPlan throttles each key (10/s, bursts of 5) and GET /pets on prod
// (2/s, bursts of 1), with a monthly quota of 100.
func meteredPlan() tollgate.UsagePlan {
	return tollgate.UsagePlan{
		Throttle: tollgate.Throttle{Rate: 10, Burst: 5},
		Quota:    &tollgate.Quota{Limit: 100, Period: tollgate.QuotaMonth},
		Stages:   []tollgate.PlanStage{{APIID: apiID, Stage: "prod", Throttle: map[string]tollgate.Throttle{"/pets/GET": {Rate: 2, Burst: 1}}}},
	}
}

// wantPlanChecks checks the checks of meteredPlan for GET /pets with
// keyValue in November 2026: the plan's throttle, the method's, and the
// quota, whose limit is quota. Keys name the plan and key (not the
// stage), the method on its stage, the quota's window by its start.
func wantPlanChecks(t *testing.T, checks []limit.Check, quota int64) {
	t.Helper()
	if len(checks) != 3 {
		t.Fatalf("plan checks %+v", checks)
	}
	if c := checks[0]; c.Rate != (limit.Rate{PerSecond: 10, Burst: 5}) {
		t.Errorf("plan %+v", c)
	}
	if c := checks[1]; c.Rate != (limit.Rate{PerSecond: 2, Burst: 1}) {
		t.Errorf("method %+v", c)
	}
	if c := checks[2]; c.Limit != quota || !c.Reset.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("quota %+v, want a limit of %d", c, quota)
	}
	plan := "gw\x00plan\x00planboth1x\x00keyalpha01"
	wantKeys := []string{plan, plan + "\x00method\x00" + apiID + "\x00prod\x00/pets/GET",
		plan + "\x00quota\x00" + strconv.FormatInt(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Unix(), 10)}
	for i, want := range wantKeys {
		got := checks[i].Key
		if i == 2 {
			// Counted locally in a shared limiter's place, the quota's key
			// names the outage too (each outage counts from its start).
			if rest, ok := strings.CutPrefix(got, want+"\x00outage\x00"); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
				got = want
			}
		}
		if got != want {
			t.Errorf("plan check %d: key %q, want %q", i, checks[i].Key, want)
		}
	}
}

// wantRefusals checks what a refusal by each of the checks lim is given
// for GET /pets answers, the first plan check at index first: the
// stage's throttle (before first) and the plan's and method's 429 Too
// Many Requests, the quota's 429 Limit Exceeded.
func wantRefusals(t *testing.T, ke *keyEnv, lim *fakeLimiter, first int) {
	t.Helper()
	answers := []struct{ body, errType string }{
		{tooManyRequests, "TooManyRequestsException"}, {tooManyRequests, "TooManyRequestsException"}, {limitExceeded, "LimitExceededException"},
	}
	for i := -first; i < len(answers); i++ {
		want := answers[max(i, 0)]
		lim.answer = func([]limit.Check) (limit.Result, error) {
			return limit.Result{Refused: i + first, RetryAfter: time.Second}, nil
		}
		wantAnswer(t, "refused by check "+strconv.Itoa(i+first), ke.get("/prod/pets", keyValue), 429, want.body, want.errType)
	}
}

// Without a shared limiter, a request needing no key takes nothing from
// the local one; a plan's limits are one Take there.
func TestLocalLimiterOnlyForPlans(t *testing.T) {
	lim := &fakeLimiter{}
	ke := newKeyEnv(t, tollgate.UsagePlan{Throttle: tollgate.Throttle{Rate: 10, Burst: 5}, Quota: &tollgate.Quota{Limit: 100, Period: tollgate.QuotaWeek}}, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 1000, Burst: 1000}
		o.LocalLimiter = lim
	})
	ke.get("/prod/open", keyValue)
	if len(lim.takes) != 0 {
		t.Errorf("open: %d takes", len(lim.takes))
	}
	ke.get("/prod/pets", keyValue)
	if len(lim.takes) != 1 || len(lim.takes[0]) != 2 {
		t.Errorf("pets: %+v", lim.takes)
	}
	// A week starts on Sunday (tollgate.QuotaWeek): t0 is Tuesday 3
	// November 2026, so the window ends on Sunday the 8th.
	if c := lim.takes[0][1]; !c.Reset.Equal(time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("quota %+v", c)
	}
}

// A failing limiter admits (fail open) or answers 503 (closed); either
// way the failure is counted and observed.
func TestLimiterFailure(t *testing.T) {
	for _, open := range []bool{true, false} {
		lim := &fakeLimiter{answer: func([]limit.Check) (limit.Result, error) {
			return limit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
		}}
		logs := &countingHandler{}
		ke := newKeyEnv(t, tollgate.UsagePlan{Throttle: tollgate.Throttle{Rate: 10, Burst: 5}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
			o.Limiter, o.LimiterFailOpen, o.Logger = lim, open, slog.New(logs)
		})
		for range 2 {
			w := ke.get("/prod/pets", keyValue)
			if open && w.Code != 200 {
				t.Errorf("fail open: %d", w.Code)
			}
			if !open {
				wantAnswer(t, "fail closed", w, 503, `{"message":"Service Unavailable"}`, "ServiceUnavailableException")
			}
		}
		if n := ke.gw.LimiterErrors(); n != 2 || len(ke.usage.limErrs) != 2 || ke.usage.limErrs[0] != open {
			t.Errorf("open %v: %d errors, observed %v", open, n, ke.usage.limErrs)
		}
		if got := len(ke.usage.records); open && got != 2 || !open && got != 0 {
			t.Errorf("open %v: records %v", open, ke.usage.records)
		}
		// One outage, one error logged; its end, one more line; the next
		// outage is logged again.
		if got := logs.levels(); !slices.Equal(got, []slog.Level{slog.LevelError}) {
			t.Errorf("open %v: logged %v during the outage", open, got)
		}
		failing := lim.answer
		lim.answer = nil
		ke.get("/prod/pets", keyValue)
		ke.get("/prod/pets", keyValue)
		lim.answer = failing
		ke.get("/prod/pets", keyValue)
		if got := logs.levels(); !slices.Equal(got, []slog.Level{slog.LevelError, slog.LevelInfo, slog.LevelError}) {
			t.Errorf("open %v: logged %v", open, got)
		}
		// The error is logged, never the key's value.
		for _, m := range logs.texts() {
			if strings.Contains(m, keyValue) {
				t.Errorf("the key's value logged: %s", m)
			}
		}
	}
}

// A caller that went away while the limiter was asked is no outage.
func TestLimiterCallerGone(t *testing.T) {
	lim := &fakeLimiter{answer: func([]limit.Check) (limit.Result, error) { return limit.Result{}, context.Canceled }}
	ke := newKeyEnv(t, tollgate.UsagePlan{Throttle: tollgate.Throttle{Rate: 10, Burst: 5}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen = lim, true
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := request("GET", execHost, "/prod/pets", "").WithContext(ctx)
	r.Header.Set("X-Api-Key", keyValue)
	if w := ke.do(r); w.Code != 503 || ke.gw.LimiterErrors() != 0 || len(ke.usage.records) != 0 {
		t.Errorf("%d, %d limiter errors, records %v", w.Code, ke.gw.LimiterErrors(), ke.usage.records)
	}
}

// countingHandler records the levels and texts of log records.
type countingHandler struct {
	mu   sync.Mutex
	lvls []slog.Level
	msgs []string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lvls = append(h.lvls, r.Level)
	text := r.Message
	r.Attrs(func(a slog.Attr) bool { text += " " + a.String(); return true })
	h.msgs = append(h.msgs, text)
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

func (h *countingHandler) levels() []slog.Level {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.lvls)
}

func (h *countingHandler) texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.msgs)
}

// With a shared limiter the client's throttle is counted there, by issuer
// and client id, with the stage's; not in the node's buckets.
func TestSharedLimiterClientAndRoute(t *testing.T) {
	lim := &fakeLimiter{}
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 1, Burst: 1}
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 5, Burst: 5}
		o.Limiter = lim
	})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	for range 3 { // over the client's burst of 1: the fake admits, so the node must too
		if w := e.do(request("GET", execHost, "/prod/mock", tok)); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if len(lim.takes) != 3 || len(lim.takes[0]) != 2 {
		t.Fatalf("takes %+v", lim.takes)
	}
	stage, client := lim.takes[0][0], lim.takes[0][1]
	if !strings.Contains(stage.Key, apiID) || stage.Rate != (limit.Rate{PerSecond: 5, Burst: 5}) {
		t.Errorf("stage check %+v", stage)
	}
	if !strings.HasSuffix(client.Key, issuerOf(poolA)+"\x00client_id\x00"+clientA) || client.Rate != (limit.Rate{PerSecond: 1, Burst: 1}) {
		t.Errorf("client check %q %+v", client.Key, client.Rate)
	}
}

// A gateway counting locally starts a quota window from what the store
// says the key used in it before (QuotaUsed), so that a restart forgets no
// quota; it asks with the window's start, per plan and key.
func TestPlanQuotaUsedBefore(t *testing.T) {
	var asked []string
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 3, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.QuotaUsed = func(_ context.Context, planID, keyID string, start time.Time, _ int64) int64 {
			asked = append(asked, planID+" "+keyID+" "+start.Format(time.RFC3339))
			return 2
		}
	})
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("the third request of the day: %d", w.Code)
	}
	wantAnswer(t, "the fourth", ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	if len(asked) == 0 || asked[0] != "planboth1x keyalpha01 "+time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC).Format(time.RFC3339) {
		t.Errorf("asked %q", asked)
	}
}

// A shared limiter's counts outlive the process: QuotaUsed is not asked.
func TestPlanQuotaUsedNotWithSharedLimiter(t *testing.T) {
	lim := &fakeLimiter{}
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 3, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter = lim
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 {
			t.Error("QuotaUsed asked with a shared limiter")
			return 0
		}
	})
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	if len(lim.takes) != 1 {
		t.Fatalf("takes %v", lim.takes)
	}
	for _, c := range lim.takes[0] {
		if c.Limit != 0 && c.Limit != 3 {
			t.Errorf("quota check %+v: want the plan's limit", c)
		}
	}
}

// A path an upstream may decode into another method's ("/%2Fpets", which
// ANY /{proxy+} matches, for GET /pets) is held to that method's throttle
// too: spelling the path otherwise does not escape it.
func TestPlanMethodThrottleLenientPath(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{Stages: []tollgate.PlanStage{
		{APIID: apiID, Stage: "prod", Throttle: map[string]tollgate.Throttle{"/pets/GET": {Rate: 1, Burst: 1}}},
	}}, nil)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	wantAnswer(t, "the same method, spelt /%2Fpets", ke.get("/prod/%2Fpets", keyValue), 429, tooManyRequests, "TooManyRequestsException")
}
