// Package reqlog keeps this process's recent requests in memory for the
// admin console: a bounded ring of the last requests (Recent, filterable by
// request id, client, API key, route, API, kind, refusal reason and status)
// and per-client
// counts of requests and refusals in one-minute buckets over the last hour
// (Series), for its charts, with clients beyond a bound counted together.
// Recording is on every request's path, so it copies one fixed-size entry
// under a short lock and allocates only for a client's first request in
// the window (BenchmarkRecord: none for a client already counted). Nothing here
// is shared between nodes: each node shows what it served. Entries hold no
// secret, token or query string: the server records only what its access
// log records.
package reqlog

import (
	"math"
	"sync"
	"time"
)

// Entry is one request as the access log saw it.
type Entry struct {
	Time      time.Time
	RequestID string
	Method    string
	Host      string
	Path      string // cut at the query
	// Kind is "gateway" (an API's request), "token" (an OAuth endpoint:
	// token, revoke, introspect, register) or "other".
	Kind string
	// API, Stage and Route are a gateway request's (Route: "GET /items/{id}").
	API, Stage, Route string
	// ClientID is the client the request is about: a gateway request's
	// verified token's client_id (allowed or refused after verification),
	// the token endpoint's authenticated client; "" when none was verified.
	ClientID string
	// APIKeyID is the id of the API key a gateway request presented, when
	// the gateway found it (allowed or refused); never the key's value.
	APIKeyID string
	Status   int
	// Reason is why a request was refused, in a short code ("" when it
	// was allowed): see the gateway's and the token endpoint's reasons.
	Reason string
	// Detail says Reason in words, for the console.
	Detail  string
	Latency time.Duration
	Remote  string
}

// Refused reports whether the request was refused or failed: a status of
// 400 or more.
func (e *Entry) Refused() bool { return e.Status >= 400 }

// Filter selects entries; zero fields select all.
type Filter struct {
	// RequestID selects the request of that id.
	RequestID string
	ClientID  string
	APIKeyID  string
	Route     string // matches Route, or API + " " + Route
	API       string
	// Kind selects "gateway", "token" or "other" requests.
	Kind string
	// Reason selects one refusal reason (e.g. "insufficient_scope").
	Reason string
	// Status selects one status (e.g. 401), or a class with StatusClass.
	Status int
	// StatusClass is 2, 3, 4 or 5 for 2xx…5xx; 0 for any.
	StatusClass int
	// RefusedOnly keeps status ≥ 400.
	RefusedOnly bool
	Limit       int // at most this many, newest first; 0: all kept
}

// Point is one bucket of a client's series.
type Point struct {
	Start    time.Time
	Requests int
	Refusals int
}

// ClientSeries is a client's requests and refusals over time, oldest first.
type ClientSeries struct {
	ClientID string // "" for requests without a verified client
	Points   []Point
	Requests int // totals over Points
	Refusals int
}

// DefaultSize is how many entries a Log keeps by default.
const DefaultSize = 2000

// Bucket is the width of a series' bucket; Window is how far series go
// back.
const (
	Bucket = time.Minute
	Window = 60 * Bucket
)

// Log is the ring of recent requests and the per-client series. Its zero
// value is not usable: New.
type Log struct {
	mu    sync.Mutex
	ring  []Entry
	next  int
	full  bool
	total uint64
	// series by client id: counts per minute bucket over Window.
	series map[string]*clientCounts
	// maxClients bounds series; further clients count in other.
	maxClients int
	other      *clientCounts
	// swept is the minute of the last sweep of idle clients out of full
	// series: at most one a minute, so that clients beyond the bound do
	// not each scan them.
	swept int64
}

type clientCounts struct {
	// buckets[i] holds the minute whose Unix minute % len == i, stamped.
	stamp    [60]int64
	requests [60]int32
	refusals [60]int32
	last     int64 // the newest minute counted
}

// OtherClients is the series name of clients beyond the series bound.
const OtherClients = "(other clients)"

// New returns a Log keeping the last size entries (DefaultSize when size
// ≤ 0).
func New(size int) *Log {
	if size <= 0 {
		size = DefaultSize
	}
	return &Log{ring: make([]Entry, size), series: make(map[string]*clientCounts), maxClients: 200, swept: math.MinInt64}
}

// Record keeps e (a zero Time is taken as now). It is safe for
// concurrent use and allocates nothing but for a client's first request
// in the Window: a copy and a few counts under a short lock.
func (l *Log) Record(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	minute := minuteOf(e.Time)
	var refusals int32
	if e.Refused() {
		refusals = 1
	}
	l.mu.Lock()
	l.ring[l.next] = e
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
	l.total++
	c := l.series[e.ClientID]
	if c == nil {
		c = l.newClient(e.ClientID, minute)
	}
	c.count(minute, refusals)
	l.mu.Unlock()
}

