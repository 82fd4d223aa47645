package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// apiKeysPlans stores two plans of the REST API fixture's stages.
func apiKeysPlans(f *apisFixture) {
	f.putPlan(&tollgate.UsagePlan{ID: "plangold01", Name: "Gold", ConfigKey: "config:seed/Gold",
		Stages:   []tollgate.PlanStage{{APIID: "restapi001", Stage: "prod", Throttle: map[string]tollgate.Throttle{"/orders/GET": {Rate: 5, Burst: 5}}}},
		Throttle: tollgate.Throttle{Rate: 50, Burst: 100},
		Quota:    &tollgate.Quota{Limit: 1000, Period: tollgate.QuotaWeek}})
	f.putPlan(&tollgate.UsagePlan{ID: "plantest01", Name: "Test", ConfigKey: "config:seed/Test",
		Stages: []tollgate.PlanStage{{APIID: "restapi001", Stage: "test"}}})
}

var apiKeysValueRe = regexp.MustCompile(`<code id="api-key-value">([^<]+)</code>`)

// apiKeysCreate creates a key through the form and returns its id and
// value.
func apiKeysCreate(t *testing.T, f *apisFixture, form url.Values) (id, value, page string) {
	t.Helper()
	status, body := f.post("/api-keys", form)
	if status != http.StatusOK {
		t.Fatalf("create: %d\n%s", status, body)
	}
	m := apiKeysValueRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no value on the page:\n%s", body)
	}
	idm := regexp.MustCompile(`<code id="api-key-id">([a-z0-9]{10})</code>`).FindStringSubmatch(body)
	if idm == nil {
		t.Fatalf("no id on the page")
	}
	return idm[1], m[1], body
}

func TestAPIKeyCreateShowsValueOnce(t *testing.T) {
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	apiKeysPlans(f)
	status, body := f.get("/api-keys")
	if status != http.StatusOK {
		t.Fatalf("GET /api-keys: %d", status)
	}
	apisWantIn(t, "empty list", body, "No API keys yet", `href="/console/api-keys/new"`)

	status, body = f.get("/api-keys/new")
	if status != http.StatusOK {
		t.Fatalf("GET /api-keys/new: %d", status)
	}
	apisWantIn(t, "form", body, `<label for="ak-name">Name</label>`, `<label for="ak-customer">Customer ID</label>`,
		"Generate value", `value="plangold01"`, "Gold", "Create API key")

	id, value, body := apiKeysCreate(t, f, url.Values{"name": {"Partner <i>A</i>"}, "customer_id": {"cust-1"},
		"plan": {"plangold01"}, "value_source": {"generate"}, "enabled": {"on"}})
	if len(value) != tollgate.APIKeyValueLength {
		t.Errorf("value of %d characters", len(value))
	}
	apisWantIn(t, "created page", body, "<h1>Partner &lt;i&gt;A&lt;/i&gt;</h1>", `data-copy="#api-key-value">Copy value</button>`,
		"curl -H &#39;x-api-key: "+value+"&#39; &#39;http://127.0.0.1:8080/apis/restapi001/prod&#39;",
		`href="/console/api-keys/`+id+`"`)

	for _, p := range []string{"/api-keys", "/api-keys/" + id, "/usage-plans", "/usage-plans/plangold01"} {
		status, body := f.get(p)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, status)
		}
		apisWantNotIn(t, p, body, value, "<i>A</i>")
		if p != "/usage-plans" {
			apisWantIn(t, p, body, id)
		}
	}
	_, body = f.get("/api-keys")
	apisWantIn(t, "list", body, "Partner &lt;i&gt;A&lt;/i&gt;", "cust-1", "badge ok\">enabled", `href="/console/usage-plans/plangold01">Gold</a>`)

	k, err := f.Domain.GetAPIKey(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "Partner <i>A</i>" || k.CustomerID != "cust-1" || !k.Enabled || strings.Join(k.PlanIDs, ",") != "plangold01" {
		t.Errorf("stored key %+v", k)
	}
}

