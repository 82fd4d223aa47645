package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate/internal/gateway"
)

// logWriter is an access log's ResponseWriter: it records the gateway's
// LogFields.
type logWriter struct {
	http.ResponseWriter
	f gateway.LogFields
}

func (w *logWriter) GatewayLogFields() *gateway.LogFields { return &w.f }

// unwrapper hides the logWriter behind another middleware's writer.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// TestGatewayLogFields: the gateway tells the access log the API, stage,
// declared route and the allowed client, also through writers that unwrap
// to the log's.
func TestGatewayLogFields(t *testing.T) {
	e := newEnv(t, nil)
	tok := mint(t, keyA, keyA.kid, claims(issuerOf(poolA)))
	cases := []struct {
		name string
		r    *http.Request
		want gateway.LogFields
	}{
		{"allowed", request("GET", execHost, "/prod/a/b", tok), gateway.LogFields{API: apiID, Stage: "prod", Route: "ANY /{proxy+}", ClientID: clientA}},
		{"no token", request("GET", execHost, "/prod/a/b", ""), gateway.LogFields{API: apiID, Stage: "prod", Route: "ANY /{proxy+}"}},
		{"no authorizer", request("GET", execHost, "/prod/open/7", ""), gateway.LogFields{API: apiID, Stage: "prod", Route: "GET /open/{id}"}},
		{"no route", request("DELETE", execHost, "/prod", ""), gateway.LogFields{API: apiID, Stage: "prod"}},
		{"no API", request("GET", "127.0.0.1", "/apis/nope/prod/x", ""), gateway.LogFields{}},
	}
	for _, tc := range cases {
		for _, wrapped := range []bool{false, true} {
			lw := &logWriter{ResponseWriter: httptest.NewRecorder(), f: gateway.LogFields{Route: "stale"}}
			var w http.ResponseWriter = lw
			if wrapped {
				w = unwrapper{lw}
			}
			e.gw.ServeHTTP(w, tc.r)
			if lw.f != tc.want {
				t.Errorf("%s (wrapped %v): %+v, want %+v", tc.name, wrapped, lw.f, tc.want)
			}
		}
	}
}
