package gateway

import (
	"time"

	"github.com/tollgate/tollgate"
)

// APIKeys is what the gateway reads of API keys and usage plans: the
// catalog's, kept in memory and changed by the store's change feed.
type APIKeys interface {
	// APIKey returns the key whose value is value, enabled or not.
	APIKey(value string) (*tollgate.APIKey, bool)
	// UsagePlan returns the usage plan of the id.
	UsagePlan(id string) (*tollgate.UsagePlan, bool)
}

// UsageRecorder records the requests a usage plan admitted, per key and
// day, for GetUsage (`tollgate usage`). Record must not block.
type UsageRecorder interface {
	Record(planID, keyID string, now time.Time)
}

// PlanOutcome is what a usage plan decided of a request, for metrics.
type PlanOutcome string

// Plan outcomes.
const (
	PlanAllowed   PlanOutcome = "allowed"
	PlanThrottled PlanOutcome = "throttled" // 429 Too Many Requests
	PlanQuota     PlanOutcome = "quota"     // 429 Limit Exceeded
)

// PlanObserver is told, if the Observer implements it, each decision of a
// usage plan on a request that presented a valid key.
type PlanObserver interface {
	ObservePlan(planID, keyID string, outcome PlanOutcome)
}

// LimiterObserver is told, if the Observer implements it, each failure of
// the limiter (Options.Limiter, or the local one counting usage plans),
// and whether the gateway fails open (Options.LimiterFailOpen: the
// request is counted by this node alone) or closed (503).
type LimiterObserver interface {
	ObserveLimiterError(failOpen bool)
}
