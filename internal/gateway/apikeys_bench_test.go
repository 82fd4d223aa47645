package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/limit"
)

// admit is a limiter that admits everything at no cost: the gateway's own
// work around a shared limiter, without the round trip.
type admit struct{}

func (admit) Take(context.Context, time.Time, []limit.Check) (limit.Result, error) {
	return limit.Result{Refused: -1}, nil
}
func (admit) Strike(context.Context, time.Time, string, limit.Lockout) (time.Time, error) {
	return time.Time{}, nil
}
func (admit) Close() error { return nil }

// BenchmarkHandlerAPIKey serves a MOCK method through the handler:
//
//   - none: the method requires no key (what every request paid before);
//   - key: it requires one, in a plan with a throttle, a per-method
//     throttle and a quota, counted by the gateway's local limiter;
//   - key-shared: the same, with a shared limiter that answers at once
//     (the gateway's cost around a Redis round trip), and a stage throttle;
//   - none-shared: no key, the stage throttle alone in the shared limiter.
//
// The limits are too high to refuse within the run: the clock stands still.
func BenchmarkHandlerAPIKey(b *testing.B) {
	plan := tollgate.UsagePlan{
		Throttle: tollgate.Throttle{Rate: 1e9, Burst: 1 << 30},
		Quota:    &tollgate.Quota{Limit: 1 << 60, Period: tollgate.QuotaMonth},
		Stages: []tollgate.PlanStage{{APIID: apiID, Stage: "prod", Throttle: map[string]tollgate.Throttle{
			"/pets/GET": {Rate: 1e9, Burst: 1 << 30},
		}}},
	}
	for _, tt := range []struct {
		name, path string
		shared     bool
	}{
		{"none", "/prod/open", false},
		{"key", "/prod/pets", false},
		{"key-shared", "/prod/pets", true},
		{"none-shared", "/prod/open", true},
	} {
		b.Run(tt.name, func(b *testing.B) {
			ke := newKeyEnv(b, plan, func(api *tollgate.RestAPI, o *gateway.Options) {
				o.Observer, o.Usage = nil, nil
				if tt.shared {
					api.Stages[0].Throttle = tollgate.Throttle{Rate: 1e9, Burst: 1 << 30}
					o.Limiter = admit{}
				}
			})
			r := request("GET", execHost, tt.path, "")
			r.Header.Set("X-Api-Key", keyValue)
			if w := ke.do(r); w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			serveLoop(b, ke.gw, r)
		})
	}
}
