package console

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
)

// usagePlanSummary is a usage plan as the list shows it.
type usagePlanSummary struct {
	*tollgate.UsagePlan
	Throttle string
	Quota    string
	Keys     int
}

type usagePlansPageData struct {
	Plans  []usagePlanSummary
	Readme string
}

// usagePlanDetail is a usage plan's page.
type usagePlanDetail struct {
	usagePlanSummary
	Stages []usagePlanStage
	Days   []string
	// DayLabels are the days as the chart's axis shows them ("Mon 7").
	DayLabels []string
	KeyUse    []usagePlanKey
	// Period is the current quota period, [PeriodStart, PeriodEnd);
	// Limit its limit (less the offset in the plan's first period).
	PeriodStart, PeriodEnd time.Time
	Limit                  int64
	PeriodName             string // "day", "week", "month"
	Rate                   string // the throttle's rate, "" when none
}

type usagePlanStage struct {
	APIID, APIName, Stage, URL string
	Methods                    []apiNamedThrottle
}

// usagePlanKey is a key's use in the plan.
type usagePlanKey struct {
	ID, Name string
	Enabled  bool
	// InPlan is false for a key that was counted and has left the plan.
	InPlan bool
	Days   []int64
	Week   int64
	// Used is its use in the current quota period; Percent of Limit.
	Used    int64
	Percent int
	Bars    []usageBar
	Label   string
}

// usageBar is one day's bar of a key's chart, in the SVG's units.
type usageBar struct {
	X, Y, W, H int
	Day        string
	N          int64
}

// Chart geometry: usageDays bars in a usageChartW × usageChartH box.
const (
	usageChartW   = 210
	usageChartH   = 48
	usageBarW     = 22
	usageBarGap   = 8
	usageChartTop = 4
)

func quotaText(q *tollgate.Quota) string {
	if q == nil {
		return ""
	}
	s := fmt.Sprintf("%d requests a %s", q.Limit, strings.ToLower(string(q.Period)))
	if q.Offset > 0 {
		s += fmt.Sprintf(" (%d fewer in the first period)", q.Offset)
	}
	return s
}

func summarizePlan(p *tollgate.UsagePlan, keys []*tollgate.APIKey) usagePlanSummary {
	s := usagePlanSummary{UsagePlan: p, Throttle: throttleText(p.Throttle), Quota: quotaText(p.Quota)}
	for _, k := range keys {
		if k.InPlan(p.ID) {
			s.Keys++
		}
	}
	return s
}