func TestAPIKeyCreateChosenValueAndRefusals(t *testing.T) {
	f := newAPIsTestConsole(t)
	apiKeysPlans(f)
	own := "my-own-value-0123456789-abcdef"
	_, value, body := apiKeysCreate(t, f, url.Values{"name": {"own"}, "value_source": {"own"}, "value": {own}})
	if value != own {
		t.Errorf("value %q, want the chosen one", value)
	}
	apisWantIn(t, "created, disabled, no plan", body, "badge bad\">disabled", "works on no method", "$API_URL")

	// The status is the refusal's kind: invalid 400, conflict 409, not
	// found 404; the form comes back each time.
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no name", url.Values{"name": {""}}, http.StatusBadRequest, "name must be 1 to"},
		{"short value", url.Values{"name": {"x"}, "value_source": {"own"}, "value": {"short-secret"}}, http.StatusBadRequest, "20 to 128 printable"},
		{"taken value", url.Values{"name": {"x"}, "value_source": {"own"}, "value": {own}}, http.StatusConflict, "API key values are unique"},
		{"empty own value", url.Values{"name": {"x"}, "value_source": {"own"}}, http.StatusBadRequest, "Type the key"},
		{"unknown plan", url.Values{"name": {"x"}, "plan": {"nosuchplan"}}, http.StatusNotFound, "Invalid Usage Plan ID"},
	} {
		status, body := f.post("/api-keys", tc.form)
		if status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, status, tc.status)
		}
		apisWantIn(t, tc.name, body, tc.want, `<label for="ak-name">Name</label>`)
		apisWantNotIn(t, tc.name, body, "short-secret", own, `id="api-key-value"`)
	}
	keys, err := f.Domain.ListAPIKeys(context.Background())
	if err != nil || len(keys) != 1 {
		t.Errorf("keys after refusals: %d, %v", len(keys), err)
	}
}

func TestAPIKeyEnableDisableDelete(t *testing.T) {
	ctx := context.Background()
	f := newAPIsTestConsole(t)
	apiKeysPlans(f)
	id, _, _ := apiKeysCreate(t, f, url.Values{"name": {"k"}, "enabled": {"on"}})

	if status, loc := f.post("/api-keys/"+id+"/disable", nil); status != http.StatusSeeOther || loc != "/console/api-keys/"+id {
		t.Fatalf("disable: %d %s", status, loc)
	}
	if k, _ := f.Domain.GetAPIKey(ctx, id); k.Enabled {
		t.Error("still enabled")
	}
	_, body := f.get("/api-keys/" + id)
	apisWantIn(t, "disabled key", body, "disabled", ">Enable</button>", "Delete API key")
	if status, _ := f.post("/api-keys/"+id+"/enable", nil); status != http.StatusSeeOther {
		t.Fatalf("enable: %d", status)
	}
	if k, _ := f.Domain.GetAPIKey(ctx, id); !k.Enabled {
		t.Error("not enabled")
	}

	// Without the CSRF token, nothing changes.
	if status, _ := f.post("/api-keys/"+id+"/delete", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("delete without the token: %d", status)
	}
	if status, loc := f.post("/api-keys/"+id+"/delete", nil); status != http.StatusSeeOther || loc != "/console/api-keys" {
		t.Fatalf("delete: %d %s", status, loc)
	}
	if _, err := f.Domain.GetAPIKey(ctx, id); !tollgate.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	if status, _ := f.get("/api-keys/" + id); status != http.StatusNotFound {
		t.Errorf("deleted key's page: %d", status)
	}
}

