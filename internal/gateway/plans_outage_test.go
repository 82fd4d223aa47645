package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lambdaproxy"
	"github.com/tollgate/tollgate/internal/limit"
)

// down is a shared limiter that cannot be reached.
func down() *fakeLimiter {
	return &fakeLimiter{answer: func([]limit.Check) (limit.Result, error) {
		return limit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
	}}
}

// While the shared limiter fails open, a key that had exhausted its quota
// (as the store's usage records say) stays refused: the node counts the
// quota alone from what was used, rather than admitting uncounted.
func TestFailOpenKeepsAnExhaustedQuota(t *testing.T) {
	var asked int
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 5, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen = down(), true
		o.LocalLimiter = limit.NewLocal(limit.LocalOptions{})
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 { asked++; return 5 }
	})
	for i := range 6 {
		wantAnswer(t, "request "+string(rune('1'+i)), ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	}
	if len(ke.usage.records) != 0 || asked == 0 {
		t.Errorf("records %v, QuotaUsed asked %d times", ke.usage.records, asked)
	}
	// A method without key is not counted by plans: served.
	if w := ke.get("/prod/open", ""); w.Code != 200 {
		t.Errorf("open: %d", w.Code)
	}
}

// While the shared limiter fails open, the plan's throttle and quota are
// counted by the node alone, the quota from what was used before.
func TestFailOpenCountsThePlanLocally(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{
		Throttle: tollgate.Throttle{Rate: 1, Burst: 2},
		Quota:    &tollgate.Quota{Limit: 5, Period: tollgate.QuotaDay},
	}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen = down(), true
		o.LocalLimiter = limit.NewLocal(limit.LocalOptions{})
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 { return 2 }
	})
	for i := range 2 {
		if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
			t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
		}
	}
	wantAnswer(t, "over the plan's burst", ke.get("/prod/pets", keyValue), 429, tooManyRequests, "TooManyRequestsException")
	ke.f.clock.advance(time.Second)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("a second later: %d %s", w.Code, w.Body)
	}
	// 2 used before, 3 counted here: the quota of 5 is spent.
	ke.f.clock.advance(time.Second)
	wantAnswer(t, "over the quota", ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	want := []gateway.PlanOutcome{gateway.PlanAllowed, gateway.PlanAllowed, gateway.PlanThrottled, gateway.PlanAllowed, gateway.PlanQuota}
	if !slices.Equal(ke.usage.outcomes, want) {
		t.Errorf("outcomes %v, want %v", ke.usage.outcomes, want)
	}
	if len(ke.usage.records) != 3 {
		t.Errorf("records %v", ke.usage.records)
	}
	if n := ke.gw.LimiterErrors(); n != 5 {
		t.Errorf("%d limiter errors, want 5", n)
	}
}

// What the node takes locally while the shared limiter fails open: the
// plan's, method's and quota checks (the quota lowered by what was used),
// not the stage's, which its own bucket counted before the authorizer.
func TestFailOpenLocalChecks(t *testing.T) {
	local := &fakeLimiter{}
	ke := newKeyEnv(t, meteredPlan(), func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 1000, Burst: 1000}
		o.Limiter, o.LimiterFailOpen, o.LocalLimiter = down(), true, local
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 { return 40 }
	})
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(local.takes) != 1 {
		t.Fatalf("local takes %+v", local.takes)
	}
	wantPlanChecks(t, local.takes[0], 100-40)
	// A method without key: only the stage's check, which the node's own
	// bucket counted; nothing is taken locally.
	if w := ke.get("/prod/open", ""); w.Code != 200 || len(local.takes) != 1 {
		t.Errorf("open: %d, local takes %+v", w.Code, local.takes[1:])
	}
	// Refusals of the local count answer as the shared one's would.
	wantRefusals(t, ke, local, 0)
}

// Failing closed, a request the shared limiter would count is 503 and
// nothing is counted locally.
func TestFailClosedCountsNothingLocally(t *testing.T) {
	local := &fakeLimiter{}
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 5, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen, o.LocalLimiter = down(), false, local
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 {
			t.Error("QuotaUsed asked failing closed")
			return 0
		}
	})
	wantAnswer(t, "fail closed", ke.get("/prod/pets", keyValue), 503, `{"message":"Service Unavailable"}`, "ServiceUnavailableException")
	if len(local.takes) != 0 || len(ke.usage.records) != 0 {
		t.Errorf("local takes %+v, records %v", local.takes, ke.usage.records)
	}
}