func (c *Console) usagePlansPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	plans, err := c.opts.Domain.ListUsagePlans(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	keys, err := c.opts.Domain.ListAPIKeys(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sortPlans(plans)
	d := usagePlansPageData{Readme: usagePlansReadme}
	for _, p := range plans {
		d.Plans = append(d.Plans, summarizePlan(p, keys))
	}
	c.render(w, r, http.StatusOK, "usageplans", Page{Title: "Usage plans", Nav: "api-keys", Data: d})
}

func (c *Console) usagePlanPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.opts.Domain.GetUsagePlan(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	keys, err := c.opts.Domain.ListAPIKeys(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d, err := c.usagePlanDetail(ctx, p, keys)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "usageplans_plan", Page{Title: p.Name, Nav: "api-keys", Data: d})
}

// usagePlanDetail gathers the plan's page: its limits, stages, and the
// use of each of its keys.
func (c *Console) usagePlanDetail(ctx context.Context, p *tollgate.UsagePlan, keys []*tollgate.APIKey) (*usagePlanDetail, error) {
	days, today := c.usageWindow()
	d := &usagePlanDetail{usagePlanSummary: summarizePlan(p, keys), Days: days}
	if p.Throttle.Enabled() {
		d.Rate = trimFloat(p.Throttle.Rate)
	}
	for _, day := range days {
		t, _ := time.Parse(tollgate.UsageDay, day)
		d.DayLabels = append(d.DayLabels, t.Format("Mon 2"))
	}
	// Records from the start of the quota period holding today (the
	// root's Quota.Window, as the gateway and GetUsage count) or of the
	// days shown, whichever is first.
	from, _ := time.Parse(tollgate.UsageDay, days[0])
	if p.Quota != nil {
		d.PeriodStart, d.PeriodEnd, d.Limit = p.Quota.Window(c.opts.Now(), p.CreatedAt)
		d.PeriodName = strings.ToLower(string(p.Quota.Period))
		if d.PeriodStart.Before(from) {
			from = d.PeriodStart
		}
	}
	recs, err := c.opts.Domain.Usage(ctx, p.ID, "", from.Format(tollgate.UsageDay), today.Format(tollgate.UsageDay))
	if err != nil {
		return nil, err
	}
	counts := map[string]map[string]int64{} // key id → day → count
	for _, rec := range recs {
		if counts[rec.KeyID] == nil {
			counts[rec.KeyID] = map[string]int64{}
		}
		counts[rec.KeyID][rec.Day] += rec.Count
	}
	d.KeyUse = planKeyUse(d, p, keys, counts)
	d.Stages = c.planStages(p)
	return d, nil
}

// planKeyUse returns the use of the plan's keys, and of keys counted in
// it in the days shown that have left it, by id.
func planKeyUse(d *usagePlanDetail, p *tollgate.UsagePlan, keys []*tollgate.APIKey, counts map[string]map[string]int64) []usagePlanKey {
	byID := map[string]*tollgate.APIKey{}
	ids := map[string]bool{}
	for _, k := range keys {
		byID[k.ID] = k
		if k.InPlan(p.ID) {
			ids[k.ID] = true
		}
	}
	for id, byDay := range counts {
		for _, day := range d.Days {
			if byDay[day] > 0 {
				ids[id] = true
			}
		}
	}
	var out []usagePlanKey
	var peak int64
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		k := usagePlanKey{ID: id, Name: id}
		if key := byID[id]; key != nil {
			k.Name, k.Enabled, k.InPlan = key.Name, key.Enabled, key.InPlan(p.ID)
		}
		for _, day := range d.Days {
			n := counts[id][day]
			k.Days = append(k.Days, n)
			k.Week += n
			peak = max(peak, n)
		}
		if p.Quota != nil {
			k.Used, k.Percent = quotaUse(counts[id], d.PeriodStart, d.PeriodEnd, d.Limit)
		}
		out = append(out, k)
	}
	for i := range out {
		k := &out[i]
		k.Bars = usageBars(d.Days, k.Days, peak)
		parts := make([]string, len(d.Days))
		for j, n := range k.Days {
			parts[j] = fmt.Sprintf("%s %d", d.DayLabels[j], n)
		}
		k.Label = "Requests of " + k.Name + " per day, last " + fmt.Sprint(usageDays) + " days: " + strings.Join(parts, ", ")
	}
	return out
}

// quotaUse sums byDay's counts in [start, end) and says what part of
// limit they are, in percent (at most 100).
func quotaUse(byDay map[string]int64, start, end time.Time, limit int64) (used int64, percent int) {
	for day, n := range byDay {
		if t, err := time.Parse(tollgate.UsageDay, day); err == nil && !t.Before(start) && t.Before(end) {
			used += n
		}
	}
	switch {
	case limit > 0:
		percent = int(min(100, used*100/limit))
	case used > 0:
		percent = 100
	}
	return used, percent
}

// planStages are the plan's API stages with their APIs' names and URLs.
func (c *Console) planStages(p *tollgate.UsagePlan) []usagePlanStage {
	apis := c.consoleAPIs()
	var out []usagePlanStage
	for _, st := range p.Stages {
		s := usagePlanStage{APIID: st.APIID, APIName: st.APIID, Stage: st.Stage}
		for _, a := range apis {
			if a.ID == st.APIID {
				s.APIName, s.URL = a.Name, a.BaseURLs[st.Stage]
			}
		}
		for _, m := range slices.Sorted(maps.Keys(st.Throttle)) {
			s.Methods = append(s.Methods, apiNamedThrottle{methodThrottleName(m), throttleText(st.Throttle[m])})
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b usagePlanStage) int {
		return cmp.Or(cmp.Compare(a.APIName, b.APIName), cmp.Compare(a.Stage, b.Stage))
	})
	return out
}

// methodThrottleName turns a method throttle's key ("/pets/GET", "//GET")
// into "GET /pets".
func methodThrottleName(k string) string {
	i := strings.LastIndexByte(k, '/')
	if i < 0 {
		return k
	}
	path := k[:i]
	if path == "/" || path == "" {
		path = "/"
	}
	return k[i+1:] + " " + path
}

// usageBars scales counts to bars of the chart, peak the tallest.
func usageBars(days []string, counts []int64, peak int64) []usageBar {
	bars := make([]usageBar, len(counts))
	span := usageChartH - usageChartTop
	for i, n := range counts {
		h := 0
		if peak > 0 {
			h = int(n * int64(span) / peak)
		}
		if n > 0 && h < 2 {
			h = 2
		}
		bars[i] = usageBar{X: i * (usageBarW + usageBarGap), Y: usageChartH - h, W: usageBarW, H: h, Day: days[i], N: n}
	}
	return bars
}
