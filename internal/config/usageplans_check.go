package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate/tollgate"
)

// Token limit bounds (a Tollgate extension, so Tollgate's own): a lockout
// counts from 1 to 1000 failures, over a window and for a duration of 1s
// to 24h in whole seconds (the counters expire by the second).
const (
	MaxLockoutFailures = 1000
	MinLockoutDuration = time.Second
	MaxLockoutDuration = 24 * time.Hour
)

// checkAPIKeys fills the defaults of the apiKeys section and validates it.
// A key's value is a credential: no problem quotes it.
func (c *Config) checkAPIKeys(r *report) {
	ids := firstSeen{}
	values := map[string]string{} // value → path of the key that has it first
	for i := range c.APIKeys {
		k := &c.APIKeys[i]
		kp := index("apiKeys", i)
		ids.checkID(r, k.ID, field(kp, "id"), "API key id")
		if k.APIKeyName == "" {
			k.APIKeyName = k.ID
		}
		if n := utf8.RuneCountInString(k.APIKeyName); n > tollgate.MaxAPIKeyNameLength {
			r.add(field(kp, "apiKeyName"), "an API key's name has at most %d characters, got %d", tollgate.MaxAPIKeyNameLength, n)
		}
		if k.Enabled == nil {
			enabled := true
			k.Enabled = &enabled
		}
		vp := field(kp, "value")
		switch {
		case k.Value == "":
			// Generated when the key is created.
		case !tollgate.APIKeyValuePattern.MatchString(k.Value):
			r.add(vp, "an API key's value must be %d to %d printable ASCII characters without spaces (got %d characters)",
				tollgate.MinAPIKeyValueLength, tollgate.MaxAPIKeyValueLength, len(k.Value))
		default:
			if first, dup := values[k.Value]; dup {
				r.add(vp, "the value is the same as the value of the key at %s: API key values are unique", r.where(first))
			} else {
				values[k.Value] = vp
			}
		}
	}
}

// checkUsagePlans fills the defaults of the usagePlans section and
// validates it: each plan's throttle and quota, the REST API stages it
// covers with their per-method throttles, and its keys, each in at most
// one plan of a given API stage (AWS refuses a second UsagePlanKey of a
// stage: apigw-beyond §3 "Valid key").
func (c *Config) checkUsagePlans(r *report) {
	ids := firstSeen{}
	keys := map[string]bool{}
	for _, k := range c.APIKeys {
		keys[k.ID] = true
	}
	inStage := map[string]string{} // key id + API stage → path of the plan's reference to the key
	for i := range c.UsagePlans {
		pl := &c.UsagePlans[i]
		pp := index("usagePlans", i)
		ids.checkID(r, pl.ID, field(pp, "id"), "usage plan id")
		if pl.Name == "" {
			pl.Name = pl.ID
		}
		if t := pl.Throttle; t != nil {
			tp := field(pp, "throttle")
			checkThrottle(r, &t.RateLimit, &t.BurstLimit, field(tp, "rateLimit"), field(tp, "burstLimit"))
		}
		if q := pl.Quota; q != nil {
			checkQuota(r, q, field(pp, "quota"))
		}
		stages := c.checkPlanStages(r, pl, pp)

		list := field(pp, "apiKeys")
		seen := firstSeen{}
		for j, id := range pl.APIKeys {
			kp := index(list, j)
			if !keys[id] {
				r.add(kp, "no API key has id %q%s", id, keysHint(c.APIKeys))
				continue
			}
			seen.check(r, id, kp, "API key")
			for _, st := range stages {
				k := id + "\x00" + st
				if first, dup := inStage[k]; dup && parentPath(parentPath(first)) != pp {
					api, stage, _ := strings.Cut(st, "\x00")
					r.add(kp, "API key %s is already in the plan at %s, which covers API %s stage %s too: a key is in at most one plan of an API stage",
						id, r.where(parentPath(parentPath(first))), api, stage)
					break
				} else if !dup {
					inStage[k] = kp
				}
			}
		}
	}
}