// While the shared limiter fails open, the client's throttle is counted by
// the node alone.
func TestFailOpenCountsTheClientLocally(t *testing.T) {
	e := newEnv(t, func(api *tollgate.RestAPI, o *gateway.Options) {
		api.Stages[0].ClientThrottle = tollgate.Throttle{Rate: 1, Burst: 1}
		api.Stages[0].Throttle = tollgate.Throttle{Rate: 100, Burst: 100}
		o.Limiter, o.LimiterFailOpen = down(), true
		o.LocalLimiter = limit.NewLocal(limit.LocalOptions{})
	})
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	if w := e.do(request("GET", execHost, "/prod/mock", tok)); w.Code != 200 {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	wantAnswer(t, "over the client's burst", e.do(request("GET", execHost, "/prod/mock", tok)), 429, tooManyRequests, "TooManyRequestsException")
	e.f.clock.advance(time.Second)
	if w := e.do(request("GET", execHost, "/prod/mock", tok)); w.Code != 200 {
		t.Errorf("a second later: %d %s", w.Code, w.Body)
	}
}

// With a stale catalog (--store-outage=refuse), a method that requires a
// key answers 503 before its authorizer runs: a key disabled or deleted
// meanwhile must not be admitted from the old state. Methods without key
// and without a Cognito authorizer are served.
func TestStaleCatalogRefusesKeyRequired(t *testing.T) {
	stale := true
	fn := &fakeFunction{answer: allowAll}
	ke := newKeyEnv(t, tollgate.UsagePlan{}, func(api *tollgate.RestAPI, o *gateway.Options) {
		lambda := tokenAuthorizer(0)
		api.Routes = append(api.Routes,
			tollgate.Route{ResourcePath: "/guarded", Method: "GET", APIKeyRequired: true, Authorizer: lambda, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}},
			tollgate.Route{ResourcePath: "/lambda", Method: "GET", Authorizer: lambda, Integration: tollgate.Integration{Type: tollgate.IntegrationMock}})
		o.Invoke = fn.invoke
		o.Unavailable = func() bool { return stale }
	})
	for _, target := range []string{"/prod/pets", "/prod/guarded", "/prod/x"} {
		r := request("GET", execHost, target, "tok")
		r.Header.Set("X-Api-Key", keyValue)
		wantAnswer(t, target, ke.do(r), 503, `{"message":"Service Unavailable"}`, "ServiceUnavailableException")
	}
	if calls := fn.taken(); len(calls) != 0 {
		t.Errorf("the authorizer was invoked %d times", len(calls))
	}
	if len(ke.usage.records) != 0 {
		t.Errorf("records %v", ke.usage.records)
	}
	for _, target := range []string{"/prod/open", "/prod/lambda"} {
		if w := ke.do(request("GET", execHost, target, "tok")); w.Code != 200 {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	stale = false
	r := request("GET", execHost, "/prod/guarded", "tok")
	r.Header.Set("X-Api-Key", keyValue)
	if w := ke.do(r); w.Code != 200 {
		t.Errorf("current again: %d %s", w.Code, w.Body)
	}
}

// TestRequestEventAPIKey: on a method that requires a key from the
// X-API-Key header, a REQUEST authorizer's event has
// requestContext.identity.apiKey, the header's value unchecked (aws-lambda-go's
// events/testdata/apigw-custom-auth-request-type-request.json: identity
// {"apiKey":"...","sourceIp":"..."}, no apiKeyId); the key is checked after
// the authorizer. A method that requires no key, or an AUTHORIZER key
// source, shows none.
func TestRequestEventAPIKey(t *testing.T) {
	authz := &tollgate.Authorizer{Name: "reqAuth", Type: tollgate.AuthorizerRequest, Function: "authFn",
		IdentitySources: []string{"method.request.header.X-Tenant"}}
	identity := func(t *testing.T, ke *keyEnv, fn *fakeFunction, target string, keys []string, status int) map[string]json.RawMessage {
		t.Helper()
		r := request("GET", execHost, target, "")
		r.Header.Set("X-Tenant", "acme")
		if keys != nil {
			r.Header["X-Api-Key"] = keys
		}
		if w := ke.do(r); w.Code != status {
			t.Fatalf("%s: %d %s, want %d", target, w.Code, w.Body, status)
		}
		return eventIdentity(t, target, fn)
	}
	env := func(t *testing.T, source string) (*keyEnv, *fakeFunction) {
		fn := &fakeFunction{answer: allowAll}
		ke := newKeyEnv(t, tollgate.UsagePlan{}, func(api *tollgate.RestAPI, o *gateway.Options) {
			api.APIKeySource = source
			for i := range api.Routes {
				api.Routes[i].Authorizer = authz
			}
			o.Invoke, o.AuthorizerEvent = fn.invoke, lambdaproxy.AuthorizerEvent
		})
		return ke, fn
	}
	t.Run("header", func(t *testing.T) {
		ke, fn := env(t, tollgate.APIKeySourceHeader)
		for _, tc := range []struct {
			name, target string
			keys         []string
			status       int
			want         string // the apiKey JSON, "" for absent
		}{
			{"valid", "/prod/pets", []string{keyValue}, 200, `"` + keyValue + `"`},
			{"unknown, refused after", "/prod/pets", []string{keyUnknown}, 403, `"` + keyUnknown + `"`},
			{"none", "/prod/pets", nil, 403, ""},
			{"two values", "/prod/pets", []string{keyValue, keyValue}, 403, ""},
			{"not required", "/prod/open", []string{keyValue}, 200, ""},
		} {
			id := identity(t, ke, fn, tc.target, tc.keys, tc.status)
			if got := string(id["apiKey"]); got != tc.want {
				t.Errorf("%s: apiKey %s, want %q", tc.name, got, tc.want)
			}
			if got, ok := id["apiKeyId"]; ok {
				t.Errorf("%s: apiKeyId %s", tc.name, got)
			}
		}
	})
	t.Run("authorizer source", func(t *testing.T) {
		ke, fn := env(t, tollgate.APIKeySourceAuthorizer)
		if id := identity(t, ke, fn, "/prod/pets", []string{keyValue}, 403); id["apiKey"] != nil {
			t.Errorf("apiKey %s", id["apiKey"])
		}
	})
}

// A spelling of a key-required path that routes to an open route is
// refused when a lenient upstream would read it as the key-required path
// (%2F): the key, and its plan's count, cannot be bypassed that way.
func TestRouteConfusionAPIKey(t *testing.T) {
	ke := newKeyEnv(t, tollgate.UsagePlan{}, func(api *tollgate.RestAPI, _ *gateway.Options) {
		up := tollgate.Integration{Type: tollgate.IntegrationHTTPProxy, URI: "http://upstream.internal/{proxy}"}
		api.Routes = []tollgate.Route{
			{ResourcePath: "/{proxy+}", Method: "ANY", Integration: up},
			{ResourcePath: "/metered/{proxy+}", Method: "GET", APIKeyRequired: true, Integration: up},
			{ResourcePath: "/both/{id}", Method: "GET", APIKeyRequired: true, Integration: up},
			{ResourcePath: "/both/{id}/{rest+}", Method: "GET", APIKeyRequired: true, Integration: up},
		}
	})
	for _, tt := range []struct {
		target, key string
		status      int
	}{
		{"/prod/metered/x", "", 403},
		{"/prod/metered/x", keyValue, 200},
		{"/prod/elsewhere/x", "", 200},
		{"/prod/metered%2Fx", "", 403},
		{"/prod/metered%2fx", keyValue, 403},
		// Both readings require the key: an encoded slash is served.
		{"/prod/both/a%2Fb", keyValue, 200},
	} {
		if w := ke.get(tt.target, tt.key); w.Code != tt.status {
			t.Errorf("GET %s (key %v): %d %s, want %d", tt.target, tt.key != "", w.Code, w.Body, tt.status)
		}
	}
}

// The reviewer's case with the real Redis client: Redis unreachable
// (nothing listens on the port), failing open, a key whose quota the
// store's usage records show spent is refused every time rather than
// admitted uncounted.
func TestFailOpenWithRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	unreachable, err := limit.NewRedis("redis://"+addr, limit.RedisOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unreachable.Close() })
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 3, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter, o.LimiterFailOpen = unreachable, true
		o.LocalLimiter = limit.NewLocal(limit.LocalOptions{})
		o.QuotaUsed = func(context.Context, string, string, time.Time, int64) int64 { return 3 }
	})
	for i := range 6 {
		wantAnswer(t, "request "+strconv.Itoa(i+1), ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	}
	if n := ke.gw.LimiterErrors(); n != 6 {
		t.Errorf("%d limiter errors, want 6", n)
	}
}

