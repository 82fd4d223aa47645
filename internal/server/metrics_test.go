package server

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/buildinfo"
	"github.com/tollgate/tollgate/internal/gateway"
)

// TestGatewayMetrics: the gateway's observations land in the labelled
// series, whether their metrics were resolved before or not.
func TestGatewayMetrics(t *testing.T) {
	m := newMetrics()
	g := m.newGatewayMetrics()
	for range 3 {
		g.ObserveRequest("api1", "prod", "/{proxy+}", "ANY", 200, time.Millisecond)
	}
	g.ObserveRequest("api1", "prod", "/{proxy+}", "ANY", 401, time.Millisecond)
	g.ObserveRequest("api1", "prod", "/items", "GET", 200, time.Millisecond)
	g.ObserveAuthorizer("Auth", gateway.Allow, true)
	g.ObserveAuthorizer("Auth", gateway.Allow, true)
	g.ObserveAuthorizer("Auth", gateway.Expired, false)

	w := httptest.NewRecorder()
	m.handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{
		`tollgate_gateway_requests_total{api="api1",code="200",method="ANY",resource="/{proxy+}",stage="prod"} 3`,
		`tollgate_gateway_requests_total{api="api1",code="401",method="ANY",resource="/{proxy+}",stage="prod"} 1`,
		`tollgate_gateway_requests_total{api="api1",code="200",method="GET",resource="/items",stage="prod"} 1`,
		`tollgate_gateway_request_duration_seconds_count{api="api1",method="ANY",resource="/{proxy+}",stage="prod"} 4`,
		`tollgate_gateway_request_duration_seconds_count{api="api1",method="GET",resource="/items",stage="prod"} 1`,
		`tollgate_authorizer_decisions_total{authorizer="Auth",cached="true",decision="allow"} 2`,
		`tollgate_authorizer_decisions_total{authorizer="Auth",cached="false",decision="` + gateway.Expired.String() + `"} 1`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// BenchmarkGatewayMetrics is what every gateway request costs the metrics.
func BenchmarkGatewayMetrics(b *testing.B) {
	g := newMetrics().newGatewayMetrics()
	b.ReportAllocs()
	for b.Loop() {
		g.ObserveAuthorizer("Authorizer", gateway.Allow, true)
		g.ObserveRequest("abcdefghij", "prod", "/{proxy+}", "ANY", 200, time.Millisecond)
	}
}

// TestBuildInfoMetric: tollgate_build_info is 1, labelled with the build's
// version, revision and Go version (what `tollgate version` prints).
func TestBuildInfoMetric(t *testing.T) {
	w := httptest.NewRecorder()
	newMetrics().handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	info := buildinfo.Read()
	want := `tollgate_build_info{goversion="` + info.GoVersion + `",revision="` + info.Revision + `",version="` + info.Version + `"} 1` + "\n"
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("metrics lack %s", want)
	}
}