// checkQuota checks a plan's quota (QuotaSettings: apigw-beyond §3
// "Quota").
func checkQuota(r *report, q *PlanQuota, qp string) {
	if q.Limit <= 0 {
		r.add(field(qp, "limit"), "the quota's limit must be more than 0 requests, got %d", q.Limit)
	}
	switch {
	case q.Offset < 0:
		r.add(field(qp, "offset"), "the quota's offset must be 0 or more, got %d", q.Offset)
	case q.Limit > 0 && q.Offset >= q.Limit:
		r.add(field(qp, "offset"), "the quota's offset must be less than its limit %d, got %d", q.Limit, q.Offset)
	}
	if q.Period == "" {
		r.add(field(qp, "period"), "period is required: DAY, WEEK or MONTH")
	} else if err := tollgate.CheckQuotaPeriod(tollgate.QuotaPeriod(q.Period)); err != nil {
		r.add(field(qp, "period"), "%v", err)
	}
}

// checkPlanStages checks the API stages a plan covers and their
// per-method throttles, fills each stage's default (its API's stage), and
// returns the stages it names well, as "{api}\x00{stage}".
func (c *Config) checkPlanStages(r *report, pl *UsagePlan, pp string) []string {
	list := field(pp, "apiStages")
	seen := firstSeen{}
	var stages []string
	for j := range pl.APIStages {
		s := &pl.APIStages[j]
		sp := index(list, j)
		ap := field(sp, "api")
		a := c.restAPI(s.API)
		switch {
		case s.API == "":
			r.add(ap, "api is required: the id of a REST API of the config")
			continue
		case a == nil && slices.ContainsFunc(c.HTTPAPIs, func(h HTTPAPI) bool { return h.ID == s.API }):
			r.add(ap, "%s is an HTTP API: API keys and usage plans are a REST API's", s.API)
			continue
		case a == nil:
			r.add(ap, "no REST API has id %q%s", s.API, restAPIsHint(c.RestAPIs))
			continue
		}
		stage := cmp.Or(a.DeployOptions.StageName, DefaultStageName)
		if s.Stage == "" {
			s.Stage = stage
		} else if s.Stage != stage {
			r.add(field(sp, "stage"), "API %s has no stage %q: its stage is %q", s.API, s.Stage, stage)
			continue
		}
		k := s.API + "\x00" + s.Stage
		if _, dup := seen[k]; dup {
			at := sp
			if r.has(field(sp, "stage")) {
				at = field(sp, "stage")
			}
			r.add(at, "API %s stage %s is already covered at %s", s.API, s.Stage, r.where(seen[k]))
			continue
		}
		seen[k] = sp
		stages = append(stages, k)
		checkMethodThrottles(r, a, s, sp)
	}
	return stages
}

// checkMethodThrottles checks a plan stage's per-method throttles: at most
// tollgate.MaxPlanMethodThrottles, each naming a method the API declares,
// once.
func checkMethodThrottles(r *report, a *RestAPI, s *PlanAPIStage, sp string) {
	list := field(sp, "throttle")
	if n := len(s.Throttle); n > tollgate.MaxPlanMethodThrottles {
		r.addKey(list, "a usage plan has at most %d method throttles per API stage, got %d", tollgate.MaxPlanMethodThrottles, n)
	}
	seen := firstSeen{}
	for j := range s.Throttle {
		t := &s.Throttle[j]
		tp := index(list, j)
		if !a.hasMethod(t.Path, t.Method) {
			r.add(tp, "API %s has no method %s %s: a method throttle names a method of the API by its resource path and HTTP method", a.ID, cmp.Or(t.Method, "(no method)"), cmp.Or(t.Path, "(no path)"))
			continue
		}
		seen.check(r, tollgate.MethodThrottleKey(t.Path, t.Method), tp, "method throttle")
		if t.RateLimit == 0 && !r.has(field(tp, "rateLimit")) {
			r.add(tp, "rateLimit is required: a method throttle without a rate limits nothing")
			continue
		}
		checkThrottle(r, &t.RateLimit, &t.BurstLimit, field(tp, "rateLimit"), field(tp, "burstLimit"))
	}
}