// Each outage of the shared limiter starts its quota from the store's
// records of its own start: the requests the shared limiter admitted
// between two outages count in the second (quota 5: one admitted in
// outage 1, four through the shared limiter, none in outage 2).
func TestPlanQuotaSecondOutage(t *testing.T) {
	var down atomic.Bool
	shared := limit.NewLocal(limit.LocalOptions{}) // stands in for Redis
	var recorded atomic.Int64                      // what the recorder wrote to the store
	read := map[int64]int64{}                      // by epoch: one reading each, as the server keeps
	ke := newKeyEnv(t, tollgate.UsagePlan{Quota: &tollgate.Quota{Limit: 5, Period: tollgate.QuotaDay}}, func(_ *tollgate.RestAPI, o *gateway.Options) {
		o.Limiter = &fakeLimiter{answer: func(c []limit.Check) (limit.Result, error) {
			if down.Load() {
				return limit.Result{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
			}
			return shared.Take(context.Background(), t0, c)
		}}
		o.LimiterFailOpen = true
		o.LocalLimiter = limit.NewLocal(limit.LocalOptions{})
		o.QuotaUsed = func(_ context.Context, _, _ string, _ time.Time, epoch int64) int64 {
			if _, ok := read[epoch]; !ok {
				read[epoch] = recorded.Load()
			}
			return read[epoch]
		}
	})
	down.Store(true)
	if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
		t.Fatalf("outage 1: %d", w.Code)
	}
	recorded.Add(1)
	down.Store(false)
	for i := range 4 {
		if w := ke.get("/prod/pets", keyValue); w.Code != 200 {
			t.Fatalf("shared limiter back, request %d: %d", i, w.Code)
		}
		recorded.Add(1)
	}
	ke.f.clock.advance(time.Second) // the second outage begins later
	down.Store(true)
	wantAnswer(t, "outage 2, the quota spent", ke.get("/prod/pets", keyValue), 429, limitExceeded, "LimitExceededException")
	if len(read) != 2 {
		t.Errorf("QuotaUsed read for %d outages, want one reading each of 2", len(read))
	}
}
