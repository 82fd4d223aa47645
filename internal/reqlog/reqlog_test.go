package reqlog_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func ids(es []reqlog.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.RequestID
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRecentFilters: Recent gives the kept entries newest first, those a
// filter selects, at most Limit.
func TestRecentFilters(t *testing.T) {
	l := reqlog.New(10)
	for i, e := range []reqlog.Entry{
		{RequestID: "a", Kind: "gateway", API: "api1", Route: "GET /items", ClientID: "c1", Status: 200},
		{RequestID: "b", Kind: "gateway", API: "api1", Route: "GET /items", ClientID: "c2", APIKeyID: "k1", Status: 403, Reason: "insufficient_scope"},
		{RequestID: "c", Kind: "gateway", API: "api2", Route: "GET /items", ClientID: "c1", Status: 401, Reason: "missing_token"},
		{RequestID: "d", Kind: "token", ClientID: "c1", Status: 400, Reason: "invalid_scope"},
		{RequestID: "e", Kind: "gateway", API: "api1", Route: "POST /items", ClientID: "c1", APIKeyID: "k1", Status: 502, Reason: "integration_error"},
		{RequestID: "f", Kind: "other", Status: 304},
	} {
		e.Time = t0.Add(time.Duration(i) * time.Second)
		l.Record(e)
	}
	for _, tc := range []struct {
		name string
		f    reqlog.Filter
		want []string
	}{
		{"all", reqlog.Filter{}, []string{"f", "e", "d", "c", "b", "a"}},
		{"limit", reqlog.Filter{Limit: 2}, []string{"f", "e"}},
		{"request id", reqlog.Filter{RequestID: "c"}, []string{"c"}},
		{"request id and another client", reqlog.Filter{RequestID: "c", ClientID: "c2"}, nil},
		{"client", reqlog.Filter{ClientID: "c1"}, []string{"e", "d", "c", "a"}},
		{"API key", reqlog.Filter{APIKeyID: "k1"}, []string{"e", "b"}},
		{"API key and client", reqlog.Filter{APIKeyID: "k1", ClientID: "c2"}, []string{"b"}},
		{"route", reqlog.Filter{Route: "GET /items"}, []string{"c", "b", "a"}},
		{"API and route", reqlog.Filter{Route: "api1 GET /items"}, []string{"b", "a"}},
		{"API and another route", reqlog.Filter{Route: "api1 GET /item"}, nil},
		{"API", reqlog.Filter{API: "api1"}, []string{"e", "b", "a"}},
		{"status", reqlog.Filter{Status: 401}, []string{"c"}},
		{"2xx", reqlog.Filter{StatusClass: 2}, []string{"a"}},
		{"3xx", reqlog.Filter{StatusClass: 3}, []string{"f"}},
		{"4xx", reqlog.Filter{StatusClass: 4}, []string{"d", "c", "b"}},
		{"5xx", reqlog.Filter{StatusClass: 5}, []string{"e"}},
		{"refused", reqlog.Filter{RefusedOnly: true}, []string{"e", "d", "c", "b"}},
		{"refused of a client", reqlog.Filter{RefusedOnly: true, ClientID: "c1", Limit: 2}, []string{"e", "d"}},
		{"kind", reqlog.Filter{Kind: "token"}, []string{"d"}},
		{"reason", reqlog.Filter{Reason: "missing_token"}, []string{"c"}},
		{"nothing", reqlog.Filter{ClientID: "nobody"}, nil},
	} {
		if got := ids(l.Recent(tc.f)); !equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if n := l.Total(); n != 6 {
		t.Errorf("Total %d, want 6", n)
	}
}

// TestRecentRing: the log keeps the newest entries it has room for.
func TestRecentRing(t *testing.T) {
	l := reqlog.New(3)
	for i := range 7 {
		l.Record(reqlog.Entry{Time: t0.Add(time.Duration(i) * time.Second), RequestID: strconv.Itoa(i)})
		want := []string{}
		for k := i; k >= 0 && k > i-3; k-- {
			want = append(want, strconv.Itoa(k))
		}
		if got := ids(l.Recent(reqlog.Filter{})); !equal(got, want) {
			t.Fatalf("after %d: %v, want %v", i, got, want)
		}
	}
	if n := l.Total(); n != 7 {
		t.Errorf("Total %d, want 7", n)
	}
	if got := ids(reqlog.New(0).Recent(reqlog.Filter{})); len(got) != 0 {
		t.Errorf("empty log: %v", got)
	}
}

// points returns a series' non-empty points as "minute offset from t0:
// requests/refusals".
func points(s reqlog.ClientSeries) map[int][2]int {
	m := map[int][2]int{}
	for _, p := range s.Points {
		if p.Requests > 0 {
			m[int(p.Start.Sub(t0)/time.Minute)] = [2]int{p.Requests, p.Refusals}
		}
	}
	return m
}

func find(ss []reqlog.ClientSeries, id string) (reqlog.ClientSeries, bool) {
	for _, s := range ss {
		if s.ClientID == id {
			return s, true
		}
	}
	return reqlog.ClientSeries{}, false
}

// TestSeries: counts per client and minute, across minute turns, over
// the Window ending at now, with buckets reused as the window moves on.
func TestSeries(t *testing.T) {
	l := reqlog.New(0)
	rec := func(id string, at time.Duration, status int) {
		l.Record(reqlog.Entry{Time: t0.Add(at), ClientID: id, Status: status})
	}
	rec("c1", 0, 200)
	rec("c1", 59*time.Second+999*time.Millisecond, 401) // still minute 0
	rec("c1", 60*time.Second, 200)                      // minute 1
	rec("c2", 90*time.Second, 403)
	rec("c2", 61*time.Minute, 200) // minute 61: the bucket of minute 1
	// c2's minute 1 bucket now holds minute 61: seen from minute 2, c2
	// made no request in the window but minute 1's, which is gone.
	ss := l.Series(t0.Add(2 * time.Minute))
	if len(ss) != 1 || ss[0].ClientID != "c1" {
		t.Fatalf("series %+v", ss)
	}
	c1 := ss[0]
	if len(c1.Points) != 60 || !c1.Points[59].Start.Equal(t0.Add(2*time.Minute)) || !c1.Points[0].Start.Equal(t0.Add(-57*time.Minute)) {
		t.Errorf("points from %v to %v", c1.Points[0].Start, c1.Points[len(c1.Points)-1].Start)
	}
	if got := points(c1); len(got) != 2 || got[0] != [2]int{2, 1} || got[1] != [2]int{1, 0} || c1.Requests != 3 || c1.Refusals != 1 {
		t.Errorf("c1: %v, %d/%d", got, c1.Requests, c1.Refusals)
	}

	// An hour on, minute 0 and 1 are out of the window, minute 61 in.
	ss = l.Series(t0.Add(61*time.Minute + 30*time.Second))
	if len(ss) != 1 || ss[0].ClientID != "c2" {
		t.Fatalf("an hour on: %+v", ss)
	}
	if got := points(ss[0]); len(got) != 1 || got[61] != [2]int{1, 0} {
		t.Errorf("c2 an hour on: %v", got)
	}
	// A request recorded late, older than the minute its bucket holds,
	// is not counted over the newer one.
	rec("c2", 60*time.Second, 500)
	if got := points(find1(t, l.Series(t0.Add(61*time.Minute)), "c2")); len(got) != 1 || got[61] != [2]int{1, 0} {
		t.Errorf("after a late request: %v", got)
	}
	// Two hours on, nothing.
	if ss := l.Series(t0.Add(3 * time.Hour)); len(ss) != 0 {
		t.Errorf("three hours on: %+v", ss)
	}
}

func find1(t *testing.T, ss []reqlog.ClientSeries, id string) reqlog.ClientSeries {
	t.Helper()
	s, ok := find(ss, id)
	if !ok {
		t.Fatalf("no series of %q in %+v", id, ss)
	}
	return s
}

// TestSeriesBeforeEpoch: times before 1970 (a zero Time is taken as now)
// neither panic nor land in another minute.
func TestSeriesBeforeEpoch(t *testing.T) {
	l := reqlog.New(0)
	old := time.Date(1969, 12, 31, 23, 59, 30, 0, time.UTC)
	l.Record(reqlog.Entry{Time: old, ClientID: "c"})
	if got := find1(t, l.Series(old), "c"); got.Requests != 1 || !got.Points[59].Start.Equal(old.Truncate(time.Minute)) || got.Points[59].Requests != 1 {
		t.Errorf("before 1970: %+v", got.Points[59])
	}
	l.Record(reqlog.Entry{ClientID: "now"})
	if e := l.Recent(reqlog.Filter{Limit: 1}); len(e) != 1 || time.Since(e[0].Time) > time.Minute {
		t.Errorf("a zero time is kept as %v", e[0].Time)
	}
	if got := find1(t, l.Series(time.Now()), "now"); got.Requests != 1 {
		t.Errorf("zero time: %+v", got)
	}
}

// TestSeriesBoundedClients: beyond 200 clients in the window, requests
// count under OtherClients; a client idle for the whole window makes room.
func TestSeriesBoundedClients(t *testing.T) {
	l := reqlog.New(0)
	for i := range 250 {
		l.Record(reqlog.Entry{Time: t0, ClientID: "client" + strconv.Itoa(i), Status: 429})
	}
	ss := l.Series(t0)
	if len(ss) != 201 {
		t.Fatalf("%d series, want 200 and the other clients", len(ss))
	}
	other := find1(t, ss, reqlog.OtherClients)
	if other.Requests != 50 || other.Refusals != 50 || ss[0].ClientID != reqlog.OtherClients {
		t.Errorf("other clients: %d/%d, first %q", other.Requests, other.Refusals, ss[0].ClientID)
	}
	// An hour later the 200 are idle: a new client gets a series of its own.
	later := t0.Add(reqlog.Window + time.Minute)
	l.Record(reqlog.Entry{Time: later, ClientID: "newcomer"})
	ss = l.Series(later)
	if len(ss) != 1 || ss[0].ClientID != "newcomer" || ss[0].Requests != 1 {
		t.Errorf("an hour later: %+v", ss)
	}
}

// TestRecordConcurrent: records from many goroutines are all counted
// (run with -race).
func TestRecordConcurrent(t *testing.T) {
	l := reqlog.New(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				l.Record(reqlog.Entry{Time: t0.Add(time.Duration(i) * time.Millisecond), ClientID: "c" + strconv.Itoa(g%3), Status: 200 + 200*(i%2)})
				if i%100 == 0 {
					l.Recent(reqlog.Filter{RefusedOnly: true, Limit: 5})
					l.Series(t0)
				}
			}
		})
	}
	wg.Wait()
	if n := l.Total(); n != 4000 {
		t.Errorf("Total %d", n)
	}
	var req, ref int
	for _, s := range l.Series(t0) {
		req, ref = req+s.Requests, ref+s.Refusals
	}
	if req != 4000 || ref != 2000 {
		t.Errorf("series count %d requests, %d refusals", req, ref)
	}
	if n := len(l.Recent(reqlog.Filter{})); n != 100 {
		t.Errorf("%d kept", n)
	}
}

// TestRecordAllocations: recording a known client allocates nothing.
func TestRecordAllocations(t *testing.T) {
	l := reqlog.New(0)
	e := reqlog.Entry{Time: t0, ClientID: "c1", RequestID: "id", Path: "/p", Status: 403, Reason: "insufficient_scope", Detail: "the token lacks a scope"}
	l.Record(e)
	if n := testing.AllocsPerRun(100, func() { l.Record(e) }); n != 0 {
		t.Errorf("Record allocates %v times", n)
	}
}
