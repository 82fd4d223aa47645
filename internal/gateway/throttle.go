package gateway

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
)

// DefaultMaxThrottledClients bounds how many clients' buckets one stage
// keeps.
const DefaultMaxThrottledClients = 10_000

// throttle limits one stage: a token bucket for the whole stage, one per
// route (an HTTP API's DefaultRouteSettings and RouteSettings:
// tollgate.Stage.RouteThrottle and RouteThrottles) and, optionally, one
// per client id (tollgate.Stage.Throttle and ClientThrottle). A request
// over any limit is answered 429 Too Many Requests (contract §4.2,
// apigw-beyond §4.5). Time is passed in, so tests need no sleeps.
type throttle struct {
	stage *rate.Limiter // nil: unlimited
	// routes holds each route's bucket, parallel to the API's routes; nil
	// when no route is limited, a nil element for an unlimited route.
	routes []*rate.Limiter

	client     tollgate.Throttle // per client; Rate 0: unlimited
	maxClients int
	// idle is how long a client's bucket takes to fill up again: a bucket
	// left alone that long is the same as a new one, and may be dropped.
	idle time.Duration

	mu      sync.Mutex
	clients map[string]*clientBucket
}

type clientBucket struct {
	lim  *rate.Limiter
	last time.Time // guarded by throttle.mu
}

func newThrottle(st *tollgate.Stage, routes []tollgate.Route, maxClients int) *throttle {
	t := &throttle{client: st.ClientThrottle, maxClients: maxClients}
	if st.Throttle.Enabled() {
		t.stage = rate.NewLimiter(rate.Limit(st.Throttle.Rate), burst(st.Throttle))
	}
	t.routes = routeLimiters(st, routes)
	if t.client.Enabled() {
		t.clients = make(map[string]*clientBucket)
		t.idle = time.Duration(math.Ceil(float64(burst(t.client))/t.client.Rate*float64(time.Second))) + time.Second
	}
	return t
}

// burst returns the bucket size of a throttle: its Burst, or, when that is
// not set, one second's worth of requests (at least one), since a bucket
// of size 0 would refuse everything.
func burst(t tollgate.Throttle) int {
	if t.Burst > 0 {
		return t.Burst
	}
	return max(1, int(math.Ceil(t.Rate)))
}

// routeLimiters returns the buckets of the routes of a stage, parallel to
// routes: a route's RouteThrottles entry, by route key, or else the
// stage's RouteThrottle, each route with a bucket of its own (API Gateway
// applies DefaultRouteSettings to every route separately:
// http-api-throttling.md). It is nil when no route is limited.
func routeLimiters(st *tollgate.Stage, routes []tollgate.Route) []*rate.Limiter {
	if !st.RouteThrottle.Enabled() && len(st.RouteThrottles) == 0 {
		return nil
	}
	lims := make([]*rate.Limiter, len(routes))
	limited := false
	for i := range routes {
		if th := routeThrottle(st, &routes[i]); th.Enabled() {
			lims[i] = rate.NewLimiter(rate.Limit(th.Rate), burst(th))
			limited = true
		}
	}
	if !limited {
		return nil
	}
	return lims
}

// routeThrottle is the throttle of route r on stage st: its
// RouteThrottles entry, by route key, or else the stage's RouteThrottle.
func routeThrottle(st *tollgate.Stage, r *tollgate.Route) tollgate.Throttle {
	if th, ok := st.RouteThrottles[r.Key()]; ok {
		return th
	}
	return st.RouteThrottle
}

// allowStage takes a token from the stage's bucket.
func (t *throttle) allowStage(now time.Time) bool {
	return t.stage == nil || t.stage.AllowN(now, 1)
}

// allowRoute takes a token from the bucket of the route of index i.
func (t *throttle) allowRoute(i int, now time.Time) bool {
	if t.routes == nil {
		return true
	}
	lim := t.routes[i]
	return lim == nil || lim.AllowN(now, 1)
}

// allowClient takes a token from the client's bucket, id being its key
// (clientKey). An empty id (a method without authorizer) is not limited
// per client.
func (t *throttle) allowClient(id string, now time.Time) bool {
	if t.clients == nil || id == "" {
		return true
	}
	t.mu.Lock()
	b := t.clients[id]
	if b == nil {
		if len(t.clients) >= t.maxClients {
			t.evict(now)
		}
		b = &clientBucket{lim: rate.NewLimiter(rate.Limit(t.client.Rate), burst(t.client))}
		t.clients[id] = b
	}
	b.last = now
	// The token is taken under t.mu too, so that evict never drops a
	// bucket between a request's finding it and its taking from it. It
	// costs little, t.mu being held a moment longer, and the bucket's own
	// lock is then never contended (BenchmarkThrottleClients).
	ok := b.lim.AllowN(now, 1)
	t.mu.Unlock()
	return ok
}

// evict makes room for a new client (t.mu held): it drops the buckets idle
// long enough to be full again, which loses nothing, and if there is none,
// the least recently used one, which gives that client a fresh burst.
func (t *throttle) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	dropped := false
	for id, b := range t.clients {
		if now.Sub(b.last) >= t.idle {
			delete(t.clients, id)
			dropped = true
			continue
		}
		if oldest == "" || b.last.Before(oldestAt) {
			oldest, oldestAt = id, b.last
		}
	}
	if !dropped && oldest != "" {
		delete(t.clients, oldest)
	}
}

// clientKey is the per-client throttle's key of a verified token: its
// issuer and client_id, or, for a token without client_id (an ID token,
// or another issuer's access token, under a JWT authorizer), its issuer
// and sub; "" for a token with neither, which is not limited per client.
// The issuer is part of the key so that one issuer's token naming another
// issuer's client (a local pool's) does not drain that client's bucket. A
// configured issuer is a URL, which holds no NUL: the key is unambiguous.
// It is computed once per verified token (newVerified) and kept with the
// cache entry, so that a cache hit builds no key.
func clientKey(c *bearer.Claims) string {
	switch {
	case c.ClientID != "":
		return c.Iss + clientIDSep + c.ClientID
	case c.Sub != "":
		return c.Iss + subSep + c.Sub
	}
	return ""
}

const clientIDSep, subSep = "\x00client_id\x00", "\x00sub\x00"

// clientKeyLen is len(clientKey(c)), without building it: for the cache's
// accounting (entrySize).
func clientKeyLen(c *bearer.Claims) int {
	switch {
	case c.ClientID != "":
		return len(c.Iss) + len(clientIDSep) + len(c.ClientID)
	case c.Sub != "":
		return len(c.Iss) + len(subSep) + len(c.Sub)
	}
	return 0
}

// clientKey is the per-client throttle's key of the request res decided:
// its verified token's (clientKey), or "" without one.
func (res *Result) clientKey() string {
	if res.v == nil {
		return ""
	}
	return res.v.clientKey
}
