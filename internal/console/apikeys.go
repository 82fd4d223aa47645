package console

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

// routesAPIKeys registers this area's pages: API keys (made by hand or
// declared in a config) and the usage plans that throttle and count them.
func (c *Console) routesAPIKeys() {
	c.handle("GET /api-keys", c.apiKeysPage)
	c.handle("GET /api-keys/new", c.apiKeyNewPage)
	c.handle("POST /api-keys", c.apiKeyCreate)
	c.handle("GET /api-keys/{id}", c.apiKeyPage)
	c.handle("POST /api-keys/{id}/enable", c.apiKeySwitch("enabled", (*domain.Service).EnableAPIKey))
	c.handle("POST /api-keys/{id}/disable", c.apiKeySwitch("disabled", (*domain.Service).DisableAPIKey))
	c.handle("POST /api-keys/{id}/delete", c.apiKeyDelete)
	c.handle("POST /api-keys/{id}/plans", c.apiKeyPlans)
	for _, p := range []string{"enable", "disable", "delete", "plans"} {
		c.handle("GET /api-keys/{id}/"+p, c.back("/api-keys/{id}"))
	}
	c.handle("GET /usage-plans", c.usagePlansPage)
	c.handle("GET /usage-plans/{id}", c.usagePlanPage)
}

// usageDays is how many days the pages show use of: today and the six
// before it (UTC days, as usage is counted).
const usageDays = 7

// usagePlansReadme is where the README says how to declare API keys and
// usage plans.
const usagePlansReadme = "https://github.com/tollgate/tollgate#api-keys-usage-plans-and-limits"

// planRef names a usage plan in a list.
type planRef struct{ ID, Name string }

// apiKeyRow is an API key as the pages show it: never its value.
type apiKeyRow struct {
	*tollgate.APIKey
	Plans []planRef
	// Today and Week are its requests today and in the last usageDays
	// days, over all its plans.
	Today, Week int64
}

// Declared reports whether a config or stack declares the key.
func (k apiKeyRow) Declared() bool { return k.ConfigKey != "" }

type apiKeysPageData struct {
	Keys   []apiKeyRow
	Plans  int
	Readme string
}

// apiKeyFormData is the create form's data.
type apiKeyFormData struct {
	Plans                         []*tollgate.UsagePlan
	Name, Description, CustomerID string
	Chosen                        map[string]bool
	OwnValue                      bool
	Disabled                      bool
}

// apiKeyCreatedData is the page that shows a new key's value, once.
type apiKeyCreatedData struct {
	Key   apiKeyRow
	Value string
	Curl  string
}

// apiKeyPageData is an API key's page.
type apiKeyPageData struct {
	Key      apiKeyRow
	AllPlans []*tollgate.UsagePlan
	Days     []string
	// Use is the key's requests per plan per day.
	Use []apiKeyPlanUse
}

type apiKeyPlanUse struct {
	Plan  planRef
	Days  []int64
	Total int64
}

// usageWindow is the days the pages show: the last usageDays UTC days.
func (c *Console) usageWindow() (days []string, today time.Time) {
	now := c.opts.Now().UTC()
	today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := usageDays - 1; i >= 0; i-- {
		days = append(days, today.AddDate(0, 0, -i).Format(tollgate.UsageDay))
	}
	return days, today
}

// planNames maps plan ids to their refs.
func planNames(plans []*tollgate.UsagePlan) map[string]planRef {
	m := make(map[string]planRef, len(plans))
	for _, p := range plans {
		m[p.ID] = planRef{p.ID, p.Name}
	}
	return m
}

func keyRow(k *tollgate.APIKey, names map[string]planRef) apiKeyRow {
	row := apiKeyRow{APIKey: k}
	for _, id := range k.PlanIDs {
		row.Plans = append(row.Plans, cmp.Or(names[id], planRef{ID: id, Name: id}))
	}
	return row
}

// keyUse returns each key's requests per plan per day of days: key id →
// plan id → day → count.
func (c *Console) keyUse(ctx context.Context, plans []*tollgate.UsagePlan, keyID, from, to string) (map[string]map[string]map[string]int64, error) {
	out := map[string]map[string]map[string]int64{}
	for _, p := range plans {
		recs, err := c.opts.Domain.Usage(ctx, p.ID, keyID, from, to)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if out[r.KeyID] == nil {
				out[r.KeyID] = map[string]map[string]int64{}
			}
			if out[r.KeyID][r.PlanID] == nil {
				out[r.KeyID][r.PlanID] = map[string]int64{}
			}
			out[r.KeyID][r.PlanID][r.Day] += r.Count
		}
	}
	return out, nil
}

