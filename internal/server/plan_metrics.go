package server

import (
	"github.com/tollgate/tollgate/internal/token"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/gateway"
)

// DefaultMaxPlanKeyLabels is how many API keys get a key label of their
// own in tollgate_usage_plan_requests_total; the rest are key="other", so
// that a store of many keys cannot grow the series without bound.
const DefaultMaxPlanKeyLabels = 1000

// otherKey is the key label of keys beyond the bound.
const otherKey = "other"

// planMetrics implements gateway.PlanObserver:
// tollgate_usage_plan_requests_total{plan,key,outcome}. Plans are the
// config's and the store's (few); keys are labelled by id (never by value),
// the first maxKeys seen each with its own label and the rest as "other".
// Resolved counters are kept in a sync.Map, as gatewayMetrics does, so that
// a repeat observation takes no lock.
type planMetrics struct {
	requests *prometheus.CounterVec
	maxKeys  int

	byLabels sync.Map // planLabels → prometheus.Counter

	mu   sync.Mutex
	keys map[string]struct{} // keys with a label of their own
}

type planLabels struct {
	plan, key string
	outcome   gateway.PlanOutcome
}

func (m *metrics) newPlanMetrics(maxKeys int) *planMetrics {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxPlanKeyLabels
	}
	p := &planMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tollgate_usage_plan_requests_total",
			Help: "Requests of API keys to methods of usage plans, by plan id, key id (\"other\" beyond the first keys seen, see --max-plan-key-labels) and outcome (allowed, throttled, quota).",
		}, []string{"plan", "key", "outcome"}),
		maxKeys: maxKeys,
		keys:    map[string]struct{}{},
	}
	m.reg.MustRegister(p.requests)
	return p
}

func (p *planMetrics) ObservePlan(planID, keyID string, outcome gateway.PlanOutcome) {
	k := planLabels{planID, keyID, outcome}
	if c, ok := p.byLabels.Load(k); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	p.mu.Lock()
	if _, ok := p.keys[keyID]; !ok {
		if len(p.keys) >= p.maxKeys {
			// Not cached under its own id, so that the map stays bounded.
			k.key = otherKey
		} else {
			p.keys[keyID] = struct{}{}
		}
	}
	p.mu.Unlock()
	c, ok := p.byLabels.Load(k)
	if !ok {
		c, _ = p.byLabels.LoadOrStore(k, p.requests.WithLabelValues(k.plan, k.key, string(k.outcome)))
	}
	c.(prometheus.Counter).Inc()
}

// gatewayObserver is the gateway's Observer: its requests and authorizer
// decisions, and its usage plans' decisions (gateway.PlanObserver).
type gatewayObserver struct {
	*gatewayMetrics
	*planMetrics
}

var _ gateway.PlanObserver = gatewayObserver{}

// newLimiterErrors registers tollgate_limiter_errors_total{component}.
func (m *metrics) newLimiterErrors() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tollgate_limiter_errors_total",
		Help: "Calls to the limiter (Redis with --redis) that failed, by component (gateway, token); --redis-failure says whether their requests were served or refused.",
	}, []string{"component"})
	for _, comp := range []string{"gateway", "token"} {
		c.WithLabelValues(comp)
	}
	m.reg.MustRegister(c)
	return c
}

// tokenMetrics observe the token endpoint's limits: lockouts begun and
// requests refused for a quota, by pool (pools are few; client ids are
// not labels, the audit stream names them).
type tokenMetrics struct {
	lockouts *prometheus.CounterVec
	quota    *prometheus.CounterVec
}

func (m *metrics) newTokenMetrics() *tokenMetrics {
	t := &tokenMetrics{
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tollgate_token_lockouts_total",
			Help: "Client ids locked out of the token endpoint after repeated failed authentications, by pool (\"\" when presented on the shared host).",
		}, []string{"pool"}),
		quota: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tollgate_token_quota_refusals_total",
			Help: "Token requests refused because the client's hourly or daily token quota was used up, by pool and window (hour, day).",
		}, []string{"pool", "window"}),
	}
	m.reg.MustRegister(t.lockouts, t.quota)
	return t
}

// ObserveLockout counts a lockout that began.
func (t *tokenMetrics) ObserveLockout(poolID string) { t.lockouts.WithLabelValues(poolID).Inc() }

// ObserveQuota counts a request refused for a token quota. Client ids
// are not labels: the audit stream and the log name them.
func (t *tokenMetrics) ObserveQuota(poolID, _, window string) {
	t.quota.WithLabelValues(poolID, window).Inc()
}

// ObserveLimiterError does nothing: the limiter the endpoint is given is
// wrapped to count its errors (tollgate_limiter_errors_total{component="token"}).
func (t *tokenMetrics) ObserveLimiterError(bool) {}

var _ token.Observer = (*tokenMetrics)(nil)
