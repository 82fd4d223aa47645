package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/oauth2"
)

// What the server does while it cannot confirm that its catalog holds
// every write (the store is unreachable): the revocations, deletions and
// secret changes other nodes commit meanwhile are not seen.
const (
	// OutageServe keeps serving from the last known state: availability
	// first. The catalog's age is a metric (tollgate_catalog_age_seconds),
	// and the outage is logged once when it starts and once when it ends.
	OutageServe = "serve"
	// OutageRefuse refuses, once the catalog has not been confirmed
	// current for longer than StaleAfter, what depends on it: the
	// gateway's routes with a Cognito authorizer, which consult revocations,
	// and methods that require an API key, whose keys may have been
	// disabled or deleted elsewhere (503 {"message":"Service
	// Unavailable"}), and the OAuth endpoints
	// (503 temporarily_unavailable). JWT and Lambda-authorized routes keep
	// serving.
	// Open routes, discovery and JWKS keep being served.
	OutageRefuse = "refuse"
)

// DefaultStaleAfter is how old the catalog may grow in refuse mode before
// requests are refused: long enough for a database failover, well above
// the one-second poll.
const DefaultStaleAfter = 30 * time.Second

// stale reports whether the server refuses for want of a current catalog.
func (s *Server) stale() bool {
	return s.opts.StoreOutage == OutageRefuse && s.catalogAge() > s.opts.StaleAfter
}

// catalogAge is how long ago the catalog was last confirmed current.
func (s *Server) catalogAge() time.Duration { return s.opts.Now().Sub(s.catalog.Confirmed()) }

// errUnavailable is RFC 6749's temporarily_unavailable (§4.1.2.1: "the
// authorization server is currently unable to handle the request due to a
// temporary overloading or maintenance"), answered with 503.
var errUnavailable = &oauth2.Error{
	Code:        "temporarily_unavailable",
	Description: "the server cannot confirm its data is current; try again later",
	Status:      http.StatusServiceUnavailable,
}

// whenCurrent guards an OAuth endpoint in refuse mode.
func (s *Server) whenCurrent(h http.HandlerFunc) http.HandlerFunc {
	if s.opts.StoreOutage != OutageRefuse {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.stale() {
			oauth2.WriteError(w, r, errUnavailable)
			return
		}
		h(w, r)
	}
}

// registerCatalogMetrics exposes the catalog's age, which grows past the
// poll interval only while the store cannot be read.
func (s *Server) registerCatalogMetrics() {
	s.metrics.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tollgate_catalog_age_seconds",
		Help: "Seconds since the in-memory catalog was last confirmed to hold every write of the store.",
	}, func() float64 { return s.catalogAge().Seconds() }))
}

// checkOutage checks StoreOutage and fills in the defaults.
func checkOutage(opts *Options) error {
	if opts.StoreOutage == "" {
		opts.StoreOutage = OutageServe
	}
	if opts.StaleAfter <= 0 {
		opts.StaleAfter = DefaultStaleAfter
	}
	return CheckOutage(opts.StoreOutage, opts.StaleAfter, pollInterval(opts))
}

// CheckOutage refuses a store outage policy other than OutageServe and
// OutageRefuse, and, for OutageRefuse, a bound shorter than three poll
// intervals: the catalog is confirmed current once a poll, so such a bound
// would refuse while the store is healthy. The CLI calls it before it
// opens anything; New calls it again.
func CheckOutage(policy string, bound, poll time.Duration) error {
	switch policy {
	case OutageServe, OutageRefuse:
	default:
		return fmt.Errorf("store outage policy must be %q or %q, got %q", OutageServe, OutageRefuse, policy)
	}
	if policy == OutageRefuse && bound < 3*poll {
		return fmt.Errorf("the store outage bound (%s) must be at least three poll intervals (%s): the catalog is confirmed current once a poll", bound, poll)
	}
	return nil
}

// pollInterval is the catalog's poll interval (its default: one second).
func pollInterval(opts *Options) time.Duration {
	if opts.PollInterval <= 0 {
		return time.Second
	}
	return opts.PollInterval
}

// pollInterval is the server's catalog poll interval.
func (s *Server) pollInterval() time.Duration { return pollInterval(&s.opts) }
