package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// BenchmarkGatewayRequest is what the server's handler costs a gateway
// request to a MOCK route (the access log off): the hold on the
// deployment in service (Reload) is on this path. Parallel, every core
// takes and releases the same deployment.
func BenchmarkGatewayRequest(b *testing.B) {
	st, v := storetest.OpenSQLite(b, sqlstore.Open)
	apis := []*tollgate.RestAPI{{ID: "benchapi01", Name: "bench", Region: "us-east-1", Stages: []tollgate.Stage{{Name: "prod"}},
		Routes: []tollgate.Route{{Method: "GET", ResourcePath: "/ping", Integration: tollgate.Integration{Type: tollgate.IntegrationMock, MockStatus: http.StatusNoContent}}}}}
	s, err := New(context.Background(), Options{Store: st, Vault: v, APIs: apis, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	run := func(pb interface{ Next() bool }) {
		r := httptest.NewRequest(http.MethodGet, "/apis/benchapi01/prod/ping", nil)
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusNoContent {
				b.Fatalf("status %d", w.Code)
			}
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		run(loop{b})
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) { run(pb) })
	})
}

// loop adapts b.Loop to Next.
type loop struct{ b *testing.B }

func (l loop) Next() bool { return l.b.Loop() }

// BenchmarkAcquire is what the hold on the deployment in service adds to
// each gateway and Invoke API request: acquire and release, the counter
// shared by every core in the parallel case.
func BenchmarkAcquire(b *testing.B) {
	s := &Server{}
	s.dep.Store(&deployment{drained: make(chan struct{})})
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			s.acquire().release()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.acquire().release()
			}
		})
	})
}
