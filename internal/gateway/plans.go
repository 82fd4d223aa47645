package gateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/limit"
)

// API keys and usage plans (REST APIs only, apigw-beyond §3).
//
// On a method with APIKeyRequired the gateway reads the key, after the
// authorizer: API Gateway authorizes first (LocalStack's handler chain,
// LS-gw/gateway.py, runs the authorizers of preprocess_request before
// api_key_validation_handler), and with an AUTHORIZER key source the key
// is the authorizer's usageIdentifierKey, so it cannot come earlier. A key
// is valid when it exists, is enabled and is in a usage plan covering the
// API's stage; anything else is INVALID_API_KEY, 403 {"message":
// "Forbidden"}. Then the plan's limits: its throttle (per key, over all
// the plan's stages: the bucket is named by plan and key, not stage), the
// stage's per-method throttle, and its quota (per key and period), all in
// one Limiter.Take. A method without APIKeyRequired ignores the header,
// and plans neither throttle nor count its requests.
//
// Shared limits. With Options.Limiter (Redis), the stage, route and
// per-client throttles are counted there too, in that same Take, so that
// every node together admits what one would. The gateway keeps its local
// stage and route buckets before the authorizer all the same, to keep a
// flood off the authorizers while the shared count is one round trip
// away. The two do not count the same requests: a local bucket counts
// every request that reaches this node (as API Gateway's stage throttle
// counts requests before authorization), the shared checks only those
// that passed the authorizer and the key check. So what holds is: a node
// that alone sends over a stage's or route's limit is refused locally;
// requests the authorizer or the key check refuses are throttled per
// node only (each node's bucket, never the shared count, sees them), and
// they use up the local bucket that authorized requests draw from too;
// authorized requests are counted once across nodes.
//
// When the shared limiter fails and Options.LimiterFailOpen is set, each
// node counts alone until it answers: the request's checks are taken from
// the local limiter instead (takeLocal), but for the stage and route
// checks, which the node's own buckets already counted. A usage plan's
// quota there starts from what the store's usage records say the key used
// in its window (Options.QuotaUsed), so a key that had exhausted its quota
// stays refused.

// checkKind says what a refused check answers.
type checkKind uint8

const (
	kindThrottle     checkKind = iota // a stage, route or client throttle: THROTTLED
	kindPlanThrottle                  // a usage plan's or its method's throttle: THROTTLED
	kindQuota                         // a usage plan's quota: QUOTA_EXCEEDED
)

// maxChecks is how many checks one request can carry: stage, route, the
// lenient reading's route, client, plan, method, the lenient reading's
// method, quota.
const maxChecks = 8

// checks are the limits one request is held to, with what each answers,
// and the API key it presented (in the same allocation).
type checks struct {
	list  [maxChecks]limit.Check
	kinds [maxChecks]checkKind
	n     int
	// local is the index of the first check a node counts alone when the
	// shared limiter fails: those before it are the stage and route
	// checks, which its own buckets counted before the authorizer.
	local int
	use   keyUse
}

func (c *checks) add(k checkKind, check limit.Check) {
	c.list[c.n], c.kinds[c.n] = check, k
	c.n++
}

// sharedStage holds a stage's throttles as shared checks, their keys
// built once: the gateway's namespace, the API and the stage, separated by
// NULs (which no id or declared name holds).
type sharedStage struct {
	stage  limit.Check   // Key "" when the stage is not limited
	routes []limit.Check // parallel to the API's routes; Key "" for an unlimited one; nil for none
	// clientPrefix + clientKey names a client's bucket; client is its
	// rate, PerSecond 0 when clients are not limited.
	clientPrefix string
	client       limit.Rate
}

// keyPrefix namespaces the gateway's keys in a shared limiter.
const keyPrefix = "gw\x00"

func newSharedStage(api *tollgate.RestAPI, st *tollgate.Stage) *sharedStage {
	base := keyPrefix + api.ID + "\x00" + st.Name + "\x00"
	s := &sharedStage{clientPrefix: base + "client\x00"}
	if st.Throttle.Enabled() {
		s.stage = limit.Check{Key: base + "stage", Rate: rateOf(st.Throttle)}
	}
	if st.ClientThrottle.Enabled() {
		s.client = rateOf(st.ClientThrottle)
	}
	for i := range api.Routes {
		th := routeThrottle(st, &api.Routes[i])
		if !th.Enabled() {
			continue
		}
		if s.routes == nil {
			s.routes = make([]limit.Check, len(api.Routes))
		}
		s.routes[i] = limit.Check{Key: base + "route\x00" + api.Routes[i].Key(), Rate: rateOf(th)}
	}
	return s
}

