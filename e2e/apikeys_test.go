package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function/functest"
)

// API Gateway's answer to an exhausted quota (apigw-beyond.md §3 "Quota
// exhausted": V KC api-gateway-429-limit; §6 item 7). answerForbidden and
// answerTooManyRequests are in cdk_usageplans_test.go.
const answerLimitExceeded = `{"message":"Limit Exceeded"}`

// apiKeysConfig declares three REST APIs whose methods require API keys
// and the plans that cover them:
//
//   - Api (stage prod): GET /items (the echo function) and GET /limited
//     (MOCK) require a key, GET /open (the echo function) does not;
//   - Other (stage prod): GET /items requires a key;
//   - AuthApi (stage prod, apiKeySourceType AUTHORIZER): GET /items takes
//     the key a TOKEN authorizer names as its usageIdentifierKey (the
//     token itself, testdata/authorizer's usage handler).
//
// Plan Basic covers Api and AuthApi, with GET /limited throttled to a
// burst of 2 refilled once in 1000 s (no refill during a test); Metered
// covers Api with a quota of 3 requests a day; OtherPlan covers Other
// only. Argument: the functions' code directory, then the user pool.
const apiKeysConfig = `region: us-east-1
userPools:
%[2]sfunctions:
  - {id: Echo, runtime: nodejs22.x, handler: index.echo, code: "%[1]s", timeout: 10s}
  - {id: UsageAuth, runtime: nodejs22.x, handler: index.usage, code: "%[1]s", timeout: 5s}
restApis:
  - id: Api
    deployOptions: {stageName: prod}
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: AWS_PROXY, function: Echo}}
      - path: /limited
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: MOCK, body: '{"ok":true}'}}
      - path: /open
        methods:
          - {httpMethod: GET, integration: {type: AWS_PROXY, function: Echo}}
  - id: Other
    deployOptions: {stageName: prod}
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, apiKeyRequired: true, integration: {type: MOCK, body: '{"other":true}'}}
  - id: AuthApi
    deployOptions: {stageName: prod}
    apiKeySourceType: AUTHORIZER
    authorizers:
      - {id: UsageAuth, type: TOKEN, function: UsageAuth, identitySource: method.request.header.Authorization, resultsCacheTtl: 0s}
    resources:
      - path: /items
        methods:
          - {httpMethod: GET, apiKeyRequired: true, authorizer: UsageAuth, integration: {type: AWS_PROXY, function: Echo}}
apiKeys:
  - {id: PartnerKey, apiKeyName: partner, value: e2e-partner-key-0123456789}
  - {id: LaterKey, apiKeyName: later, value: e2e-later-key-0123456789ab}
  - {id: QuotaKey, apiKeyName: quota, value: e2e-quota-key-0123456789ab}
  - {id: OtherKey, apiKeyName: other, value: e2e-other-key-0123456789ab}
usagePlans:
  - id: Basic
    name: basic
    apiStages:
      - api: Api
        throttle: [{path: /limited, method: GET, rateLimit: 0.001, burstLimit: 2}]
      - api: AuthApi
    apiKeys: [PartnerKey, LaterKey]
  - id: Metered
    name: metered
    quota: {limit: 3, period: DAY}
    apiStages: [{api: Api}]
    apiKeys: [QuotaKey]
  - id: OtherPlan
    name: other
    apiStages: [{api: Other}]
    apiKeys: [OtherKey]
`

// Values of apiKeysConfig's keys.
const (
	partnerKeyValue = "e2e-partner-key-0123456789"
	laterKeyValue   = "e2e-later-key-0123456789ab"
	quotaKeyValue   = "e2e-quota-key-0123456789ab"
	otherKeyValue   = "e2e-other-key-0123456789ab"
)

// apiKeyInfo is an item of `tollgate api-keys list --json`, and the
// output of `api-keys create --json`.
type apiKeyInfo struct {
	ID         string   `json:"id"`
	Value      string   `json:"value"`
	Name       string   `json:"name"`
	Enabled    bool     `json:"enabled"`
	UsagePlans []string `json:"usagePlanIds"`
}