func (c *Console) apiKeysPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	keys, err := c.opts.Domain.ListAPIKeys(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	plans, err := c.opts.Domain.ListUsagePlans(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	days, _ := c.usageWindow()
	use, err := c.keyUse(ctx, plans, "", days[0], days[len(days)-1])
	if err != nil {
		c.fail(w, r, err)
		return
	}
	names := planNames(plans)
	d := apiKeysPageData{Plans: len(plans), Readme: usagePlansReadme}
	today := days[len(days)-1]
	for _, k := range keys {
		row := keyRow(k, names)
		for _, byDay := range use[k.ID] {
			for day, n := range byDay {
				row.Week += n
				if day == today {
					row.Today += n
				}
			}
		}
		d.Keys = append(d.Keys, row)
	}
	slices.SortStableFunc(d.Keys, func(a, b apiKeyRow) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	c.render(w, r, http.StatusOK, "apikeys", Page{Title: "API keys", Nav: "api-keys", Data: d})
}

func (c *Console) apiKeyNewPage(w http.ResponseWriter, r *http.Request) {
	plans, err := c.opts.Domain.ListUsagePlans(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sortPlans(plans)
	c.render(w, r, http.StatusOK, "apikeys_new", Page{Title: "Create an API key", Nav: "api-keys", Data: apiKeyFormData{Plans: plans}})
}

func sortPlans(plans []*tollgate.UsagePlan) {
	slices.SortStableFunc(plans, func(a, b *tollgate.UsagePlan) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

func (c *Console) apiKeyCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := apiKeyFormData{
		Name:        strings.TrimSpace(r.PostFormValue("name")),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		CustomerID:  strings.TrimSpace(r.PostFormValue("customer_id")),
		OwnValue:    r.PostFormValue("value_source") == "own",
		Disabled:    r.PostFormValue("enabled") != "on",
		Chosen:      map[string]bool{},
	}
	spec := domain.APIKeySpec{Name: f.Name, Description: f.Description, CustomerID: f.CustomerID, Enabled: !f.Disabled}
	for _, id := range r.PostForm["plan"] {
		spec.PlanIDs = append(spec.PlanIDs, id)
		f.Chosen[id] = true
	}
	if f.OwnValue {
		spec.Value = r.PostFormValue("value")
		if spec.Value == "" {
			c.apiKeyRefuse(w, r, http.StatusBadRequest, f, "Type the key's value, or choose to generate one.")
			return
		}
	}
	k, value, err := c.opts.Domain.CreateAPIKey(ctx, spec)
	if err != nil {
		// The form comes back without the value: it is a credential.
		c.refuse(w, r, err, func(status int, msg string) { c.apiKeyRefuse(w, r, status, f, msg) })
		return
	}
	plans, err := c.opts.Domain.ListUsagePlans(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := apiKeyCreatedData{Key: keyRow(k, planNames(plans)), Value: value, Curl: c.apiKeyCurl(k, plans, value)}
	c.render(w, r, http.StatusOK, "apikeys_created", Page{Title: k.Name, Nav: "api-keys", Data: d})
}

// apiKeyRefuse re-renders the create form with status and msg.
func (c *Console) apiKeyRefuse(w http.ResponseWriter, r *http.Request, status int, f apiKeyFormData, msg string) {
	plans, err := c.opts.Domain.ListUsagePlans(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sortPlans(plans)
	f.Plans = plans
	c.render(w, r, status, "apikeys_new", Page{Title: "Create an API key", Nav: "api-keys", Error: msg, Data: f})
}

// apiKeyCurl is a curl command that calls, with the key, a route that
// requires one on a stage of the key's plans, or a placeholder URL.
func (c *Console) apiKeyCurl(k *tollgate.APIKey, plans []*tollgate.UsagePlan, value string) string {
	target := keyTarget(c.consoleAPIs(), k, plans)
	if target == "" {
		// A placeholder the shell fills in: quoted so that it expands.
		return "curl -H " + shellQuote("x-api-key: "+value) + ` "$API_URL"`
	}
	return "curl -H " + shellQuote("x-api-key: "+value) + " " + shellQuote(target)
}

// keyTarget is the URL of a route of a stage of the key's plans, "" when
// none is in service here.
func keyTarget(apis []API, k *tollgate.APIKey, plans []*tollgate.UsagePlan) string {
	for _, p := range plans {
		if !k.InPlan(p.ID) {
			continue
		}
		for _, st := range p.Stages {
			if u := stageRouteURL(apis, st.APIID, st.Stage); u != "" {
				return u
			}
		}
	}
	return ""
}

// stageRouteURL returns the URL of the first route of the API stage that
// requires an API key and has a literal path, or the stage's URL.
func stageRouteURL(apis []API, apiID, stage string) string {
	for _, a := range apis {
		if a.ID != apiID {
			continue
		}
		base := a.BaseURLs[stage]
		if base == "" {
			return ""
		}
		for _, rt := range a.Routes {
			if rt.APIKeyRequired && !strings.ContainsAny(rt.ResourcePath, "{$") {
				return strings.TrimSuffix(base, "/") + rt.ResourcePath
			}
		}
		return base
	}
	return ""
}

func (c *Console) apiKeyPage(w http.ResponseWriter, r *http.Request) {
	k, err := c.opts.Domain.GetAPIKey(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderAPIKeyPage(w, r, http.StatusOK, k, "")
}

// renderAPIKeyPage renders the key's page, its plans and use, with status
// and an error above it (a refused change) when msg is not "".
func (c *Console) renderAPIKeyPage(w http.ResponseWriter, r *http.Request, status int, k *tollgate.APIKey, msg string) {
	d, err := c.apiKeyPageData(r.Context(), k)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, status, "apikeys_key", Page{Title: k.Name, Nav: "api-keys", Error: msg, Data: d})
}

// apiKeyPageData builds the key's page: its plans and its use of each by
// day.
func (c *Console) apiKeyPageData(ctx context.Context, k *tollgate.APIKey) (apiKeyPageData, error) {
	plans, err := c.opts.Domain.ListUsagePlans(ctx)
	if err != nil {
		return apiKeyPageData{}, err
	}
	sortPlans(plans)
	days, _ := c.usageWindow()
	use, err := c.keyUse(ctx, plans, k.ID, days[0], days[len(days)-1])
	if err != nil {
		return apiKeyPageData{}, err
	}
	names := planNames(plans)
	d := apiKeyPageData{Key: keyRow(k, names), AllPlans: plans, Days: days}
	for _, p := range plans {
		byDay, ok := use[k.ID][p.ID]
		if !ok && !k.InPlan(p.ID) {
			continue
		}
		u := apiKeyPlanUse{Plan: names[p.ID]}
		for _, day := range days {
			u.Days = append(u.Days, byDay[day])
			u.Total += byDay[day]
		}
		d.Use = append(d.Use, u)
		if day := days[len(days)-1]; byDay[day] > 0 {
			d.Key.Today += byDay[day]
		}
		d.Key.Week += u.Total
	}
	return d, nil
}

// apiKeySwitch enables or disables a key: allowed on a config's key too
// (the domain's rule, for incidents).
func (c *Console) apiKeySwitch(done string, write func(*domain.Service, context.Context, string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := write(c.opts.Domain, r.Context(), id); err != nil {
			c.fail(w, r, err)
			return
		}
		k, err := c.opts.Domain.GetAPIKey(r.Context(), id)
		flash := "API key " + id + " " + done + "."
		if err == nil && k.ConfigKey != "" {
			flash += " It is declared in " + tollgate.DeclaredIn(k.ConfigKey) + ": the config's next apply sets it back as declared; change it there to make this last."
		}
		c.redirect(w, r, "/api-keys/"+id, flash)
	}
}

func (c *Console) apiKeyDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := c.opts.Domain.DeleteAPIKey(r.Context(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "/api-keys", "API key "+id+" deleted.")
}

// apiKeyPlans moves a key made by hand between usage plans: the checked
// plans are the key's plans afterwards.
func (c *Console) apiKeyPlans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	k, err := c.opts.Domain.GetAPIKey(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	want := r.PostForm["plan"]
	var u domain.APIKeyUpdate
	for _, p := range want {
		if !k.InPlan(p) && !slices.Contains(u.AddPlanIDs, p) {
			u.AddPlanIDs = append(u.AddPlanIDs, p)
		}
	}
	for _, p := range k.PlanIDs {
		if !slices.Contains(want, p) {
			u.RemovePlanIDs = append(u.RemovePlanIDs, p)
		}
	}
	if _, err := c.opts.Domain.UpdateAPIKey(ctx, id, u); err != nil {
		c.refuse(w, r, err, func(status int, msg string) { c.renderAPIKeyPage(w, r, status, k, msg) })
		return
	}
	c.redirect(w, r, "/api-keys/"+id, "Usage plans of API key "+id+" saved.")
}
