package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate/tollgate"
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

const noRouteDetail = "no API, stage, resource or method matches the request"

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
		{"no token", request("GET", execHost, "/prod/a/b", ""), gateway.LogFields{API: apiID, Stage: "prod", Route: "ANY /{proxy+}", Reason: gateway.ReasonMissingToken, Detail: "the request has no token"}},
		{"no authorizer", request("GET", execHost, "/prod/open/7", ""), gateway.LogFields{API: apiID, Stage: "prod", Route: "GET /open/{id}"}},
		{"no route", request("DELETE", execHost, "/prod", ""), gateway.LogFields{API: apiID, Stage: "prod", Reason: gateway.ReasonNoRoute, Detail: noRouteDetail}},
		{"no API", request("GET", "127.0.0.1", "/apis/nope/prod/x", ""), gateway.LogFields{Reason: gateway.ReasonNoRoute, Detail: noRouteDetail}},
	}
	for _, tc := range cases {
		for _, wrapped := range []bool{false, true} {
			lw := &logWriter{ResponseWriter: httptest.NewRecorder(), f: gateway.LogFields{Route: "stale"}}
			var w http.ResponseWriter = lw
			if wrapped {
				w = unwrapper{lw}
			}
			e.gw.ServeHTTP(w, tc.r)
			if id := lw.Header().Get(gateway.HeaderRequestID); id == "" || lw.f.RequestID != id {
				t.Errorf("%s (wrapped %v): request id %q, answered with %q", tc.name, wrapped, lw.f.RequestID, id)
			}
			lw.f.RequestID = ""
			if lw.f != tc.want {
				t.Errorf("%s (wrapped %v): %+v, want %+v", tc.name, wrapped, lw.f, tc.want)
			}
		}
	}
}

// TestGatewayInformational: after an integration passed on a 1xx answer
// and cleared the header map, as ReverseProxy does, the final answer still
// carries the request ids, and the Observer sees the final status.
func TestGatewayInformational(t *testing.T) {
	for _, observe := range []bool{false, true} {
		e := newEnv(t, func(_ *tollgate.RestAPI, o *gateway.Options) {
			o.Integrations = gateway.IntegrationsFunc(func(*tollgate.RestAPI, *tollgate.Route) (gateway.Integration, error) {
				return integrationFunc(func(w http.ResponseWriter, _ *http.Request, _ *gateway.Invocation) {
					w.WriteHeader(http.StatusEarlyHints)
					clear(w.Header())
					w.Header().Set("X-Upstream", "yes")
					w.WriteHeader(http.StatusCreated)
				}), nil
			})
			if !observe {
				o.Observer = nil
			}
		})
		srv := httptest.NewServer(e.gw)
		req, _ := http.NewRequest("GET", srv.URL+"/prod/open/1", nil)
		req.Host = execHost
		resp, err := srv.Client().Do(req)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != http.StatusCreated || h.Get(gateway.HeaderRequestID) == "" || h.Get(gateway.HeaderExtendedRequestID) == "" || h.Get("X-Upstream") != "yes" {
			t.Errorf("observer %v: %s %v", observe, resp.Status, h)
		}
		if observe {
			if reqs, _ := e.obs.take(); len(reqs) != 1 || reqs[0].Status != http.StatusCreated {
				t.Errorf("observed %+v", reqs)
			}
		}
	}
}