// restAPI returns the REST API with the logical id, or nil.
func (c *Config) restAPI(id string) *RestAPI {
	for i := range c.RestAPIs {
		if c.RestAPIs[i].ID == id {
			return &c.RestAPIs[i]
		}
	}
	return nil
}

// hasMethod reports whether the API declares the method on the resource
// path.
func (a *RestAPI) hasMethod(path, method string) bool {
	for _, res := range a.Resources {
		if res.Path != path {
			continue
		}
		for _, m := range res.Methods {
			if m.HTTPMethod == method {
				return true
			}
		}
	}
	return false
}

func restAPIsHint(apis []RestAPI) string {
	ids := make([]string, len(apis))
	for i := range apis {
		ids[i] = apis[i].ID
	}
	return idsHint("REST APIs", ids)
}

func keysHint(keys []APIKey) string {
	ids := make([]string, len(keys))
	for i := range keys {
		ids[i] = keys[i].ID
	}
	return idsHint("API keys", ids)
}

// idsHint lists the ids a reference may name: "; the config's REST APIs
// are a, b", or "; the config declares no REST APIs".
func idsHint(what string, ids []string) string {
	if len(ids) == 0 {
		return "; the config declares no " + what
	}
	return fmt.Sprintf("; the config's %s are %s", what, strings.Join(ids, ", "))
}

// checkPoolTokenLimits checks a pool's token limits at tp: its quotas and
// its lockout.
func checkPoolTokenLimits(r *report, tl *TokenLimits, tp string) {
	checkTokenQuotas(r, tl, tp)
	lo := tl.Lockout
	if lo == nil {
		return
	}
	lp := field(tp, "lockout")
	if lo.MaxFailures < 1 || lo.MaxFailures > MaxLockoutFailures {
		r.add(field(lp, "maxFailures"), "maxFailures must be 1 to %d, got %d", MaxLockoutFailures, lo.MaxFailures)
	}
	checkLockoutDuration(r, lo.Window, field(lp, "window"), "window")
	checkLockoutDuration(r, lo.Duration, field(lp, "duration"), "duration")
}

// checkClientTokenLimits checks a client's token limits at tp: quotas
// only.
func checkClientTokenLimits(r *report, tl *TokenLimits, tp string) {
	checkTokenQuotas(r, tl, tp)
	if tl.Lockout != nil {
		r.add(field(tp, "lockout"), "a lockout is a pool's: it counts the failed authentications of every client id presented to the pool, known or not (set it on the pool's tokenLimits)")
	}
}

func checkTokenQuotas(r *report, tl *TokenLimits, tp string) {
	if tl.PerHour < 0 {
		r.add(field(tp, "perHour"), "perHour must be 0 (no limit) or more, got %d", tl.PerHour)
	}
	if tl.PerDay < 0 {
		r.add(field(tp, "perDay"), "perDay must be 0 (no limit) or more, got %d", tl.PerDay)
	}
	if tl.PerHour > 0 && tl.PerDay > 0 && tl.PerDay < tl.PerHour {
		r.add(field(tp, "perDay"), "perDay (%d) is less than perHour (%d): a day's quota holds at least an hour's", tl.PerDay, tl.PerHour)
	}
}

func checkLockoutDuration(r *report, d time.Duration, path, name string) {
	switch {
	case d == 0 && !r.has(path):
		r.add(path, "%s is required: %s to %s, in whole seconds", name, MinLockoutDuration, MaxLockoutDuration)
	case d < MinLockoutDuration || d > MaxLockoutDuration || d%time.Second != 0:
		r.add(path, "%s must be %s to %s in whole seconds, got %s", name, MinLockoutDuration, MaxLockoutDuration, d)
	}
}