// listAPIKeys returns the store's API keys by name.
func listAPIKeys(t *testing.T, env []string, args ...string) map[string]apiKeyInfo {
	t.Helper()
	out, stderr, code := run(t, env, append([]string{"api-keys", "list", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("api-keys list: exit %d: %s", code, stderr)
	}
	var keys []apiKeyInfo
	unmarshal(t, out, &keys)
	byName := map[string]apiKeyInfo{}
	for _, k := range keys {
		byName[k.Name] = k
	}
	return byName
}

// getUsage is `tollgate usage --json`: API Gateway's GetUsage shape
// (apigw-beyond.md §3 "GetUsage": D BOTO:apigateway Usage; the wire key of
// the per-key days is "values").
type getUsage struct {
	UsagePlanID string              `json:"usagePlanId"`
	StartDate   string              `json:"startDate"`
	EndDate     string              `json:"endDate"`
	Values      map[string][][2]int `json:"values"`
}

// usageOf runs `tollgate usage --json` for a plan over [start, end].
func usageOf(t *testing.T, env []string, plan, start, end string, args ...string) getUsage {
	t.Helper()
	out, stderr, code := run(t, env, append([]string{"usage", "--plan", plan, "--start", start, "--end", end, "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("usage --plan %s: exit %d: %s", plan, code, stderr)
	}
	var u getUsage
	unmarshal(t, out, &u)
	if u.UsagePlanID != plan || u.StartDate != start || u.EndDate != end {
		t.Errorf("usage: plan %q, dates %s..%s; want %s, %s..%s", u.UsagePlanID, u.StartDate, u.EndDate, plan, start, end)
	}
	return u
}

// used sums a key's used counts over the days of a usage report.
func (u getUsage) used(keyID string) int {
	n := 0
	for _, day := range u.Values[keyID] {
		n += day[0]
	}
	return n
}

// identityOf returns requestContext.identity of the Lambda proxy event
// the echo function answered with, after checking that the call
// succeeded.
func identityOf(t *testing.T, what string, resp *http.Response, body []byte) map[string]any {
	t.Helper()
	var ev struct {
		RequestContext struct {
			Identity map[string]any `json:"identity"`
		} `json:"requestContext"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ev) != nil || ev.RequestContext.Identity == nil {
		t.Fatalf("%s: %s %s, want 200 and the echo function's event", what, resp.Status, body)
	}
	return ev.RequestContext.Identity
}

// wantIdentityKey checks requestContext.identity's apiKey (the key's
// value) and apiKeyId (its id) (apigw-beyond.md §3 "Backend context": D
// mapping-template reference; E LS handler). When no key was used (want
// nil) they are absent, as in the events recorded on AWS for methods
// without keys (cognito-apigw.md §5.1, lambdaproxy's proxyIdentity), or
// null, as $context.identity.apiKey is.
func wantIdentityKey(t *testing.T, what string, id map[string]any, value, keyID any) {
	t.Helper()
	for name, want := range map[string]any{"apiKey": value, "apiKeyId": keyID} {
		got, ok := id[name]
		if (ok || want != nil) && got != want {
			t.Errorf("%s: requestContext.identity.%s = %#v (present %v), want %#v", what, name, got, ok, want)
		}
	}
}

// meter counts the requests the gateway admitted (200) per API key id, as
// `tollgate usage` must report them.
type meter struct {
	t        *testing.T
	admitted map[string]int
}

// get calls u with the key value in X-API-Key ("" for none) and extra
// headers; a 200 is counted for keyID.
func (m *meter) get(u, keyValue, keyID string, hdr map[string]string) (*http.Response, []byte) {
	m.t.Helper()
	h := map[string]string{}
	for k, v := range hdr {
		h[k] = v
	}
	if keyValue != "" {
		h["x-api-key"] = keyValue
	}
	resp, body := call(m.t, "GET", u, "", h)
	if resp.StatusCode == http.StatusOK && keyID != "" {
		m.admitted[keyID]++
	}
	return resp, body
}

// TestAPIKeys runs apiKeysConfig through the real binary and checks API
// Gateway's answers to keys (apigw-beyond.md §3, §6 items 6-7), what the
// Lambda event says of them, the CLI's api-keys commands against the
// running node's store, and `tollgate usage` after the node stopped.
func TestAPIKeys(t *testing.T) {
	needProgram(t, "node")
	// A daily quota is counted, and usage reported by day: one day for the
	// whole test.
	clearOfHourTurn(t, 3*time.Minute)
	dataDir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "keys.yaml")
	writeFile(t, cfg, fmt.Sprintf(apiKeysConfig, testdata(t, "authorizer"), partnerPool("api/read", "read")))
	firstDay := time.Now().UTC().Format(time.DateOnly)
	p, d := startDev(t, dataDir, "--config", cfg, "--admin-listen", "127.0.0.1:0")
	host := strings.TrimSuffix(d.TokenURL, "/oauth2/token")
	apiURL := func(logicalID, path string) string {
		return host + "/apis/" + tollgate.RestAPIID(logicalID) + "/prod" + path
	}
	keys := listAPIKeys(t, nil, "--data", dataDir)
	partner, later, quota, other := keys["partner"], keys["later"], keys["quota"], keys["other"]
	if len(partner.UsagePlans) != 1 || len(quota.UsagePlans) != 1 || later.UsagePlans[0] != partner.UsagePlans[0] {
		t.Fatalf("the config's keys are not each in their plan: %+v", keys)
	}
	basic, metered := partner.UsagePlans[0], quota.UsagePlans[0]
	m := &meter{t: t, admitted: map[string]int{}}

	refused := func(what string, resp *http.Response, body []byte, status int, wantJSON, errorType string) {
		t.Helper()
		wantAnswer(t, what, resp, body, status, wantJSON, errorType)
		// API Gateway sends no Retry-After with these (§3 "Throttled",
		// "Quota exhausted").
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			t.Errorf("%s: Retry-After %q; API Gateway sends none", what, ra)
		}
	}
	forbidden := func(what string, resp *http.Response, body []byte) {
		t.Helper()
		// §3 "Missing / unknown / not in plan / disabled": 403
		// {"message":"Forbidden"}, ForbiddenException (V LS
		// TestUsagePlans::test_api_key_required_for_methods).
		refused(what, resp, body, http.StatusForbidden, answerForbidden, "ForbiddenException")
	}

	t.Run("refused keys", func(t *testing.T) {
		resp, body := m.get(apiURL("Api", "/items"), "", "", nil)
		forbidden("no key", resp, body)
		resp, body = m.get(apiURL("Api", "/items"), "e2e-unknown-key-0123456789", "", nil)
		forbidden("an unknown key", resp, body)
		resp, body = m.get(apiURL("Api", "/items"), strings.ToUpper(partnerKeyValue), "", nil)
		forbidden("a known key's value in capitals", resp, body)
		// A key of a plan that covers another API's stage only.
		resp, body = m.get(apiURL("Api", "/items"), otherKeyValue, other.ID, nil)
		forbidden("another stage's key", resp, body)
		if resp, body := m.get(apiURL("Other", "/items"), otherKeyValue, other.ID, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("the other stage's key on its stage: %s %s, want 200", resp.Status, body)
		}
	})

	t.Run("the key reaches the function", func(t *testing.T) {
		resp, body := m.get(apiURL("Api", "/items"), partnerKeyValue, partner.ID, nil)
		wantIdentityKey(t, "GET /items with the key", identityOf(t, "GET /items with the key", resp, body), partnerKeyValue, partner.ID)
		// The header name is case-insensitive (§3 "Key source").
		resp, body = m.get(apiURL("Api", "/items"), "", partner.ID, map[string]string{"X-API-KEY": partnerKeyValue})
		wantIdentityKey(t, "X-API-KEY", identityOf(t, "X-API-KEY", resp, body), partnerKeyValue, partner.ID)
		// A method that requires no key ignores the header, even an
		// unknown key's (§3 "When checked").
		for _, v := range []string{"", partnerKeyValue, "e2e-unknown-key-0123456789"} {
			resp, body := m.get(apiURL("Api", "/open"), v, "", nil)
			wantIdentityKey(t, "GET /open with x-api-key "+v, identityOf(t, "GET /open", resp, body), nil, nil)
		}
	})

	t.Run("plan throttle", func(t *testing.T) {
		// GET /limited: a burst of 2, then 429 Too Many Requests
		// (§3 "Throttled": V KC api-gateway-429-limit; E LS).
		for i := range 2 {
			if resp, body := m.get(apiURL("Api", "/limited"), partnerKeyValue, partner.ID, nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("request %d of the burst: %s %s", i+1, resp.Status, body)
			}
		}
		resp, body := m.get(apiURL("Api", "/limited"), partnerKeyValue, partner.ID, nil)
		refused("past the method's burst", resp, body, http.StatusTooManyRequests, answerTooManyRequests, "TooManyRequestsException")
		// The throttle is the method's: /items still serves the key.
		if resp, body := m.get(apiURL("Api", "/items"), partnerKeyValue, partner.ID, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /items after /limited's throttle: %s %s", resp.Status, body)
		}
	})

	t.Run("plan quota", func(t *testing.T) {
		// Metered: 3 requests a day over the plan's methods, then 429
		// Limit Exceeded (§3 "Quota exhausted").
		for i, path := range []string{"/limited", "/items", "/limited"} {
			if resp, body := m.get(apiURL("Api", path), quotaKeyValue, quota.ID, nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("request %d of the quota: %s %s", i+1, resp.Status, body)
			}
		}
		for _, path := range []string{"/limited", "/items"} {
			resp, body := m.get(apiURL("Api", path), quotaKeyValue, quota.ID, nil)
			refused("GET "+path+" past the quota", resp, body, http.StatusTooManyRequests, answerLimitExceeded, "LimitExceededException")
		}
	})

	t.Run("AUTHORIZER key source", func(t *testing.T) {
		// The key is the authorizer's usageIdentifierKey (§3 "Key
		// source": D api-gateway-api-key-source.md); X-API-Key is not
		// read.
		bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
		resp, body := m.get(apiURL("AuthApi", "/items"), "", partner.ID, bearer(partnerKeyValue))
		wantIdentityKey(t, "usageIdentifierKey", identityOf(t, "usageIdentifierKey", resp, body), partnerKeyValue, partner.ID)
		resp, body = m.get(apiURL("AuthApi", "/items"), partnerKeyValue, "", bearer("none"))
		forbidden("no usageIdentifierKey, a key in X-API-Key", resp, body)
		resp, body = m.get(apiURL("AuthApi", "/items"), "", "", bearer("e2e-unknown-key-0123456789"))
		forbidden("an unknown usageIdentifierKey", resp, body)
		resp, body = m.get(apiURL("AuthApi", "/items"), "", "", bearer(otherKeyValue))
		forbidden("another stage's key as usageIdentifierKey", resp, body)
	})

	t.Run("disable", func(t *testing.T) {
		if resp, body := m.get(apiURL("Api", "/items"), laterKeyValue, later.ID, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("the key before it is disabled: %s %s", resp.Status, body)
		}
		if _, stderr, code := run(t, nil, "api-keys", "disable", later.ID, "--data", dataDir); code != 0 {
			t.Fatalf("api-keys disable: exit %d: %s", code, stderr)
		}
		var resp *http.Response
		var body []byte
		functest.Eventually(t, "the node refuses the disabled key", func() bool {
			resp, body = m.get(apiURL("Api", "/items"), laterKeyValue, later.ID, nil)
			return resp.StatusCode != http.StatusOK
		})
		forbidden("a disabled key", resp, body)
		if listAPIKeys(t, nil, "--data", dataDir)["later"].Enabled {
			t.Error("api-keys list shows the disabled key enabled")
		}
	})

	var fresh apiKeyInfo
	t.Run("create and delete while serving", func(t *testing.T) {
		out, stderr, code := run(t, nil, "api-keys", "create", "--name", "fresh", "--usage-plan", basic, "--json", "--data", dataDir)
		if code != 0 {
			t.Fatalf("api-keys create: exit %d: %s", code, stderr)
		}
		unmarshal(t, out, &fresh)
		if fresh.Value == "" || !reflect.DeepEqual(fresh.UsagePlans, []string{basic}) {
			t.Fatalf("api-keys create: %s", out)
		}
		if strings.Contains(stderr, fresh.Value) || strings.Contains(p.Logs(), fresh.Value) {
			t.Error("the new key's value is in a log")
		}
		var resp *http.Response
		var body []byte
		functest.Eventually(t, "the node serves the new key without a restart", func() bool {
			resp, body = m.get(apiURL("Api", "/items"), fresh.Value, fresh.ID, nil)
			return resp.StatusCode == http.StatusOK
		})
		wantIdentityKey(t, "the new key", identityOf(t, "the new key", resp, body), fresh.Value, fresh.ID)
		if _, stderr, code := run(t, nil, "api-keys", "delete", fresh.ID, "--data", dataDir); code != 0 {
			t.Fatalf("api-keys delete: exit %d: %s", code, stderr)
		}
		functest.Eventually(t, "the node refuses the deleted key", func() bool {
			resp, body = m.get(apiURL("Api", "/items"), fresh.Value, fresh.ID, nil)
			return resp.StatusCode != http.StatusOK
		})
		forbidden("a deleted key", resp, body)
	})

	// Metrics per plan, key and outcome: what was admitted and refused.
	if admin := reAdmin.FindStringSubmatch(p.Output()); admin == nil {
		t.Errorf("no admin address printed:\n%s", p.Output())
	} else {
		text := metrics(t, admin[1])
		for _, c := range []struct {
			plan, key, outcome string
			want               int
		}{
			{basic, partner.ID, "allowed", m.admitted[partner.ID]},
			{basic, partner.ID, "throttled", 1},
			{metered, quota.ID, "allowed", 3},
			{metered, quota.ID, "quota", 2},
		} {
			got, _ := metricValue(t, text, "tollgate_usage_plan_requests_total", map[string]string{"plan": c.plan, "key": c.key, "outcome": c.outcome})
			if int(got) != c.want {
				t.Errorf("tollgate_usage_plan_requests_total{plan=%q,key=%q,outcome=%q} = %v, want %d\n%s", c.plan, c.key, c.outcome, got, c.want, grepLines(text, "tollgate_usage_plan_requests_total"))
			}
		}
	}

	// The recorder flushes at shutdown: after the node stops, `tollgate
	// usage` shows every admitted request of each key, and none refused.
	p.stop()
	lastDay := time.Now().UTC().Format(time.DateOnly)
	u := usageOf(t, nil, basic, firstDay, lastDay, "--data", dataDir)
	for _, k := range []apiKeyInfo{partner, later, fresh} {
		if k.ID == "" {
			continue // a subtest failed before making it
		}
		if got, want := u.used(k.ID), m.admitted[k.ID]; got != want {
			t.Errorf("usage of plan %s, key %s (%s): %d, want the %d requests admitted\n%+v", basic, k.Name, k.ID, got, want, u)
		}
	}
	if _, ok := u.Values[quota.ID]; ok {
		t.Errorf("plan %s's usage lists key %s of another plan: %+v", basic, quota.ID, u)
	}
	// The quota's plan: [used, remaining] of the day (§3 "GetUsage").
	if firstDay == lastDay {
		mu := usageOf(t, nil, metered, firstDay, lastDay, "--data", dataDir)
		if want := map[string][][2]int{quota.ID: {{3, 0}}}; !reflect.DeepEqual(mu.Values, want) {
			t.Errorf("usage of the quota's plan: %+v, want values %v", mu, want)
		}
		if got := m.admitted[quota.ID]; got != 3 {
			t.Errorf("%d requests of the quota's key admitted, want 3", got)
		}
	}
}