// rateOf is a throttle as a GCRA rate, with the bucket the local one has.
func rateOf(t tollgate.Throttle) limit.Rate {
	return limit.Rate{PerSecond: t.Rate, Burst: burst(t)}
}

// none reports whether the stage has no shared throttle.
func (s *sharedStage) none() bool {
	return s.stage.Key == "" && s.routes == nil && s.client.PerSecond == 0
}

// addStage adds the shared stage, route and client checks of a request to
// route index (and lenient, 1 + the lenient reading's route, or 0) by the
// client clientKey ("" for none).
func (s *sharedStage) addStage(c *checks, index, lenient int, clientKey string) {
	if s.stage.Key != "" {
		c.add(kindThrottle, s.stage)
	}
	if s.routes != nil {
		if rc := s.routes[index]; rc.Key != "" {
			c.add(kindThrottle, rc)
		}
		if lenient > 0 {
			if rc := s.routes[lenient-1]; rc.Key != "" {
				c.add(kindThrottle, rc)
			}
		}
	}
	c.local = c.n
	if s.client.PerSecond > 0 && clientKey != "" {
		c.add(kindThrottle, limit.Check{Key: s.clientPrefix + clientKey, Rate: s.client})
	}
}

// planKey is the API key a request presented, with the usage plan (and
// its entry for the request's stage) that meters it; zero when the method
// requires none.
type planKey struct {
	key   *tollgate.APIKey
	value string
	plan  *tollgate.UsagePlan
	stage *tollgate.PlanStage
}

// apiKey finds the valid API key of a request to a method that requires
// one: read from X-API-Key (one value; header names are case-insensitive,
// net/http canonicalizes them), or the Lambda authorizer's
// usageIdentifierKey with an AUTHORIZER source. ok is false for a missing,
// unknown or disabled key, or one in no plan of the API stage; pk.key is
// the key found, also when it is then refused.
func (g *Gateway) apiKey(r *http.Request, api *tollgate.RestAPI, stage string, res *Result) (pk planKey, ok bool) {
	if g.keys == nil {
		return pk, false
	}
	if api.APIKeySource == tollgate.APIKeySourceAuthorizer {
		if res.grant != nil {
			pk.value = res.grant.out.UsageIdentifierKey
		}
	} else {
		pk.value = headerKey(r)
	}
	if pk.value == "" || len(pk.value) > tollgate.MaxAPIKeyValueLength {
		return pk, false
	}
	key, found := g.keys.APIKey(pk.value)
	if !found {
		return pk, false
	}
	pk.key = key
	if !key.Enabled {
		return pk, false
	}
	// A key is in at most one plan of a stage (tollgate.APIKey.PlanIDs).
	for _, id := range key.PlanIDs {
		plan, found := g.keys.UsagePlan(id)
		if !found {
			continue
		}
		if ps := plan.Stage(api.ID, stage); ps != nil {
			pk.plan, pk.stage = plan, ps
			return pk, true
		}
	}
	return pk, false
}

// headerKey returns the X-API-Key value of r: its one value (header
// names are case-insensitive, net/http canonicalizes them), or "" when it
// has none or several (two values would leave which one counts to the
// reader: refused).
func headerKey(r *http.Request) string {
	if vs := r.Header[tollgate.APIKeyHeader]; len(vs) == 1 {
		return vs[0]
	}
	return ""
}

// presentedKey returns the X-API-Key value of r, unvalidated, as a REQUEST
// authorizer's event shows it (requestContext.identity.apiKey, which
// aws-lambda-go's events/testdata/apigw-custom-auth-request-type-request.json
// has, without apiKeyId: the key is not looked up before the authorizer
// decides); nil when there is none.
func presentedKey(r *http.Request) *keyUse {
	if v := headerKey(r); v != "" {
		return &keyUse{value: v}
	}
	return nil
}

// Separators of the plan's keys: method throttles and quota windows.
const methodSep, quotaSep = "\x00method\x00", "\x00quota\x00"