func TestAPIKeyDeclared(t *testing.T) {
	ctx := context.Background()
	f := newAPIsTestConsole(t)
	apiKeysPlans(f)
	k, _, err := f.Domain.CreateAPIKey(ctx, apiKeysSpec("declared", "plangold01"))
	if err != nil {
		t.Fatal(err)
	}
	declared := *k
	declared.ConfigKey = "config:seed/PartnerKey"
	if err := f.Store.UpdateAPIKey(ctx, &declared, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	_, body := f.get("/api-keys/" + k.ID)
	apisWantIn(t, "declared key", body, "Declared in config &#34;seed&#34; (as &#34;PartnerKey&#34;)", ">Disable</button>")
	apisWantNotIn(t, "declared key", body, "Delete API key", "Save usage plans")

	status, body := f.post("/api-keys/"+k.ID+"/delete", nil)
	if status != http.StatusConflict {
		t.Errorf("delete a declared key: %d, want 409", status)
	}
	apisWantIn(t, "refused delete", body, "seed")
	if status, _ := f.post("/api-keys/"+k.ID+"/plans", url.Values{"plan": {"plantest01"}}); status != http.StatusConflict {
		t.Errorf("move a declared key: %d, want 409", status)
	}
	status, loc := f.post("/api-keys/"+k.ID+"/disable", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("disable a declared key: %d %s", status, loc)
	}
	got, _ := f.Domain.GetAPIKey(ctx, k.ID)
	if got.Enabled || strings.Join(got.PlanIDs, ",") != "plangold01" {
		t.Errorf("declared key after: enabled %v, plans %v", got.Enabled, got.PlanIDs)
	}
}

func apiKeysSpec(name string, plans ...string) domain.APIKeySpec {
	return domain.APIKeySpec{Name: name, Enabled: true, PlanIDs: plans}
}

func TestAPIKeyMovePlans(t *testing.T) {
	ctx := context.Background()
	f := newAPIsTestConsole(t)
	apiKeysPlans(f)
	id, _, _ := apiKeysCreate(t, f, url.Values{"name": {"k"}, "plan": {"plangold01"}})
	if status, _ := f.post("/api-keys/"+id+"/plans", url.Values{"plan": {"plantest01"}}); status != http.StatusSeeOther {
		t.Fatalf("move: %d", status)
	}
	k, _ := f.Domain.GetAPIKey(ctx, id)
	if strings.Join(k.PlanIDs, ",") != "plantest01" {
		t.Errorf("plans after the move: %v", k.PlanIDs)
	}
	// A refused move shows the key's page again as it is, its use too.
	status, body := f.post("/api-keys/"+id+"/plans", url.Values{"plan": {"plantest01", "nosuchplan"}})
	if status != http.StatusNotFound {
		t.Errorf("unknown plan beside a known one: %d", status)
	}
	apisWantIn(t, "refused move", body, "Invalid Usage Plan ID", `<th scope="col">Usage plan</th>`)
	if status, _ := f.post("/api-keys/"+id+"/plans", nil); status != http.StatusSeeOther {
		t.Fatalf("no plan: %d", status)
	}
	k, _ = f.Domain.GetAPIKey(ctx, id)
	if len(k.PlanIDs) != 0 {
		t.Errorf("plans after clearing: %v", k.PlanIDs)
	}
	status, body = f.post("/api-keys/"+id+"/plans", url.Values{"plan": {"nosuchplan"}})
	if status != http.StatusNotFound {
		t.Errorf("unknown plan: %d", status)
	}
	apisWantIn(t, "unknown plan", body, "Invalid Usage Plan ID", "Save usage plans")
}

func TestUsagePlansUse(t *testing.T) {
	ctx := context.Background()
	f := newAPIsTestConsole(t, apisFixtureAPIs()...)
	apiKeysPlans(f)
	a, _, err := f.Domain.CreateAPIKey(ctx, apiKeysSpec("alpha", "plangold01"))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := f.Domain.CreateAPIKey(ctx, apiKeysSpec("beta", "plangold01"))
	if err != nil {
		t.Fatal(err)
	}
	// apisNow is Wednesday 2026-12-02: the WEEK quota's period began on
	// Sunday 2026-11-29; the last 7 days are 11-26 to 12-02.
	if err := f.Store.AddUsage(ctx, []tollgate.UsageRecord{
		{PlanID: "plangold01", KeyID: a.ID, Day: "2026-11-20", Count: 500}, // before the days shown
		{PlanID: "plangold01", KeyID: a.ID, Day: "2026-11-28", Count: 40},  // shown, last week's period
		{PlanID: "plangold01", KeyID: a.ID, Day: "2026-11-30", Count: 100},
		{PlanID: "plangold01", KeyID: a.ID, Day: "2026-12-02", Count: 7},
		{PlanID: "plangold01", KeyID: b.ID, Day: "2026-12-01", Count: 3},
		{PlanID: "plantest01", KeyID: a.ID, Day: "2026-12-02", Count: 1000},
	}); err != nil {
		t.Fatal(err)
	}

	_, body := f.get("/api-keys")
	rowA := apisRow(t, body, a.ID)
	apisWantIn(t, "alpha's row", rowA, `<td class="apikeys-num">1007</td>`, `<td class="apikeys-num">1147</td>`)
	rowB := apisRow(t, body, b.ID)
	apisWantIn(t, "beta's row", rowB, `<td class="apikeys-num">0</td>`, `<td class="apikeys-num">3</td>`)

	status, body := f.get("/usage-plans/plangold01")
	if status != http.StatusOK {
		t.Fatalf("GET plan: %d", status)
	}
	apisWantIn(t, "plan page", body,
		"<h1>Gold</h1>", "50 req/s, bursts of 100", "1000 requests a week",
		"2026-11-29 00:00:00 UTC to 2026-12-06 00:00:00 UTC",
		"<code>GET /orders</code>: 5 req/s, bursts of 5", `href="/console/apis/restapi001">Orders &lt;script&gt;`,
		`<svg class="chart apikeys-chart" role="img" aria-label="Requests of alpha per day, last 7 days: Thu 26 0, Fri 27 0, Sat 28 40, Sun 29 0, Mon 30 100, Tue 1 0, Wed 2 7"`,
		"<title>2026-11-30: 100</title>", `<span class="n">2</span><span class="l">API keys</span>`, "quota per key per week",
		"Read-only: declared in config &#34;seed&#34; (as &#34;Gold&#34;)")
	rowA = apisRow(t, body, a.ID)
	apisWantIn(t, "alpha's use", rowA, "<td class=\"apikeys-num\">147</td>", "107 / 1000", `value="10"`)
	rowB = apisRow(t, body, b.ID)
	apisWantIn(t, "beta's use", rowB, "3 / 1000", `value="0"`)
	apisWantNotIn(t, "plan page", body, "style=", "<script>alert")

	_, body = f.get("/usage-plans")
	apisWantIn(t, "plans", body, "Gold", "Test", "1000 requests a week", "<code>restapi001/prod</code>", "config &#34;seed&#34;")

	_, body = f.get("/api-keys/" + a.ID)
	apisWantIn(t, "key page", body, `<span class="n">1007</span>`, `<span class="n">1147</span>`)
}

func TestUsagePlansEmpty(t *testing.T) {
	f := newAPIsTestConsole(t)
	_, body := f.get("/usage-plans")
	apisWantIn(t, "no plans", body, "No usage plans", "usagePlans:")
	if status, _ := f.get("/usage-plans/nosuchplan"); status != http.StatusNotFound {
		t.Errorf("unknown plan: %d", status)
	}
}

// apisRow returns the table row of body that holds s.
func apisRow(t *testing.T, body, s string) string {
	t.Helper()
	for _, row := range strings.Split(body, "<tr>") {
		if strings.Contains(row, s) {
			if i := strings.Index(row, "</tr>"); i >= 0 {
				return row[:i]
			}
		}
	}
	t.Fatalf("no row holds %q", s)
	return ""
}

// The curl line quotes the key's value for a shell, whatever it holds,
// and leaves the placeholder URL for the shell to expand.
func TestAPIKeyCurlQuotes(t *testing.T) {
	got := (&Console{}).apiKeyCurl(&tollgate.APIKey{ID: "k1"}, nil, "it's-a-value-0123456789")
	want := `curl -H 'x-api-key: it'\''s-a-value-0123456789' "$API_URL"`
	if got != want {
		t.Errorf("curl:\n%s\nwant\n%s", got, want)
	}
}