// minuteOf is t's Unix minute (floored, also before 1970).
func minuteOf(t time.Time) int64 {
	s := t.Unix()
	m := s / 60
	if s%60 < 0 {
		m--
	}
	return m
}

// slotOf is the index of minute in a clientCounts' buckets.
func slotOf(minute int64) int {
	i := minute % int64(len(clientCounts{}.stamp))
	if i < 0 {
		i += int64(len(clientCounts{}.stamp))
	}
	return int(i)
}

// count counts a request of minute, and refusals (0 or 1) refusals. A request older than the minute its
// bucket now holds (recorded late, past a whole Window) is not counted:
// it would erase newer counts.
func (c *clientCounts) count(minute int64, refusals int32) {
	i := slotOf(minute)
	switch s := c.stamp[i]; {
	case s > minute:
		return
	case s < minute:
		c.stamp[i], c.requests[i], c.refusals[i] = minute, 0, 0
	}
	c.requests[i]++
	c.refusals[i] += refusals
	if minute > c.last {
		c.last = minute
	}
}

// newClient returns the counts of a client first seen at minute: its
// own while the series hold fewer than maxClients clients, else those of
// OtherClients. Full series are swept of clients idle for the Window (whose
// last request is older) at most once a minute. l.mu is held.
func (l *Log) newClient(id string, minute int64) *clientCounts {
	if len(l.series) >= l.maxClients && minute > l.swept {
		l.swept = minute
		for old, c := range l.series {
			if c.last <= minute-int64(Window/Bucket) {
				delete(l.series, old)
			}
		}
	}
	if len(l.series) >= l.maxClients {
		if l.other == nil {
			l.other = newCounts(minute)
		}
		return l.other
	}
	c := newCounts(minute)
	l.series[id] = c
	return c
}

// newCounts returns counts with no bucket holding any minute yet.
func newCounts(minute int64) *clientCounts {
	c := &clientCounts{last: minute}
	for i := range c.stamp {
		c.stamp[i] = math.MinInt64
	}
	return c
}

// Total is how many requests were recorded since New.
func (l *Log) Total() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// Recent returns the kept entries f selects, newest first.
func (l *Log) Recent(f Filter) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	var out []Entry
	if f.Limit > 0 {
		out = make([]Entry, 0, min(f.Limit, n))
	}
	for k := 0; k < n; k++ {
		i := (l.next - 1 - k + len(l.ring)) % len(l.ring)
		e := &l.ring[i]
		if !f.match(e) {
			continue
		}
		out = append(out, *e)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out
}

func (f *Filter) match(e *Entry) bool {
	switch {
	case f.RequestID != "" && e.RequestID != f.RequestID,
		f.ClientID != "" && e.ClientID != f.ClientID,
		f.APIKeyID != "" && e.APIKeyID != f.APIKeyID,
		f.API != "" && e.API != f.API,
		f.Kind != "" && e.Kind != f.Kind,
		f.Reason != "" && e.Reason != f.Reason,
		f.Route != "" && e.Route != f.Route && !isAPIRoute(f.Route, e.API, e.Route),
		f.Status != 0 && e.Status != f.Status,
		f.StatusClass != 0 && e.Status/100 != f.StatusClass,
		f.RefusedOnly && !e.Refused():
		return false
	}
	return true
}

// isAPIRoute reports whether s is api + " " + route, without building it.
func isAPIRoute(s, api, route string) bool {
	return len(s) == len(api)+1+len(route) && s[len(api)] == ' ' &&
		s[:len(api)] == api && s[len(api)+1:] == route
}

// Series returns each client's counts over the Window ending at now,
// one Point per Bucket, clients with the most requests first.
func (l *Log) Series(now time.Time) []ClientSeries {
	end := minuteOf(now)
	const n = int64(Window / Bucket)
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ClientSeries
	add := func(id string, c *clientCounts) {
		if c == nil || c.last <= end-n {
			return // nothing in the Window
		}
		s := ClientSeries{ClientID: id, Points: make([]Point, n)}
		for k := range n {
			minute := end - n + 1 + k
			p := Point{Start: time.Unix(minute*60, 0).UTC()}
			if i := slotOf(minute); c.stamp[i] == minute {
				p.Requests, p.Refusals = int(c.requests[i]), int(c.refusals[i])
			}
			s.Points[k] = p
			s.Requests += p.Requests
			s.Refusals += p.Refusals
		}
		if s.Requests > 0 {
			out = append(out, s)
		}
	}
	for id, c := range l.series {
		add(id, c)
	}
	add(OtherClients, l.other)
	sortSeries(out)
	return out
}

func sortSeries(s []ClientSeries) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].Requests > s[j-1].Requests || s[j].Requests == s[j-1].Requests && s[j].ClientID < s[j-1].ClientID); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