// addLenientMethod adds the per-method throttle of the route the lenient
// reading of the path selects (methodKey), when it is not the matched
// route's: a path an upstream may decode into another route's
// ("/%2Freports" for "/reports") is held to that route's method throttle
// too, as it is to its stage route throttle. Rare: it builds its key here.
func (pk *planKey) addLenientMethod(c *checks, methodKey, matched string) {
	mth, ok := pk.stage.Throttle[methodKey]
	if !ok || !mth.Enabled() || methodKey == matched {
		return
	}
	key := keyPrefix + "plan\x00" + pk.plan.ID + "\x00" + pk.key.ID + methodSep + pk.stage.APIID + "\x00" + pk.stage.Stage + "\x00" + methodKey
	c.add(kindPlanThrottle, limit.Check{Key: key, Rate: rateOf(mth)})
}

// addPlan adds the checks of the usage plan pk names, for the route whose
// per-method throttle key is methodKey; used is what the quota's window
// had used before this process counted it (Options.QuotaUsed). Their keys are built in one
// string: the plan's and key's ids, then the method's suffix, then the
// ids again with the quota window's start, each key a substring.
func (pk *planKey) addPlan(c *checks, methodKey string, now time.Time, used int64) {
	th := pk.plan.Throttle
	mth, hasMethod := pk.stage.Throttle[methodKey]
	hasMethod = hasMethod && mth.Enabled()
	var start, end time.Time
	var lim int64
	if q := pk.plan.Quota; q != nil {
		start, end, lim = q.Window(now, pk.plan.CreatedAt)
	}
	var b strings.Builder
	b.Grow(2*(len(keyPrefix)+len("plan\x00\x00")+len(pk.plan.ID)+len(pk.key.ID)) + len(methodSep) + len(pk.stage.APIID) + len(pk.stage.Stage) + len(methodKey) + 2 + len(quotaSep) + 20)
	writeBase := func() {
		b.WriteString(keyPrefix + "plan\x00")
		b.WriteString(pk.plan.ID)
		b.WriteByte(0)
		b.WriteString(pk.key.ID)
	}
	writeBase()
	baseLen := b.Len()
	if hasMethod {
		b.WriteString(methodSep)
		b.WriteString(pk.stage.APIID)
		b.WriteByte(0)
		b.WriteString(pk.stage.Stage)
		b.WriteByte(0)
		b.WriteString(methodKey)
	}
	methodEnd := b.Len()
	if pk.plan.Quota != nil {
		writeBase()
		b.WriteString(quotaSep)
		var num [20]byte
		b.Write(strconv.AppendInt(num[:0], start.Unix(), 10))
	}
	keys := b.String()
	if th.Enabled() {
		c.add(kindPlanThrottle, limit.Check{Key: keys[:baseLen], Rate: rateOf(th)})
	}
	if hasMethod {
		c.add(kindPlanThrottle, limit.Check{Key: keys[:methodEnd], Rate: rateOf(mth)})
	}
	if pk.plan.Quota != nil {
		// A limit of 0 with Reset set refuses everything.
		c.add(kindQuota, limit.Check{Key: keys[methodEnd:], Limit: max(0, lim-used), Reset: end})
	}
}

// limits holds the request to its shared or plan limits in one Take. It
// returns false when it has answered the request (refused: 429; the
// limiter failed and fails closed: 503).
func (g *Gateway) limits(w http.ResponseWriter, r *http.Request, st *apiState, c *checks, pk *planKey, now time.Time) bool {
	lim := g.shared
	if lim == nil {
		lim = g.local
	}
	res, err := lim.Take(r.Context(), now, c.list[:c.n])
	if err != nil {
		if r.Context().Err() != nil {
			// The caller went away: no outage of the limiter's, and no
			// one to admit.
			refused(w, whyLimiterUnavailable)
			st.write(w, ResponseServiceUnavailable)
			return false
		}
		epoch, admit := g.limiterFailed(err)
		if !admit {
			refused(w, whyLimiterUnavailable)
			st.write(w, ResponseServiceUnavailable)
			return false
		}
		if lim != g.shared {
			return true // the local limiter itself: nothing else counts
		}
		if res, err = g.takeLocal(r.Context(), c, pk, now, epoch); err != nil {
			return true
		}
	} else if g.outageStart.Load() != 0 && g.outageStart.Swap(0) != 0 {
		g.log.Info("gateway: the limiter answers again")
	}
	if res.Allowed() {
		return true
	}
	kind := kindThrottle
	if res.Refused < c.n {
		kind = c.kinds[res.Refused]
	}
	switch kind {
	case kindQuota:
		g.observePlan(pk, PlanQuota)
		st.write(w, ResponseQuotaExceeded)
	case kindPlanThrottle:
		g.observePlan(pk, PlanThrottled)
		refused(w, whyPlanThrottle)
		st.write(w, ResponseThrottled)
	default:
		refused(w, whyThrottle)
		st.write(w, ResponseThrottled)
	}
	return false
}

