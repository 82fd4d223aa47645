package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/buildinfo"
	"github.com/tollgate/tollgate/internal/gateway"
)

// metrics are the server's Prometheus metrics, served on the admin listener
// only (never on the public one).
type metrics struct {
	reg *prometheus.Registry

	oauthRequests *prometheus.CounterVec   // endpoint, code
	oauthLatency  *prometheus.HistogramVec // endpoint
	// oauthCurried holds, per endpoint, the latency observer resolved once.
	oauthCurried map[string]prometheus.Observer
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfoGauge())
	m.oauthRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tollgate_oauth2_requests_total",
		Help: "Requests to the OAuth 2 endpoints, by endpoint and HTTP status code. Issued tokens are endpoint=\"token\", code=\"200\".",
	}, []string{"endpoint", "code"})
	m.oauthLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tollgate_oauth2_request_duration_seconds",
		Help:    "Latency of the OAuth 2 endpoints.",
		Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1},
	}, []string{"endpoint"})
	m.reg.MustRegister(m.oauthRequests, m.oauthLatency)
	m.oauthCurried = map[string]prometheus.Observer{}
	for _, e := range []string{"token", "revoke", "introspect"} {
		m.oauthCurried[e] = m.oauthLatency.WithLabelValues(e)
	}
	return m
}

// buildInfoGauge is tollgate_build_info, 1, labelled with what `tollgate
// version` prints, the usual form of a build's identity in Prometheus.
func buildInfoGauge() prometheus.Collector {
	info := buildinfo.Read()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tollgate_build_info",
		Help: "Always 1; the labels say which Tollgate is running: version, VCS revision and Go version.",
	}, []string{"version", "revision", "goversion"})
	g.WithLabelValues(info.Version, info.Revision, info.GoVersion).Set(1)
	return g
}

// instrumentOAuth counts and times one OAuth endpoint.
func (m *metrics) instrumentOAuth(endpoint string, next http.HandlerFunc) http.HandlerFunc {
	latency := m.oauthCurried[endpoint]
	// Status codes are few; resolve their counters lazily but only once.
	counters := map[int]prometheus.Counter{}
	for _, code := range []int{200, 400, 401, 405, 500} {
		counters[code] = m.oauthRequests.WithLabelValues(endpoint, strconv.Itoa(code))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec, ok := w.(*statusRecorder)
		if !ok {
			rec = &statusRecorder{ResponseWriter: w}
		}
		next(rec, r)
		latency.Observe(time.Since(start).Seconds())
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if c, ok := counters[status]; ok {
			c.Inc()
		} else {
			m.oauthRequests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
		}
	}
}

// registerCache exposes the size of the gateway's verification cache,
// read at each scrape: the estimated bytes its entries hold, which
// --verify-cache-size bounds, and their number.
func (m *metrics) registerCache(c *gateway.Cache) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tollgate_gateway_verification_cache_bytes",
			Help: "Estimated memory held by the entries of the gateway's verification cache (bounded by --verify-cache-size).",
		}, func() float64 { return float64(c.Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "tollgate_gateway_verification_cache_entries",
			Help: "Verified tokens held by the gateway's verification cache.",
		}, func() float64 { return float64(c.Stats().Entries) }),
	)
}

// handler serves /metrics.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// gatewayMetrics implements gateway.Observer with Prometheus. The label
// values it gets are the config's own strings, so their combinations are
// bounded: each one's metrics are resolved once and kept, which spares
// every request the label hashing and checks of WithLabelValues and the
// status code's string. They are kept in sync.Maps, whose reads take no
// lock and write no shared memory: a read lock's counter would be written
// by every request on every core.
type gatewayMetrics struct {
	requests  *prometheus.CounterVec   // api, stage, resource, method, code
	latency   *prometheus.HistogramVec // api, stage, resource, method
	decisions *prometheus.CounterVec   // authorizer, decision, cached

	byRequest  sync.Map // requestLabels → *requestMetrics
	byDecision sync.Map // decisionLabels → prometheus.Counter
}

type requestLabels struct {
	api, stage, resource, method string
	status                       int
}

type requestMetrics struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

type decisionLabels struct {
	authorizer string
	decision   gateway.Decision
	cached     bool
}

func (m *metrics) newGatewayMetrics() *gatewayMetrics {
	g := &gatewayMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tollgate_gateway_requests_total",
			Help: "Requests answered by the API gateway, by API, stage, resource, declared method and HTTP status code.",
		}, []string{"api", "stage", "resource", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tollgate_gateway_request_duration_seconds",
			Help:    "Latency of API gateway requests, integration included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 29},
		}, []string{"api", "stage", "resource", "method"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tollgate_authorizer_decisions_total",
			Help: "Authorizer decisions (allow, unauthorized, expired, error, deny, explicit_deny, configuration_error, uri_too_long), and whether they came from the cache (the verification cache of Cognito authorizers, the policy cache of Lambda authorizers).",
		}, []string{"authorizer", "decision", "cached"}),
	}
	m.reg.MustRegister(g.requests, g.latency, g.decisions)
	return g
}

func (g *gatewayMetrics) ObserveRequest(api, stage, resource, method string, status int, d time.Duration) {
	k := requestLabels{api, stage, resource, method, status}
	v, ok := g.byRequest.Load(k)
	if !ok {
		v, _ = g.byRequest.LoadOrStore(k, &requestMetrics{
			count:   g.requests.WithLabelValues(api, stage, resource, method, strconv.Itoa(status)),
			latency: g.latency.WithLabelValues(api, stage, resource, method),
		})
	}
	m := v.(*requestMetrics)
	m.count.Inc()
	m.latency.Observe(d.Seconds())
}

func (g *gatewayMetrics) ObserveAuthorizer(authorizer string, decision gateway.Decision, cached bool) {
	k := decisionLabels{authorizer, decision, cached}
	v, ok := g.byDecision.Load(k)
	if !ok {
		v, _ = g.byDecision.LoadOrStore(k, g.decisions.WithLabelValues(authorizer, decision.String(), strconv.FormatBool(cached)))
	}
	v.(prometheus.Counter).Inc()
}

// observeAudit counts the audit events sink writes, by action and outcome
// (tollgate_audit_events_total), and exports the events it dropped and
// failed to write. Actions and outcomes are Tollgate's own names, a few
// dozen combinations.
func (m *metrics) observeAudit(sink *audit.Sink) {
	if sink == nil {
		return
	}
	events := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tollgate_audit_events_total",
		Help: "Audit events written (or attempted), by action and outcome.",
	}, []string{"action", "outcome"})
	dropped := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "tollgate_audit_events_dropped_total",
		Help: "Audit events dropped because the audit log's queue was full.",
	}, func() float64 { return float64(sink.Dropped()) })
	failed := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "tollgate_audit_write_failures_total",
		Help: "Audit events that could not be written to the audit log.",
	}, func() float64 { return float64(sink.Failed()) })
	m.reg.MustRegister(events, dropped, failed)
	sink.Observe(func(ev audit.Event) { events.WithLabelValues(ev.Action, string(ev.Outcome)).Inc() })
}
