package reqlog_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

// BenchmarkRecord is what recording costs every request the server logs,
// serial and from every core at once (the lock's contention).
func BenchmarkRecord(b *testing.B) {
	clients := make([]string, 50)
	for i := range clients {
		clients[i] = "client" + strconv.Itoa(i)
	}
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	entry := func(i int) reqlog.Entry {
		return reqlog.Entry{
			Time: base.Add(time.Duration(i) * time.Millisecond), RequestID: "c3b7a1e2-5d4f-4b8e-9a0c-1f2e3d4c5b6a",
			Method: "GET", Host: "abc123defg.execute-api.localhost", Path: "/prod/items/1", Kind: "gateway",
			API: "abc123defg", Stage: "prod", Route: "GET /items/{id}", ClientID: clients[i%len(clients)],
			Status: 200 + 203*(i%5/4), Latency: time.Millisecond, Remote: "127.0.0.1:5555",
		}
	}
	b.Run("serial", func(b *testing.B) {
		l := reqlog.New(0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			l.Record(entry(i))
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := reqlog.New(0)
		var n atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Record(entry(int(n.Add(1))))
			}
		})
	})
}

// BenchmarkRecent is a console page's read: the newest 100 refusals of a
// route in a full log.
func BenchmarkRecent(b *testing.B) {
	l := reqlog.New(0)
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range reqlog.DefaultSize {
		l.Record(reqlog.Entry{Time: base.Add(time.Duration(i) * time.Second), API: "abc123defg", Route: "GET /items/{id}", Status: 200 + 203*(i%3/2)})
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Recent(reqlog.Filter{Route: "abc123defg GET /items/{id}", RefusedOnly: true, Limit: 100})
	}
}

// BenchmarkRecordOverflow is recording once the series hold their bound
// of clients, all active: each further client counts with the others.
func BenchmarkRecordOverflow(b *testing.B) {
	l := reqlog.New(0)
	base := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range 250 {
		l.Record(reqlog.Entry{Time: base, ClientID: "client" + strconv.Itoa(i), Status: 200})
	}
	late := make([]string, 50)
	for i := range late {
		late[i] = "client" + strconv.Itoa(200+i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Record(reqlog.Entry{Time: base.Add(time.Duration(i) * time.Millisecond), ClientID: late[i%len(late)], Status: 200})
		i++
	}
}