// takeLocal takes the checks of c from the local limiter, for a request
// the failing shared limiter would have counted (fail open): the client's
// throttle and the usage plan's limits, each node counting alone. The
// stage and route checks are left out: the node's own buckets counted
// them before the authorizer. The quota check's limit is lowered by what
// the key used in the window before (Options.QuotaUsed), as when the
// gateway counts locally. epoch is the outage's (limiterFailed). The
// result's Refused indexes c.list.
func (g *Gateway) takeLocal(ctx context.Context, c *checks, pk *planKey, now time.Time, epoch int64) (limit.Result, error) {
	if c.local == c.n {
		return limit.Result{Refused: -1}, nil
	}
	if pk.plan != nil && pk.plan.Quota != nil {
		// Each outage counts the quota afresh from what the store held when
		// it began (which includes what the shared limiter admitted before,
		// and what earlier outages counted here): its own key, its own
		// reading of the records.
		var used int64
		if g.quotaUsed != nil {
			start, _, _ := pk.plan.Quota.Window(now, pk.plan.CreatedAt)
			used = g.quotaUsed(ctx, pk.plan.ID, pk.key.ID, start, epoch)
		}
		for i := c.local; i < c.n; i++ {
			if c.kinds[i] == kindQuota {
				c.list[i].Limit = max(0, c.list[i].Limit-used)
				c.list[i].Key += "\x00outage\x00" + strconv.FormatInt(epoch, 10)
			}
		}
	}
	res, err := g.local.Take(ctx, now, c.list[c.local:c.n])
	if err == nil && !res.Allowed() {
		res.Refused += c.local
	}
	return res, err
}

// limiterFailed counts a limiter's failure and reports whether the request
// is admitted all the same (Options.LimiterFailOpen), and the epoch of the
// outage it is part of (outage). The first failure of an outage is
// logged, not every request's.
func (g *Gateway) limiterFailed(err error) (epoch int64, admit bool) {
	g.limiterErrors.Add(1)
	epoch = g.outage(err)
	if o, ok := g.obs.(LimiterObserver); ok {
		o.ObserveLimiterError(g.failOpen)
	}
	return epoch, g.failOpen
}

// outage returns the epoch of the limiter's outage a failure is part of:
// when it began, in Unix nanoseconds, never 0. The failure that begins one
// sets outageStart (0 while the limiter answers) and logs it. One atomic
// holds both whether the limiter is down and since when, so that a request
// failing at the same time reads the epoch the first one set, not the
// previous outage's; and the request keeps it, should the limiter answer
// again (outageStart back to 0) before it counts locally.
func (g *Gateway) outage(err error) int64 {
	for {
		if epoch := g.outageStart.Load(); epoch != 0 {
			return epoch
		}
		epoch := g.now().UnixNano()
		if epoch == 0 {
			epoch = 1 // 0 is the limiter answering
		}
		if !g.outageStart.CompareAndSwap(0, epoch) {
			continue // another failure began it: its epoch
		}
		how := "refused (503)"
		if g.failOpen {
			how = "counted by each node alone"
		}
		g.log.Error("gateway: the limiter failed; requests it would count are "+how+" until it answers", "err", err)
		return epoch
	}
}

func (g *Gateway) observePlan(pk *planKey, outcome PlanOutcome) {
	if pk.plan == nil {
		return
	}
	if o, ok := g.obs.(PlanObserver); ok {
		o.ObservePlan(pk.plan.ID, pk.key.ID, outcome)
	}
}

// admitted records a request a usage plan admitted.
func (g *Gateway) admitted(pk *planKey, now time.Time) {
	if g.usage != nil {
		g.usage.Record(pk.plan.ID, pk.key.ID, now)
	}
	g.observePlan(pk, PlanAllowed)
}

// LimiterErrors returns how many times the limiter (the shared one, or
// the local one counting usage plans) failed since the gateway was built.
func (g *Gateway) LimiterErrors() int64 { return g.limiterErrors.Load() }
